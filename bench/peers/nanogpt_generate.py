#!/usr/bin/python3
"""Peer for `Loom.Bench lm-generate --peer`: greedy decoding throughput of the shakespeare-char transformer shape
(6 layers, 6 heads, 384 wide, context 256, vocabulary 65, GPT-2 blocks, tied embeddings; random weights, as speed
does not depend on them) in PyTorch on this machine's cores, two ways:
- nanoGPT's own `generate` loop (no KV cache: every step runs the whole cropped context again), batch 1 only;
- the same model with a KV cache (one position per step), at each batch size given.
Prints one JSON line: versions, threads, and tokens/s per mode and batch.

usage: nanogpt_generate.py NEW_TOKENS BATCH[,BATCH...]
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, CONTEXT, LAYERS, HEADS, WIDTH = 65, 256, 6, 6, 384


def attention(q, k, v, causal):
    """Scaled dot-product attention; torch 1.13 (Debian's) has no F.scaled_dot_product_attention, so this is nanoGPT's
    own fallback path."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if causal:
        t = q.shape[2]
        scores = scores.masked_fill(~torch.ones(t, t, dtype=torch.bool).tril(), float("-inf"))
    return scores.softmax(-1) @ v


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
        self.c_attn, self.attn_proj = nn.Linear(WIDTH, 3 * WIDTH), nn.Linear(WIDTH, WIDTH)
        self.c_fc, self.mlp_proj = nn.Linear(WIDTH, 4 * WIDTH), nn.Linear(4 * WIDTH, WIDTH)

    def forward(self, x, cache=None):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, 2)
        q, k, v = (z.view(b, t, HEADS, c // HEADS).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if cache:
                k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
            cache[:] = [k, v]
        y = attention(q, k, v, causal=cache is None or t > 1)
        x = x + self.attn_proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(VOCAB, WIDTH), nn.Embedding(CONTEXT, WIDTH)
        self.h = nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln_f = nn.LayerNorm(WIDTH)
        for name, p in self.named_parameters():
            if not name.endswith("bias") and "ln_" not in name:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx, start=0, caches=None):
        x = self.wte(idx) + self.wpe(torch.arange(start, start + idx.shape[1]))
        for i, block in enumerate(self.h):
            x = block(x, None if caches is None else caches[i])
        return self.ln_f(x[:, -1]) @ self.wte.weight.t()

    @torch.no_grad()
    def generate(self, idx, new_tokens):
        """nanoGPT's generate, greedy (top_k = 1): crop to the context, run everything, keep the last position."""
        for _ in range(new_tokens):
            cond = idx if idx.shape[1] <= CONTEXT else idx[:, -CONTEXT:]
            logits = self(cond)
            idx = torch.cat((idx, logits.argmax(-1, keepdim=True)), dim=1)
        return idx

    @torch.no_grad()
    def generate_cached(self, idx, new_tokens):
        caches = [[] for _ in range(LAYERS)]
        logits = self(idx, 0, caches)
        out = [idx]
        for step in range(new_tokens):
            nxt = logits.argmax(-1, keepdim=True)
            out.append(nxt)
            if step + 1 < new_tokens:
                logits = self(nxt, idx.shape[1] + step, caches)
        return torch.cat(out, 1)


def rate(fn, batch, new_tokens):
    idx = torch.zeros(batch, 1, dtype=torch.long)
    fn(idx, 8)
    start = time.perf_counter()
    fn(idx, new_tokens)
    return batch * new_tokens / (time.perf_counter() - start)


def main():
    new_tokens, batches = int(sys.argv[1]), [int(b) for b in sys.argv[2].split(",")]
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count())
    model = Gpt().eval()
    result = {"versions": f"torch {torch.__version__}", "threads": torch.get_num_threads(),
              "nanogpt_generate": {"1": rate(model.generate, 1, new_tokens)},
              "kv_cache": {str(b): rate(model.generate_cached, b, new_tokens) for b in batches}}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
