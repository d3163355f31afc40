#!/usr/bin/env python3
"""Writes Tests/Fixtures/image-folder: a tiny image-classification data set for end-to-end tests.

Three classes of 8x8 grey PGM images that a tiny ViT tells apart in a few dozen steps:
  dark    uniform ~0.2 plus noise
  bright  uniform ~0.8 plus noise
  split   left half ~0.9, right half ~0.1, plus noise
train/<class>/NN.pgm (8 per class, binary P5) and test/<class>/NN.pgm (3 per class; the first
of each class written as plain P2, so both encodings are read). Deterministic (seed 0); no
dependencies beyond the standard library.

    python3 Tests/Fixtures/make_image_folder.py
"""
import os
import random

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "image-folder")
SIZE = 8


def pixels(kind, rng):
    out = []
    for y in range(SIZE):
        for x in range(SIZE):
            base = {"dark": 0.2, "bright": 0.8, "split": 0.9 if x < SIZE // 2 else 0.1}[kind]
            out.append(max(0, min(255, round(255 * (base + rng.uniform(-0.1, 0.1))))))
    return out


def write(path, values, ascii_format):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if ascii_format:
        rows = [" ".join(str(v) for v in values[r * SIZE:(r + 1) * SIZE]) for r in range(SIZE)]
        data = f"P2\n# fixture\n{SIZE} {SIZE}\n255\n" + "\n".join(rows) + "\n"
        open(path, "w").write(data)
    else:
        open(path, "wb").write(f"P5\n{SIZE} {SIZE}\n255\n".encode() + bytes(values))


def main():
    rng = random.Random(0)
    for split, count in (("train", 8), ("test", 3)):
        for kind in ("bright", "dark", "split"):
            for i in range(count):
                write(os.path.join(ROOT, split, kind, f"{i:02d}.pgm"), pixels(kind, rng), split == "test" and i == 0)


if __name__ == "__main__":
    main()
