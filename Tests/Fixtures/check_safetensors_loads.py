#!/usr/bin/env python3
"""Loads each safetensors FILE with Hugging Face's safetensors and prints its metadata and, per
tensor, the dtype, shape and first values. Exits non-zero if any file fails to load.

Used to check that files written by the Swift writer load in Python:
    python3 Tests/Fixtures/check_safetensors_loads.py /tmp/out/*.safetensors
"""
import sys

import torch
from safetensors import safe_open


def check(path):
    with safe_open(path, framework="pt") as f:
        print(f"{path}: metadata {f.metadata()}")
        for name in f.keys():
            t = f.get_tensor(name)
            first = t.flatten()[:4].to(torch.float32).tolist()
            print(f"  {name}: {str(t.dtype).replace('torch.', '')} {list(t.shape)} first {first}")


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            check(path)
        except Exception as e:  # report every file, then fail
            print(f"{path}: FAILED to load: {e}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
