#!/usr/bin/env python3
"""Attention weights of small PyTorch stacks, for the Swift attention-capture tests.

Regenerate (from the repository root):

    python3 Tests/Fixtures/make_attention_fixtures.py

Requires `torch` (CPU) and `safetensors`. Float32, one thread, fixed seeds. Output goes to
`Tests/Fixtures/attention/`, one `.safetensors` file per case:

* `encoder_decoder.safetensors`: nn.Transformer(d_model 16, 4 heads, 2 + 2 post-norm layers,
  feed-forward 32, ReLU, final norms), batch 2, source 5 (key padding lengths [5, 3], on the
  encoder's self-attention and the cross-attention), target 4 under the causal mask.
* `causal_stack.safetensors`: a GPT-like stack, nn.TransformerEncoder of 2 pre-norm layers (exact
  GELU) under the causal mask with a final LayerNorm, batch 2, length 6, key padding lengths [6, 4].

Tensors:

* `param.<name>`  every parameter, named as in the module's `state_dict()` (biases and norms
                  re-initialised with random values so a mis-wired one shows).
* `input.<name>`  the stacks' float inputs (`src`, `tgt`, or `x`), [batch, length, d_model].
* `output`        the stack's output.
* `attn.<kind>.<layer>`  the attention weights [batch, heads, queries, keys] of layer <layer>
                  (from 0), as nn.MultiheadAttention returns them with need_weights=True and
                  average_attn_weights=False; <kind> is `encoder-self`, `decoder-self` or `cross`
                  for the encoder–decoder and `self` for the causal stack.

The one metadata key `config` (JSON) holds what rebuilds the module: d_model, nhead,
dim_feedforward, activation, norm_first, layer_norm_eps, num_encoder_layers, num_decoder_layers,
final_norm, causal, and key padding lengths (`src_key_padding`, `memory_key_padding` or
`key_padding`; True = ignored key at positions >= length).

The modules run in train() mode with dropout 0, so PyTorch never takes its inference fast path
(which returns no per-head weights).
"""
import json
import os

import torch
import torch.nn as nn
from safetensors import safe_open
from safetensors.torch import save_file

torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attention")
D_MODEL, NHEAD, DIM_FF, LN_EPS = 16, 4, 32, 1e-5


def causal_mask(n):
    return torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)


def padding_mask(lengths, max_len):
    return torch.arange(max_len).unsqueeze(0) >= torch.tensor(lengths).unsqueeze(1)


def randomize_affine(module):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
            elif "norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))


def record_weights(mha, into, key):
    """Makes `mha` return (and keep) its per-head weights whatever its caller asks for."""
    original = mha.forward

    def forward(query, key_, value, **kwargs):
        kwargs["need_weights"] = True
        kwargs["average_attn_weights"] = False
        kwargs.pop("is_causal", None)  # the mask is given explicitly; is_causal is only a hint
        out, weights = original(query, key_, value, **kwargs)
        into[key] = weights.detach().clone()
        return out, weights

    mha.forward = forward


def save(name, module, inputs, output, weights, config):
    tensors = {f"param.{k}": v for k, v in module.state_dict().items()}
    tensors.update({f"input.{k}": v for k, v in inputs.items()})
    tensors["output"] = output
    tensors.update({f"attn.{k}": v for k, v in weights.items()})
    tensors = {k: v.detach().to(torch.float32).contiguous().clone() for k, v in tensors.items()}
    for k, v in tensors.items():
        assert torch.isfinite(v).all(), (name, k)
    os.makedirs(OUT_DIR, exist_ok=True)
    config = dict(config, d_model=D_MODEL, nhead=NHEAD, dim_feedforward=DIM_FF,
                  layer_norm_eps=LN_EPS, dropout=0.0, torch_version=torch.__version__)
    save_file(tensors, os.path.join(OUT_DIR, name), metadata={"config": json.dumps(config, sort_keys=True)})


def encoder_decoder_case():
    torch.manual_seed(11)
    model = nn.Transformer(d_model=D_MODEL, nhead=NHEAD, num_encoder_layers=2, num_decoder_layers=2,
                           dim_feedforward=DIM_FF, dropout=0.0, activation="relu", layer_norm_eps=LN_EPS,
                           batch_first=True, norm_first=False)
    randomize_affine(model)
    model.train()
    weights = {}
    for i, layer in enumerate(model.encoder.layers):
        record_weights(layer.self_attn, weights, f"encoder-self.{i}")
    for i, layer in enumerate(model.decoder.layers):
        record_weights(layer.self_attn, weights, f"decoder-self.{i}")
        record_weights(layer.multihead_attn, weights, f"cross.{i}")
    lengths = [5, 3]
    src, tgt = torch.randn(2, 5, D_MODEL), torch.randn(2, 4, D_MODEL)
    kpm = padding_mask(lengths, 5)
    with torch.no_grad():
        out = model(src, tgt, tgt_mask=causal_mask(4), src_key_padding_mask=kpm, memory_key_padding_mask=kpm)
    assert len(weights) == 6
    save("encoder_decoder.safetensors", model, {"src": src, "tgt": tgt}, out, weights,
         dict(module="Transformer", activation="relu", norm_first=False, num_encoder_layers=2,
              num_decoder_layers=2, final_norm=True, causal=True, src_key_padding=lengths,
              memory_key_padding=lengths))


def causal_stack_case():
    torch.manual_seed(12)
    layer = nn.TransformerEncoderLayer(D_MODEL, NHEAD, DIM_FF, dropout=0.0, activation="gelu",
                                       layer_norm_eps=LN_EPS, batch_first=True, norm_first=True)
    model = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(D_MODEL, eps=LN_EPS),
                                  enable_nested_tensor=False)
    randomize_affine(model)
    model.train()
    weights = {}
    for i, block in enumerate(model.layers):
        record_weights(block.self_attn, weights, f"self.{i}")
    lengths = [6, 4]
    x = torch.randn(2, 6, D_MODEL)
    with torch.no_grad():
        out = model(x, mask=causal_mask(6), src_key_padding_mask=padding_mask(lengths, 6))
    assert len(weights) == 2
    save("causal_stack.safetensors", model, {"x": x}, out, weights,
         dict(module="TransformerEncoder", activation="gelu", norm_first=True, num_encoder_layers=0,
              num_decoder_layers=2, final_norm=True, causal=True, key_padding=lengths))


def main():
    encoder_decoder_case()
    causal_stack_case()
    for name in sorted(os.listdir(OUT_DIR)):
        path = os.path.join(OUT_DIR, name)
        with safe_open(path, "pt") as f:
            attn = [k for k in f.keys() if k.startswith("attn.")]
            print(f"{name}: {os.path.getsize(path)} bytes, " + ", ".join(f"{k} {list(f.get_tensor(k).shape)}" for k in sorted(attn)))


if __name__ == "__main__":
    main()
