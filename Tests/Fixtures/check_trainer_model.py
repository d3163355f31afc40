#!/usr/bin/env python3
"""Checks that a model written by our trainer loads in Python's sentencepiece and encodes
like our tokenizer.

  python3 Tests/Fixtures/check_trainer_model.py MODEL TEXT IDS_JSON

MODEL is a .model file our trainer wrote, TEXT a text file (one line per sentence) and IDS_JSON
a JSON list with our ids for each non-empty line of TEXT. TrainerTests writes such files when
TRAINER_EXPORT_DIR is set:

  ZOO_NATIVE_BUILD=1 TRAINER_EXPORT_DIR=/tmp/trainer-export swift test --filter SentencePieceTrainerTests
  for m in /tmp/trainer-export/trainer_*.model; do
    python3 Tests/Fixtures/check_trainer_model.py $m Tests/Fixtures/spm/trainer_heldout.txt ${m%.model}.ids.json
  done

Exits non-zero, naming the first differing line, when the ids differ."""
import json
import sys

import sentencepiece as spm


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    model, text, ids_json = sys.argv[1:]
    sp = spm.SentencePieceProcessor(model_file=model)
    lines = [l for l in open(text, encoding="utf-8").read().split("\n") if l]
    ours = json.load(open(ids_json))
    if len(ours) != len(lines):
        sys.exit(f"{ids_json}: {len(ours)} id lists for {len(lines)} lines of {text}")
    theirs = sp.encode(lines)
    bad = [i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b]
    for i in bad[:3]:
        print(f"line {i + 1}: {lines[i]!r}\n  ours:          {ours[i]}\n  sentencepiece: {theirs[i]}")
    tokens = sum(map(len, theirs))
    print(f"{model}: {sp.get_piece_size()} pieces, {len(lines)} lines, {tokens} tokens, "
          f"{len(lines) - len(bad)} of {len(lines)} lines identical")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
