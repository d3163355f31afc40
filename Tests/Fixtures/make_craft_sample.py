#!/usr/bin/env python3
"""Writes Tests/Fixtures/craft-sample: a few whole trees of the CRAFT treebank, in its own layout.

The CRAFT corpus (Bada et al. 2012; its treebank: Verspoor et al. 2012) is licensed CC BY 3.0, so a
small cut of it can ship with its licence and attribution. The sample is what the Swift CRAFT reader
is tested on: real trees with traces, function tags, gap indices (`NP=2`), `-LRB-`, `PRP$`, and
words holding a no-break space.

    python3 Tests/Fixtures/make_craft_sample.py CRAFT_DIR

CRAFT_DIR is a CRAFT release (`structural-annotation/treebank/penn/*.tree`,
`articles/ids/craft-ids-*.txt`) or a copy of its treebank (`penn/*.tree`, `craft-ids-*.txt`).
It writes, under craft-sample/:

    penn/PMID.tree           the first N trees of each chosen article, cut at tree boundaries
                             (the bytes of the release, untouched)
    craft-ids-{train,dev,test}.txt   the chosen articles, by split
    expected/{train,dev,test}.txt    the same trees normalized by this script's own normalizer
                             (traces removed, function tags and indices stripped, root TOP), one
                             a line: what `zoo data craft` must write
    LICENSE.txt, README.md

Standard library only; deterministic.
"""
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "craft-sample")

# (split, PubMed id, trees kept). Two small training articles with gap indices (NP=2) and PRP$, a
# development article with `` quotes, and a test article whose trees hold no-break spaces.
CHOICE = [
    ("train", "11597317", 60),
    ("train", "14723793", 60),
    ("dev", "17608565", 25),
    ("test", "11319941", 50),
]


def find(root, *candidates):
    for c in candidates:
        path = os.path.join(root, c)
        if os.path.exists(path):
            return path
    sys.exit(f"{root}: none of {', '.join(candidates)}")


def tree_texts(text):
    """The text of each top-level bracketed tree, as written (one or several lines)."""
    out, depth, start = [], 0, None
    for m in re.finditer(r"[()]", text):
        if m.group() == "(":
            if depth == 0:
                start = m.start()
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                out.append(text[start:m.end()])
    assert depth == 0, "unbalanced brackets"
    return out


# Only ASCII whitespace separates tokens: CRAFT words may hold U+00A0 or U+200A.
TOKEN = re.compile(r"\(|\)|[^ \t\n\r()]+")


def parse(text):
    tokens, i = TOKEN.findall(text), 0

    def node():
        nonlocal i
        assert tokens[i] == "("
        i += 1
        label = ""
        if tokens[i] not in "()":
            label = tokens[i]
            i += 1
        children = []
        while tokens[i] != ")":
            if tokens[i] == "(":
                children.append(node())
            else:
                children.append(tokens[i])
                i += 1
        i += 1
        return label, children

    return node()


def strip(label):
    if len(label) > 1 and label.startswith("-") and label.endswith("-"):
        return label  # -LRB-, -NONE-
    m = re.search(r"[-=]", label[1:])
    return label if m is None else label[: m.start() + 1]


def clean(tree):
    label, children = tree
    if len(children) == 1 and isinstance(children[0], str):
        return None if label == "-NONE-" else (strip(label), children)
    kept = [c for c in map(clean, children) if c is not None]
    return (strip(label), kept) if kept else None


def normalized(tree):
    c = clean(tree)
    if c is None:
        return None
    preterminal = len(c[1]) == 1 and isinstance(c[1][0], str)
    if c[0] in ("", "TOP", "ROOT") and not preterminal:
        return ("TOP", c[1])
    return ("TOP", [c])


def bracketed(tree):
    if isinstance(tree, str):
        return tree
    return "(" + tree[0] + "".join(" " + bracketed(c) for c in tree[1]) + ")"


README = """# CRAFT treebank sample

{count} constituency trees cut from the treebank of the **CRAFT corpus** (Colorado Richly Annotated
Full-Text corpus, version 4), for the tests of `Sources/Data/Corpora/CRAFT.swift`:

{articles}

The files are laid out as a copy of the treebank (`penn/PMID.tree`, `craft-ids-SPLIT.txt`); each
`.tree` file holds the first trees of its article, byte for byte, cut at a tree boundary.
`expected/SPLIT.txt` holds the same trees normalized (traces removed, function tags and indices
stripped, root `TOP`) by `make_craft_sample.py` itself, independently of the Swift code.

Made by `python3 Tests/Fixtures/make_craft_sample.py CRAFT_DIR` from a CRAFT release.

## Source and licence

The CRAFT annotations are licensed under the Creative Commons Attribution 3.0 licence (CC BY 3.0,
https://creativecommons.org/licenses/by/3.0/; `LICENSE.txt` is the release's own). The articles
are from the PubMed Central Open Access subset. Cite:

- Bada M, Eckert M, Evans D, et al. Concept annotation in the CRAFT corpus. BMC Bioinformatics
  13:161 (2012).
- Verspoor K, Cohen KB, Lanfranchi A, et al. A corpus of full-text journal articles is a robust
  evaluation tool for revealing differences in performance of biomedical natural language
  processing tools. BMC Bioinformatics 13:207 (2012) (the syntactic annotation).
"""


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    penn = find(root, "penn", "structural-annotation/treebank/penn")
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "penn"))
    os.makedirs(os.path.join(OUT, "expected"))
    ids = {"train": [], "dev": [], "test": []}
    expected = {"train": [], "dev": [], "test": []}
    lines = []
    for split, pmid, n in CHOICE:
        # The article must be in that split of the release.
        listed = open(find(root, f"craft-ids-{split}.txt", f"articles/ids/craft-ids-{split}.txt")).read().split()
        assert pmid in listed, f"{pmid} is not in the {split} split"
        with open(os.path.join(penn, f"{pmid}.tree"), encoding="utf-8") as f:
            trees = tree_texts(f.read())[:n]
        with open(os.path.join(OUT, "penn", f"{pmid}.tree"), "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(trees) + "\n")
        ids[split].append(pmid)
        for t in trees:
            t = normalized(parse(t))
            if t is not None:
                expected[split].append(bracketed(t))
        lines.append(f"- {split}: PubMed {pmid}, its first {len(trees)} trees")
    for split in ids:
        with open(os.path.join(OUT, f"craft-ids-{split}.txt"), "w") as f:
            f.write("".join(i + "\n" for i in ids[split]))
        with open(os.path.join(OUT, "expected", f"{split}.txt"), "w", encoding="utf-8") as f:
            f.write("".join(t + "\n" for t in expected[split]))
    shutil.copy(find(root, "LICENSE.txt"), os.path.join(OUT, "LICENSE.txt"))
    count = sum(n for _, _, n in CHOICE)
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(README.format(count=count, articles="\n".join(lines)))
    print(f"wrote {count} trees of {len(CHOICE)} articles to {OUT}")


if __name__ == "__main__":
    main()
