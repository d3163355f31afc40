#!/usr/bin/env python3
"""Makes the trainer fixtures under Tests/Fixtures/spm/ (all named trainer_*).

Reads the King James Bible with `diatheke` (Debian packages diatheke, sword-text-kjv), keeps
every 10th verse as a small training corpus and other verses as held-out text, then trains
sentencepiece models (pip `sentencepiece`) with the options the Swift tests use and records
what they give, so TrainerTests can hold our trainer to them:

  trainer_corpus.txt    the training corpus, one verse a line
  trainer_heldout.txt   held-out verses, one a line
  trainer_expected.json per configuration: the options, sentencepiece's tokens per held-out
                        line, its pieces/scores/types where the test compares them (all of
                        them for BPE, whose training is deterministic and which we match piece
                        for piece; the non-normal pieces for the others) and its ids on the
                        first held-out lines

Run from the package root: python3 Tests/Fixtures/make_trainer_fixtures.py
"""
import json
import os
import re
import subprocess
import tempfile

import sentencepiece as spm

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spm")
VERSE = re.compile(r"^(.+?) (\d+):(\d+): ?(.*)$")
MARKUP = re.compile(r"\s*<[^>]*>")

# Options as TrainerTests passes them to TrainerOptions (sentencepiece's flag names).
CONFIGS = {
    "unigram": dict(model_type="unigram", vocab_size=1000),
    "bpe": dict(model_type="bpe", vocab_size=1000),
    "unigram_meta": dict(model_type="unigram", vocab_size=800, byte_fallback=True,
                         user_defined_symbols=["<sep>", "<cls>"], control_symbols=["<ctl>"],
                         unk_id=2, bos_id=0, eos_id=1, pad_id=3, split_digits=True),
    "bpe_identity": dict(model_type="bpe", vocab_size=600, normalization_rule_name="identity",
                         character_coverage=1.0),
}


def verses(module):
    """The verses of a SWORD module, wrapped lines joined, markup removed."""
    out = subprocess.run(
        ["diatheke", "-b", module, "-f", "plain", "-k", "Genesis 1:1-Revelation 22:21"],
        check=True, capture_output=True, text=True).stdout
    result, parts = [], None
    for line in out.split("\n"):
        m = VERSE.match(line.strip())
        if m:
            if parts is not None:
                result.append(parts)
            parts = [m.group(4)]
        elif parts is not None and line.strip() and not line.startswith("(" + module):
            parts.append(line)
    if parts is not None:
        result.append(parts)
    cleaned = (re.sub(r"\s+", " ", MARKUP.sub("", " ".join(p))).strip() for p in result)
    return [v for v in cleaned if v]


def main():
    kjv = verses("engKJV2006eb")
    corpus = kjv[0::10]
    heldout = kjv[5::64][:400]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "trainer_corpus.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(corpus) + "\n")
    with open(os.path.join(OUT, "trainer_heldout.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(heldout) + "\n")

    expected = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, opts in CONFIGS.items():
            prefix = os.path.join(tmp, name)
            spm.SentencePieceTrainer.train(input=os.path.join(OUT, "trainer_corpus.txt"),
                                           model_prefix=prefix, num_threads=2, minloglevel=2, **opts)
            sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
            ids = sp.encode(heldout)
            pieces = []
            for i in range(sp.get_piece_size()):
                kind = ("unknown" if sp.is_unknown(i) else "control" if sp.is_control(i)
                        else "byte" if sp.is_byte(i) else "unused" if sp.is_unused(i) else "normal")
                # USER_DEFINED is not exposed by the Python API; it is the kind of a normal-looking
                # piece listed among the options.
                if kind == "normal" and sp.id_to_piece(i) in opts.get("user_defined_symbols", []):
                    kind = "user_defined"
                pieces.append([sp.id_to_piece(i), sp.get_score(i), kind])
            if opts["model_type"] != "bpe":
                pieces = [[i] + p for i, p in enumerate(pieces) if p[2] != "normal"]
            else:
                pieces = [[i] + p for i, p in enumerate(pieces)]
            expected[name] = {
                "options": opts,
                "tokens_per_line": sum(map(len, ids)) / len(ids),
                "pieces": pieces,
                "ids": ids[:50],
            }
    with open(os.path.join(OUT, "trainer_expected.json"), "w", encoding="utf-8") as f:
        json.dump({"sentencepiece": spm.__version__, "configs": expected}, f, ensure_ascii=False)
    print(f"{len(corpus)} training lines, {len(heldout)} held-out lines")
    for name, e in expected.items():
        print(f"{name}: {e['tokens_per_line']:.3f} tokens/line")


if __name__ == "__main__":
    main()
