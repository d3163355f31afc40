#!/usr/bin/env python3
"""PyTorch peer measurements for `zoo bench`, on the same shapes, 2 threads.

Prints one JSON object per line, in the format of `zoo bench NAME --json`, with names prefixed
`torch-`:

    {"name": "torch-gemm-1024", "value": 201.3, "unit": "GFLOP/s"}

Jobs (the names of `zoo bench`):
  gemm                 sgemm n=1024 and 2048, torch.mm into a preallocated output (GFLOP/s)
  train-seq2seq-small  nn.Transformer encoder-decoder, post-norm, d=256, 4 heads, ffn 1024,
                       3+3 layers, vocab 8000, batch 32x32 (target tokens/s, peak RSS)
  train-seq2seq-base   d=512, 8 heads, ffn 2048, 6+6 layers, vocab 32000, batch 16x32

Without --only, every job runs in a child process of its own, so each job's peak RSS
(getrusage ru_maxrss) is its own and not the largest so far. Progress and the torch build go
to stderr; stdout holds only the JSON lines.

Usage: python3 Benchmarks/peers/torch_peers.py [--only NAME]
"""
import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time

JOBS = ["gemm", "train-seq2seq-small", "train-seq2seq-base", "generate-124m", "generate-small", "train-gpt-char"]

# Decoder-only shapes (GPT-2 small; a 14M model; nanoGPT's shakespeare-char), as `zoo bench`.
GPT = {
    "generate-124m": dict(d=768, heads=12, layers=12, vocab=50257, context=1024),
    "generate-small": dict(d=384, heads=6, layers=6, vocab=8000, context=1024),
    "train-gpt-char": dict(d=384, heads=6, layers=6, vocab=65, context=256),
}

# Training shapes, as in ../shared/MACHINE-NOTES.md and issue 2.
SEQ2SEQ = {
    "train-seq2seq-small": dict(d=256, heads=4, ffn=1024, layers=3, vocab=8000, batch=32, src_len=32, tgt_len=32,
                                warmup=3, steps=10),
    "train-seq2seq-base": dict(d=512, heads=8, ffn=2048, layers=6, vocab=32000, batch=16, src_len=32, tgt_len=32,
                               warmup=2, steps=5),
}


def emit(name, value, unit):
    print(json.dumps({"name": name, "value": round(value, 2), "unit": unit}), flush=True)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def bench_gemm(torch):
    for n, rounds in [(1024, 31), (2048, 15)]:
        g = torch.Generator().manual_seed(42)
        a = torch.rand(n, n, generator=g) * 2 - 1
        b = torch.rand(n, n, generator=g) * 2 - 1
        c = torch.empty(n, n)
        for _ in range(3):
            torch.mm(a, b, out=c)
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            torch.mm(a, b, out=c)
            times.append(time.perf_counter() - t)
        emit(f"torch-gemm-{n}", 2 * n**3 / statistics.median(times) / 1e9, "GFLOP/s")


def bench_seq2seq(torch, name, d, heads, ffn, layers, vocab, batch, src_len, tgt_len, warmup, steps):
    nn, F = torch.nn, torch.nn.functional

    class Seq2Seq(nn.Module):
        """The paper's base model shape: shared source/target embedding scaled by sqrt(d) plus
        sinusoidal positions, post-norm nn.Transformer, output projection tied to the embedding."""

        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, d)
            nn.init.normal_(self.embed.weight, 0.0, d**-0.5)
            pos = torch.arange(512).unsqueeze(1)
            div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
            pe = torch.zeros(512, d)
            pe[:, 0::2] = torch.sin(pos * div)
            pe[:, 1::2] = torch.cos(pos * div)
            self.register_buffer("pe", pe)
            self.dropout = nn.Dropout(0.1)
            # norm_first=False: post-norm as in the paper. nn.Transformer adds a final LayerNorm
            # to the encoder and to the decoder stack.
            self.transformer = nn.Transformer(d_model=d, nhead=heads, num_encoder_layers=layers,
                                              num_decoder_layers=layers, dim_feedforward=ffn, dropout=0.1,
                                              batch_first=True, norm_first=False)

        def embed_tokens(self, ids):
            return self.dropout(self.embed(ids) * math.sqrt(d) + self.pe[: ids.shape[1]])

        def forward(self, src, tgt):
            mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
            h = self.transformer(self.embed_tokens(src), self.embed_tokens(tgt), tgt_mask=mask, tgt_is_causal=True)
            return F.linear(h, self.embed.weight)  # tied output projection

    torch.manual_seed(0)
    model = Seq2Seq()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9)
    g = torch.Generator().manual_seed(1)
    batches = [(torch.randint(1, vocab, (batch, src_len), generator=g),
                torch.randint(1, vocab, (batch, tgt_len), generator=g),
                torch.randint(1, vocab, (batch, tgt_len), generator=g)) for _ in range(4)]

    def step(i):
        src, tgt_in, tgt_out = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        logits = model(src, tgt_in)
        loss = F.cross_entropy(logits.reshape(-1, vocab), tgt_out.reshape(-1), label_smoothing=0.1)
        loss.backward()
        opt.step()
        return loss.item()

    params = sum(p.numel() for p in model.parameters())
    log(f"{name}: {params / 1e6:.1f}M parameters, {warmup} warm-up + {steps} timed steps")
    for i in range(warmup):
        step(i)
    t = time.perf_counter()
    for i in range(steps):
        loss = step(warmup + i)
    elapsed = time.perf_counter() - t
    log(f"{name}: {elapsed / steps:.3f} s/step, last loss {loss:.3f}")
    emit(f"torch-{name}", batch * tgt_len * steps / elapsed, "tokens/s")
    emit(f"torch-{name}-peak-rss", peak_rss_mib(), "MiB")


def gpt_model(torch, d, heads, layers, vocab, context, dropout):
    """GPT-2 shaped: learned positions, pre-norm blocks, GELU (tanh), final norm, tied output."""
    nn = torch.nn
    F = torch.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.c_fc, self.mlp_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
            self.drop = nn.Dropout(dropout)

        def forward(self, x, cache=None):
            b, t, _ = x.shape
            q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
            q, k, v = (z.view(b, t, heads, d // heads).transpose(1, 2) for z in (q, k, v))
            if cache is not None:
                if cache:
                    k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
                cache[:] = [k, v]
            y = F.scaled_dot_product_attention(q, k, v, is_causal=t > 1)
            x = x + self.drop(self.c_proj(y.transpose(1, 2).reshape(b, t, d)))
            return x + self.drop(self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh")))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(context, d)
            self.h = nn.ModuleList(Block() for _ in range(layers))
            self.ln_f = nn.LayerNorm(d)
            self.drop = nn.Dropout(dropout)

        def forward(self, ids, offset=0, caches=None):
            pos = torch.arange(offset, offset + ids.shape[1])
            x = self.drop(self.wte(ids) + self.wpe(pos))
            for i, block in enumerate(self.h):
                x = block(x, None if caches is None else caches[i])
            return self.ln_f(x) @ self.wte.weight.t()

    return GPT()


def bench_generate(torch, name, d, heads, layers, vocab, context):
    torch.manual_seed(1)
    model = gpt_model(torch, d, heads, layers, vocab, context, 0.0).eval()
    prompt = torch.randint(0, vocab, (1, 32))

    def run():
        with torch.inference_mode():
            caches = [[] for _ in range(layers)]
            nxt = model(prompt, 0, caches)[:, -1].argmax(-1, keepdim=True)
            for t in range(127):
                nxt = model(nxt, 32 + t, caches)[:, -1].argmax(-1, keepdim=True)

    run()
    times = []
    for _ in range(3):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    emit(f"torch-{name}", 128 / statistics.median(times), "tokens/s")


def bench_train_gpt(torch, name, d, heads, layers, vocab, context):
    torch.manual_seed(1)
    model = gpt_model(torch, d, heads, layers, vocab, context, 0.2)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)
    batch, warmup, steps = 8, 3, 10

    def step():
        ids = torch.randint(0, vocab, (batch, context + 1))
        logits = model(ids[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(warmup):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    emit(f"torch-{name}", batch * context * steps / (time.perf_counter() - t), "tokens/s")
    emit(f"torch-{name}-peak-rss", peak_rss_mib(), "MiB")


def run_job(name):
    import torch

    torch.set_num_threads(2)
    log(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"MKL {torch.backends.mkl.is_available()}, CPU capability {torch.backends.cpu.get_cpu_capability()}")
    if name == "gemm":
        bench_gemm(torch)
    elif name.startswith("generate-"):
        bench_generate(torch, name, **GPT[name])
    elif name == "train-gpt-char":
        bench_train_gpt(torch, name, **GPT[name])
    else:
        bench_seq2seq(torch, name, **SEQ2SEQ[name])


def main():
    parser = argparse.ArgumentParser(description="PyTorch peer figures for `zoo bench`, as JSON lines.")
    parser.add_argument("--only", metavar="NAME", help="run one job: " + ", ".join(JOBS))
    args = parser.parse_args()
    if args.only is not None:
        if args.only not in JOBS:
            print(f"error: unknown job '{args.only}'; valid names: {', '.join(JOBS)}", file=sys.stderr)
            return 2
        run_job(args.only)
        return 0
    for name in JOBS:
        # A child process per job: its peak RSS is then its own.
        code = subprocess.call([sys.executable, __file__, "--only", name])
        if code != 0:
            print(f"error: job '{name}' failed with exit code {code}", file=sys.stderr)
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
