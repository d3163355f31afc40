#!/usr/bin/env python3
"""Makes the sacreBLEU parity fixtures under Tests/Fixtures/bleu/.

Scores many small hypothesis/reference sets with sacreBLEU (pip `sacrebleu`, 2.x, default
settings: BLEU with 13a tokenization and exponential smoothing; chrF2 with character order 6,
word order 0, whitespace excluded) and records what it reports, so the Swift metrics can be
checked count for count and line for line:

  cases.json   {"sacrebleu_version", "tokenizer13a": [{"input", "output"}],
                "cases": [{"name", "hypotheses", "references" (reference streams, as
                sacreBLEU's corpus_score takes them),
                "bleu": {"score", "counts", "totals", "precisions", "bp", "sys_len",
                         "ref_len", "signature", "short" (the signature's short form), "str"
                         (str(score)), "line" (score with
                         its signature, the CLI's default width 1)},
                "chrf": {"score", "stats" (summed [hyp, ref, match] per order), "signature",
                         "short", "str", "line"},
                "cli": {"text", "json", "text_w2_bleu"} when the case can be written to
                       files (no newline inside a line): the stdout of
                       `sacrebleu REF... -i HYP -m bleu chrf -f text` and `-f json`, and of
                       `sacrebleu REF... -i HYP -m bleu -w 2 -f text`}]}

The larger cases use the book of Ruth (King James and World English Bible, read with
`diatheke`, Debian packages diatheke, sword-text-kjv, sword-text-web), perturbed with a
seeded random generator to make hypotheses.

Run from the package root: python3 Tests/Fixtures/make_bleu_fixtures.py
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import sacrebleu
from sacrebleu.metrics import BLEU, CHRF
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bleu")
VERSE = re.compile(r"^(.+?) (\d+):(\d+): ?(.*)$")


def ruth(module):
    """The verses of Ruth in `module`, without the `Book C:V: ` prefix (trailing spaces kept)."""
    out = subprocess.run(["diatheke", "-b", module, "-f", "plain", "-k", "Ruth 1:1-4:22"],
                         check=True, capture_output=True, text=True).stdout
    lines = []
    for line in out.split("\n"):
        m = VERSE.match(line)
        if m:
            lines.append(m.group(4))
    assert len(lines) == 85, len(lines)
    return lines


SWAPS = {"And": "Then", "the": "a", "said": "spoke", "went": "walked", "land": "country",
         "unto": "to", "her": "she", "Naomi": "Naomi,", "Boaz": "Boaz.", "that": "which"}


def perturb(line, rng, level):
    """A made-up system output: words dropped, swapped, substituted, punctuation changed."""
    words = line.split()
    out = []
    for w in words:
        r = rng.random()
        if r < level * 0.3:
            continue  # drop
        if r < level * 0.6 and w in SWAPS:
            w = SWAPS[w]
        elif r < level * 0.7:
            w = w.lower()
        elif r < level * 0.8:
            w = w.rstrip(".,;:")
        out.append(w)
        if rng.random() < level * 0.05:
            out.append(rng.choice(["indeed", "also", ",", "the", "-", "&quot;"]))
    for _ in range(int(level * 3)):
        if len(out) > 2:
            i = rng.randrange(len(out) - 1)
            out[i], out[i + 1] = out[i + 1], out[i]
    if rng.random() < level * 0.2:
        out = out[: max(1, len(out) // 2)]
    return " ".join(out)


def cases():
    kjv, web = ruth("engKJV2006eb"), ruth("engWEB2015eb")
    rng = random.Random(5)
    yield "perfect_match", ["The cat sat on the mat.", "It was a sunny day."], [["The cat sat on the mat.", "It was a sunny day."]]
    yield "no_overlap", ["alpha beta gamma delta", "one two"], [["the cat sat on the mat", "it rained"]]
    yield "readme_example", ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."], [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."]]
    yield "readme_example_two_refs", ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."], [
        ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."]]
    yield "empty_hypotheses", ["", "", ""], [["a b c", "d e", "f"]]
    yield "some_empty_hypotheses", ["the cat sat", "", "on the mat today"], [["the cat sat down", "the dog", "on the mat"]]
    yield "empty_references", ["the cat sat", "on the mat"], [["", ""]]
    yield "all_empty", ["", ""], [["", ""]]
    yield "single_empty_line", [""], [[""]]
    yield "hypothesis_shorter", ["the cat", "a dog barked"], [["the cat sat on the mat today", "a dog barked loudly at the postman"]]
    yield "hypothesis_longer", ["the cat sat on the mat today and yesterday and the day before", "a dog barked loudly at the postman who ran away"], [["the cat sat on the mat", "a dog barked"]]
    yield "single_word", ["cat"], [["cat"]]
    yield "unigrams_only", ["mat the on sat cat"], [["the cat sat on the mat"]]
    yield "bigrams_no_trigrams", ["cat sat mat on the"], [["the cat sat on the mat"]]
    yield "clipping", ["the the the the the the the"], [["the cat is on the mat"]]
    yield "case_differs", ["THE CAT SAT ON THE MAT", "The Cat"], [["the cat sat on the mat", "the cat"]]
    yield "unicode_accents", ["¿Dónde está la estación?", "Él comió una crème brûlée, naïvement.", "Ça coûte 3,50 €."], [
        ["¿Dónde está la estación de tren?", "Él comió una crème brûlée ingenuamente.", "Ça coûte 3,50 € ."]]
    yield "unicode_cjk", ["我喜欢吃苹果。", "今日は いい 天気 です。", "서울은 한국의 수도입니다."], [
        ["我喜欢吃香蕉。", "今日は いい 天気 ですね。", "서울은 한국의 수도입니다."]]
    yield "unicode_emoji", ["I love it 😀👍🏽 so much", "family 👨‍👩‍👧 time 🇪🇸", "ok 👍"], [
        ["I love it 😀 so much", "family 👨‍👩‍👧 time 🇪🇸", "ok 👍🏽"]]
    yield "canonical_equivalence", ["caf\u00e9 ol\u00e9", "cre\u0300me"], [["cafe\u0301 ol\u00e9", "cr\u00e8me"]]
    yield "entities_13a", ["He said &quot;hello&quot; &amp; left.", "&lt;b&gt;bold&lt;/b&gt;", "&amp;quot; and &apos;x&apos; &#39;"], [
        ["He said \"hello\" & left.", "<b>bold</b>", "&quot; and 'x' '"]]
    yield "hyphens_13a", ["a well-known state-of-the-art system", "pages 10-20 and 3 - 4", "-- dash - and -", "x-\ny"], [
        ["a well known state-of-the-art system", "pages 10 - 20 and 3-4", "- - dash and", "xy"]]
    yield "numbers_13a", ["It costs 1,000.50 dollars, or 3.14.", "U.S.A. is big. Version 2.0.1 is out,", ".5 and ,5 and 5. and 5, and 1,2,3", "١,٢ and ٣.٤"], [
        ["It costs 1,000.50 dollars , or 3.14 .", "USA is big . Version 2.0.1 is out ,", "0.5 and 5 and 5 . and 5 , and 1,2,3", "١ , ٢ and ٣ . ٤"]]
    yield "skipped_13a", ["the <skipped> cat sat", "a<skipped>b c", "<skipped>"], [["the cat sat", "ab c", ""]]
    yield "punctuation_13a", ["Hello, world! (test) [x] {y} ~z `q` ^ _ | \\ @#$%*+=:;<>?/", "don't won’t it's 'quoted'", "Wait... what?!"], [
        ["Hello world ! ( test ) [ x ] { y } ~ z ` q ` ^ _ | \\ @ # $ % * + = : ; < > ? /", "do n't won't it 's \"quoted\"", "Wait . . . what ? !"]]
    yield "whitespace", ["trailing spaces   ", "\ttabs\tinside\t", "no\u00a0break\u3000ideographic", "form\x0cfeed\x1cfile\x85next", "carriage\rreturn\r", "  leading"], [
        ["trailing spaces", "tabs inside", "no break ideographic", "form feed file next", "carriage return", "leading"]]
    yield "unicode_line_separators", ["line\u2028separator\u2029para", "thin\u2009space\u202fnarrow\u205fmath"], [["line separator para", "thin space narrow math"]]
    yield "newline_inside_segment", ["a line-\nbroken in two\nparts", "x\ny"], [["a linebroken in two parts", "x y"]]
    yield "tie_closest_ref_shorter", ["a b c d e"], [["a b c d"], ["a b c d e f"]]
    yield "three_refs", ["the cat is on the mat", "there is a dog", "hello"], [
        ["the cat sat on the mat", "a dog is there", "hello there"],
        ["there is a cat on the mat", "there is a dog here", "hi"],
        ["a cat is on the mat", "one dog is there", "hello hello"]]
    yield "two_refs_one_empty", ["the cat", "a dog"], [["the cat", ""], ["", "a dog barked"]]
    yield "tokenized_periods", [f"sentence number {i} ends here ." for i in range(120)], [[f"Sentence number {i} ends here." for i in range(120)]]
    long_ref = " ".join(kjv[:4])
    yield "one_long_sentence", [perturb(long_ref, rng, 0.3)], [[long_ref]]
    yield "ruth_light", [perturb(x, rng, 0.2) for x in kjv], [kjv]
    yield "ruth_heavy", [perturb(x, rng, 0.8) for x in kjv], [kjv]
    yield "ruth_two_refs", [perturb(x, rng, 0.5) for x in kjv], [kjv, web]
    yield "ruth_three_systems", [perturb(x, rng, level) for level in (0.1, 0.4, 0.9) for x in kjv], [kjv * 3]


TOKENIZER_EXTRA = [
    "", " ", "a", "a.b", "a..b", "1..2", "1.,2", "a,.b", ".a", "a.", "1.a", "a.1", "1-2-3", "a-1", "1-a",
    "--1", "x - - y", "1,000,000.00", "$3.50", "50%", "e-mail", "&quot;&quot;", "&amp;amp;", "&ampquot;",
    "&lt;skipped&gt;", "<skip ped>", "<skipped><skipped>", "-\n", "a-\nb", "a\nb", "tab\tand\nnewline",
    "’s ‘quoted’ “double” «guillemets» — em–en", "½ ² ³ ① ٣", "a\u0301b", "😀.😀,😀", "x\u00a0.y",
    "Mr. Smith's car (a 1.6L) costs $1,999.99!", "{[(<>)]}", "~`^_|\\", "'''", "\"\"\"",
]


def cli(args, hyps, refs):
    """sacreBLEU's command line on the case written to files: its stdout."""
    with tempfile.TemporaryDirectory() as d:
        ref_files = []
        for i, stream in enumerate(refs):
            path = os.path.join(d, f"ref{i}.txt")
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write("".join(line + "\n" for line in stream))
            ref_files.append(path)
        hyp = os.path.join(d, "hyp.txt")
        with open(hyp, "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(line + "\n" for line in hyps))
        env = dict(os.environ)
        env.pop("SACREBLEU_FORMAT", None)
        out = subprocess.run([sys.executable, "-m", "sacrebleu", *ref_files, "-i", hyp, *args],
                             check=True, capture_output=True, text=True, env=env)
        return out.stdout


def main():
    os.makedirs(OUT, exist_ok=True)
    tok = Tokenizer13a()
    records = []
    tokenizer_inputs = []
    for name, hyps, refs in cases():
        assert all(len(r) == len(hyps) for r in refs), name
        bleu = BLEU()
        b = bleu.corpus_score(hyps, refs)
        bsig = bleu.get_signature()
        chrf = CHRF()
        c = chrf.corpus_score(hyps, refs)
        csig = chrf.get_signature()
        stats = chrf._extract_corpus_statistics(hyps, refs)
        summed = [sum(s[i] for s in stats) for i in range(len(stats[0]))]
        record = {
            "name": name, "hypotheses": hyps, "references": refs,
            "bleu": {"score": b.score, "counts": list(b.counts), "totals": list(b.totals),
                     "precisions": list(b.precisions), "bp": b.bp, "sys_len": b.sys_len,
                     "ref_len": b.ref_len, "signature": str(bsig), "short": bsig.format(short=True), "str": str(b),
                     "line": b.format(1, False, str(bsig))},
            "chrf": {"score": c.score, "stats": summed, "signature": str(csig), "short": csig.format(short=True), "str": str(c),
                     "line": c.format(1, False, str(csig))},
        }
        if not any("\n" in s for s in hyps + [x for r in refs for x in r]):
            record["cli"] = {
                "text": cli(["-m", "bleu", "chrf", "-f", "text"], hyps, refs),
                "json": cli(["-m", "bleu", "chrf"], hyps, refs),
                "text_w2_bleu": cli(["-m", "bleu", "-w", "2", "-f", "text"], hyps, refs),
            }
        records.append(record)
        if len(hyps) <= 10:
            tokenizer_inputs += hyps + [x for r in refs for x in r]
    tokenizer_inputs += TOKENIZER_EXTRA
    seen, tokenizer = set(), []
    for s in tokenizer_inputs:
        if s not in seen:
            seen.add(s)
            tokenizer.append({"input": s, "output": tok(s)})
    # One tokenizer line or case a line: readable diffs, and small.
    def rows(items):
        return ",\n".join(json.dumps(x, ensure_ascii=False) for x in items)
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        f.write(f'{{"sacrebleu_version": {json.dumps(sacrebleu.__version__)},\n'
                f'"tokenizer13a": [\n{rows(tokenizer)}],\n"cases": [\n{rows(records)}]}}\n')
    print(f"{len(records)} cases, {len(tokenizer)} tokenizer lines, sacrebleu {sacrebleu.__version__}")


if __name__ == "__main__":
    main()
