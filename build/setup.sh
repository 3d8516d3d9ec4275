#!/usr/bin/env bash
# One-time machine set-up for Loom on Debian/Ubuntu, safe to run every time (it only installs what is missing).
#   build/setup.sh            tools the build needs (patchelf and g++ for the libstdc++ fix, only when the
#                             system libstdc++ lacks GLIBCXX_3.4.32)
#   build/setup.sh --tests    also the data the tests read (Debian's dataset-fashion-mnist, bible-kjv, bible-kjv-text),
#                             sox and espeak-ng (audio I/O peer and the spoken-digits voices),
#                             chromium, which a test uses to screenshot the quickstart report headless, and the npm
#                             peers in tests/peers (real tokenizer.json files, @lenml/tokenizers, @huggingface/jinja,
#                             @contentauth/c2pa-wasm), and the Debian packages the table data sets come from
#                             (r-cran-ggplot2 for diamonds, python3-statsmodels for fair, python3-vega-datasets for
#                             seattle-weather; installed without recommends)
#   build/setup.sh --bench    also the benchmark peers (python3-sklearn, python3-scipy, python3-torch)
set -euo pipefail
want_tests=0 want_bench=0
for arg in "$@"; do
  case "$arg" in
    --tests) want_tests=1 ;;
    --bench) want_bench=1 ;;
    *) echo "error: build/setup.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK is not installed (https://dot.net); Loom needs 'dotnet' on PATH" >&2; exit 1; }

packages=()
libstdcxx=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ && !found {print $NF; found = 1}')
if [ -n "$libstdcxx" ] && ! grep -qa 'GLIBCXX_3\.4\.32' "$(readlink -f "$libstdcxx")"; then
  command -v patchelf >/dev/null || packages+=(patchelf)
  command -v g++ >/dev/null || packages+=(g++)
fi
if [ $want_tests = 1 ]; then
  for p in dataset-fashion-mnist bible-kjv bible-kjv-text chromium sox espeak-ng; do dpkg -s "$p" >/dev/null 2>&1 || packages+=("$p"); done
fi
lean_packages=()
if [ $want_tests = 1 ]; then
  for p in r-cran-ggplot2 python3-statsmodels python3-vega-datasets; do dpkg -s "$p" >/dev/null 2>&1 || lean_packages+=("$p"); done
fi
if [ $want_bench = 1 ] && ! /usr/bin/python3 -c 'import sklearn, scipy, torch' >/dev/null 2>&1; then packages+=(python3-sklearn python3-numpy python3-scipy python3-torch); fi

if [ $((${#packages[@]} + ${#lean_packages[@]})) -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "error: Loom needs these packages and this is not a Debian/Ubuntu system: ${packages[*]} ${lean_packages[*]}" >&2; exit 1
  fi
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "error: Loom needs 'apt-get install ${packages[*]}' and you are not root (no sudo)" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "loom setup: installing ${packages[*]} ${lean_packages[*]}" >&2
  $sudo apt-get update -qq >/dev/null
  if [ ${#packages[@]} -gt 0 ]; then DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null; fi
  if [ ${#lean_packages[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${lean_packages[@]}" >/dev/null
  fi
fi

# The npm peers the tests compare with (tests/peers/package-lock.json pins them); installed again only when the lock
# file changed since the last install.
if [ $want_tests = 1 ]; then
  peers="$(cd "$(dirname "$0")/.." && pwd)/tests/peers"
  if ! cmp -s "$peers/package-lock.json" "$peers/node_modules/.loom-installed-lock" 2>/dev/null; then
    command -v npm >/dev/null || { echo "error: the tests need node and npm (apt-get install nodejs npm)" >&2; exit 1; }
    echo "loom setup: installing the npm test peers in tests/peers" >&2
    (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
      || { echo "error: 'npm ci' in $peers failed (is the npm registry reachable?)" >&2; exit 1; }
    cp "$peers/package-lock.json" "$peers/node_modules/.loom-installed-lock"
  fi
fi
