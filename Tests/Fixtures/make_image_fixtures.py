#!/usr/bin/env python3
"""Writes the fixtures of the image, gzip and IDX readers (Tests/DataTests/NetpbmTests.swift,
GzipTests.swift, IDXTests.swift):

images/   tiny PPM/PGM files written by Pillow (8-bit P6 and P5, 16-bit P5) and expected.json:
          each file's samples, Pillow's bilinear resizes of them and Pillow's convert("L").
          Resizes run on mode "F" (32-bit float) bands holding sample / maxval, so they are PIL's
          filter without 8-bit rounding; the Swift resize must match them to 1e-4. PIL's resize
          (Image.BILINEAR, no reducing_gap) is a triangle filter on half-pixel centres, widened by
          the scale factor when shrinking (antialiasing), the convention `Image.resized` documents.
          convert("L") is kept as PIL's 8-bit result (fixed-point BT.601 luma, rounded).
gzip/     files and their gzip compressions by Python's gzip module: dynamic-Huffman text with
          long-distance matches, stored blocks (level 0), a short fixed-Huffman string, an empty
          file, incompressible bytes, a header with FNAME, and two concatenated members.
idx/      a tiny Fashion-MNIST look-alike (12 images of 4 x 3, labels 0..9) named like the real
          files (t10k-{images-idx3,labels-idx1}-ubyte.gz), gzip-compressed.

Needs Pillow (pip install pillow). Run from anywhere:  python3 Tests/Fixtures/make_image_fixtures.py
"""
import gzip
import io
import json
import os
import random
import struct

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def data(img):
    """The pixels in row order (a tuple per pixel for multi-band images)."""
    return list(img.get_flattened_data() if hasattr(img, "get_flattened_data") else img.getdata())


def images():
    out = os.path.join(HERE, "images")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(0)
    sources = {}

    rgb = Image.new("RGB", (5, 4))
    rgb.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(5 * 4)])
    rgb.save(os.path.join(out, "rgb8.ppm"))  # P6, maxval 255
    sources["rgb8.ppm"] = (rgb, 255)

    grey = Image.new("L", (6, 5))
    grey.putdata([rng.randrange(256) for _ in range(6 * 5)])
    grey.save(os.path.join(out, "grey8.pgm"))  # P5, maxval 255
    sources["grey8.pgm"] = (grey, 255)

    grey16 = Image.new("I;16", (4, 3))
    grey16.putdata([rng.randrange(65536) for _ in range(4 * 3)])
    grey16.save(os.path.join(out, "grey16.pgm"))  # P5, maxval 65535, big-endian samples
    sources["grey16.pgm"] = (grey16, 65535)

    garment = Image.new("L", (28, 28))  # a Fashion-MNIST-sized image with structure and noise
    garment.putdata([min(255, max(0, int(128 + 100 * ((x - 14) * (y - 9)) / 196) + rng.randrange(-30, 31)))
                     for y in range(28) for x in range(28)])
    garment.save(os.path.join(out, "grey28.pgm"))
    sources["grey28.pgm"] = (garment, 255)

    # Check the files are what we claim (header and sample order) before describing them.
    with open(os.path.join(out, "grey16.pgm"), "rb") as f:
        assert f.read(15) == b"P5\n4 3\n65535\n" + struct.pack(">H", data(grey16)[0])

    expected = {"images": {}, "resizes": [], "grey": []}
    for name, (img, maxval) in sources.items():
        samples = [v for p in data(img) for v in (p if isinstance(p, tuple) else (p,))]
        expected["images"][name] = {"width": img.width, "height": img.height, "channels": len(img.getbands()),
                                    "maxval": maxval, "samples": samples}

    sizes = {"rgb8.ppm": [(8, 7), (3, 2), (7, 3), (2, 5), (5, 9), (1, 1)],
             "grey8.pgm": [(3, 3), (12, 10), (6, 2), (4, 5)],
             "grey16.pgm": [(7, 5), (2, 2)],
             "grey28.pgm": [(12, 12), (13, 9), (32, 32), (7, 30)]}
    for name, targets in sizes.items():
        img, maxval = sources[name]
        bands = [img] if img.mode in ("L", "I;16") else list(img.split())
        floats = []
        for band in bands:
            f = Image.new("F", img.size)
            f.putdata([v / maxval for v in data(band)])
            floats.append(f)
        for (w, h) in targets:
            resized = [data(f.resize((w, h), Image.BILINEAR)) for f in floats]
            pixels = [resized[c][i] for i in range(w * h) for c in range(len(floats))]  # H x W x C
            expected["resizes"].append({"source": name, "width": w, "height": h, "pixels": [float("%.7g" % v) for v in pixels]})

    for name in ["rgb8.ppm"]:
        img, _ = sources[name]
        expected["grey"].append({"source": name, "pixels": data(img.convert("L"))})

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


def gz(data, level=9, filename="", mtime=0):
    buf = io.BytesIO()
    with gzip.GzipFile(filename=filename, mode="wb", compresslevel=level, fileobj=buf, mtime=mtime) as g:
        g.write(data)
    return buf.getvalue()


def gzip_files():
    out = os.path.join(HERE, "gzip")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(1)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(2, 9))) for _ in range(300)]
    text = " ".join(rng.choice(words) for _ in range(3500)).encode()
    text += text[1000:9000]  # matches up to ~23 KB back
    files = {
        "text.txt": text,
        "short.txt": b"hello, hello, hello!\n",
        "empty.txt": b"",
        "random.bin": bytes(rng.randrange(256) for _ in range(3000)),
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        with open(os.path.join(out, name + ".gz"), "wb") as f:
            f.write(gz(data))
    with open(os.path.join(out, "text.txt.stored.gz"), "wb") as f:
        f.write(gz(text, level=0))  # stored blocks only
    with open(os.path.join(out, "short.txt.named.gz"), "wb") as f:
        f.write(gz(files["short.txt"], filename="short.txt", mtime=1700000000))  # FNAME flag set
    with open(os.path.join(out, "multi.gz"), "wb") as f:
        f.write(gz(b"first member\n") + gz(b"second member\n", level=1))


def idx():
    out = os.path.join(HERE, "idx")
    os.makedirs(out, exist_ok=True)
    n, rows, cols = 12, 3, 4
    pixels = bytes((i * 31 + r * 7 + c * 3) % 256 for i in range(n) for r in range(rows) for c in range(cols))
    labels = bytes((i * 3) % 10 for i in range(n))
    images = struct.pack(">IIII", 0x803, n, rows, cols) + pixels
    with open(os.path.join(out, "t10k-images-idx3-ubyte.gz"), "wb") as f:
        f.write(gz(images))
    with open(os.path.join(out, "t10k-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(gz(struct.pack(">II", 0x801, n) + labels))


if __name__ == "__main__":
    images()
    gzip_files()
    idx()
