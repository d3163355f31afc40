#!/usr/bin/env python3
"""Whole-process tokenization of a large file: `zoo tokenizer encode` against pip sentencepiece's
`sp.encode(lines)` (a Python process reading the file, encoding the list, writing the pieces) and
Debian's `spm_encode` (package sentencepiece), all with the same model, on the same file, in
alternated rounds.

    python3 Benchmarks/peers/tokenizer_cli.py [--copies 8] [--rounds 3]   # needs data/kjv/train.txt

Prints JSON lines like `zoo bench --json`: each command's MB/s (median of the rounds) and ours
over each peer. The three outputs are compared first: they must be the same pieces.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MODEL = "Tokenizers/kjv-unigram-8000.model"
CORPUS = "data/kjv/train.txt"
PEER = """
import sys
import sentencepiece as spm
sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as f:
    lines = f.read().split("\\n")
if lines and lines[-1] == "":
    lines.pop()
pieces = sp.encode(lines, out_type=str)
sys.stdout.write("".join(" ".join(p) + "\\n" for p in pieces))
"""


def figure(name, value, unit):
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--zoo", default=".build/release/zoo")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="zoo-tokenizer-cli-")
    try:
        big = os.path.join(work, "big.txt")
        with open(CORPUS, "rb") as f:
            text = f.read()
        with open(big, "wb") as f:
            for _ in range(args.copies):
                f.write(text)
        size = os.path.getsize(big)
        commands = {
            "zoo-tokenizer-encode": f"'{args.zoo}' tokenizer encode --model {MODEL} < {big}",
            "spm-encode-list": f"'{sys.executable}' -c '{PEER}' {MODEL} {big}",
        }
        if shutil.which("spm_encode"):
            commands["spm_encode"] = f"spm_encode --model {MODEL} < {big}"
        outputs = {}
        for name, command in commands.items():
            outputs[name] = subprocess.run(command, shell=True, check=True, capture_output=True).stdout
        for name, out in outputs.items():
            if out != outputs["zoo-tokenizer-encode"]:
                sys.exit(f"{name}'s pieces differ from ours")
        seconds = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run(command + " > /dev/null", shell=True, check=True)
                seconds[name].append(time.perf_counter() - start)
        for name in commands:
            figure(name, size / statistics.median(seconds[name]) / 1e6, "MB/s")
        ours = statistics.median(seconds["zoo-tokenizer-encode"])
        for name in commands:
            if name != "zoo-tokenizer-encode":
                figure(f"zoo-over-{name}", statistics.median(seconds[name]) / ours, "x")
        figure("tokenizer-cli-input", size / 1e6, "MB")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
