#!/usr/bin/env bash
# Builds bench/repro/onednn_conv.c against the libtorch of a built Loom program folder and runs the cases of
# docs/architecture.md ("Numerics you can trust"). Usage: bench/repro/run.sh [BUILD_DIR] (default artifacts/cli).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../artifacts/cli}
native=$(cd "$build/runtimes/linux-x64/native" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
gcc -O1 -o "$out/repro" "$here/onednn_conv.c" -L"$native" -lLibTorchSharp -ldl -Wl,-rpath,"$native"
for onednn in 1 0; do
  for shape in "8 4" "32 1" "16 4" "8 8" "3 5" "16 32" "32 32"; do
    "$out/repro" grad 1 "$onednn" $shape 2>/dev/null
  done
  for shape in "24 8" "17 16" "40 16" "24 32" "16 8" "32 16" "48 16"; do
    "$out/repro" forward 1 "$onednn" $shape 2>/dev/null
  done
done
