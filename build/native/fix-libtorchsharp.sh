#!/usr/bin/env bash
# Makes TorchSharp's native bridge (libLibTorchSharp.so) load on systems whose libstdc++ predates
# GLIBCXX_3.4.32 (GCC 13), e.g. Debian 12. Called by the build (Directory.Build.targets) on the
# build or publish output folder; works only on the copies there, never on the NuGet cache.
#   usage: fix-libtorchsharp.sh OUTPUT_DIR
# What it does, once per copy (idempotent):
#   1. builds libLoomStdcxxShim.so, which defines std::ios_base_library_init() (the only symbol the
#      bridge needs from GLIBCXX_3.4.32);
#   2. points the bridge's GLIBCXX_3.4.32 requirement at GLIBCXX_3.4 (verneed_rewrite);
#   3. clears that symbol's version, adds the shim as NEEDED and sets RUNPATH to $ORIGIN (patchelf).
# Prints one line starting with "error:" and exits 1 if it cannot.
set -euo pipefail
out=${1:?usage: fix-libtorchsharp.sh OUTPUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
symbol=_ZSt21ios_base_library_initv
shim=libLoomStdcxxShim.so

die() { echo "error: Loom native fix: $*" >&2; exit 1; }

[ "$(uname -s)" = Linux ] || exit 0
mapfile -t bridges < <(find "$out" -name libLibTorchSharp.so -type f 2>/dev/null)
[ ${#bridges[@]} -gt 0 ] || exit 0

libstdcxx=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ && !found {print $NF; found = 1}')
[ -n "$libstdcxx" ] || libstdcxx=$(ls /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /lib64/libstdc++.so.6 2>/dev/null | head -1 || true)
[ -n "$libstdcxx" ] || die "cannot find the system libstdc++.so.6"
if grep -qa 'GLIBCXX_3\.4\.32' "$(readlink -f "$libstdcxx")"; then
  exit 0  # the system libstdc++ is new enough; the bridge loads as shipped
fi

command -v patchelf >/dev/null || die "the system libstdc++ lacks GLIBCXX_3.4.32 and patchelf is missing: run 'sudo apt-get install patchelf g++'"
command -v g++ >/dev/null || die "the system libstdc++ lacks GLIBCXX_3.4.32 and g++ is missing: run 'sudo apt-get install g++'"

tools="$out/.loom-native"
mkdir -p "$tools"
if [ ! -x "$tools/verneed_rewrite" ] || [ "$here/verneed_rewrite.cpp" -nt "$tools/verneed_rewrite" ]; then
  g++ -O2 -o "$tools/verneed_rewrite.tmp" "$here/verneed_rewrite.cpp" || die "cannot compile verneed_rewrite.cpp"
  mv -f "$tools/verneed_rewrite.tmp" "$tools/verneed_rewrite"
fi
if [ ! -f "$tools/$shim" ] || [ "$here/ios_base_shim.cpp" -nt "$tools/$shim" ]; then
  g++ -shared -fPIC -O2 -o "$tools/$shim.tmp" "$here/ios_base_shim.cpp" || die "cannot compile ios_base_shim.cpp"
  mv -f "$tools/$shim.tmp" "$tools/$shim"
fi

for bridge in "${bridges[@]}"; do
  dir=$(dirname "$bridge")
  # Never rewrite a library in place: a running process may have it mapped. Copy beside it and rename over it.
  if ! cmp -s "$tools/$shim" "$dir/$shim"; then
    cp -f "$tools/$shim" "$dir/$shim.loomfix" && mv -f "$dir/$shim.loomfix" "$dir/$shim"
  fi
  if patchelf --print-needed "$bridge" | grep -qx "$shim"; then
    continue  # already fixed
  fi
  tmp="$bridge.loomfix"
  cp -f "$bridge" "$tmp"
  "$tools/verneed_rewrite" "$tmp" libstdc++.so.6 GLIBCXX_3.4.32 GLIBCXX_3.4 || { rm -f "$tmp"; die "cannot rewrite the version requirement of $bridge"; }
  patchelf --clear-symbol-version "$symbol" "$tmp" || { rm -f "$tmp"; die "patchelf --clear-symbol-version failed on $bridge"; }
  patchelf --add-needed "$shim" "$tmp" || { rm -f "$tmp"; die "patchelf --add-needed failed on $bridge"; }
  patchelf --set-rpath '$ORIGIN' "$tmp" || { rm -f "$tmp"; die "patchelf --set-rpath failed on $bridge"; }
  mv -f "$tmp" "$bridge"
done
