#!/usr/bin/env python3
"""pip sentencepiece on the same text and options as `zoo bench tokenizer-encode`.

    python3 Benchmarks/peers/spm_peers.py          # needs data/kjv/train.txt (make data)

Prints JSON lines like `zoo bench --json`: training seconds for a unigram 8k model
(nmt_nfkc, character coverage 0.9995, 2 threads) and encoding MB/s, one call per line and
the whole list in one call.
"""
import io
import json
import statistics
import time

import sentencepiece as spm

CORPUS = "data/kjv/train.txt"


def figure(name, value, unit):
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit}), flush=True)


def main():
    with open(CORPUS, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    model = io.BytesIO()
    start = time.perf_counter()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, vocab_size=8000,
                                   model_type="unigram", character_coverage=0.9995, num_threads=2,
                                   normalization_rule_name="nmt_nfkc", minloglevel=2)
    figure("spm-tokenizer-train-unigram-8k", time.perf_counter() - start, "s")
    sp = spm.SentencePieceProcessor(model_proto=model.getvalue())
    size = len(text.encode("utf-8"))
    per_line, whole = [], []
    tokens = 0
    for _ in range(5):
        t = time.perf_counter()
        tokens = sum(len(sp.encode(line)) for line in lines)
        per_line.append(time.perf_counter() - t)
        t = time.perf_counter()
        sp.encode(lines)
        whole.append(time.perf_counter() - t)
    figure("spm-tokenizer-encode", size / statistics.median(per_line) / 1e6, "MB/s")
    figure("spm-tokenizer-encode-list", size / statistics.median(whole) / 1e6, "MB/s")
    figure("spm-tokenizer-encode-tokens", tokens, "tokens")


if __name__ == "__main__":
    main()
