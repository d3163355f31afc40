#!/usr/bin/env python3
"""Runs our benchmarks and the peers' side by side and prints a Markdown table of the ratios.

    python3 Benchmarks/compare.py [--repeat N] [NAME ...]   # default: every benchmark with a peer, once

Each pair runs back to back (ours, then the peer) so both see the same machine. On a virtual
machine one pair is one sample of a noisy figure: `--repeat N` runs each pair N times, alternating,
prints every pair and then each ratio's median and range. Needs
`make build` (the release `zoo`), `make data`, and pip torch and sentencepiece.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ZOO = os.environ.get("ZOO", ".build/release/zoo")
# Our benchmark → (peer command, {our figure: peer figure}).
PAIRS = {
    "gemm": (["python3", "Benchmarks/peers/torch_peers.py", "--only", "gemm"],
             {"gemm-1024": "torch-gemm-1024", "gemm-2048": "torch-gemm-2048"}),
    "train-seq2seq-small": (["python3", "Benchmarks/peers/torch_peers.py", "--only", "train-seq2seq-small"],
                            {"train-seq2seq-small": "torch-train-seq2seq-small", "peak-rss": "torch-train-seq2seq-small-peak-rss"}),
    "train-seq2seq-base": (["python3", "Benchmarks/peers/torch_peers.py", "--only", "train-seq2seq-base"],
                           {"train-seq2seq-base": "torch-train-seq2seq-base", "peak-rss": "torch-train-seq2seq-base-peak-rss"}),
    "generate-124m": (["python3", "Benchmarks/peers/torch_peers.py", "--only", "generate-124m"],
                      {"generate-124m": "torch-generate-124m"}),
    "generate-small": (["python3", "Benchmarks/peers/torch_peers.py", "--only", "generate-small"],
                       {"generate-small": "torch-generate-small"}),
    "train-gpt-char": (["python3", "Benchmarks/peers/torch_peers.py", "--only", "train-gpt-char"],
                       {"train-gpt-char": "torch-train-gpt-char", "peak-rss": "torch-train-gpt-char-peak-rss"}),
    "vit-train": (["python3", "Benchmarks/peers/torch_peers.py", "--only", "vit-train"],
                  {"vit-train": "torch-vit-train", "peak-rss": "torch-vit-train-peak-rss"}),
    "vit-classify-latency": (["python3", "Benchmarks/peers/torch_peers.py", "--only", "vit-classify-latency"],
                             {"vit-classify-latency": "torch-vit-classify-latency"}),
    "translate-beam4": (["python3", "Benchmarks/peers/torch_peers.py", "--only", "translate-beam4"],
                        {"translate-beam4": "torch-translate-beam4", "translate-beam4-tokens": "torch-translate-beam4-tokens"}),
    "tokenizer-encode": (["python3", "Benchmarks/peers/spm_peers.py"],
                         {"tokenizer-encode": "spm-tokenizer-encode", "tokenizer-train-unigram-8k": "spm-tokenizer-train-unigram-8k"}),
}
LOWER_IS_BETTER = {"s", "ms", "MiB"}


def figures(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return {f["name"]: f for f in map(json.loads, filter(None, out.splitlines()))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each pair, alternating ours and the peer")
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks (default: all): " + ", ".join(PAIRS))
    args = parser.parse_args()
    for name in args.names:
        if name not in PAIRS:
            parser.error(f"no peer for benchmark '{name}'")
    names = args.names or list(PAIRS)
    print("| figure | ours | peer | ours / peer |")
    print("|---|---|---|---|")
    for name in names:
        peer_command, mapping = PAIRS[name]
        ratios = {}
        for _ in range(args.repeat):
            ours = figures([ZOO, "bench", name, "--json"])
            theirs = figures(peer_command)
            for mine, peer in mapping.items():
                a, b = ours[mine], theirs[peer]
                ratio = a["value"] / b["value"]
                if a["unit"] in LOWER_IS_BETTER:
                    ratio = 1 / ratio  # so that > 1 always means better
                label = name if mine == "peak-rss" else mine
                suffix = " peak RSS (peer / ours)" if mine == "peak-rss" else (" (peer / ours)" if a["unit"] in LOWER_IS_BETTER else "")
                ratios.setdefault(label + suffix, []).append(ratio)
                print(f"| {label}{suffix} | {a['value']:g} {a['unit']} | {b['value']:g} {b['unit']} | {ratio:.2f}× |", flush=True)
        if args.repeat > 1:
            for label, values in ratios.items():
                print(f"| {label}, median of {len(values)} | | | {statistics.median(values):.2f}× "
                      f"({min(values):.2f}–{max(values):.2f}×) |", flush=True)


if __name__ == "__main__":
    main()
