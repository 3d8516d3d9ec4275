#!/usr/bin/env bash
# Issue 26's GPU rows in one device call, prepared on a machine without a GPU (run it only where `nvidia-smi` works).
# Before the call, here: build (`dotnet build src/Loom.Cli -c Release`), pack the CLI with the .NET runtime using the
# gpu-pack.sh script the project hands out (into .gpu, git-ignored), then run on the device with `carry: [".gpu"]`:
#   bash bench/gpu/issue26.sh [TIMING_STEPS] [LOOM_STEPS]
# It writes under $OUT (what the device tool brings back): machine.txt (card, driver, CUDA, PyTorch), the PyTorch peers'
# JSON (nanoGPT's shakespeare-char GPU config, bf16 autocast + TF32 + fused AdamW, eager and torch.compile, TIMING_STEPS
# steps each, default 300), and Loom's run of the same preset in bfloat16 with float32 master weights (LOOM_STEPS, default
# 5000: the bar is nanoGPT's best val loss <= 1.47): card.json, log.jsonl (val loss every 250 steps, examples/s), the
# CLI's output. Each stage has its own time limit so one hang cannot eat the lease.
set -uo pipefail
out=${OUT:-/tmp/issue26}
timing=${1:-300}
loom_steps=${2:-5000}
text=data/tinyshakespeare.txt
mkdir -p "$out"
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
} > "$out/machine.txt" 2>&1
for mode in eager compile; do
  flag=()
  [ "$mode" = compile ] && flag=(--compile)
  timeout 180 python3 bench/peers/nanogpt_char.py "$text" "$timing" --config gpu --device cuda --dtype bfloat16 "${flag[@]}" \
    > "$out/peer-$mode.json" 2> "$out/peer-$mode.err"
  echo "peer $mode: exit $?" >> "$out/machine.txt"
done
rm -rf /tmp/loom-run
timeout 420 bash .gpu/run.sh Loom.Cli.dll train gpt --data "$text" --preset shakespeare-char --precision bfloat16 --device cuda \
  --steps "$loom_steps" --out /tmp/loom-run > "$out/loom.out" 2> "$out/loom.err"
echo "loom: exit $?" >> "$out/machine.txt"
cp /tmp/loom-run/card.json /tmp/loom-run/log.jsonl "$out/" 2>/dev/null
cat "$out/machine.txt" "$out"/peer-*.json
tail -5 "$out/loom.out" "$out/loom.err"
