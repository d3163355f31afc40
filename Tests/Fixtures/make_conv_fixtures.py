#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the convolution / batch-norm parity tests
(Tests/LayersTests/ConvolutionParityTests.swift).

Regenerate (from the repository root):

    python3 Tests/Fixtures/make_conv_fixtures.py

Requires `torch` (CPU) and `safetensors`. Float32, single-threaded, fixed seeds. Output goes
to `Tests/Fixtures/torch/` next to the other torch fixtures, one file per case. The only
metadata key is `config` (JSON), so reruns on one torch version give identical bytes.

Conventions (as make_torch_fixtures.py): `param.<name>` is the module's state_dict entry
(buffers included, `num_batches_tracked` left out), `input.<name>` an input, `input.R` the
random tensor of the scalar loss `(output * R).sum()`, `output` the output, and
`grad.param.<name>` / `grad.input.<name>` the loss's gradients.

Cases
-----
conv2d_bias          nn.Conv2d(3, 4, 3, stride=2, padding=1), x [2, 3, 7, 9]
conv2d_nobias        nn.Conv2d(3, 5, (2, 3), padding=1, bias=False), x [2, 3, 6, 5]
conv2d_stride3       nn.Conv2d(2, 3, 3, stride=3), x [3, 2, 8, 10]  (windows that do not fit are dropped)
conv2d_1x1           nn.Conv2d(3, 4, 1), x [2, 3, 4, 5]
    config: stride, padding, kernel [kh, kw], bias.
batchnorm2d          nn.BatchNorm2d(3) with random affine and running statistics (param.*, the
                     state before any step). Train mode, two steps:
      input.x1, input.R1, output.train1, grad.input.x1, grad.param.weight, grad.param.bias
      input.x2, output.train2
      after.running_mean, after.running_var        buffers after the two steps
    then eval mode on a third input:
      input.x3, input.R3, output.eval, grad.eval.input.x3, grad.eval.param.weight, grad.eval.param.bias
    config: eps, momentum.
conv_stem            nn.Sequential of torchvision-style Conv2dNormActivation blocks
                     (Sequential(Conv2d(c_in, c, 3, s, 1, bias=False), BatchNorm2d(c), ReLU())),
                     channels [4, 6], strides [1, 2], x [2, 3, 9, 8]. One train-mode step:
                     output, input.R, grad.param.*, grad.input.x, after.<buffer name>; then eval
                     mode on the same x: output.eval.
    config: channels, strides, in_channels.
"""

import json
import os
import sys

import torch
import torch.nn as nn
from safetensors import safe_open
from safetensors.torch import save_file

torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch")
MAX_FILE_BYTES = 64 * 1024
FILES = []


def t(x):
    return x.detach().to(torch.float32).contiguous().clone()


def save(name, tensors, config):
    for k, v in tensors.items():
        assert v.dtype == torch.float32, (name, k, v.dtype)
        assert torch.isfinite(v).all(), f"{name}: non-finite values in {k}"
    os.makedirs(OUT_DIR, exist_ok=True)
    config = dict(config, torch_version=torch.__version__)
    save_file({k: t(v) for k, v in tensors.items()}, os.path.join(OUT_DIR, name),
              metadata={"config": json.dumps(config, sort_keys=True)})
    FILES.append(name)


def state(module):
    """A copy of the state_dict without num_batches_tracked (an int64 counter we do not keep).
    Copied: state_dict() shares the buffers, which later train-mode steps update in place."""
    return {k: t(v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}


def randomize_norms(module):
    """Non-default BN affine and running stats, so a missing or mis-wired one shows."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1.0 + 0.2 * torch.randn_like(m.weight))
                m.bias.copy_(0.2 * torch.randn_like(m.bias))
                m.running_mean.copy_(0.3 * torch.randn_like(m.running_mean))
                m.running_var.copy_(0.5 + torch.rand_like(m.running_var))


def grads(loss, module, inputs):
    params = dict(module.named_parameters())
    gs = torch.autograd.grad(loss, list(params.values()) + list(inputs.values()))
    out = {f"grad.param.{k}": g for k, g in zip(params.keys(), gs)}
    out.update({f"grad.input.{k}": g for k, g in zip(inputs.keys(), gs[len(params):])})
    return out


def conv_case(name, seed, shape, out_channels, kernel, stride, padding, bias):
    torch.manual_seed(seed)
    conv = nn.Conv2d(shape[1], out_channels, kernel, stride=stride, padding=padding, bias=bias)
    x = torch.randn(*shape, requires_grad=True)
    out = conv(x)
    R = torch.randn_like(out)
    tensors = {f"param.{k}": v for k, v in state(conv).items()}
    tensors.update({"input.x": x, "input.R": R, "output": out})
    tensors.update(grads((out * R).sum(), conv, {"x": x}))
    save(name, tensors, dict(module="Conv2d", seed=seed, stride=stride, padding=padding,
                             kernel=list(conv.kernel_size), bias=bias))


def batchnorm_case(name, seed):
    torch.manual_seed(seed)
    bn = nn.BatchNorm2d(3)
    randomize_norms(bn)
    tensors = {f"param.{k}": v for k, v in state(bn).items()}
    bn.train()
    x1 = (torch.randn(4, 3, 5, 6) * 1.5 + 0.7).requires_grad_(True)
    y1 = bn(x1)
    R1 = torch.randn_like(y1)
    g = grads((y1 * R1).sum(), bn, {"x1": x1})
    tensors.update({"input.x1": x1, "input.R1": R1, "output.train1": y1})
    tensors.update(g)
    x2 = (torch.randn(4, 3, 5, 6) * 0.8 - 0.4)
    with torch.no_grad():
        y2 = bn(x2)
    tensors.update({"input.x2": x2, "output.train2": y2})
    tensors.update({f"after.{k}": v for k, v in state(bn).items() if k.startswith("running")})
    bn.eval()
    x3 = torch.randn(2, 3, 4, 5, requires_grad=True)
    y3 = bn(x3)
    R3 = torch.randn_like(y3)
    tensors.update({"input.x3": x3, "input.R3": R3, "output.eval": y3})
    tensors.update({k.replace("grad.", "grad.eval.", 1): v
                    for k, v in grads((y3 * R3).sum(), bn, {"x3": x3}).items()})
    save(name, tensors, dict(module="BatchNorm2d", seed=seed, eps=bn.eps, momentum=bn.momentum))


def stem_case(name, seed, in_channels, channels, strides, shape):
    torch.manual_seed(seed)
    blocks, c = [], in_channels
    for out, s in zip(channels, strides):
        blocks.append(nn.Sequential(nn.Conv2d(c, out, 3, s, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU()))
        c = out
    stem = nn.Sequential(*blocks)
    randomize_norms(stem)
    tensors = {f"param.{k}": v for k, v in state(stem).items()}
    stem.train()
    x = torch.randn(*shape, requires_grad=True)
    out = stem(x)
    R = torch.randn_like(out)
    tensors.update({"input.x": x, "input.R": R, "output": out})
    tensors.update(grads((out * R).sum(), stem, {"x": x}))
    tensors.update({f"after.{k}": v for k, v in state(stem).items() if "running" in k})
    stem.eval()
    with torch.no_grad():
        tensors["output.eval"] = stem(x)
    save(name, tensors, dict(module="ConvStem", seed=seed, in_channels=in_channels,
                             channels=channels, strides=strides))


def check():
    ok = True
    for name in FILES:
        path = os.path.join(OUT_DIR, name)
        size = os.path.getsize(path)
        with safe_open(path, "pt") as f:
            keys = sorted(f.keys())
            print(f"{name}: {size} bytes")
            for k in keys:
                print(f"  {k:32s} {list(f.get_tensor(k).shape)}")
        if size > MAX_FILE_BYTES:
            print(f"{name} is larger than {MAX_FILE_BYTES} bytes")
            ok = False
    return ok


def main():
    conv_case("conv2d_bias.safetensors", 2001, (2, 3, 7, 9), 4, 3, stride=2, padding=1, bias=True)
    conv_case("conv2d_nobias.safetensors", 2002, (2, 3, 6, 5), 5, (2, 3), stride=1, padding=1, bias=False)
    conv_case("conv2d_stride3.safetensors", 2003, (3, 2, 8, 10), 3, 3, stride=3, padding=0, bias=True)
    conv_case("conv2d_1x1.safetensors", 2004, (2, 3, 4, 5), 4, 1, stride=1, padding=0, bias=True)
    batchnorm_case("batchnorm2d.safetensors", 2005)
    stem_case("conv_stem.safetensors", 2006, 3, [4, 6], [1, 2], (2, 3, 9, 8))
    if not check():
        sys.exit(1)


if __name__ == "__main__":
    main()
