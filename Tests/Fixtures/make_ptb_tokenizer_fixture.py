#!/usr/bin/env python3
"""Writes Tests/Fixtures/ptb-tokenizer/cases.json: what NLTK's TreebankWordTokenizer gives.

Sources/Data/Trees/PTBTokenizer.swift follows the Penn Treebank tokenizer's rules as NLTK's
TreebankWordTokenizer implements them; each case here is a text and NLTK's tokens for it (brackets
converted to -LRB-, -RRB-, -LSB-, ... as in the treebanks, unless "convert_parentheses" is false).

    pip install nltk
    python3 Tests/Fixtures/make_ptb_tokenizer_fixture.py

The texts are written for this fixture (no third-party text).
"""
import json
import os

import nltk
from nltk.tokenize import TreebankWordTokenizer

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ptb-tokenizer", "cases.json")

TEXTS = [
    # Contractions and clitics.
    "They'll save and invest more.",
    "I can't believe it isn't done; we're late and you've been told.",
    "He'd say I'm wrong, but she's sure they won't come.",
    "Cannot stop: gonna try, wanna see, gotta go and 'Tis true.",
    "DON'T SHOUT, WE'LL HEAR YOU'RE HERE.",
    # Quotes: opening `` and closing ''.
    '"Hello," she said. "Don\'t go!"',
    'The word "mutant" (as in "mutant mice") is used loosely.',
    "Single 'quotes' and the students' books stay; John's too.",
    "He wrote ''strain'' and ``allele''.",
    # Brackets and braces.
    "The protein (p53) binds [DNA] in {some} cells <sometimes>.",
    "(See Figure 1A.)",
    # Numbers, hyphens, symbols.
    "Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\nThanks.",
    "About 1,500 well-known mice weighed 20.5 g; 10% died at 10:30 -- or so.",
    "Email me @home #tag & A/J mice... really?! Yes!",
    "The Brca2-deficient cells, e.g. HeLa, were used in 2004.",
    "Is it over? No!",
    "Results: the β-catenin level rose, and naïve cells didn't.",
    'Final period inside quotes: "it works."',
    "End with a bracket (really).",
    "Trailing colon and comma:",
]


def main():
    tokenizer = TreebankWordTokenizer()
    cases = [{"text": t, "tokens": tokenizer.tokenize(t, convert_parentheses=True)} for t in TEXTS]
    # One case as NLTK's default gives it: brackets left as they are.
    t = "The protein (p53) binds [DNA] in {some} cells."
    cases.append({"text": t, "convert_parentheses": False, "tokens": tokenizer.tokenize(t)})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"nltk": nltk.__version__, "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
