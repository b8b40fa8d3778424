#!/usr/bin/env bash
# Compiles zoo models with the settings of their info.json and compares with Concrete-ML:
# raw simulated outputs, maximum bit width, circuit text. Usage: scripts/zoo-check.sh [NAME ...]
set -u
cd "$(dirname "$0")/.."
ZOO=${ZOO:-../shared/models/zoo}
TORUS=.build/release/torus
OUT=${TMPDIR:-/tmp}/zoo-check
mkdir -p "$OUT"
names=("$@")
[ ${#names[@]} -eq 0 ] && names=($(ls -d $ZOO/*/ | xargs -n1 basename))
for m in "${names[@]}"; do
  d=$ZOO/$m
  args=$(python3 - "$d/info.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["compile_call"]
n = c["n_bits"]; a = []
if isinstance(n, dict): a += ["--n-bits-inputs", str(n["model_inputs"]), "--n-bits-outputs", str(n["model_outputs"])]
elif isinstance(n, int): a += ["--n-bits", str(n)]
if c.get("rounding_threshold_bits"): a += ["--rounding-threshold-bits", str(c["rounding_threshold_bits"])]
print(" ".join(a))
PY
)
  inputs=""; for f in $(ls $d/inputset*.npy | sort); do inputs="$inputs --inputset $f"; done
  tests=""; for f in $(ls $d/test_inputs_q*.npy | sort); do tests="$tests --input $f"; done
  if ! $TORUS compile $d/model.qonnx.onnx $inputs $args -o $OUT/$m.mlir > $OUT/$m.log 2>&1; then
    echo "$m: COMPILE FAIL: $(grep -v '^\s*$' $OUT/$m.log | tail -1)"; continue
  fi
  $TORUS run $OUT/$m.mlir --mode simulate $tests --raw -o $OUT/$m.out.npy > $OUT/$m.run.log 2>&1 || { echo "$m: RUN FAIL $(tail -1 $OUT/$m.run.log)"; continue; }
  floats=""; for f in $(ls $d/test_inputs*.npy | grep -v test_inputs_q | sort); do floats="$floats --input $f"; done
  $TORUS run $OUT/$m.mlir --mode simulate $floats -o $OUT/$m.float.npy > $OUT/$m.runf.log 2>&1 || echo "$m: FLOAT RUN FAIL $(tail -1 $OUT/$m.runf.log)"
  python3 - "$d" "$OUT/$m.out.npy" "$OUT/$m.mlir" "$OUT/$m.log" <<'PY'
import json, sys, numpy as np, re
d, out, mlir, log = sys.argv[1:]
exp = np.load(d + "/expected_simulate_q.npy"); got = np.load(out)
eq = int((got.reshape(exp.shape) == exp).sum()) if got.size == exp.size else -1
info = json.load(open(d + "/info.json"))
mb = info["maximum_integer_bit_width"]
m = re.search(r"Max bit-width: (\d+)", open(log).read())
ours = m.group(1) if m else "?"
import gzip, os
ref = open(d + "/mlir.txt").read() if os.path.exists(d + "/mlir.txt") else gzip.open(d + "/mlir.txt.gz", "rt").read()
same = open(mlir).read().strip() == ref.strip()
ef = np.load(d + "/expected_simulate.npy"); gf = np.load(out.replace(".out.npy", ".float.npy")).reshape(ef.shape)
feq = int((gf.astype(ef.dtype) == ef).sum())
print(f"{d.split('/')[-1]}: outputs {eq}/{exp.size} floats {feq}/{ef.size}  maxbits {ours}/{mb}  text {'identical' if same else 'differs'}")
PY
done
