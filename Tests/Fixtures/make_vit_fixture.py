"""Make Tests/Fixtures/vit-tiny: a tiny random-weight Hugging Face ViTForImageClassification,
a few RGB images and Hugging Face's logits for them (the parity test of ViTImportTests).

    python3 Tests/Fixtures/make_vit_fixture.py

Model: 16x16 RGB images, patch 4 (16 patches + class token), hidden 32, 2 layers, 4 heads,
feed-forward 64, 10 labels, exact GELU, layer_norm_eps 1e-12 (HF's default), qkv_bias true.
Weights are random (no download): HF's own initialisation (std 0.02) gives logits near zero, so
every parameter is redrawn with a larger spread to make the comparison meaningful.

Preprocessing (what the Swift test must do too): pixel / 255 (the PPM's maxval), then
(x - 0.5) / 0.5 per channel (ViTImageProcessor's default mean and std), no resize, [C, H, W].

Writes config.json, model.safetensors, image0..2.ppm (P6) and logits.json
({"images": [...], "logits": [[...], ...]}).
"""
import json
import os

import numpy as np
import torch
from transformers import ViTConfig, ViTForImageClassification

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vit-tiny")
SIZE, PATCH, CHANNELS = 16, 4, 3


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    config = ViTConfig(image_size=SIZE, patch_size=PATCH, num_channels=CHANNELS, hidden_size=32,
                       num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                       hidden_act="gelu", layer_norm_eps=1e-12, qkv_bias=True,
                       hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                       num_labels=10, id2label={i: f"class{i}" for i in range(10)},
                       label2id={f"class{i}": i for i in range(10)})
    model = ViTForImageClassification(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "layernorm" in name and name.endswith("weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    os.makedirs(OUT, exist_ok=True)
    model.save_pretrained(OUT, safe_serialization=True)

    names, batch = [], []
    for i in range(3):
        if i == 0:  # a smooth gradient image
            y, x = np.mgrid[0:SIZE, 0:SIZE]
            img = np.stack([x * 16, y * 16, (x + y) * 8], axis=-1).clip(0, 255).astype(np.uint8)
        else:
            img = rng.integers(0, 256, size=(SIZE, SIZE, CHANNELS), dtype=np.uint8)
        name = f"image{i}.ppm"
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(b"P6\n%d %d\n255\n" % (SIZE, SIZE) + img.tobytes())
        names.append(name)
        x = (img.astype(np.float32) / 255 - 0.5) / 0.5
        batch.append(torch.from_numpy(x.transpose(2, 0, 1).copy()))
    with torch.no_grad():
        logits = model(pixel_values=torch.stack(batch)).logits
    with open(os.path.join(OUT, "logits.json"), "w") as f:
        json.dump({"images": names, "mean": [0.5], "std": [0.5],
                   "logits": [[float(v) for v in row] for row in logits]}, f, indent=1)


if __name__ == "__main__":
    main()
