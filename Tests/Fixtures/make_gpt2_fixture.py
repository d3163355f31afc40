#!/usr/bin/env python3
"""Writes Tests/Fixtures/gpt2-tiny/: a tiny random-weight Hugging Face GPT-2 and what it computes.

The directory is laid out as a Hugging Face GPT-2 checkpoint (config.json, model.safetensors,
vocab.json, merges.txt), so `zoo import gpt2 Tests/Fixtures/gpt2-tiny --out ...` reads it, plus:

- expected.safetensors: `logits.N` [T, V], the logits of GPT2LMHeadModel for prompt N;
- expected.json: the prompts (text and ids), and greedy generation (20 new tokens, do_sample=False);
- tokenizer_cases.json: ids of GPT2TokenizerFast for held-out lines (King James verses not in the
  tokenizer's training text, and tricky text), checked against OpenAI's original encoder.py
  algorithm (Python `regex`), which transformers 5 no longer ships as the slow GPT2Tokenizer; with
  each line's pre-tokenizer pieces (split at `<|endoftext|>` first).

The tokenizer is a byte-level BPE (vocabulary 500) trained with the `tokenizers` package on
Genesis and Exodus of the King James Bible (`diatheke`, package sword-text-kjv). Every parameter
(layer norms and biases too, which Hugging Face initializes to 1 and 0) is drawn at random, so a
name or transpose mixed up in the import shows in the logits.

Run from the repository root: python3 Tests/Fixtures/make_gpt2_fixture.py
Needs: pip transformers torch safetensors tokenizers; apt diatheke sword-text-kjv.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile

import regex
import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpt2-tiny")
EOT = "<|endoftext|>"
PREFIX = re.compile(r"^(?:I{1,3} |[1-3] )?[A-Z][a-z]+(?: (?:of )?[A-Z][a-z]+)* \d+:\d+: ?")


def kjv(key):
    """Verse texts of `key`, the `Book C:V: ` prefixes stripped, wrapped verses joined."""
    out = subprocess.run(["diatheke", "-b", "engKJV2006eb", "-f", "plain", "-k", key],
                         check=True, capture_output=True, text=True).stdout
    verses = []
    for line in out.split("\n"):
        line = line.strip()
        if not line or line.startswith("(engKJV2006eb)"):
            continue
        m = PREFIX.match(line)
        if m:
            verses.append(line[m.end():].strip())
        elif verses:
            verses[-1] += " " + line.strip()
    return [re.sub(r"<[^>]*>", "", v) for v in verses]


TRICKY = [
    "",
    " ",
    "   ",
    "\n",
    "\n\n\n",
    "Hello world",
    " Hello world",
    "Hello  world",
    "Hello   world   ",
    "trailing space ",
    "trailing spaces    ",
    "  leading spaces",
    "tabs\tand\t\tmore tabs",
    "line one\nline two\n\nline four\n",
    "windows\r\nline\r\nendings",
    "I'm sure you're right, we've seen they'll go; he'd said it's done.",
    "DON'T SHOUT, I'M HERE 'S 'T 'RE",
    "don't won't can't shan't y'all o'clock",
    "'s's 'll've ''' '' 'x",
    "rock 'n' roll",
    "Numbers: 0 1 12 123 1234 12345 3.14159 1,000,000 -42 +7 1e10",
    "Phone 555-0123, year 2024, 1st 2nd 3rd 4th",
    "Ⅻ chapters, x² + y³ = z⁴, ½ cup, ①②③",
    "Fullwidth １２３ and ＡＢＣ",
    "café naïve résumé coöperate Zürich",
    "e\u0301 combining acute, a\u0308 diaeresis",
    "canonically equivalent: 가 \u1100\u1161 \u00c5 \u212b A\u030a",
    "日本語のテキストです。",
    "中文句子，标点符号！",
    "한국어 문장입니다",
    "Ελληνικά γράμματα",
    "Привет, мир!",
    "مرحبا بالعالم",
    "नमस्ते दुनिया",
    "ภาษาไทย",
    "emoji 👍 👍🏽 🎉🎉 family 👨\u200d👩\u200d👧 flag 🇺🇸",
    "😀😃😄 smile",
    "math ∑∫√∞ ≠ ≤ ≥ → ⇒",
    "symbols @#$%^&*()_+-=[]{}|;:\",.<>/?`~",
    "!!! ??? ... --- ***",
    "a\u00a0b non-breaking",
    "ideographic\u3000space",
    "line\u2028separator and para\u2029graph",
    "en\u2002space em\u2003space thin\u2009space",
    "zero\u200bwidth space and zwj\u200d",
    "vertical\x0btab form\x0cfeed",
    "control\x1cfile\x1dgroup\x1erecord\x1funit",
    "nul\x00char and bell\x07",
    "next\x85line",
    "mixed 123abc abc123 a1b2c3",
    "end with newline\n",
    "end with spaces and newline   \n",
    "  \n  \n",
    "Hello<|endoftext|>World",
    "<|endoftext|>",
    " <|endoftext|> spaced ",
    "<|endoftext",
    "URL https://example.com/path?q=1&r=2#frag",
    "email someone@example.org",
    "snake_case camelCase kebab-case",
    "    indented code\n        more",
]


class OpenAIEncoder:
    """GPT-2's original tokenizer (openai/gpt-2 src/encoder.py), with `<|endoftext|>` split out first
    as Hugging Face does: a second opinion on the Rust `tokenizers` library."""

    PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")

    def __init__(self, vocab_path, merges_path):
        with open(vocab_path, encoding="utf-8") as f:
            self.encoder = json.load(f)
        with open(merges_path, encoding="utf-8") as f:
            merges = [tuple(line.split()) for line in f.read().split("\n")[1:-1]]
        self.ranks = dict(zip(merges, range(len(merges))))
        bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
        cs = bs[:]
        n = 0
        for b in range(256):
            if b not in bs:
                bs.append(b)
                cs.append(256 + n)
                n += 1
        self.byte_encoder = dict(zip(bs, map(chr, cs)))

    def bpe(self, token):
        word = tuple(token)
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            bigram = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if bigram not in self.ranks:
                break
            first, second = bigram
            new, i = [], 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    new.extend(word[i:])
                    break
                new.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new.append(first + second)
                    i += 2
                else:
                    new.append(word[i])
                    i += 1
            word = tuple(new)
        return word

    def encode(self, text):
        ids = []
        for k, part in enumerate(text.split(EOT)):
            if k > 0:
                ids.append(self.encoder[EOT])
            for token in regex.findall(self.PAT, part):
                token = "".join(self.byte_encoder[b] for b in token.encode("utf-8"))
                ids.extend(self.encoder[t] for t in self.bpe(token))
        return ids


def main():
    train = kjv("Genesis 1:1-Exodus 40:38")
    held_out = kjv("Revelation 21:1-22:21")[:40] + kjv("Psalms 23:1-6")

    # The tokenizer: GPT-2's recipe (byte-level pre-tokenizer, no prefix space, every byte in the
    # initial alphabet) at a tiny vocabulary.
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=500, special_tokens=[EOT],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(train, trainer)

    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    tok.model.save(OUT)  # vocab.json, merges.txt (with GPT-2's "#version: 0.2" first line)
    fast = GPT2TokenizerFast(vocab=os.path.join(OUT, "vocab.json"), merges=os.path.join(OUT, "merges.txt"))
    slow = OpenAIEncoder(os.path.join(OUT, "vocab.json"), os.path.join(OUT, "merges.txt"))
    eot = fast.convert_tokens_to_ids(EOT)
    assert len(fast) == 500 and eot == slow.encoder[EOT]

    cases = []
    disagreements = 0
    for text in held_out + TRICKY:
        ids = fast.encode(text)
        slow_ids = slow.encode(text)
        if ids != slow_ids:
            disagreements += 1
            print(f"HF and encoder.py disagree on {text!r}: {ids} vs {slow_ids}")
        # The pre-tokenizer's pieces (the regex alone), so a mistake there shows even where this
        # small vocabulary has no merge across the pieces' boundaries.
        pieces = [regex.findall(OpenAIEncoder.PAT, part) for part in text.split(EOT)]
        cases.append({"text": text, "ids": ids, "pieces": pieces,
                      "decoded": fast.decode(ids, skip_special_tokens=True)})
    # Decoding ids whose bytes are not valid UTF-8 (HF: errors="replace").
    byte_ids = [fast.convert_tokens_to_ids(c) for c in ["Ã", "Ġ", "â", "Ģ", "Ŀ", "ð", "Ł", "ĺ"]]
    invalid = [{"ids": ids, "decoded": fast.decode(ids)} for ids in
               [byte_ids[:1], byte_ids[2:4], byte_ids[2:5] + byte_ids[:1], byte_ids[5:8], byte_ids[5:7] + byte_ids[1:2]]]
    with open(os.path.join(OUT, "tokenizer_cases.json"), "w", encoding="utf-8") as f:
        json.dump({"endOfTextId": eot, "disagreementsWithEncoderPy": disagreements, "cases": cases,
                   "invalidUTF8": invalid}, f, ensure_ascii=False, indent=0)

    # The model: GPT-2 at a tiny size, every parameter random.
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(fast), n_positions=64, n_embd=32, n_layer=2, n_head=4,
                        bos_token_id=eot, eos_token_id=eot, activation_function="gelu_new",
                        layer_norm_epsilon=1e-5)
    model = GPT2LMHeadModel(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.copy_(0.15 * torch.randn_like(p))
    model.save_pretrained(OUT, safe_serialization=True)

    prompts = ["In the beginning God created the heaven and the earth.",
               "And the LORD said unto Moses, I'm here.",
               " 123 apples,  two   spaces\nand a newline"]
    long_ids = fast.encode(" ".join(held_out))[:config.n_positions]  # the whole context
    entries, logits = [], {}
    with torch.no_grad():
        for i, ids in enumerate([fast.encode(p) for p in prompts] + [long_ids]):
            out = model(torch.tensor([ids])).logits[0]
            logits[f"logits.{i}"] = out.float().contiguous()
            entries.append({"text": prompts[i] if i < len(prompts) else None, "ids": ids})
        generations = []
        for text in ["In the beginning", "And Moses said", "The"]:
            ids = fast.encode(text)
            gen = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                 max_new_tokens=20, min_new_tokens=20, do_sample=False, pad_token_id=eot)[0].tolist()
            # min_new_tokens masks <|endoftext|>; make sure it never was the argmax, so a plain argmax
            # loop reproduces the ids, and that no step was a near tie.
            full = model(torch.tensor([gen])).logits[0]
            margins = []
            for t in range(len(ids) - 1, len(gen) - 1):
                top = torch.topk(full[t], 2).values
                assert full[t].argmax().item() == gen[t + 1], f"{text!r}: step {t} was not the argmax"
                margins.append((top[0] - top[1]).item())
            assert min(margins) > 1e-3, f"{text!r}: near tie, margin {min(margins)}"
            generations.append({"prompt": text, "promptIds": ids, "ids": gen, "smallestMargin": min(margins)})
    save_file(logits, os.path.join(OUT, "expected.safetensors"))
    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"prompts": entries, "generations": generations}, f, ensure_ascii=False, indent=1)

    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {OUT}: {len(os.listdir(OUT))} files, {total} bytes; vocab {len(fast)}, "
          f"{len(cases)} tokenizer cases, {disagreements} disagreements of HF and encoder.py")


if __name__ == "__main__":
    main()
