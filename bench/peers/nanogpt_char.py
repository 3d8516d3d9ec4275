"""Peer for `Loom.Bench lm-train`: the same GPT-2-style character model and schedule as Loom's shakespeare-char-cpu
preset, written directly in PyTorch (the nanoGPT recipe: random windows, AdamW betas (0.9, 0.99), weight decay 0.1 on
matrices only, linear warmup then cosine decay, gradient clipping 1.0). Prints one JSON line: seconds, val_loss.

usage: nanogpt_char.py TEXT STEPS [--config cpu|gpu] [--device cpu|cuda] [--dtype float32|bfloat16] [--compile]
  --config gpu   nanoGPT's shakespeare-char GPU run (Loom's shakespeare-char preset): 6 layers, 6 heads, 384 wide,
                 context 256, batch 64, dropout 0.2; the loss is also estimated every 250 steps (200 batches per split)
                 and the best validation estimate reported, as nanoGPT's train.py does (those evaluations are not timed)
  --dtype bfloat16  autocast to bfloat16 (float32 weights and optimizer), TF32 matmuls on CUDA, as nanoGPT
  --compile      torch.compile the model (PyTorch 2), timed after the first (compiling) step"""
import argparse, json, math, os, time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONTEXT, BATCH, LAYERS, HEADS, WIDTH, DROPOUT = 64, 12, 4, 4, 128, 0.0
LR, MIN_LR, WARMUP = 1e-3, 1e-4, 100
EVAL_EVERY, EVAL_ITERS = 0, 200


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
        self.c_attn, self.attn_proj = nn.Linear(WIDTH, 3 * WIDTH), nn.Linear(WIDTH, WIDTH)
        self.c_fc, self.mlp_proj = nn.Linear(WIDTH, 4 * WIDTH), nn.Linear(4 * WIDTH, WIDTH)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, 2)
        q, k, v = (z.view(b, t, HEADS, c // HEADS).transpose(1, 2) for z in (q, k, v))
        drop = DROPOUT if self.training else 0.0
        y = (F.scaled_dot_product_attention(q, k, v, dropout_p=drop, is_causal=True) if hasattr(F, "scaled_dot_product_attention")
             else self.manual(q, k, v))
        x = x + F.dropout(self.attn_proj(y.transpose(1, 2).reshape(b, t, c)), drop, self.training)
        return x + F.dropout(self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh")), DROPOUT, self.training)

    @staticmethod
    def manual(q, k, v):
        t = q.shape[2]
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        return scores.masked_fill(~mask, float("-inf")).softmax(-1) @ v


class Gpt(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, WIDTH), nn.Embedding(CONTEXT, WIDTH)
        self.h = nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln_f = nn.LayerNorm(WIDTH)
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif "ln_" in name:
                nn.init.ones_(p)
            else:
                std = 0.02 / math.sqrt(2 * LAYERS) if name.endswith("proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx, targets):
        x = F.dropout(self.wte(idx) + self.wpe(torch.arange(idx.shape[1], device=idx.device)), DROPOUT, self.training)
        for block in self.h:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.float().view(-1, logits.shape[-1]), targets.view(-1))


def lr_at(step, steps):
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    progress = (step - WARMUP) / max(1, steps - WARMUP)
    return MIN_LR + 0.5 * (1 + math.cos(math.pi * progress)) * (LR - MIN_LR)


def main():
    global CONTEXT, BATCH, LAYERS, HEADS, WIDTH, DROPOUT, EVAL_EVERY
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("steps", type=int)
    parser.add_argument("--config", choices=["cpu", "gpu"], default="cpu")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    parser.add_argument("--compile", action="store_true")
    args = parser.parse_args()
    steps, device = args.steps, torch.device(args.device)
    if args.config == "gpu":
        CONTEXT, BATCH, LAYERS, HEADS, WIDTH, DROPOUT, EVAL_EVERY = 256, 64, 6, 6, 384, 0.2, 250
    torch.manual_seed(1337)
    torch.set_num_threads(os.cpu_count())
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.dtype == "bfloat16")
    text = open(args.path, encoding="utf-8").read()
    chars = sorted(set(text))
    lookup = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([lookup[c] for c in text], dtype=torch.long)
    cut = int(len(data) * 0.9)
    train, val = data[:cut], data[cut:]

    def batch(split):
        starts = torch.randint(len(split) - CONTEXT, (BATCH,))
        x = torch.stack([split[i:i + CONTEXT] for i in starts])
        y = torch.stack([split[i + 1:i + 1 + CONTEXT] for i in starts])
        return x.to(device, non_blocking=True), y.to(device, non_blocking=True)

    model = Gpt(len(chars)).to(device)
    forward = torch.compile(model) if args.compile else model
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    fused = {"fused": True} if device.type == "cuda" else {}
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=LR,
                            betas=(0.9, 0.99), **fused)

    def estimate(split):
        forward.eval()
        with torch.no_grad(), autocast:
            value = sum(forward(*batch(split)).item() for _ in range(EVAL_ITERS)) / EVAL_ITERS
        forward.train()
        return value

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    seconds, timed_steps, best_val = 0.0, 0, float("inf")
    for step in range(steps):
        if EVAL_EVERY and step > 0 and step % EVAL_EVERY == 0:
            best_val = min(best_val, estimate(val))
        sync()
        start = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = lr_at(step, steps)
        x, y = batch(train)
        with autocast:
            loss = forward(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sync()
        if step > 0 or not args.compile:   # a compiled model's first step is the compilation
            seconds += time.perf_counter() - start
            timed_steps += 1
    val_loss = estimate(val)
    best_val = min(best_val, val_loss)
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else None
    print(json.dumps({"seconds": seconds * steps / max(1, timed_steps), "ms_per_step": 1000 * seconds / max(1, timed_steps),
                      "val_loss": val_loss, "best_val_loss": best_val, "config": args.config, "dtype": args.dtype,
                      "compile": args.compile, "device": gpu or "cpu",
                      "versions": f"torch {torch.__version__}, threads {torch.get_num_threads()}"}))


if __name__ == "__main__":
    main()
