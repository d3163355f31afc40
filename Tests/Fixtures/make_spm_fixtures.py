#!/usr/bin/env python3
"""Makes the SentencePiece parity fixtures under Tests/Fixtures/spm/.

Trains small sentencepiece models (pip `sentencepiece`) on Bible text read with `diatheke`
(Debian packages diatheke, sword-text-kjv, sword-text-web, sword-text-sparv), then records
what Python's SentencePieceProcessor does on held-out text, so the Swift tokenizer can be
checked id for id:

  heldout.jsonl          one JSON string per line: the held-out text (English WEB and Spanish
                         Reina-Valera from books left out of training, plus a tricky set)
  <model>.model          the trained model
  <model>.expected.jsonl one JSON object per held-out line: {"ids", "pieces"?, "decoded"?}
                         (decoded = sp.decode(ids)); pieces only where they are not the
                         ids' pieces, decoded only where it is not the line itself
  <model>.vocab.json     [piece, score, type] for every id, as Python reports them (some models)
  <model>.extra.json     n-best lists (unigram), crafted decode cases (ids and pieces)

Run from the package root: python3 Tests/Fixtures/make_spm_fixtures.py
Training text goes to a temporary folder; only the small files above are kept.
"""
import json
import os
import re
import struct
import subprocess
import tempfile

import sentencepiece as spm

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spm")
HELD_OUT_BOOKS = {"Ruth", "Jonah", "Philemon", "Jude", "III John"}
VERSE = re.compile(r"^(.+?) (\d+):(\d+): ?(.*)$")
MARKUP = re.compile(r"\s*<[^>]*>")


def verses(module):
    """Yields (book, text) for each verse of a SWORD module, joining wrapped lines."""
    out = subprocess.run(
        ["diatheke", "-b", module, "-f", "plain", "-k", "Genesis 1:1-Revelation 22:21"],
        check=True, capture_output=True, text=True).stdout
    book, parts = None, []
    for line in out.split("\n"):
        m = VERSE.match(line.strip())
        if m:
            if book is not None:
                yield book, clean(" ".join(parts))
            book, parts = m.group(1), [m.group(4)]
        elif book is not None and line.strip() and not line.startswith("(" + module):
            parts.append(line)
    if book is not None:
        yield book, clean(" ".join(parts))


def clean(text):
    text = MARKUP.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def book_key(book):
    # The modules name the held-out books the same way, except "III John" / "3 John".
    return {"3 John": "III John"}.get(book, book)


TRICKY = [
    "",
    " ",
    "   leading and trailing spaces   ",
    "multiple    internal     spaces and\ttabs\there",
    "Numbers: 0 1 12 123 1234 3.14159 1,000,000 2024-06-01 +44 (0) 20 7946 0958",
    "Fullwidth: ＡＢＣ ｄｅｆ １２３ ！？ and halfwidth katakana ｶﾞｷﾞ",
    "Ligatures and compatibility: ﬁne ﬂour, ½ cup, ² ³, Ⅻ, ㍻, ™ ©",
    "Combining accents: e\u0301 a\u0300 n\u0303 versus é à ñ",
    "Non-breaking\u00a0space, ideographic\u3000space, zero\u200bwidth",
    "Amharic: ሰላም ዓለም እንዴት ነህ",
    "Chinese: 起初神创造天地。地是空虚混沌，渊面黑暗。",
    "Japanese: はじめに神は天と地とを創造された。カタカナ",
    "Korean: 태초에 하나님이 천지를 창조하시니라",
    "Arabic: في البدء خلق الله السماوات والأرض",
    "Hebrew: בְּרֵאשִׁית בָּרָא אֱלֹהִים",
    "Greek: Ἐν ἀρχῇ ἦν ὁ λόγος, καὶ ὁ λόγος ἦν πρὸς τὸν θεόν",
    "Russian: В начале сотворил Бог небо и землю.",
    "Hindi: आदि में परमेश्वर ने आकाश और पृथ्वी की सृष्टि की।",
    "Thai: ในปฐมกาลพระเจ้าทรงเนรมิตสร้างฟ้าและแผ่นดินโลก",
    "Emoji: 🙂 👍🏽 👨‍👩‍👧‍👦 🇪🇸 ❤️ 🔥🔥🔥",
    "Mixed: In the beginning 起初 ☃ was the Word (λόγος) 🙂 — and “quotes” ‘single’ «guillemets»",
    "Symbols: § ¶ † ‡ • … ‰ € £ ¥ © ® ° ± × ÷ ← → ↔ ∞ ≠ ≤ ≥",
    "URLs and code: https://example.org/a?b=c&d=e#f foo_bar(baz[0]) {x: 1}",
    "CAPITALS AND MiXeD cAsE WORDS: JEHOVÁ, ÑANDÚ, ÉXODO",
    "¿Qué? ¡Sí! Él dijo: «No temáis». Señor, ¿adónde iremos?",
    "Special strings: <unk> <s> </s> <pad> <sep> <mask> <en> <es> [CITA] @@ ▁ ▁▁x",
    "Jehová Jehová<sep>Jehová <mask>word Señor@@ [CITA]Dios",
    "a",
    "ሰ",
    "🙂",
    "x" * 300,
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "one\u2028two\u2029three\u0085four",
    "\u00ad soft hyphen, \ufeff BOM, \u200d ZWJ, \u2060 word joiner",
    "Ｔｈｅ ｆｕｌｌｗｉｄｔｈ ｓｅｎｔｅｎｃｅ．",
    "ǅ ǈ ǋ ǲ ﬀ ﬃ ﬄ ﬅ ﬆ",
    "İstanbul İ ı ß ẞ",
    "\u2581 \u2581hello \u2581\u2581world",
]


MODELS = {
    # name: sentencepiece trainer options
    "unigram_nfkc": dict(model_type="unigram", vocab_size=2000, normalization_rule_name="nmt_nfkc"),
    "unigram_identity": dict(model_type="unigram", vocab_size=2000, normalization_rule_name="identity",
                             remove_extra_whitespaces=False),
    "unigram_bytefallback": dict(model_type="unigram", vocab_size=2000, normalization_rule_name="nmt_nfkc",
                                 byte_fallback=True, character_coverage=0.9995),
    "bpe_nfkc": dict(model_type="bpe", vocab_size=2000, normalization_rule_name="nmt_nfkc"),
    "bpe_bytefallback": dict(model_type="bpe", vocab_size=2000, normalization_rule_name="identity",
                             byte_fallback=True, add_dummy_prefix=False,
                             user_defined_symbols=["<sep>", "Jehová"]),
    # Pieces end with "▁" here, so BPE cannot merge word by word and the dummy space goes last.
    "bpe_suffix": dict(model_type="bpe", vocab_size=1000, normalization_rule_name="identity",
                       treat_whitespace_as_suffix=True),
    # unigram_identity with scores × 10,000, made after training (see SCALED).
    "unigram_scaled": None,
    "unigram_special": dict(model_type="unigram", vocab_size=2000, normalization_rule_name="nmt_nfkc",
                            user_defined_symbols=["<sep>", "<mask>", "[CITA]", "Jehová", "@@"],
                            control_symbols=["<en>", "<es>"],
                            pad_id=0, unk_id=1, bos_id=2, eos_id=3),
}


# Models made from another by scaling its scores: name -> (base model, factor).
SCALED = {"unigram_scaled": ("unigram_identity", 10000.0)}

# Every piece type occurs in one of these; the others' vocabularies are checked through ids.
VOCAB_FIXTURES = {"unigram_nfkc", "bpe_bytefallback", "unigram_special"}


def varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def encode_varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def scale_scores(blob, factor):
    """The model with every piece score multiplied by `factor` (a hand-made protobuf edit).
    Path scores then pass ±1e5 within a line, where sentencepiece 0.2.3 re-bases them."""
    out, i = bytearray(), 0
    while i < len(blob):
        start = i
        tag, i = varint(blob, i)
        assert tag & 7 == 2
        n, i = varint(blob, i)
        body, i = blob[i:i + n], i + n
        if tag >> 3 != 1:
            out += blob[start:i]
            continue
        piece, j = bytearray(), 0
        while j < len(body):
            t, j = varint(body, j)
            if t == 0x15:  # score: fixed32 float
                score = struct.unpack("<f", body[j:j + 4])[0]
                piece += bytes([t]) + struct.pack("<f", score * factor)
                j += 4
            elif t & 7 == 2:
                m, k = varint(body, j)
                piece += encode_varint(t) + body[j:k + m]
                j = k + m
            else:
                v, k = varint(body, j)
                piece += encode_varint(t) + body[j:k]
                j = k
        out += bytes([0x0A]) + encode_varint(len(piece)) + piece
    return bytes(out)


def piece_type(sp, i, user_defined):
    if sp.is_unknown(i):
        return "unknown"
    if sp.is_control(i):
        return "control"
    if sp.is_byte(i):
        return "byte"
    if sp.is_unused(i):
        return "unused"
    if sp.id_to_piece(i) in user_defined:
        return "user_defined"
    return "normal"


def decode_cases(sp, opts, heldout):
    """Id and piece sequences that exercise DecodeIds / DecodePieces corner cases."""
    n = sp.get_piece_size()
    ids_cases = [[]]
    sample = sp.encode(heldout[0])
    ids_cases.append(sample)
    special = [i for i in (sp.bos_id(), sp.eos_id(), sp.pad_id(), sp.unk_id()) if 0 <= i < n]
    for s in special:
        ids_cases += [[s], [s] + sample, sample[:3] + [s] + sample[3:], sample + [s]]
    ws = sp.piece_to_id("\u2581")
    if ws != sp.unk_id():
        ids_cases += [[ws], [ws, ws] + sample, [sp.bos_id()] + [ws] + sample if sp.bos_id() >= 0 else [ws]]
    if opts.get("byte_fallback"):
        def b(x):
            return sp.piece_to_id("<0x%02X>" % x)
        ids_cases += [
            [b(0xC3), b(0xA9)],                       # é
            [b(0xC3)],                                # truncated: U+FFFD
            [b(0xE3), b(0x81)] + sample,              # truncated 3-byte sequence, then text
            [b(0xFF), b(0x41), b(0x80)],              # invalid bytes around a valid one
            sample[:2] + [b(0xF0), b(0x9F), b(0x99), b(0x82)] + sample[2:],  # 🙂 in the middle
            [b(0x20), b(0x41)],                       # a byte space at the start
            [b(0xED), b(0xA0), b(0x80)],              # an encoded surrogate
            [b(0xC0), b(0x80)],                       # an overlong encoding
        ]
    for i in range(0, n, max(1, n // 40)):
        ids_cases.append([i, (i * 7 + 3) % n, (i * 13 + 5) % n])
    pieces_cases = [
        [],
        sp.encode(heldout[1], out_type=str),
        ["<unk>"], ["\u2581<unk>"], ["ሰላም"], ["\u2581", "\u2581the"], ["\u2581\u2581x"],
        ["<s>", "\u2581In", "</s>"], ["<0x41>", "<0xC3>", "<0xA9>"], ["not-a-piece", "\u2581x"],
        ["\u2581a", "<unk>", "b"],
    ]
    out_ids = [{"ids": c, "decoded": sp.decode(c)} for c in ids_cases]
    out_pieces = [{"pieces": c, "decoded": sp.decode_pieces(c)} for c in pieces_cases]
    return out_ids, out_pieces


def main():
    os.makedirs(OUT, exist_ok=True)
    kjv = list(verses("engKJV2006eb"))
    web = list(verses("engWEB2015eb"))
    spa = list(verses("spaRV1909eb"))

    # Train inside a scratch folder with relative names, so the paths the models record
    # (TrainerSpec.input, model_prefix) are the same on every run.
    tmp = tempfile.mkdtemp()
    os.chdir(tmp)
    train_path = "train.txt"
    with open(train_path, "w") as f:
        for book, text in kjv + spa:
            if book_key(book) not in HELD_OUT_BOOKS and text:
                f.write(text + "\n")

    heldout = [t for b, t in web if book_key(b) in HELD_OUT_BOOKS and t]
    heldout += [t for b, t in spa if book_key(b) in HELD_OUT_BOOKS and t]
    heldout += TRICKY
    with open(os.path.join(OUT, "heldout.jsonl"), "w") as f:
        for line in heldout:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(heldout)} held-out lines")

    for name, opts in MODELS.items():
        prefix = name
        if opts is None:
            base, factor = SCALED[name]
            opts = MODELS[base]
            with open(base + ".model", "rb") as f:
                blob = scale_scores(f.read(), factor)
            with open(prefix + ".model", "wb") as f:
                f.write(blob)
        else:
            spm.SentencePieceTrainer.train(input=train_path, model_prefix=prefix, num_threads=2,
                                           minloglevel=2, **opts)
        with open(prefix + ".model", "rb") as f:
            blob = f.read()
        with open(os.path.join(OUT, name + ".model"), "wb") as f:
            f.write(blob)
        sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
        user_defined = set(opts.get("user_defined_symbols", []))

        if name in SCALED:
            # Scaling does not change a segmentation here; the tests reuse the base's expectations.
            base = spm.SentencePieceProcessor(model_file=SCALED[name][0] + ".model")
            assert all(sp.encode(line) == base.encode(line) for line in heldout), name
            print(f"{name}: {len(blob)} bytes, same ids as {SCALED[name][0]}")
            continue
        with open(os.path.join(OUT, name + ".expected.jsonl"), "w") as f:
            for line in heldout:
                ids = sp.encode(line)
                rec = {"ids": ids}
                # To keep the files small, pieces and decoded text are stored only where they
                # differ from what ids and the line already say (merged unknowns, normalization).
                pieces = sp.encode(line, out_type=str)
                if pieces != [sp.id_to_piece(i) for i in ids]:
                    rec["pieces"] = pieces
                decoded = sp.decode(ids)
                if decoded != line:
                    rec["decoded"] = decoded
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")

        # [piece, score, type] per id; "%.9g" round-trips a float32 score exactly.
        vocab = [[sp.id_to_piece(i), float("%.9g" % sp.get_score(i)), piece_type(sp, i, user_defined)]
                 for i in range(sp.get_piece_size())]
        ids_cases, pieces_cases = decode_cases(sp, opts, heldout)
        extra = {
            "unk_id": sp.unk_id(), "bos_id": sp.bos_id(), "eos_id": sp.eos_id(), "pad_id": sp.pad_id(),
            "decode_ids": ids_cases, "decode_pieces": pieces_cases,
        }
        if opts["model_type"] == "unigram":
            extra["nbest"] = [{"line": i, "ids": sp.nbest_encode_as_ids(heldout[i], 5)}
                              for i in sorted(set(range(0, len(heldout) - len(TRICKY), 20)) | set(range(len(heldout) - len(TRICKY), len(heldout))))]
        if name in VOCAB_FIXTURES:
            with open(os.path.join(OUT, name + ".vocab.json"), "w") as f:
                f.write("[\n" + ",\n".join(json.dumps(v, ensure_ascii=False) for v in vocab) + "\n]\n")
        with open(os.path.join(OUT, name + ".extra.json"), "w") as f:
            json.dump(extra, f, ensure_ascii=False)
        print(f"{name}: {len(blob)} bytes, {sp.get_piece_size()} pieces")


if __name__ == "__main__":
    main()
