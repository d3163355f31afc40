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

JOBS = ["gemm", "train-seq2seq-small", "train-seq2seq-base"]

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


def run_job(name):
    import torch

    torch.set_num_threads(2)
    log(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"MKL {torch.backends.mkl.is_available()}, CPU capability {torch.backends.cpu.get_cpu_capability()}")
    if name == "gemm":
        bench_gemm(torch)
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
