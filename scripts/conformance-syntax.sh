#!/usr/bin/env bash
# Runs torus-opt over ../shared/conformance/mlir-syntax and reports mismatches against mlir-opt's goldens.
# Usage: scripts/conformance-syntax.sh [path/to/torus-opt] [--junit FILE.xml]
#   (the Swift test suite runs the same corpus in-process). --junit also writes a JUnit XML report
#   through `torus junit` (the torus binary beside torus-opt).
# The corpus is mlir-opt's view with unknown dialects allowed, so torus-opt's own dialects are disabled
# (their verifiers would reject Concrete's *.invalid cases that mlir-opt prints generically).
set -u
opt_arg=.build/debug/torus-opt; junit=""
while (($#)); do
  case "$1" in
    --junit) junit=$(realpath -m "${2:?--junit needs a file}"); shift 2 ;;
    *) opt_arg=$1; shift ;;
  esac
done
opt=$(realpath "$opt_arg")
corpus=$(cd "$(dirname "$0")/.." && pwd)/../shared/conformance/mlir-syntax
results=$(mktemp)
trap 'rm -f "$results"' EXIT
pass=0; fail=0
norm() { sed -e 's/[ \t]*$//' | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}'; }
cd "$corpus/accept"
for f in *.mlir; do
  n=${f%.mlir}
  if diff <("$opt" --allow-unregistered-dialect --disable-dialect=FHE,FHELinalg,Tracing,qnn --mlir-print-op-generic "$f" 2>&1 | norm) <(norm < "$n.generic.golden") >/dev/null; then
    pass=$((pass+1)); printf 'accept\t%s\tpassed\n' "$n" >> "$results"
  else
    fail=$((fail+1)); echo "FAIL accept $n"; printf 'accept\t%s\tfailed\tgeneric form differs from mlir-opt golden\n' "$n" >> "$results"
  fi
done
cd "$corpus/reject"
for f in *.mlir; do
  n=${f%.mlir}
  want=$(head -1 "$n.error.golden" | cut -d: -f1,2)
  got=$("$opt" --allow-unregistered-dialect --disable-dialect=FHE,FHELinalg,Tracing,qnn --mlir-print-op-generic "$f" 2>&1 >/dev/null | head -1 | sed -E 's/^[^:]*:([0-9]+):([0-9]+):.*/\1:\2/')
  if [ "$want" = "$got" ]; then
    pass=$((pass+1)); printf 'reject\t%s\tpassed\n' "$n" >> "$results"
  else
    fail=$((fail+1)); echo "FAIL reject $n want $want got $got"; printf 'reject\t%s\tfailed\terror at %s, mlir-opt at %s\n' "$n" "$got" "$want" >> "$results"
  fi
done
echo "$pass passed, $fail failed"
if [ -n "$junit" ]; then
  "$(dirname "$opt")/torus" junit --from "$results" -o "$junit" --name "mlir-syntax corpus" || exit 1
fi
[ "$fail" -eq 0 ]
