#!/usr/bin/env python3
"""Writes Tests/Fixtures/wsj-sample/expected/{train,dev,test}.txt: the sample's trees normalized.

The sample's .mrg files are written by hand (README.md there); this script normalizes them with
make_craft_sample.py's own normalizer (traces removed, function tags and indices stripped, root
TOP), independently of the Swift code, split as the Penn Treebank's WSJ part is split: sections
02-21 training, 22 development, 23 test, sections in order and files in name order.

    python3 Tests/Fixtures/make_wsj_sample_expected.py

Standard library only; deterministic.
"""
import os

from make_craft_sample import bracketed, normalized, parse, tree_texts

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "wsj-sample")
WSJ = os.path.join(SAMPLE, "parsed", "mrg", "wsj")
SPLITS = [("train", range(2, 22)), ("dev", [22]), ("test", [23])]


def main():
    os.makedirs(os.path.join(SAMPLE, "expected"), exist_ok=True)
    for split, sections in SPLITS:
        lines = []
        for number in sections:
            folder = os.path.join(WSJ, f"{number:02d}")
            if not os.path.isdir(folder):
                continue  # the sample holds a few training sections only
            for name in sorted(n for n in os.listdir(folder) if n.endswith(".mrg")):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    for text in tree_texts(f.read()):
                        tree = normalized(parse(text))
                        if tree is not None:
                            lines.append(bracketed(tree))
        with open(os.path.join(SAMPLE, "expected", f"{split}.txt"), "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        print(f"{split}: {len(lines)} trees")


if __name__ == "__main__":
    main()
