#!/usr/bin/env python3
"""Makes the fixtures NormalizerTests checks our Normalizer against, with pip's sentencepiece.

Writes, under Tests/Fixtures/spm/:
  normalizer_text.jsonl     held-out Bible lines (KJV, WEB, Spanish RV1909) and a tricky set, with
                            sentencepiece's normalization under each rule. One JSON object a line:
                            {"source": ..., "in": text, "out": {"nmt_nfkc,nfkc": text, ...}}
                            (rules with the same output share one key, comma-separated).
  normalizer_bytes.jsonl    byte-level cases (invalid UTF-8, option combinations, processor-level
                            settings) with outputs and norm_to_orig offsets, bytes as hex:
                            {"case": ..., "rule": ..., "options": {...}, "in": hex, "out": hex,
                             "offsets": [...]}
  normalizer_charsmaps.json for each rule name sentencepiece ships: the blob's size and FNV-1a-64,
                            and its rules whose source has a code point unassigned in Python's
                            Unicode (14.0), i.e. the only rules an older ICU may lack; plus a small
                            user rule TSV with the blob sentencepiece compiles from it.

Expected outputs come from SentencePieceProcessor.normalize on models trained with each rule
(and are checked to equal SentencePieceNormalizer's). Needs `pip install sentencepiece` (0.2.x)
and `diatheke` with the engKJV2006eb, engWEB2015eb and spaRV1909eb modules.

Run from the package root: python3 Tests/Fixtures/make_spm_normalizer_fixtures.py
"""
import base64
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import unicodedata

import sentencepiece as spm

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spm")
RULES = ["nmt_nfkc", "nfkc", "nmt_nfkc_cf", "nfkc_cf", "identity"]
CORPORA = [("kjv", "engKJV2006eb"), ("web", "engWEB2015eb"), ("rv1909", "spaRV1909eb")]
LINES_PER_CORPUS = 110
SEED = 20240611


# --- protobuf wire format, just enough to pull fields out of a serialized message -------------

def _varint(b, i):
    result = shift = 0
    while True:
        c = b[i]
        i += 1
        result |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return result, i


def proto_fields(b):
    i, out = 0, []
    while i < len(b):
        key, i = _varint(b, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(b, i)
        elif wire == 2:
            length, i = _varint(b, i)
            value, i = b[i:i + length], i + length
        elif wire == 5:
            value, i = b[i:i + 4], i + 4
        elif wire == 1:
            value, i = b[i:i + 8], i + 8
        else:
            raise ValueError(f"wire type {wire}")
        out.append((number, value))
    return out


def charsmap_of_model(model_bytes):
    normalizer_spec = dict(proto_fields(model_bytes)).get(3, b"")  # ModelProto.normalizer_spec
    return dict(proto_fields(normalizer_spec)).get(2, b"")        # NormalizerSpec.precompiled_charsmap


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


# --- text --------------------------------------------------------------------------------------

REFERENCE = re.compile(r"^\s*(?:[1-4] )?[A-Za-z][A-Za-z ]*? \d+:\d+: ?")
MARKUP = re.compile(r"<[^>]*>")


def bible_lines(module):
    raw = subprocess.run(["diatheke", "-b", module, "-f", "plain", "-k", "Genesis 1:1-Revelation 22:21"],
                         check=True, capture_output=True).stdout.decode("utf-8")
    lines = []
    for line in raw.split("\n"):
        line = MARKUP.sub("", line)
        match = REFERENCE.match(line)
        if not match:
            continue
        lines.append(line[match.end():])  # keep trailing spaces: they exercise space removal
    return lines


def held_out(lines, n, rng):
    """n lines from the last fifth (what a tokenizer trained on the rest would not have seen),
    favouring lines with non-ASCII characters."""
    tail = lines[len(lines) * 4 // 5:]
    non_ascii = [l for l in tail if any(ord(c) > 127 for c in l)]
    ascii_only = [l for l in tail if all(ord(c) <= 127 for c in l)]
    k = min(len(non_ascii), n * 2 // 3)
    return rng.sample(non_ascii, k) + rng.sample(ascii_only, n - k)


TRICKY = [
    # halfwidth / fullwidth forms
    "ｶﾞ", "ｶﾞｷﾞｸﾞ ﾊﾟﾋﾟﾌﾟ ﾃﾞｽ", "ｱｲｳｴｵ", "Ａｂｃ１２３！", "ｈｅｌｌｏ　ｗｏｒｌｄ", "～ fullwidth tilde ~", "＜tag＞",
    # ligatures, compatibility digits, letterlike symbols
    "ﬁne ﬂow ﬀ ﬃ ﬆ", "①②③ ⑴ ⒈ ⓐ", "x²³ ½ ¼ ⅞", "™ ℠ № ℡", "ℌ ℍ 𝐀 𝔸 𝟘𝟙𝟚", "Ⅻ ⅻ Ⅳ", "㍿ ㌔ ㍻ ㎏", "…", "🄰 🄁 \U0001F100",
    "\ufdfa", "\ufdfb", "Å K Ω",
    # combining marks (decomposed input recomposes), orders, lone marks
    "e\u0301", "A\u030a", "n\u0303o", "\u1e9b\u0323", "a\u0308\u0301", "o\u0323\u0302", "o\u0302\u0323",
    "\u0301start", "\u0308\u0301", "Tie\u0302\u0301ng Vie\u0323\u0302t", "\u0915\u093c", "\u0958",
    "\u1100\u1161\u11a8 \u1100\u1161", "가나다 한국어",
    # whitespace and control characters
    "tab\there", "line\nbreak", "cr\r\nlf", "\x0b\x0c", "bell\x07x", "del\x7fx", "\x85 nel", "\u008f\u009fx",
    "\x01\x02\x1f", "a\x00b",
    # zero-width and invisible characters
    "zero\u200bwidth", "zw\u200cnj", "zw\u200dj", "\ufeffbom", "lrm\u200e rlm\u200f", "\u2060word joiner",
    "soft\u00adhyphen", "arabic\u061cmark", "\u2028ls\u2029ps", "\u180emvs",
    # spaces
    "no\u00a0break", "\u202fnarrow", "\u2009thin\u2002en\u3000ideo", "\u1680ogham", "  multiple   spaces  ",
    " leading", "trailing ", "   ", "", " ", "\t\t", "a  b", "\u2581already\u2581escaped", " \u2581 ",
    "\u2581\u2581", "\u3000\u3000x\u3000\u3000",
    # emoji, CJK, other scripts
    "😀 👍🏽 👨‍👩‍👧 🇯🇵", "❤️", "漢字かなカナ", "日本語のテキスト。", "中文，标点！", "العربية", "עִבְרִית", "Ελληνικά",
    "hangul\u3164filler",
    # case (differs under *_cf)
    "İstanbul ΣΊΣΥΦΟΣ straße ǅ", "ＡＢＣ Ⅷ", "MIXED Case ÀÉÎ",
    # the replacement character itself
    "replacement \ufffd char",
    "a" * 300 + " " + "ｶﾞ" * 50,
]

# Bytes that are not valid UTF-8 (sentencepiece emits U+FFFD per bad byte) and neighbours.
INVALID = [
    b"a\xffb", b"\xe3\x81", b"\xc0\x80x", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf0\x9f\x98",
    b"\x80\x80", b"caf\xc3", b"\xc3\xa9\xff ", b"  \xff  ", b"\xef\xbf\xbd", b"\xf8\x88\x80\x80\x80",
    b"\xfe\xff", b"In the \xe2\x80 beginning \xff\xfe God", b"\xc3", b"\xe2\x96", b" \xe2\x96\x81 \xff",
    "ｶﾞ".encode() + b"\x9f" + "ﬁ".encode(),
]

OPTION_TEXTS = ["  multiple   spaces  ", " leading", "trailing ", "tab\there\n", "\u3000ideo\u3000 x ",
                "ｶﾞ ﬁ", "\u2581 x", "a", "   ", "x\u200b\u200by"]


def normalizer(rule, **options):
    return spm.SentencePieceNormalizer(rule_name=rule, **options)


def train_models(training_text, tmp):
    """One small model per rule; returns {rule: SentencePieceProcessor}."""
    corpus = os.path.join(tmp, "corpus.txt")
    with open(corpus, "w") as f:
        f.write("\n".join(training_text) + "\n")
    processors = {}
    for rule in RULES:
        prefix = os.path.join(tmp, rule)
        spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, vocab_size=300,
                                       normalization_rule_name=rule, minloglevel=2)
        processors[rule] = spm.SentencePieceProcessor(model_file=prefix + ".model")
        with open(prefix + ".model", "rb") as f:
            blob = charsmap_of_model(f.read())
        shipped = dict(proto_fields(normalizer(rule).serialized_normalizer_spec())).get(2, b"")
        assert blob == shipped, f"{rule}: trained model's charsmap differs from the shipped one"
    return processors, corpus


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(SEED)
    corpora = {name: bible_lines(module) for name, module in CORPORA}
    records = []
    for name, _ in CORPORA:
        records += [(name, line) for line in held_out(corpora[name], LINES_PER_CORPUS, rng)]
    records += [("tricky", t) for t in TRICKY]

    with tempfile.TemporaryDirectory() as tmp:
        training = corpora["kjv"][:3000] + corpora["rv1909"][:1000]
        processors, corpus = train_models(training, tmp)

        # --- normalizer_text.jsonl
        with open(os.path.join(OUT, "normalizer_text.jsonl"), "w", encoding="utf-8") as f:
            for source, text in records:
                groups = {}
                for rule in RULES:
                    out = processors[rule].normalize(text)
                    assert out == normalizer(rule).normalize(text), (rule, text)
                    groups.setdefault(out, []).append(rule)
                record = {"source": source, "in": text, "out": {",".join(r): o for o, r in groups.items()}}
                f.write(json.dumps(record, ensure_ascii=False) + "\n")

        # --- normalizer_bytes.jsonl
        rows = []

        def add(case, rule, options, data, n):
            out, offsets = n.normalize(data, with_offsets=True)
            rows.append({"case": case, "rule": rule, "options": options, "in": data.hex(), "out": out.hex(),
                         "offsets": offsets})

        for rule in RULES:
            for data in INVALID:
                add("invalid-utf8", rule, {}, data, normalizer(rule))
            for text in TRICKY[:40]:
                add("offsets", rule, {}, text.encode(), normalizer(rule))
        for rule in ["nmt_nfkc", "identity"]:
            for dummy in (True, False):
                for remove in (True, False):
                    for escape in (True, False):
                        options = {"add_dummy_prefix": dummy, "remove_extra_whitespaces": remove,
                                   "escape_whitespaces": escape}
                        n = normalizer(rule, **options)
                        for text in OPTION_TEXTS:
                            add("options", rule, options, text.encode(), n)

        # Processor-level settings: user-defined symbols pass through unnormalized, and
        # treat_whitespace_as_suffix moves the dummy "▁" to the end.
        for options in [{"user_defined_symbols": ["<sep>", "ｶﾞ", "①", "ab"]},
                        {"treat_whitespace_as_suffix": True},
                        {"treat_whitespace_as_suffix": True, "remove_extra_whitespaces": False}]:
            prefix = os.path.join(tmp, "options")
            spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, vocab_size=300,
                                           normalization_rule_name="nmt_nfkc", minloglevel=2, **options)
            sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
            for text in ["ｶﾞ<sep>① ab ｶﾞｷﾞ", "  abab <sep>  ", "x ① y", "In the beginning  ", " ▁ ", ""] + OPTION_TEXTS:
                data = text.encode()
                out = sp.normalize(text).encode()
                rows.append({"case": "processor", "rule": "nmt_nfkc", "options": options, "in": data.hex(),
                             "out": out.hex(), "offsets": None})

        with open(os.path.join(OUT, "normalizer_bytes.jsonl"), "w") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")

    # --- normalizer_charsmaps.json
    maps = {}
    for rule in RULES[:4]:
        n = normalizer(rule)
        blob = dict(proto_fields(n.serialized_normalizer_spec())).get(2, b"")
        newer = []
        for key, value in sorted(n.decompile()):
            if any(unicodedata.category(c) == "Cn" for c in key):
                newer.append(" ".join(f"{ord(c):04X}" for c in key) + "\t" + " ".join(f"{ord(c):04X}" for c in value))
        maps[rule] = {"size": len(blob), "fnv1a64": fnv1a64(blob), "python_unicode": unicodedata.unidata_version,
                      "rules_with_newer_code_points": newer}
    tsv = "41\t61\n42 43\t78 79\nU+FF76 U+FF9E\t30AC\n44\n2160\t49\n0061 0301\t00E1\n3000\t0020\n"
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
        f.write(tsv)
        path = f.name
    user = spm.SentencePieceNormalizer(rule_tsv=path)
    os.unlink(path)
    user_blob = dict(proto_fields(user.serialized_normalizer_spec())).get(2, b"")
    samples = ["ABC D ｶﾞ Ⅰ", "a\u0301BC\u3000\u3000x", "DDD", "plain"]
    maps["user_tsv"] = {"tsv": tsv, "blob": base64.b64encode(user_blob).decode(),
                        "samples": [{"in": s, "out": user.normalize(s)} for s in samples]}
    with open(os.path.join(OUT, "normalizer_charsmaps.json"), "w", encoding="utf-8") as f:
        json.dump({"sentencepiece": spm.__version__, **maps}, f, ensure_ascii=False, indent=1)
        f.write("\n")

    sizes = {name: os.path.getsize(os.path.join(OUT, name)) for name in
             ["normalizer_text.jsonl", "normalizer_bytes.jsonl", "normalizer_charsmaps.json"]}
    print(sizes, "total", sum(sizes.values()), file=sys.stderr)


if __name__ == "__main__":
    main()
