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
  vit-train            ViT, 28x28x1, patch 4 (49 patches + class token), d=192, 3 heads, ffn 768,
                       6 pre-norm GELU layers (nn.TransformerEncoder), 10 classes, batch 64,
                       dropout 0, AdamW (images/s, peak RSS)
  vit-classify-latency the same ViT, one image, eval mode, no grad (median ms)
  translate-beam4      the zoo entry $ZOO_MT_MODEL (default Zoo/bible-en-es) in plain torch ops, beam
                       search K=4, alpha 0.6, batches of 32 of similar lengths, finished sentences
                       leaving the batch, KV cache, over $ZOO_MT_SOURCE (default
                       data/bible-en-es/test.en): sentences/s and output tokens/s; hypotheses to
                       $ZOO_MT_HYPOTHESES_PEER if set. Needs pip safetensors and sentencepiece.

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

JOBS = ["gemm", "train-seq2seq-small", "train-seq2seq-base", "generate-124m", "generate-small", "train-gpt-char",
        "vit-train", "vit-classify-latency", "translate-beam4"]

# Decoder-only shapes (GPT-2 small; a 14M model; nanoGPT's shakespeare-char), as `zoo bench`.
GPT = {
    "generate-124m": dict(d=768, heads=12, layers=12, vocab=50257, context=1024),
    "generate-small": dict(d=384, heads=6, layers=6, vocab=8000, context=1024),
    "train-gpt-char": dict(d=384, heads=6, layers=6, vocab=65, context=256),
}

# Training shapes, as `zoo bench train-seq2seq-*` and `train-gpt-char` (BENCHMARKS.md).
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


def timed_steps(step, warmup, steps):
    """Seconds taken by `steps` calls of `step()` after `warmup` untimed ones."""
    for _ in range(warmup):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    return time.perf_counter() - t


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


def gpt_model(torch, d, heads, layers, vocab, context, dropout, gelu="tanh"):
    """GPT-2 shaped: learned positions, pre-norm blocks, GELU (GPT-2's tanh form by default; "none"
    is the exact one, as nanoGPT), final norm, tied output."""
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
            return x + self.drop(self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate=gelu)))

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
    # nanoGPT's shakespeare-char model: dropout 0.2 and the exact GELU, as `zoo bench train-gpt-char`.
    model = gpt_model(torch, d, heads, layers, vocab, context, 0.2, gelu="none")
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

    emit(f"torch-{name}", batch * context * steps / timed_steps(step, warmup, steps), "tokens/s")
    emit(f"torch-{name}-peak-rss", peak_rss_mib(), "MiB")


# The ViT shape (Fashion-MNIST sized), as `zoo bench vit-train`.
VIT = dict(size=28, channels=1, patch=4, d=192, heads=3, ffn=768, layers=6, classes=10)


def vit_model(torch, size, channels, patch, d, heads, ffn, layers, classes):
    """Patch embedding (Conv2d kernel = stride = patch), class token, learned positions, a
    pre-norm GELU nn.TransformerEncoder with a final LayerNorm, a linear head on the class token."""
    nn = torch.nn
    n = (size // patch) ** 2

    class ViT(nn.Module):
        def __init__(self):
            super().__init__()
            self.patch = nn.Conv2d(channels, d, patch, stride=patch)
            self.cls = nn.Parameter(torch.randn(1, 1, d) * 0.02)
            self.pos = nn.Parameter(torch.randn(1, n + 1, d) * 0.02)
            layer = nn.TransformerEncoderLayer(d, heads, ffn, dropout=0.0, activation="gelu", batch_first=True,
                                               norm_first=True, layer_norm_eps=1e-6)
            self.encoder = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d, eps=1e-6), enable_nested_tensor=False)
            self.head = nn.Linear(d, classes)

        def forward(self, x):
            x = self.patch(x).flatten(2).transpose(1, 2)
            x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
            return self.head(self.encoder(x)[:, 0])

    return ViT()


def bench_vit_train(torch, size, channels, patch, d, heads, ffn, layers, classes):
    torch.manual_seed(1)
    model = vit_model(torch, size, channels, patch, d, heads, ffn, layers, classes)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    batch, warmup, steps = 64, 3, 10

    def step():
        images = torch.randn(batch, channels, size, size)
        labels = torch.randint(0, classes, (batch,))
        loss = torch.nn.functional.cross_entropy(model(images), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    emit("torch-vit-train", batch * steps / timed_steps(step, warmup, steps), "images/s")
    emit("torch-vit-train-peak-rss", peak_rss_mib(), "MiB")


def bench_vit_latency(torch, size, channels, patch, d, heads, ffn, layers, classes):
    torch.manual_seed(1)
    model = vit_model(torch, size, channels, patch, d, heads, ffn, layers, classes).eval()
    image = torch.randn(1, channels, size, size)
    times = []
    with torch.no_grad():
        for i in range(55):
            t = time.perf_counter()
            model(image).softmax(-1)
            if i >= 5:
                times.append(time.perf_counter() - t)
    emit("torch-vit-classify-latency", statistics.median(times) * 1000, "ms")


# Translation with a trained zoo entry, as `zoo bench translate-beam4` (Benchmarks/ZooBenchmarks/
# TranslationBenchmark.swift): the same environment variables, batches, warm-up and search.
MT = dict(beam=4, alpha=0.6, max_extra=50, batch=32, warmup=8)


def mt_model(torch, entry):
    """The zoo's EncoderDecoder (Sources/Layers/EncoderDecoder.swift, Stacks.swift,
    TransformerLayers.swift, MultiHeadAttention.swift) in plain torch ops over the entry's
    safetensors, whose names follow nn.Transformer's (`decoder.layers.0.multihead_attn.in_proj_weight`).
    Returns (config, encode, decoder_step, new_cache)."""
    import os
    from safetensors.torch import load_file

    F = torch.nn.functional
    with open(os.path.join(entry, "config.json")) as f:
        c = json.load(f)["model"]
    w = load_file(os.path.join(entry, "model.safetensors"))
    d, heads = c["dModel"], c["heads"]
    hd, eps, post_norm = d // heads, c.get("layerNormEps", 1e-5), not c.get("normFirst", False)
    act = {"relu": F.relu, "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh")}[c.get("activation", "relu")]
    embedding = w["embedding.weight"]
    target_embedding = embedding if c.get("shareEmbeddings", True) else w["target_embedding.weight"]
    output = target_embedding if c.get("tieOutput", True) else w["output_projection.weight"]
    if c.get("positional", "sinusoidal") == "learned":
        pe = w["positions.weight"]
    else:
        # PositionalEncoding.swift: interleaved sin/cos computed in double, then rounded to float.
        table = [[0.0] * d for _ in range(c["maxLength"])]
        for pos in range(c["maxLength"]):
            for i in range(0, d, 2):
                angle = pos / math.pow(10000, i / d)
                table[pos][i] = math.sin(angle)
                if i + 1 < d:
                    table[pos][i + 1] = math.cos(angle)
        pe = torch.tensor(table, dtype=torch.float64).float()
    scale = math.sqrt(d) if c.get("scaleEmbeddings", True) else 1.0

    def embed(table, ids, offset=0):  # ids [B, T] -> [B, T, D]
        return F.embedding(ids, table) * scale + pe[offset:offset + ids.shape[1]]

    def norm(p, x):
        return F.layer_norm(x, (d,), w[p + ".weight"], w[p + ".bias"], eps)

    def heads_of(x):  # [B, T, D] -> [B, H, T, hd]
        return x.view(x.shape[0], x.shape[1], heads, hd).transpose(1, 2)

    def attend(p, q, k, v, mask=None):  # q [B, H, Tq, hd], k/v [B, H, Tk, hd]; mask True = may attend
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        y = y.transpose(1, 2).reshape(q.shape[0], q.shape[2], d)
        return F.linear(y, w[p + ".out_proj.weight"], w[p + ".out_proj.bias"])

    def ffn(p, x):
        return F.linear(act(F.linear(x, w[p + ".linear1.weight"], w[p + ".linear1.bias"])),
                        w[p + ".linear2.weight"], w[p + ".linear2.bias"])

    def self_attn(p, x, mask=None, cache=None):
        q, k, v = F.linear(x, w[p + ".in_proj_weight"], w[p + ".in_proj_bias"]).split(d, dim=2)
        q, k, v = heads_of(q), heads_of(k), heads_of(v)
        if cache is not None:  # incremental decoding: append this step's keys and values
            if cache:
                k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
            cache[:] = [k, v]
        return attend(p, q, k, v, mask)

    def cross_kv(p, memory):  # the memory's keys and values, projected once per sentence batch
        k, v = F.linear(memory, w[p + ".in_proj_weight"][d:], w[p + ".in_proj_bias"][d:]).split(d, dim=2)
        return heads_of(k), heads_of(v)

    def cross_attn(p, x, kv, mask):
        q = F.linear(x, w[p + ".in_proj_weight"][:d], w[p + ".in_proj_bias"][:d])
        return attend(p, heads_of(q), kv[0], kv[1], mask)

    def encode(src, padding):  # src [B, S], padding [B, S] True at pads -> memory [B, S, D]
        mask = None if padding is None else ~padding[:, None, None, :]
        x = embed(embedding, src)
        for i in range(c["encoderLayers"]):
            p = f"encoder.layers.{i}"
            if post_norm:
                x = norm(p + ".norm1", x + self_attn(p + ".self_attn", x, mask))
                x = norm(p + ".norm2", x + ffn(p, x))
            else:
                x = x + self_attn(p + ".self_attn", norm(p + ".norm1", x), mask)
                x = x + ffn(p, norm(p + ".norm2", x))
        return norm("encoder.norm", x) if c.get("finalNorm", False) else x

    def new_cache(memory):  # per decoder layer: [self K, V] (grown each step), cross (K, V)
        return [([], cross_kv(f"decoder.layers.{i}.multihead_attn", memory)) for i in range(c["decoderLayers"])]

    def decoder_step(last, offset, cache, mask):  # last [R, 1] -> logits [R, V]
        x = embed(target_embedding, last, offset)
        for i, (self_cache, kv) in enumerate(cache):
            p = f"decoder.layers.{i}"
            if post_norm:
                x = norm(p + ".norm1", x + self_attn(p + ".self_attn", x, cache=self_cache))
                x = norm(p + ".norm2", x + cross_attn(p + ".multihead_attn", x, kv, mask))
                x = norm(p + ".norm3", x + ffn(p, x))
            else:
                x = x + self_attn(p + ".self_attn", norm(p + ".norm1", x), cache=self_cache)
                x = x + cross_attn(p + ".multihead_attn", norm(p + ".norm2", x), kv, mask)
                x = x + ffn(p, norm(p + ".norm3", x))
        if c.get("finalNorm", False):
            x = norm("decoder.norm", x)
        return F.linear(x[:, -1], output)

    return c, encode, decoder_step, new_cache


def mt_beam_search(torch, model, sources, bos, eos, pad, beam, alpha, max_extra):
    """Sources/Models/Decoding/BeamSearch.swift step for step (fairseq's SequenceGenerator): every
    live beam extended by every token, the best 2K candidates kept, EOS among the top K finishes a
    hypothesis scored log P / ((5 + |Y|) / 6)^α (Wu et al. 2016, |Y| with EOS), the best K others
    continue; a sentence stops with K finished or at source length + max_extra (EOS forced there),
    and leaves the batch (its rows of the caches and the mask), as ours and fairseq's do. Returns
    the best hypothesis (tokens without EOS) of each sentence."""
    c, encode, decoder_step, new_cache = model
    b, k, vocab = len(sources), beam, c["vocabSize"]
    length = max(1, max(len(s) for s in sources))
    src = torch.tensor([s + [pad] * (length - len(s)) for s in sources], dtype=torch.long)
    padding = torch.tensor([[False] * len(s) + [True] * (length - len(s)) for s in sources])
    has_padding = bool(padding.any())
    memory = encode(src, padding if has_padding else None).repeat_interleave(k, dim=0)
    mask = ~padding.repeat_interleave(k, dim=0)[:, None, None, :] if has_padding else None
    cache = new_cache(memory)
    limits = [max(1, min(len(s) + max_extra, c["maxLength"])) for s in sources]
    score = lambda lp, n: lp / ((5 + n) / 6) ** alpha

    active = list(range(b))  # sentences still decoding: active[i] owns rows i*K .. i*K+K-1
    tokens = [[] for _ in range(b * k)]
    logp = [-math.inf] * (b * k)
    for s in range(b):
        logp[s * k] = 0.0  # at first only beam 0 is live
    finished = [[] for _ in range(b)]
    done = [False] * b
    last = [bos] * (b * k)
    for t in range(max(limits)):
        if not active:
            break
        rows, n = len(active) * k, len(active)
        logits = decoder_step(torch.tensor(last, dtype=torch.long)[:, None], t, cache, mask)
        lp = logits.double().log_softmax(-1)  # double precision, as ours
        cand = (torch.tensor(logp, dtype=torch.float64)[:, None] + lp).view(n, k * vocab)
        top_p, top_i = cand.topk(2 * k, dim=1)
        top_p, top_i = top_p.tolist(), top_i.tolist()
        eos_lp = lp[:, eos].tolist()
        order = list(range(rows))
        old = list(tokens)
        for a, s in enumerate(active):
            first = a * k
            if t == limits[s] - 1:  # the last step allowed: every live beam ends with EOS
                for r in range(first, first + k):
                    if logp[r] > -math.inf:
                        finished[s].append((score(logp[r] + eos_lp[r], len(tokens[r]) + 1), tokens[r]))
                done[s] = True
                continue
            nxt = []
            for rank, (p, i) in enumerate(zip(top_p[a], top_i[a])):
                if p == -math.inf:
                    break  # fewer live candidates than 2K
                j, v = divmod(i, vocab)
                if v == eos:
                    if rank < k:  # fairseq finalizes EOS only among the top K candidates
                        finished[s].append((score(p, len(old[first + j]) + 1), old[first + j]))
                elif len(nxt) < k:
                    nxt.append((j, v, p))
            if len(finished[s]) >= k:
                done[s] = True
                continue
            for j in range(k):
                r = first + j
                if j < len(nxt):
                    bj, v, p = nxt[j]
                    order[r], tokens[r], logp[r], last[r] = first + bj, old[first + bj] + [v], p, v
                else:
                    logp[r], last[r] = -math.inf, pad
        keep = [a for a, s in enumerate(active) if not done[s]]
        if len(keep) < len(active):  # finished sentences leave the batch
            kept = [a * k + j for a in keep for j in range(k)]
            order = [order[r] for r in kept]
            tokens, logp, last = [tokens[r] for r in kept], [logp[r] for r in kept], [last[r] for r in kept]
            rows_kept = torch.tensor(kept, dtype=torch.long)
            mask = mask.index_select(0, rows_kept) if mask is not None else None
            for i, (self_cache, kv) in enumerate(cache):
                cache[i] = (self_cache, tuple(z.index_select(0, rows_kept) for z in kv))
            active = [active[a] for a in keep]
        index = torch.tensor(order, dtype=torch.long)
        for self_cache, _ in cache:  # fairseq's reorder_incremental_state
            self_cache[:] = [z.index_select(0, index) for z in self_cache]
    return [max(hyps, key=lambda h: h[0])[1] for hyps in finished]


def bench_translate(torch, name):
    import os
    import sentencepiece as spm

    entry = os.environ.get("ZOO_MT_MODEL", "Zoo/bible-en-es")
    source = os.environ.get("ZOO_MT_SOURCE", "data/bible-en-es/test.en")
    if not os.path.exists(source):
        raise SystemExit(f"error: {source} is missing; run `make data` first (or set ZOO_MT_SOURCE)")
    if not os.path.exists(os.path.join(entry, "config.json")):
        raise SystemExit(f"error: {entry}/config.json is missing; set ZOO_MT_MODEL to a translation entry")
    with open(source, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    model = mt_model(torch, entry)
    c = model[0]
    sp = spm.SentencePieceProcessor(model_file=os.path.join(entry, "tokenizer.model"))
    # As Translator.swift: source = tokens + EOS (the first maxLength - 1 tokens kept); the target starts from BOS;
    # padding (hidden by the mask or on dead beams) is EOS.
    eos = sp.eos_id() if sp.eos_id() >= 0 else 0
    bos = sp.bos_id() if sp.bos_id() >= 0 else eos
    search = dict(bos=bos, eos=eos, pad=eos, beam=MT["beam"], alpha=MT["alpha"], max_extra=MT["max_extra"])

    def translate(sentences):
        # As Translator.swift: batches of similar lengths, longest first, put back in input order.
        ids = [sp.encode(s)[:c["maxLength"] - 1] + [eos] for s in sentences]
        order = sorted(range(len(ids)), key=lambda i: (-len(ids[i]), i))
        out = [None] * len(ids)
        for i in range(0, len(order), MT["batch"]):
            batch = order[i:i + MT["batch"]]
            for j, best in zip(batch, mt_beam_search(torch, model, [ids[j] for j in batch], **search)):
                out[j] = best
        return out

    log(f"{name}: {entry}, {len(lines)} sentences, d={c['dModel']}, {c['encoderLayers']}+{c['decoderLayers']} layers, "
        f"vocab {c['vocabSize']}")
    with torch.inference_mode():
        translate(lines[:MT["warmup"]])
        t = time.perf_counter()
        best = translate(lines)
        elapsed = time.perf_counter() - t
    if os.environ.get("ZOO_MT_HYPOTHESES_PEER"):
        size, unk = sp.get_piece_size(), sp.unk_id()
        with open(os.environ["ZOO_MT_HYPOTHESES_PEER"], "w", encoding="utf-8") as f:
            for hyp in best:
                f.write(sp.decode([i if i < size else unk for i in hyp]) + "\n")
    log(f"{name}: {elapsed:.2f} s")
    emit(f"torch-{name}", len(lines) / elapsed, "sentences/s")
    # Output tokens as decoded, EOS included, as ours.
    emit(f"torch-{name}-tokens", sum(len(h) + 1 for h in best) / elapsed, "tokens/s")


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
    elif name == "vit-train":
        bench_vit_train(torch, **VIT)
    elif name == "vit-classify-latency":
        bench_vit_latency(torch, **VIT)
    elif name == "translate-beam4":
        bench_translate(torch, name)
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
