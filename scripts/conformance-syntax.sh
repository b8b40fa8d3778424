#!/usr/bin/env bash
# Runs torus-opt over ../shared/conformance/mlir-syntax and reports mismatches against mlir-opt's goldens.
# Usage: scripts/conformance-syntax.sh [path/to/torus-opt]   (the Swift test suite does the same in-process)
# The corpus is mlir-opt's view with unknown dialects allowed, so torus-opt's own dialects are disabled
# (their verifiers would reject Concrete's *.invalid cases that mlir-opt prints generically).
set -u
opt=$(realpath "${1:-.build/debug/torus-opt}")
corpus=$(cd "$(dirname "$0")/.." && pwd)/../shared/conformance/mlir-syntax
pass=0; fail=0
norm() { sed -e 's/[ \t]*$//' | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}'; }
cd "$corpus/accept"
for f in *.mlir; do
  n=${f%.mlir}
  if diff <("$opt" --allow-unregistered-dialect --disable-dialect=FHE,FHELinalg,Tracing,qnn --mlir-print-op-generic "$f" 2>&1 | norm) <(norm < "$n.generic.golden") >/dev/null; then
    pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL accept $n"; fi
done
cd "$corpus/reject"
for f in *.mlir; do
  n=${f%.mlir}
  want=$(head -1 "$n.error.golden" | cut -d: -f1,2)
  got=$("$opt" --allow-unregistered-dialect --disable-dialect=FHE,FHELinalg,Tracing,qnn --mlir-print-op-generic "$f" 2>&1 >/dev/null | head -1 | sed -E 's/^[^:]*:([0-9]+):([0-9]+):.*/\1:\2/')
  if [ "$want" = "$got" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL reject $n want $want got $got"; fi
done
echo "$pass passed, $fail failed"
