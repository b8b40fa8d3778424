#!/usr/bin/env bash
# Parser/printer speed: torus-opt vs upstream mlir-opt-19 on generated 20 MB and 100 MB circuits.
# usage: Benchmarks/parser/run.sh [RUNS]   (default 5; files go to .build-bench/, not committed)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
command -v mlir-opt-19 >/dev/null || { echo "installing mlir-19-tools (Debian) ..." >&2; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mlir-19-tools >/dev/null; }
swift build -c release --product torus-opt >&2
mkdir -p .build-bench
for mb in 20 100; do
  [ -f .build-bench/circuit_${mb}mb.mlir ] || python3 Benchmarks/parser/generate_circuit.py $mb .build-bench/circuit_${mb}mb.mlir
done
python3 Benchmarks/parser/bench.py .build/release/torus-opt "$(command -v mlir-opt-19)" "$runs" .build-bench/circuit_20mb.mlir .build-bench/circuit_100mb.mlir
