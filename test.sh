#!/usr/bin/env bash
# Runs Loom's test suite: installs what the build and the tests need (build/setup.sh --tests), builds,
# runs every test, checks the house style (dotnet format whitespace), and ends with one line "N passed, N failed, N skipped". Exit code non-zero on any failure.
# Extra arguments go to 'dotnet test' (e.g. ./test.sh --filter FullyQualifiedName~Mixture).
set -uo pipefail
root=$(cd "$(dirname "$0")" && pwd)
bash "$root/build/setup.sh" --tests || exit 1
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
dotnet test "$root/Loom.sln" -c Release --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
rc=$?
passed=0 failed=0 skipped=0 found=0
for trx in "$results"/*.trx "$results"/*/*.trx; do
  [ -f "$trx" ] || continue
  found=1
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done
if [ $found = 0 ] && [ $rc != 0 ]; then failed=$((failed + 1)); fi
# House style (.editorconfig): the layout dotnet format would give. A difference counts as one failure.
if ! dotnet format whitespace "$root/Loom.sln" --verify-no-changes >"$results/format.txt" 2>&1; then
  echo "house style: 'dotnet format whitespace Loom.sln' would change these files:"
  grep -o '^[^(]*' "$results/format.txt" | sort -u | head -20
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ $rc != 0 ] || [ $failed != 0 ] || [ $passed = 0 ]; then exit 1; fi
