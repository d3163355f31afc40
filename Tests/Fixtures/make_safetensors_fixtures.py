#!/usr/bin/env python3
"""Writes Tests/Fixtures/safetensors/python_written.safetensors with Hugging Face's writer, and
python_written.json holding the values our Swift reader must produce from it.

The file mixes F32, F16, BF16, F64 and I64 tensors (Python orders the data buffer by dtype
alignment, not by name, which exercises offsets the Swift writer never produces) and carries
__metadata__. Expected values are given as the Float32 bit patterns of the stored values widened
to float32, so the Swift test can compare them exactly.

Run from anywhere:  python3 Tests/Fixtures/make_safetensors_fixtures.py
"""
import json
import os

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "safetensors")


def main():
    g = torch.Generator().manual_seed(0)
    tensors = {
        "encoder.weight": torch.randn(2, 3, generator=g, dtype=torch.float32),
        "encoder.bias": torch.tensor([1.0, -2.5, 3.25e-3, 65504.0], dtype=torch.float16),
        # 1 + 2**-8 is a BF16 rounding tie; 1e-40 is subnormal in float32 and in bfloat16.
        "decoder.matrix": torch.tensor([[1.0, -0.0], [3.140625, 1e-40], [1 + 2**-8, -1e30]], dtype=torch.bfloat16),
        "decoder.scale": torch.tensor(0.5, dtype=torch.float32),  # rank 0
        "empty": torch.zeros(0, 3, dtype=torch.float32),
        "doubles": torch.tensor([0.1, -1e-3, 2.0**40], dtype=torch.float64),
        "ids": torch.tensor([0, 7, -3, 2**20], dtype=torch.int64),
    }
    metadata = {"format": "pt", "source": "make_safetensors_fixtures.py", "note": "ünïcode \"quoted\""}
    os.makedirs(OUT, exist_ok=True)
    save_file(tensors, os.path.join(OUT, "python_written.safetensors"), metadata=metadata)

    expected = {"metadata": metadata, "tensors": {}}
    for name, t in tensors.items():
        as_f32 = t.to(torch.float32).contiguous()
        bits = as_f32.view(torch.int32).flatten().tolist()
        expected["tensors"][name] = {
            "dtype": str(t.dtype).replace("torch.", ""),
            "shape": list(t.shape),
            "float32_bits": [b & 0xFFFFFFFF for b in bits],
        }
    with open(os.path.join(OUT, "python_written.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
