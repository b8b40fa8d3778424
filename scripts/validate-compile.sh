#!/bin/sh
# Compiles every chess model of ../shared/models that has a model.qonnx.onnx (h8, h32, h128) and
# compares with Concrete-ML 1.9's recorded results: quantized inputs, clear integer inference
# (dequantized), raw circuit outputs, maximum bit width; then compares the emitted circuit text
# with Concrete-ML's mlir_*.txt[.gz]. Prints one line per model.
# Usage: scripts/validate-compile.sh   (after `swift build -c release --build-tests`)
set -e
cd "$(dirname "$0")/.."
dump=$(mktemp -d)
trap 'rm -rf "$dump"' EXIT
TORUS_LARGE_MODELS=1 TORUS_DUMP_DIR="$dump" swift test -c release --skip-build \
  --filter 'reproducesConcreteMLExactly|reproducesLargeModels' 2>&1 | grep -E '^validation:|✘' | sed 's/^validation: //'
for f in "$dump"/*.circuit.mlir; do
  m=$(basename "$f" .circuit.mlir)
  kind=${m#chess-}; kind=${kind%%-*}
  ref=../shared/models/$m/mlir_$kind.txt
  if [ -f "$ref" ]; then text() { cat "$ref"; echo; }; else text() { zcat "$ref.gz"; echo; }; fi
  if text | cmp -s - "$f"; then echo "$m: circuit text identical to mlir_$kind.txt"; else echo "$m: circuit text differs"; fi
done
