#!/usr/bin/env python3
"""Makes the EVALB parity fixtures under Tests/Fixtures/evalb/.

Usage (from the package root):

  python3 Tests/Fixtures/make_evalb_fixtures.py PATH/TO/evalb.c     # compiles it with gcc
  python3 Tests/Fixtures/make_evalb_fixtures.py PATH/TO/evalb       # an evalb already built

EVALB is Sekine and Collins's bracket scorer (public domain; the version with David Ellis's 2006
quote fix, whose evalb.c prints "Bracketing FMeasure"). Given the C source, the script builds it
twice (gcc -O2 and -O0) and keeps only cases on which both builds print the same bytes, so that no
fixture rests on evalb's undefined behaviour. Every case is small and stays inside evalb's fixed
limits (200 words or brackets a sentence, 100 bytes a word, 30 a label, 5000 a line, 20 quote
terminals), which the script checks.

It writes, under Tests/Fixtures/evalb/:

  *.prm          the parameter files: COLLINS.prm as EVALB ships it, its unlabeled twin, and
                 small ones for EQ_WORD, QUOTE_LABEL, CUTOFF_LEN / MAX_ERROR and DELETE_LABEL
                 with EQ_LABEL
  NAME.gld       gold trees, one a line
  NAME.tst       test trees, one a line
  NAME.rsl       what `evalb -p PRM NAME.gld NAME.tst` prints on standard output
  NAME.err       what it prints on standard error
  cases.json     [{"name", "params" (a .prm file, or null: evalb without -p), "status" (its exit
                 status), "about"}]

The cases: hand-written ones (punctuation and traces that COLLINS.prm deletes, function tags,
length and word mismatches, ADVP/PRT, skipped sentences, unbalanced brackets, too many errors,
line-count mismatches, quotes, unlabeled scoring, ...), then trees from a seeded generator with
random perturbations of the gold trees as the test side, some longer than 40 words.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "evalb")

# COLLINS.prm as EVALB ships it, byte for byte (including the spaces after "LABELED 1").
COLLINS = """##------------------------------------------##
## Debug mode                               ##
##   0: No debugging                        ##
##   1: print data for individual sentence  ##
##------------------------------------------##
DEBUG 0

##------------------------------------------##
## MAX error                                ##
##    Number of error to stop the process.  ##
##    This is useful if there could be      ##
##    tokanization error.                   ##
##    The process will stop when this number##
##    of errors are accumulated.            ##
##------------------------------------------##
MAX_ERROR 10

##------------------------------------------##
## Cut-off length for statistics            ##
##    At the end of evaluation, the         ##
##    statistics for the senetnces of length##
##    less than or equal to this number will##
##    be shown, on top of the statistics    ##
##    for all the sentences                 ##
##------------------------------------------##
CUTOFF_LEN 40

##------------------------------------------##
## unlabeled or labeled bracketing          ##
##    0: unlabeled bracketing               ##
##    1: labeled bracketing                 ##
##------------------------------------------##
LABELED 1                 

##------------------------------------------##
## Delete labels                            ##
##    list of labels to be ignored.         ##
##    If it is a pre-terminal label, delete ##
##    the word along with the brackets.     ##
##    If it is a non-terminal label, just   ##
##    delete the brackets (don't delete     ##
##    deildrens).                           ##
##------------------------------------------##
DELETE_LABEL TOP
DELETE_LABEL -NONE-
DELETE_LABEL ,
DELETE_LABEL :
DELETE_LABEL ``
DELETE_LABEL ''
DELETE_LABEL .

##------------------------------------------##
## Delete labels for length calculation     ##
##    list of labels to be ignored for      ##
##    length calculation purpose            ##
##------------------------------------------##
DELETE_LABEL_FOR_LENGTH -NONE-

##------------------------------------------##
## Equivalent labels, words                 ##
##     the pairs are considered equivalent  ##
##     This is non-directional.             ##
##------------------------------------------##
EQ_LABEL ADVP PRT

# EQ_WORD  Example example
"""

PARAMS = {
    "COLLINS.prm": COLLINS,
    "COLLINS_unlabeled.prm": COLLINS.replace("LABELED 1                 \n", "LABELED 0\n"),
    # EQ_WORD, EQ_LABEL between preterminal tags, a label kept by DELETE_LABEL_FOR_LENGTH only.
    "equivalences.prm": "# words and labels counted as the same\nDELETE_LABEL TOP\nDELETE_LABEL .\n"
                        "DELETE_LABEL_FOR_LENGTH -NONE-\nDELETE_LABEL_FOR_LENGTH .\n"
                        "EQ_LABEL T TT\nEQ_LABEL NN NNS\nEQ_WORD This this\nEQ_WORD  colour\tcolor\n",
    # The 2006 quote fix: preterminals over ' " or / that one side deletes and the other keeps.
    "quotes.prm": COLLINS.replace("EQ_LABEL ADVP PRT\n", "EQ_LABEL ADVP PRT\nQUOTE_LABEL POS\nQUOTE_LABEL ''\n"
                                  "QUOTE_LABEL ``\nQUOTE_LABEL :\nQUOTE_LABEL NN\n"),
    "cutoff10_maxerror3.prm": "CUTOFF_LEN 10\nMAX_ERROR 3\nDELETE_LABEL TOP\nDELETE_LABEL .\nDELETE_LABEL ,\n",
    # A deleted nonterminal, and EQ_LABEL making its equivalent deleted too.
    "delete_prt.prm": "LABELED 1\nDELETE_LABEL PRT\nDELETE_LABEL .\nDELETE_LABEL -NONE-\nEQ_LABEL ADVP PRT\nCUTOFF_LEN 5\n",
}

# Hand-written cases: (name, params, gold lines, test lines, about).
S1 = "(S (NP-SBJ (DT The) (NN cat)) (VP (VBD sat) (PP-LOC (IN on) (NP (DT the) (NN mat)))) (. .))"
S2 = "(S (NP-SBJ (PRP He)) (VP (VBD gave) (PRT (RP up)) (NP (DT the) (NN fight))) (. .))"
S3 = "(S (NP (NNP John)) (, ,) (NP (DT a) (NN farmer)) (, ,) (VP (VBZ says) (SBAR (-NONE- 0) (S (NP-SBJ (-NONE- *T*-1)) (VP (VBD rained))))) (. .))"
S4 = "(TOP (S (`` ``) (NP (PRP We)) (VP (MD will) (VP (VB win))) (: --) (NP (PRP he)) (VP (VBD said)) (. .) ('' '')))"


def hand_cases():
    yield ("perfect", "COLLINS.prm", [S1, S2, S3, S4], [S1, S2, S3, S4], "gold = test")
    yield ("punctuation_attachment", "COLLINS.prm",
           [S1, S4],
           ["(S (NP (DT The) (NN cat)) (VP (VBD sat) (PP (IN on) (NP (DT the) (NN mat) (. .)))))",
            "(S (`` ``) (S (NP (PRP We)) (VP (MD will) (VP (VB win)))) (: --) (NP (PRP he)) (VP (VBD said) (. .) ('' '')))"],
           "punctuation attached elsewhere: deleted, it changes no span (but an added S counts)")
    yield ("traces", "COLLINS.prm",
           [S3, "(S (NP-SBJ-1 (DT The) (NN bill)) (VP (VBD was) (VP (VBN passed) (NP (-NONE- *-1)))) (. .))",
            "(SBARQ (WHNP-1 (WP What)) (SQ (VBD did) (NP-SBJ (PRP you)) (VP (VB see) (NP (-NONE- *T*-1)))) (. ?))"],
           ["(S (NP (NNP John)) (, ,) (NP (DT a) (NN farmer)) (, ,) (VP (VBZ says) (S (VP (VBD rained)))) (. .))",
            "(S (NP (DT The) (NN bill)) (VP (VBD was) (VP (VBN passed))) (. .))",
            "(SBARQ (WHNP (WP What)) (SQ (VBD did) (NP (PRP you)) (VP (VB see))) (. ?))"],
           "-NONE- traces deleted, the brackets left empty with them; '?' is not deleted")
    yield ("function_tags", "COLLINS.prm",
           ["(S (NP-SBJ=2 (NNP Mary)) (VP (VBD left) (ADVP-TMP (RB early)) (PP-CLR-1 (IN for) (NP (NN work)))))",
            "(S (NP-SBJ (-NONE- *)) (VP (VB Go)) (. !))"],
           ["(S (NP (NNP Mary)) (VP (VBD left) (ADVP (RB early)) (PP (IN for) (NP (NN work)))))",
            "(S (VP (VB Go)) (. !))"],
           "function tags and indices cut at - or =; -NONE- alone in NP-SBJ")
    yield ("advp_prt", "COLLINS.prm",
           [S2, "(S (NP (PRP They)) (VP (VBD looked) (PRT (RP up)) (NP (DT the) (NN word))))"],
           ["(S (NP (PRP He)) (VP (VBD gave) (ADVP (RB up)) (NP (DT the) (NN fight))) (. .))",
            "(S (NP (PRP They)) (VP (VBD looked) (PP (RP up) (NP (DT the) (NN word)))))"],
           "ADVP = PRT (EQ_LABEL), RB != RP as tags")
    yield ("length_and_word_mismatch", "COLLINS.prm",
           [S1, S2, S1, "(S (NP (DT This)) (VP (VBZ is) (NP (DT a) (NN test))))", S2],
           ["(S (NP (DT The) (NN cat)) (VP (VBD sat) (PP (IN on) (NP (NN mat)))) (. .))",
            "(S (NP (PRP She)) (VP (VBD gave) (PRT (RP up)) (NP (DT the) (NN fight))) (. .))",
            "(S (NP (DT The) (NN cat)) (VP (VBD sat) (PP (IN on) (NP (DT the) (NN mat)))) (NN .))",
            "(S (NP (DT this)) (VP (VBZ is) (NP (DT a) (NN test))))",
            S2],
           "a word missing, a word changed, punctuation the test does not delete, case differs")
    yield ("skipped", "COLLINS.prm",
           [S1, S2, "", "", "(S (NP (NN Yes)) (. .))"],
           ["", "(S (. .))", "", "(S (NN Yes))", "(S (NP (NN Yes)) (. .))"],
           "empty test lines and test lines without words are skipped; an empty gold line is not")
    yield ("crossing", "COLLINS.prm",
           ["(S (NP (DT the) (JJ old) (NN man)) (VP (VBD saw) (NP (DT the) (NN boat)) (PP (IN with) (NP (NN glee)))))",
            "(S (A (B (C c1) (D d1)) (E e1)) (F (G g1) (H h1) (I i1)))"],
           ["(S (NP (DT the) (JJ old)) (VP (NN man) (VBD saw) (NP (NP (DT the) (NN boat)) (PP (IN with) (NP (NN glee))))))",
            "(S (A (C c1) (X (D d1) (E e1) (G g1))) (F (H h1) (I i1)))"],
           "test brackets crossing gold brackets")
    yield ("duplicate_spans", "COLLINS.prm",
           ["(S (NP (NP (NN man))) (VP (VBZ runs)))", "(S (NP (NN man)) (VP (VBZ runs)))",
            "(S (NP (NP (NN man))) (VP (VP (VP (VBZ runs)))))", "(S (A (A (A (B b)))) (C c))"],
           ["(S (NP (NN man)) (VP (VBZ runs)))", "(S (NP (NP (NP (NN man)))) (VP (VBZ runs)))",
            "(S (NP (NP (NN man))) (VP (VP (VBZ runs))))", "(S (A (A (B b))) (C c))"],
           "unary chains: n gold and m test brackets over the same span and label")
    yield ("unbalanced", "COLLINS.prm",
           [S1, "(S (NP (DT a) (NN b)) (VP (VBZ c))", "(S (NP (NN x)) (VP (VBZ y)))", "(S (NP (NN x)) (VP (VBZ y))))", S2],
           [S1, "(S (NP (DT a) (NN b)) (VP (VBZ c)))", "(S (NP (NN x)) (VP (VBZ y))", "(S (NP (NN x)) (VP (VBZ y)))", S2],
           "a bracket left open (gold, then test), an extra ) at the end: error rows still show their brackets")
    yield ("no_valid_sentence", "COLLINS.prm",
           ["(S (NP (NN a)) (VP (VBZ b)))", "(S (NP (NN c)))"],
           ["(S (NP (NN a)))", ""],
           "nothing to count: the F-measure of 0 / 0")
    yield ("nothing_matches", "COLLINS.prm",
           ["(S (NP (NN a)) (VP (VBZ b)))"], ["(X (Y (NN a)) (Z (VBZ b)))"], "all brackets wrong: 0 recall, 0 precision")
    yield ("whitespace_and_layout", "COLLINS.prm",
           ["(S(NP(DT the)(NN cat))(VP(VBD sat)))", "(S\t(NP  (DT\tthe)   (NN cat))\r(VP (VBD sat)))  ", "  (S (NP (DT the) (NN cat)) (VP (VBD sat)))"],
           ["(S (NP (DT the) (NN cat)) (VP (VBD sat)))", "(S(NP(DT the)(NN cat))(VP(VBD sat)))", "(S (NP (DT the) (NN cat)) (VP (VBD sat)))\t"],
           "no spaces between brackets, tabs, carriage returns, leading and trailing white space")
    yield ("ptb_root", "COLLINS.prm",
           ["( (S (NP (DT the) (NN cat)) (VP (VBD sat) (. .))))", "(TOP (S (NP (DT the) (NN cat)) (VP (VBD sat))))"],
           ["(TOP (S (NP (DT the) (NN cat)) (VP (VBD sat) (. .))))", "( (S (NP (DT the) (NN cat)) (VP (VBD sat))))"],
           "the treebank's unlabeled root is not deleted (TOP is)")
    yield ("odd_tokens", "COLLINS.prm",
           ["(S (NP (-LRB- -LRB-) (NN x) (-RRB- -RRB-)) (VP (VBZ is) (NN )) (NP-SBJ-1 (CD 3\\/4)))",
            "(S (NP (NNP Zürich) (NN café)) (VP (VBZ naïve) (NP (NN 日本))))",
            "(S (NP (NN a-b=c)) (VP= (VB x)) (-X (NN y)))"],
           ["(S (NP (-LRB- -LRB-) (NN x) (-RRB- -RRB-)) (VP (VBZ is) (NN )) (NP (CD 3\\/4)))",
            "(S (NP (NNP Zürich) (NN cafe)) (VP (VBZ naïve) (NP (NN 日本))))",
            "(S (NP (NN a-b=c)) (VP (VB x)) (X (NN y)))"],
           "bracket tags as words, an empty word, UTF-8 words (one differing), labels cut to nothing")
    yield ("too_many_gold_lines", "COLLINS.prm", [S1, S2, S1], [S1, S2], "the gold file is longer: scoring stops at its end")
    yield ("too_many_test_lines", "COLLINS.prm", [S1], [S1, S2, S1], "the test file is longer")
    yield ("max_error_reached", "COLLINS.prm",
           [S1] + ["(S (NP (NN a)) (VP (VBZ b)))"] * 13 + [S2],
           [S1] + ["(S (NP (NN a)))"] * 13 + [S2],
           "13 length mismatches: evalb stops at the 12th error (MAX_ERROR 10), without a summary")
    yield ("max_error_3", "cutoff10_maxerror3.prm",
           [S1, "(S (NP (NN a)) (VP (VBZ b)))", "(S (NP (NN a)) (VP (VBZ b)))", S2, "(S (NP (NN a)) (VP (VBZ b)))", "(S (NP (NN a)) (VP (VBZ b)))",
            "(S (NP (NN a)) (VP (VBZ b)))", S1],
           [S1, "(S (NP (NN a)))", "(S (NP (NN b)) (VP (VBZ b)))", S2, "(S (NP (NN a)))", "(S (NP (NN a)))", "(S (NP (NN a)))", S1],
           "MAX_ERROR 3: the fifth error stops evalb")
    yield ("bare_word", "COLLINS.prm",
           [S1, "(S (NP (NN a)) (VP (VBZ b)) c)", S2], [S1, "(S (NP (NN a)) (VP (VBZ b)))", S2],
           "a word outside a preterminal: evalb repeats 'Reading sentence' until it stops")
    yield ("two_words_in_a_bracket", "COLLINS.prm",
           [S1, S2], [S1, "(S (NP (PRP He)) (VP (VBD gave up) (NP (DT the) (NN fight))) (. .))"],
           "a preterminal over two words: an error, then the same endless 'Reading sentence'")
    yield ("space_before_close", "COLLINS.prm",
           [S1, S2], [S1, "(S (NP (PRP He )) (VP (VBD gave) (PRT (RP up)) (NP (DT the) (NN fight))) (. .))"],
           "(PRP He ) with a space before ) counts as more than two elements")
    yield ("unlabeled", "COLLINS_unlabeled.prm",
           [S1, S2, "(S (NP (NN a)) (VP (VBZ b)))"],
           ["(X (Y (DT The) (NN cat)) (Z (VBD sat) (W (IN on) (V (DT the) (NN mat)))) (. .))",
            "(S (NP (PRP He)) (VP (VBD gave) (ADJP (RP up)) (NP (DT the) (NN fight))) (. .))",
            "(S (NP (NN a) (VP (VBZ b))))"],
           "LABELED 0: spans only")
    yield ("equivalences", "equivalences.prm",
           ["(S (A (P This)) (B (Q is) (A (R a) (T test))) (. .))", "(S (NP (DT the) (NN colour)) (VP (VBZ is) (NNS red)))",
            "(TOP (S (NP (NN x) (-NONE- *)) (. .)))"],
           ["(S (A (P this)) (B (Q is) (A (R a) (TT test))) (. .))", "(S (NP (DT the) (NNS color)) (VP (VBZ is) (NN red)))",
            "(TOP (S (NP (NN x) (-NONE- *)) (. .)))"],
           "EQ_WORD This/this and colour/color, EQ_LABEL T/TT and NN/NNS, -NONE- kept but not counted in lengths")
    yield ("delete_prt", "delete_prt.prm",
           [S2, "(S (NP (PRP They)) (VP (VBD looked) (ADVP (RB up)) (NP (DT the) (NN word))))",
            "(S (NP (PRP They)) (VP (VBD looked) (PRT (RP up)) (NP (DT the) (JJ whole) (NN word) (NN list))))"],
           ["(S (NP (PRP He)) (VP (VBD gave) (ADVP (RB up)) (NP (DT the) (NN fight))) (. .))",
            "(S (NP (PRP They)) (VP (VBD looked) (ADVP (RB up)) (NP (DT the) (NN word))))",
            "(S (NP (PRP They)) (VP (VBD looked) (PRT (RP up)) (NP (DT the) (JJ whole) (NN word) (NN list))))"],
           "DELETE_LABEL PRT with EQ_LABEL ADVP PRT deletes ADVP brackets too; CUTOFF_LEN 5")
    yield ("quotes", "quotes.prm",
           ["(S (NP (NP (NNP John) (POS ')) (NN dog)) (VP (VBD barked)) (. .))",
            "(S (NP (NP (NNS dogs) ('' ')) (NN food)) (VP (VBD spilled)))",
            "(S (`` \") (NP (PRP I)) (VP (VBP see) (NP (NNS stars))) ('' \") (. .))",
            "(S (NP (NN a) (NN /) (NN b)) (VP (VBZ c)))",
            "(S (NP (NNS dogs) ('' ') ('' ')) (VP (VBD ran)))",
            "(S (NP (NP (NNP John) (POS ')) (NN dog)) (VP (VBD barked) (NP (NN x))))"],
           ["(S (NP (NP (NNP John) ('' ')) (NN dog)) (VP (VBD barked)) (. .))",
            "(S (NP (NP (NNS dogs) (POS ')) (NN food)) (VP (VBD spilled)))",
            "(S (NN \") (NP (PRP I)) (VP (VBP see) (NP (NNS stars))) ('' \") (. .))",
            "(S (NP (NN a) (: /) (NN b)) (VP (VBZ c)))",
            "(S (NP (NNS dogs) (POS ') (POS ')) (VP (VBD ran)))",
            "(S (NP (NP (NNP John) ('' ')) (NN dog)) (VP (VBD barked)))"],
           "QUOTE_LABEL: a quote one side deletes and the other keeps is put back (gold side, test side, twice)")
    yield ("builtin_defaults", None,
           [S1, S3, S4], [S1, "(S (NP (NNP John)) (, ,) (NP (DT a) (NN farmer)) (, ,) (VP (VBZ says) (S (VP (VBD rained)))) (. .))", S4],
           "evalb without -p: nothing deleted, traces and punctuation count")
    long_gold = ("(S (NP (DT The) (NNS results)) (VP (VBD were) (ADJP (JJ clear)) "
                 + " ".join(f"(PP (IN of) (NP (DT the) (NN thing{i})))" for i in range(14))
                 + ") (. .))")
    long_test = ("(S (NP (DT The) (NNS results)) (VP (VBD were) (ADJP (JJ clear)) "
                 + " ".join(f"(PP (IN of) (NP (DT the) (NN thing{i})))" if i % 3 else f"(NP (IN of) (DT the) (NN thing{i}))" for i in range(14))
                 + ") (. .))")
    edge40 = "(S " + " ".join(f"(NP (NN w{i}))" for i in range(39)) + " (. .) (, ,))"
    edge40t = "(S " + " ".join(f"(NP (NN w{i}))" for i in range(38)) + " (NN w38) (. .) (, ,))"
    traces40 = "(S " + " ".join(f"(NP (NN w{i}) (-NONE- *))" for i in range(40)) + ")"
    yield ("long_sentences", "COLLINS.prm",
           [S1, long_gold, edge40, traces40], [S1, long_test, edge40t, traces40],
           "over 40 words; 39 words and 2 punctuation marks make 41; traces do not count")


LABELS = ["S", "NP", "VP", "PP", "SBAR", "ADJP", "ADVP", "PRT", "WHNP", "QP", "PRN", "UCP", "NX", "S-TPC", "NP-SBJ", "PP-LOC=2", "NP-SBJ-1"]
TAGS = ["DT", "NN", "NNS", "NNP", "VB", "VBD", "VBZ", "JJ", "RB", "IN", "PRP", "CD", "CC", "RP", "TO", "MD", "POS"]
PUNCT = [(",", ","), (".", "."), (":", ";"), ("``", "``"), ("''", "''"), ("-LRB-", "-LRB-"), ("$", "$")]
WORDS = ["the", "a", "cat", "dog", "saw", "ran", "old", "very", "of", "in", "to", "it", "John", "3", "and", "up", "'s", "Zoë", "naïve"]


def random_tree(rng, depth=0, max_depth=6):
    """A random tree as nested lists: [label, children...] or [tag, word]."""
    if depth >= max_depth or (depth > 0 and rng.random() < 0.3):
        r = rng.random()
        if r < 0.08:
            return list(rng.choice(PUNCT))
        if r < 0.12:
            return ["-NONE-", rng.choice(["*", "*T*-1", "0", "*U*"])]
        return [rng.choice(TAGS), rng.choice(WORDS)]
    n = rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
    return [rng.choice(LABELS)] + [random_tree(rng, depth + 1, max_depth) for _ in range(n)]


def is_leaf(t):
    return isinstance(t[1], str)


def show(t):
    if is_leaf(t):
        return f"({t[0]} {t[1]})"
    return "(" + t[0] + " " + " ".join(show(c) for c in t[1:]) + ")"


def nodes(t, path=()):
    yield path, t
    if not is_leaf(t):
        for i, c in enumerate(t[1:]):
            yield from nodes(c, path + (i + 1,))


def perturb(t, rng, errors):
    """A test tree: relabelled, flattened, regrouped or shifted brackets and changed tags; with `errors`,
    sometimes a sentence evalb cannot compare (a word dropped or changed, punctuation re-tagged)."""
    t = json.loads(json.dumps(t))
    for _ in range(rng.randrange(0, 5)):
        inner = [(p, n) for p, n in nodes(t) if not is_leaf(n)]
        leaves = [(p, n) for p, n in nodes(t) if is_leaf(n)]
        op = rng.random()
        if op < 0.25 and inner:
            _, n = rng.choice(inner)
            n[0] = rng.choice(LABELS)
        elif op < 0.45 and len(inner) > 1:
            p, n = rng.choice(inner[1:])
            parent = t
            for i in p[:-1]:
                parent = parent[i]
            parent[p[-1]:p[-1] + 1] = n[1:]
        elif op < 0.65 and inner:
            _, n = rng.choice(inner)
            if len(n) > 3:
                i = rng.randrange(1, len(n) - 1)
                j = rng.randrange(i + 1, len(n))
                n[i:j + 1] = [[rng.choice(LABELS)] + n[i:j + 1]]
        elif op < 0.85 and leaves:
            _, n = rng.choice(leaves)
            if n[0] not in ("-NONE-",) and n[0] not in dict(PUNCT):
                n[0] = rng.choice(TAGS)
        elif op < 0.97 and inner:
            # a boundary moved: the last child of a bracket becomes the first of the next (crossing)
            _, n = rng.choice(inner)
            pairs = [i for i in range(1, len(n) - 1) if not is_leaf(n[i]) and not is_leaf(n[i + 1]) and len(n[i]) > 2]
            if pairs:
                i = rng.choice(pairs)
                n[i + 1].insert(1, n[i].pop())
        else:
            # the parser does not produce traces
            for p, n in reversed(list(nodes(t))):
                if not is_leaf(n):
                    kept = [c for c in n[1:] if not (is_leaf(c) and c[0] == "-NONE-")]
                    if kept:
                        n[1:] = kept
    if errors and rng.random() < 0.05:
        leaves = [n for _, n in nodes(t) if is_leaf(n) and n[0] not in dict(PUNCT) and n[0] != "-NONE-"]
        if leaves:
            rng.choice(leaves)[1] = "WRONG"
    if errors and rng.random() < 0.06:
        leaves = [n for _, n in nodes(t) if is_leaf(n) and n[0] in (",", ".")]
        if leaves:
            rng.choice(leaves)[0] = "NN"
    return t


def random_case(rng, count, errors, long_every=0):
    gold, test = [], []
    for k in range(count):
        depth = 9 if long_every and k % long_every == 0 else rng.choice([3, 4, 5, 6])
        t = random_tree(rng, max_depth=depth)
        while is_leaf(t) or show(t).count("(") > 150:
            t = random_tree(rng, max_depth=depth)
        if rng.random() < 0.3:
            t = ["TOP", t]
        gold.append(show(t))
        if errors and rng.random() < 0.05:
            test.append("")
        else:
            test.append(show(perturb(t, rng, errors)))
    return gold, test


def random_cases():
    rng = random.Random(1997)
    g, t = random_case(rng, 60, errors=False)
    yield ("random_clean", "COLLINS.prm", g, t, "seeded random trees, perturbed brackets and tags, no errors")
    g, t = random_case(rng, 60, errors=True, long_every=7)
    yield ("random_errors", "COLLINS.prm", g, t, "seeded random trees with a few length/word mismatches and skips, some over 40 words")
    g, t = random_case(rng, 30, errors=False, long_every=5)
    yield ("random_unlabeled", "COLLINS_unlabeled.prm", g, t, "seeded random trees scored unlabeled")
    g, t = random_case(rng, 25, errors=False)
    yield ("random_defaults", None, g, t, "seeded random trees, evalb's built-in settings")


def check_limits(name, lines):
    """The case stays inside evalb.c's fixed arrays (so that evalb's answer is its real one)."""
    for line in lines:
        b = line.encode("utf-8")
        assert len(b) < 4990, (name, "line too long")
        assert line.count("(") < 200, (name, "too many words or brackets")
        assert line.count("(") < 20 or line.count("'") + line.count('"') + line.count("/") < 20, (name, "too many quotes")
        for tok in line.replace("(", " ").replace(")", " ").split():
            assert len(tok.encode("utf-8")) < 30, (name, "token too long", tok)


def build(source):
    """evalb compiled twice (-O2, -O0) from C source, or the given binary once."""
    if not source.endswith(".c"):
        return [os.path.abspath(source)]
    d = tempfile.mkdtemp(prefix="evalb-")
    outs = []
    for opt in ("-O2", "-O0"):
        out = os.path.join(d, f"evalb{opt}")
        subprocess.run(["gcc", opt, "-w", "-o", out, source], check=True)
        outs.append(out)
    return outs


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binaries = build(sys.argv[1])
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    for name, text in PARAMS.items():
        with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    shipped = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), "COLLINS.prm")
    if os.path.exists(shipped):
        with open(shipped, encoding="utf-8") as f:
            assert f.read() == COLLINS, "COLLINS.prm next to evalb differs from the copy in this script"
    manifest = []
    for name, params, gold, test, about in list(hand_cases()) + list(random_cases()):
        check_limits(name, gold + test)
        for ext, lines in ((".gld", gold), (".tst", test)):
            with open(os.path.join(OUT, name + ext), "w", encoding="utf-8", newline="\n") as f:
                f.write("".join(line + "\n" for line in lines))
        args = (["-p", params] if params else []) + [name + ".gld", name + ".tst"]
        runs = [subprocess.run([b] + args, cwd=OUT, capture_output=True) for b in binaries]
        for r in runs[1:]:
            assert (r.stdout, r.stderr, r.returncode) == (runs[0].stdout, runs[0].stderr, runs[0].returncode), \
                f"{name}: evalb's builds disagree (undefined behaviour)"
        r = runs[0]
        with open(os.path.join(OUT, name + ".rsl"), "wb") as f:
            f.write(r.stdout)
        with open(os.path.join(OUT, name + ".err"), "wb") as f:
            f.write(r.stderr)
        manifest.append({"name": name, "params": params, "status": r.returncode, "about": about})
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(m, ensure_ascii=False) for m in manifest) + "\n]\n")
    size = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"{len(manifest)} cases, {size // 1024} KB in {OUT}")


if __name__ == "__main__":
    main()
