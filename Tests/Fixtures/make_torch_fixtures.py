#!/usr/bin/env python3
"""Generate small PyTorch reference fixtures for the Swift Transformer parity tests.

Regenerate (from the repository root):

    python3 Tests/Fixtures/make_torch_fixtures.py

Requires `torch` (CPU is enough) and `safetensors`. Everything is float32, single
threaded (`torch.set_num_threads(1)`) and seeded with fixed seeds, so reruns on the
same torch version give identical files. Output goes to `Tests/Fixtures/torch/`
(next to this script), one `.safetensors` file per case; the script ends by
reloading every file and printing its keys, shapes and size.

File format
-----------
Every file is a plain safetensors file. All tensors are float32.

* `param.<name>`       every parameter of the module, `<name>` exactly as in the
                       PyTorch `state_dict()` (e.g. `param.self_attn.in_proj_weight`,
                       `param.linear1.weight`, `param.norm1.weight`,
                       `param.encoder.layers.0.linear2.bias`, `param.decoder.norm.bias`).
                       Biases and LayerNorm weights/biases are re-initialised with
                       random values (PyTorch's defaults are 0 / 1) so a parity test
                       also catches a missing or mis-wired bias / affine term.
* `input.<name>`       module inputs. Integer inputs (loss targets) are stored as
                       float32 values and must be cast back to ints.
* `input.R`            fixed random tensor with the output's shape; the scalar loss used
                       for all gradients is `loss = (output * R).sum()`.
* `output`             the module output (for nn.MultiheadAttention only the attention
                       output, not the attention weights).
* `grad.param.<name>`  d loss / d parameter, for every parameter.
* `grad.input.<name>`  d loss / d input, for every float input.

Masks are NOT stored as tensors; they are described in the metadata and must be
rebuilt by the test:

* `causal: true`  -> boolean mask `triu(ones(L, L), diagonal=1)`, True = masked
                     (query i may attend keys 0...i). For the decoder / nn.Transformer
                     it is the `tgt_mask` of the decoder self-attention. Passed to
                     PyTorch as a bool mask (equivalent to a float -inf upper triangle).
* key padding lengths, list of ints per batch item: padding mask is True (= ignored
  key) at positions `>= length`. All lengths are >= 1 and the causal mask always
  lets a query see key 0, so no query row is fully masked (no NaNs).

Safetensors metadata (`__metadata__`, string -> string):

* `config`         JSON object with everything needed to rebuild the module. Common
                   keys: `module` (PyTorch class / case name), `d_model`, `nhead`,
                   `batch_first` (always true: all tensors are [batch, seq, feature]),
                   `dropout` (always 0.0), `bias` (always true), `seed`,
                   `torch_version` (torch version that produced the file).
                   - MultiheadAttention: `attention` ("self" | "cross"), `qkv_same`
                     (query, key and value are the very same tensor), `causal`,
                     `key_padding` (lengths or null).
                   - TransformerEncoderLayer: `dim_feedforward`, `activation`
                     ("relu" | "gelu", gelu = exact erf gelu), `norm_first`,
                     `layer_norm_eps`, `num_layers` (1), `causal` (false),
                     `src_key_padding` (lengths) and its alias `key_padding`.
                   - TransformerDecoderLayer: the same plus `causal` (tgt_mask),
                     `tgt_key_padding` (null) and `memory_key_padding` (lengths).
                     Memory attention has no attn_mask.
                   - Transformer: `num_encoder_layers`, `num_decoder_layers`,
                     `final_norm` (true: nn.Transformer adds `encoder.norm` and
                     `decoder.norm`), `causal`, `src_key_padding`,
                     `memory_key_padding` (applied to the encoder self-attention and
                     the decoder cross-attention respectively), `tgt_key_padding`.
  `config` is the only metadata key (keeps the files byte-for-byte reproducible).

Modules are run in train() mode with dropout 0 and autograd enabled, so PyTorch never
takes its inference "fast path" (nested tensors etc.); outputs at padded *query*
positions are therefore ordinary values and are kept.

Cases
-----
 1. mha_self.safetensors                 nn.MultiheadAttention(16, 4), query=key=value=x
                                         inputs: x [2,5,16]; no mask.
 2. mha_self_causal_padding.safetensors  same, causal attn_mask + key padding [5, 3].
 3. mha_cross.safetensors                inputs: query [2,4,16], memory [2,5,16]
                                         (key = value = memory), key padding [5, 2].
 4. encoder_layer_post.safetensors       nn.TransformerEncoderLayer(16,4,32) relu,
                                         norm_first=False; input src [2,5,16];
                                         src_key_padding [5, 3].
 5. encoder_layer_pre_gelu.safetensors   same with norm_first=True, activation="gelu".
 6. decoder_layer_post.safetensors       nn.TransformerDecoderLayer(16,4,32) relu,
                                         norm_first=False; inputs tgt [2,4,16],
                                         memory [2,5,16]; causal tgt_mask,
                                         memory_key_padding [5, 3].
 7. decoder_layer_pre.safetensors        same with norm_first=True.
 8. transformer_tiny.safetensors         nn.Transformer(16, 4, 2 enc, 2 dec, ff 32);
                                         inputs src [2,5,16], tgt [2,4,16]; causal
                                         tgt_mask, src/memory key padding [5, 3].
 9. losses.safetensors                   (no R: the losses are scalars)
      input.logits     [6,11]  random logits
      input.targets    [6]     class ids as float32; one entry is -100 (ignored)
      output.ce        []      F.cross_entropy(logits, targets)  (mean; PyTorch's
                               default ignore_index=-100 applies, label_smoothing=0)
      output.ce_ls     []      F.cross_entropy(..., label_smoothing=0.1,
                               ignore_index=-100)  (mean over non-ignored targets)
      grad.input.logits_ce [6,11]  d output.ce    / d logits
      grad.input.logits_ls [6,11]  d output.ce_ls / d logits
    config: label_smoothing, ignore_index, reduction ("mean"), num_classes.
10. layers_misc.safetensors              elementwise / normalisation ops on x [3,7];
                                         each grad is d (out * R).sum() / d x
      input.x, input.R                       [3,7]
      output.gelu,        grad.gelu          F.gelu(x)                   (exact, erf)
      output.gelu_tanh,   grad.gelu_tanh     F.gelu(x, approximate="tanh")
      output.layer_norm,  grad.layer_norm    F.layer_norm(x, [7], w, b, eps)
      param.layer_norm.weight, param.layer_norm.bias                      [7]
      grad.param.layer_norm.weight, grad.param.layer_norm.bias            [7]
      output.log_softmax, grad.log_softmax   F.log_softmax(x, dim=-1)
    config: layer_norm_eps, normalized_shape, log_softmax_dim.
"""

import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch")

D_MODEL = 16
NHEAD = 4
DIM_FF = 32
BATCH = 2
SRC_LEN = 5
TGT_LEN = 4
LN_EPS = 1e-5

MAX_FILE_BYTES = 300 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024


# ----------------------------------------------------------------------------- helpers

def causal_mask(n):
    """Bool mask, True = masked: query i attends keys 0..i."""
    return torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)


def padding_mask(lengths, max_len):
    """Bool [batch, max_len], True at positions >= length (ignored keys)."""
    assert all(1 <= l <= max_len for l in lengths)
    pos = torch.arange(max_len).unsqueeze(0)
    return pos >= torch.tensor(lengths).unsqueeze(1)


def randomize_affine(module):
    """Give biases and LayerNorm affine params non-trivial values (defaults are 0/1)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
            elif "norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))


def t(x):
    return x.detach().to(torch.float32).contiguous().clone()


def save(name, tensors, config):
    for k, v in tensors.items():
        assert v.dtype == torch.float32, (name, k, v.dtype)
        assert torch.isfinite(v).all(), f"{name}: non-finite values in {k}"
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    # A single metadata key: the safetensors writer emits __metadata__ entries in
    # hash-map order, so several keys would make the bytes differ between runs.
    config = dict(config, torch_version=torch.__version__)
    metadata = {"config": json.dumps(config, sort_keys=True)}
    save_file({k: t(v) for k, v in tensors.items()}, path, metadata=metadata)


def run_module(module, inputs, forward):
    """inputs: dict name -> tensor (float, requires grad). forward(module, **inputs).

    Returns the tensor dict with params, inputs, R, output and all gradients.
    """
    module.train()  # dropout is 0; train() + autograd guarantees the non-fast path
    for v in inputs.values():
        v.requires_grad_(True)
    out = forward(module, **inputs)
    R = torch.randn_like(out)
    loss = (out * R).sum()
    params = dict(module.named_parameters())
    grads = torch.autograd.grad(loss, list(params.values()) + list(inputs.values()))
    n = len(params)
    tensors = {}
    sd = module.state_dict()
    assert set(sd.keys()) == set(params.keys()), "unexpected buffers in state_dict"
    for k, v in sd.items():
        tensors[f"param.{k}"] = v
    for k, v in inputs.items():
        tensors[f"input.{k}"] = v
    tensors["input.R"] = R
    tensors["output"] = out
    for k, g in zip(params.keys(), grads[:n]):
        tensors[f"grad.param.{k}"] = g
    for k, g in zip(inputs.keys(), grads[n:]):
        tensors[f"grad.input.{k}"] = g
    return tensors


def base_config(module, seed, **extra):
    cfg = dict(module=module, d_model=D_MODEL, nhead=NHEAD, batch_first=True,
               dropout=0.0, bias=True, seed=seed)
    cfg.update(extra)
    return cfg


# ----------------------------------------------------------------------------- cases

def mha_case(fname, seed, cross, causal, lengths):
    torch.manual_seed(seed)
    mha = nn.MultiheadAttention(D_MODEL, NHEAD, dropout=0.0, bias=True, batch_first=True)
    randomize_affine(mha)
    key_len = SRC_LEN
    kpm = padding_mask(lengths, key_len) if lengths is not None else None
    if cross:
        q_len = TGT_LEN
        inputs = dict(query=torch.randn(BATCH, q_len, D_MODEL),
                      memory=torch.randn(BATCH, key_len, D_MODEL))
    else:
        q_len = SRC_LEN
        inputs = dict(x=torch.randn(BATCH, q_len, D_MODEL))
    am = causal_mask(q_len) if causal else None

    def fwd(m, **kw):
        if cross:
            q, k, v = kw["query"], kw["memory"], kw["memory"]
        else:
            q = k = v = kw["x"]
        out, _ = m(q, k, v, key_padding_mask=kpm, attn_mask=am, need_weights=False)
        return out

    tensors = run_module(mha, inputs, fwd)
    cfg = base_config("MultiheadAttention", seed,
                      attention="cross" if cross else "self",
                      qkv_same=not cross, causal=causal, key_padding=lengths)
    save(fname, tensors, cfg)


def encoder_layer_case(fname, seed, norm_first, activation, lengths):
    torch.manual_seed(seed)
    layer = nn.TransformerEncoderLayer(D_MODEL, NHEAD, DIM_FF, dropout=0.0,
                                       activation=activation, layer_norm_eps=LN_EPS,
                                       batch_first=True, norm_first=norm_first)
    randomize_affine(layer)
    kpm = padding_mask(lengths, SRC_LEN)
    inputs = dict(src=torch.randn(BATCH, SRC_LEN, D_MODEL))

    def fwd(m, src):
        return m(src, src_mask=None, src_key_padding_mask=kpm)

    tensors = run_module(layer, inputs, fwd)
    cfg = base_config("TransformerEncoderLayer", seed, dim_feedforward=DIM_FF,
                      activation=activation, norm_first=norm_first,
                      layer_norm_eps=LN_EPS, num_layers=1, causal=False,
                      src_key_padding=lengths, key_padding=lengths)
    save(fname, tensors, cfg)


def decoder_layer_case(fname, seed, norm_first, activation, mem_lengths):
    torch.manual_seed(seed)
    layer = nn.TransformerDecoderLayer(D_MODEL, NHEAD, DIM_FF, dropout=0.0,
                                       activation=activation, layer_norm_eps=LN_EPS,
                                       batch_first=True, norm_first=norm_first)
    randomize_affine(layer)
    mkpm = padding_mask(mem_lengths, SRC_LEN)
    tmask = causal_mask(TGT_LEN)
    inputs = dict(tgt=torch.randn(BATCH, TGT_LEN, D_MODEL),
                  memory=torch.randn(BATCH, SRC_LEN, D_MODEL))

    def fwd(m, tgt, memory):
        return m(tgt, memory, tgt_mask=tmask, memory_mask=None,
                 tgt_key_padding_mask=None, memory_key_padding_mask=mkpm)

    tensors = run_module(layer, inputs, fwd)
    cfg = base_config("TransformerDecoderLayer", seed, dim_feedforward=DIM_FF,
                      activation=activation, norm_first=norm_first,
                      layer_norm_eps=LN_EPS, num_layers=1, causal=True,
                      tgt_key_padding=None, memory_key_padding=mem_lengths)
    save(fname, tensors, cfg)


def transformer_case(fname, seed, lengths):
    torch.manual_seed(seed)
    model = nn.Transformer(d_model=D_MODEL, nhead=NHEAD, num_encoder_layers=2,
                           num_decoder_layers=2, dim_feedforward=DIM_FF, dropout=0.0,
                           activation="relu", layer_norm_eps=LN_EPS, batch_first=True,
                           norm_first=False)
    randomize_affine(model)
    kpm = padding_mask(lengths, SRC_LEN)
    tmask = causal_mask(TGT_LEN)
    inputs = dict(src=torch.randn(BATCH, SRC_LEN, D_MODEL),
                  tgt=torch.randn(BATCH, TGT_LEN, D_MODEL))

    def fwd(m, src, tgt):
        return m(src, tgt, src_mask=None, tgt_mask=tmask, memory_mask=None,
                 src_key_padding_mask=kpm, tgt_key_padding_mask=None,
                 memory_key_padding_mask=kpm)

    tensors = run_module(model, inputs, fwd)
    assert "param.encoder.norm.weight" in tensors and "param.decoder.norm.weight" in tensors
    cfg = base_config("Transformer", seed, dim_feedforward=DIM_FF, activation="relu",
                      norm_first=False, layer_norm_eps=LN_EPS, num_encoder_layers=2,
                      num_decoder_layers=2, final_norm=True, causal=True,
                      src_key_padding=lengths, memory_key_padding=lengths,
                      tgt_key_padding=None)
    save(fname, tensors, cfg)


def losses_case(fname, seed):
    torch.manual_seed(seed)
    n, c = 6, 11
    ignore_index, ls = -100, 0.1
    logits = torch.randn(n, c) * 2.0
    targets = torch.randint(0, c, (n,))
    targets[3] = ignore_index

    lg = logits.clone().requires_grad_(True)
    ce = F.cross_entropy(lg, targets)
    (g_ce,) = torch.autograd.grad(ce, lg)

    lg2 = logits.clone().requires_grad_(True)
    ce_ls = F.cross_entropy(lg2, targets, ignore_index=ignore_index, label_smoothing=ls)
    (g_ls,) = torch.autograd.grad(ce_ls, lg2)

    tensors = {
        "input.logits": logits,
        "input.targets": targets.to(torch.float32),
        "output.ce": ce,
        "output.ce_ls": ce_ls,
        "grad.input.logits_ce": g_ce,
        "grad.input.logits_ls": g_ls,
    }
    cfg = dict(module="cross_entropy", seed=seed, num_classes=c, reduction="mean",
               ignore_index=ignore_index, label_smoothing=ls,
               ce={"ignore_index": ignore_index, "label_smoothing": 0.0},
               ce_ls={"ignore_index": ignore_index, "label_smoothing": ls})
    save(fname, tensors, cfg)


def optimizers_case(fname, seed):
    """Three steps of each optimizer from the same start on the same gradients.

    Keys: `input.p0` [3,5] start, `input.g1..g3` gradients, `output.<opt>.step<k>` params
    after step k, and `input.clip_grad` / `output.clip_grad` / `output.clip_norm` for
    clip_grad_norm_(max_norm=1.0). Optimizer settings are in the config.
    """
    torch.manual_seed(seed)
    p0 = torch.randn(3, 5)
    grads = [torch.randn(3, 5) for _ in range(3)]
    opts = {
        "adam": (torch.optim.Adam, dict(lr=1e-2, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.01)),
        "adamw": (torch.optim.AdamW, dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
        "sgd": (torch.optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=1e-3)),
    }
    tensors = {"input.p0": p0}
    for i, g in enumerate(grads):
        tensors[f"input.g{i + 1}"] = g
    for name, (cls, kw) in opts.items():
        p = torch.nn.Parameter(p0.clone())
        opt = cls([p], **kw)
        for i, g in enumerate(grads):
            p.grad = g.clone()
            opt.step()
            tensors[f"output.{name}.step{i + 1}"] = p.detach().clone()
    q = torch.nn.Parameter(torch.zeros(4, 3))
    q.grad = torch.randn(4, 3) * 2
    tensors["input.clip_grad"] = q.grad.clone()
    norm = torch.nn.utils.clip_grad_norm_([q], max_norm=1.0)
    tensors["output.clip_grad"] = q.grad.clone()
    tensors["output.clip_norm"] = norm.reshape([])
    cfg = dict(module="optimizers", seed=seed,
               **{k: {kk: list(vv) if isinstance(vv, tuple) else vv for kk, vv in v[1].items()} for k, v in opts.items()})
    save(fname, tensors, cfg)


def layers_misc_case(fname, seed):
    torch.manual_seed(seed)
    x = torch.randn(3, 7) * 2.0
    R = torch.randn(3, 7)
    w = 1.0 + 0.1 * torch.randn(7)
    b = 0.1 * torch.randn(7)
    tensors = {"input.x": x, "input.R": R,
               "param.layer_norm.weight": w, "param.layer_norm.bias": b}

    def grad_of(fn, name, extra=()):
        xi = x.clone().requires_grad_(True)
        ex = [e.clone().requires_grad_(True) for e in extra]
        out = fn(xi, *ex)
        gs = torch.autograd.grad((out * R).sum(), [xi] + ex)
        tensors[f"output.{name}"] = out
        tensors[f"grad.{name}"] = gs[0]
        return gs[1:]

    grad_of(lambda v: F.gelu(v), "gelu")
    grad_of(lambda v: F.gelu(v, approximate="tanh"), "gelu_tanh")
    gw, gb = grad_of(lambda v, ww, bb: F.layer_norm(v, [7], ww, bb, LN_EPS),
                     "layer_norm", extra=(w, b))
    tensors["grad.param.layer_norm.weight"] = gw
    tensors["grad.param.layer_norm.bias"] = gb
    grad_of(lambda v: F.log_softmax(v, dim=-1), "log_softmax")

    cfg = dict(module="layers_misc", seed=seed, layer_norm_eps=LN_EPS,
               normalized_shape=[7], log_softmax_dim=-1,
               gelu="erf", gelu_tanh="tanh approximation")
    save(fname, tensors, cfg)


# ----------------------------------------------------------------------------- main

def check():
    """Reload every fixture, print keys/shapes/sizes, and enforce size limits."""
    total = 0
    ok = True
    files = sorted(f for f in os.listdir(OUT_DIR) if f.endswith(".safetensors"))
    for f in files:
        path = os.path.join(OUT_DIR, f)
        size = os.path.getsize(path)
        total += size
        print(f"\n== {f}  ({size} bytes)")
        with safe_open(path, framework="pt") as sf:
            meta = sf.metadata()
            print(f"   config: {meta['config']}")
            for k in sorted(sf.keys()):
                v = sf.get_tensor(k)
                assert v.dtype == torch.float32 and torch.isfinite(v).all(), (f, k)
                print(f"   {k:48s} {list(v.shape)}")
        if size > MAX_FILE_BYTES:
            print(f"   !! file larger than {MAX_FILE_BYTES} bytes")
            ok = False
    print(f"\n{len(files)} files, {total} bytes total")
    if total > MAX_TOTAL_BYTES:
        print(f"!! total larger than {MAX_TOTAL_BYTES} bytes")
        ok = False
    return ok


def main():
    mha_case("mha_self.safetensors", 1001, cross=False, causal=False, lengths=None)
    mha_case("mha_self_causal_padding.safetensors", 1002, cross=False, causal=True,
             lengths=[5, 3])
    mha_case("mha_cross.safetensors", 1003, cross=True, causal=False, lengths=[5, 2])
    encoder_layer_case("encoder_layer_post.safetensors", 1004, norm_first=False,
                       activation="relu", lengths=[5, 3])
    encoder_layer_case("encoder_layer_pre_gelu.safetensors", 1005, norm_first=True,
                       activation="gelu", lengths=[5, 3])
    decoder_layer_case("decoder_layer_post.safetensors", 1006, norm_first=False,
                       activation="relu", mem_lengths=[5, 3])
    decoder_layer_case("decoder_layer_pre.safetensors", 1007, norm_first=True,
                       activation="relu", mem_lengths=[5, 3])
    transformer_case("transformer_tiny.safetensors", 1008, lengths=[5, 3])
    losses_case("losses.safetensors", 1009)
    layers_misc_case("layers_misc.safetensors", 1010)
    optimizers_case("optimizers.safetensors", 1011)
    if not check():
        sys.exit(1)


if __name__ == "__main__":
    main()
