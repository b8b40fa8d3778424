#!/usr/bin/env bash
# The QAT MLP example: compile a small quantization-aware MLP (Brevitas-style QONNX export, made by
# Examples/mlp/make_model.py and committed with its data) to an FHE circuit, run it in simulate mode on
# 20 test points, and compare with the fake-quantized torch model the script recorded.
#
# usage: Examples/mlp/run.sh      (outputs in .build-mlp/)
#        TORUS=/path/to/torus Examples/mlp/run.sh   uses that binary and skips the swift build
set -euo pipefail
cd "$(dirname "$0")/../.."
ex=Examples/mlp
if [ -z "${TORUS:-}" ]; then
  swift build -c release --product torus >&2
fi
torus=${TORUS:-.build/release/torus}
out=.build-mlp
mkdir -p "$out"

echo "== compile $ex/mlp.qonnx.onnx -> $out/mlp.mlir"
start=$(date +%s%N)
$torus compile "$ex/mlp.qonnx.onnx" --inputset "$ex/inputset.npy" --n-bits-inputs 4 --n-bits-outputs 4 -o "$out/mlp.mlir"
echo "compile time: $(( ($(date +%s%N) - start) / 1000000 )) ms (wall, including process start)"

echo "== simulate on $ex/test_inputs.npy"
$torus run "$out/mlp.mlir" --mode simulate --input "$ex/test_inputs.npy" --output "$out/out.npy" --timing

python3 - "$ex" "$out" <<'PY'
import sys, numpy as np
ex, out = sys.argv[1], sys.argv[2]
got = np.load(out + "/out.npy").reshape(-1, 3).astype(np.float64)
expected = np.load(ex + "/expected_float.npy").astype(np.float64)
labels = np.load(ex + "/test_labels.npy")
n = len(labels)
print(f"accuracy (simulated circuit vs labels): {(got.argmax(1) == labels).sum()}/{n}")
print(f"argmax agreement with the fake-quant torch model: {(got.argmax(1) == expected.argmax(1)).sum()}/{n}")
print(f"max abs difference of the float outputs: {np.abs(got - expected).max():.3g}")
# expected_float.npy is torch's float32 (q - z) * s; the circuit's output is dequantized in float64.
same = (got.astype(np.float32) == expected.astype(np.float32)).all(axis=1).sum()
print(f"rows equal to the fake-quant outputs once rounded to float32: {same}/{n}")
PY

# The same model, encrypted: round the accumulators exactly to 5 bits so that every lookup is small,
# then run keygen + encrypt + run + decrypt in one go and compare with simulate mode on the same
# circuit (exact rounding: the two must agree on every output).
echo "== compile with --rounding-threshold-bits 5 -> $out/mlp-r5.mlir"
$torus compile "$ex/mlp.qonnx.onnx" --inputset "$ex/inputset.npy" --n-bits 4 --rounding-threshold-bits 5 -o "$out/mlp-r5.mlir"
# About 2 s per point on 2 cores: all 20 test points by default.
points=${MLP_ENCRYPTED_POINTS:-20}
python3 -c "import sys, numpy as np; np.save(sys.argv[2], np.load(sys.argv[1])[:int(sys.argv[3])])" \
  "$ex/test_inputs.npy" "$out/points.npy" "$points"
echo "== simulate and encrypted runs of $out/mlp-r5.mlir on $points points"
$torus run "$out/mlp-r5.mlir" --mode simulate --input "$out/points.npy" --output "$out/r5-simulate.npy"
$torus run "$out/mlp-r5.mlir" --mode encrypted --input "$out/points.npy" --output "$out/r5-encrypted.npy" --timing
python3 - "$ex" "$out" <<'PY'
import sys, numpy as np
ex, out = sys.argv[1], sys.argv[2]
sim = np.load(out + "/r5-simulate.npy").reshape(-1, 3)
enc = np.load(out + "/r5-encrypted.npy").reshape(-1, 3)
labels = np.load(ex + "/test_labels.npy")[: len(sim)]
print(f"rounded model accuracy: simulate {(sim.argmax(1) == labels).sum()}/{len(labels)}, encrypted {(enc.argmax(1) == labels).sum()}/{len(labels)}")
print(f"encrypted outputs equal to simulate: {(enc == sim).sum()}/{sim.size}")
sys.exit(0 if (enc == sim).all() else 1)
PY
