#!/usr/bin/env bash
# The chess example: compile both FHE.Chess networks (Brevitas QAT, from ../shared/models) to FHE
# circuits, then play a few positions in simulate mode and print the top-k from/to squares, as the
# original project does: the source network scores the 64 from-squares, the target network scores the
# to-squares given the board and the chosen from-square.
# With ENCRYPTED > 0 it then runs that many boards through the source network on real TFHE
# ciphertexts, compiled with exact rounding to 4 bits (about 2 minutes per board at h8 on 2 cores),
# and compares the decrypted scores with simulate mode on the same circuit.
#
# usage: Examples/chess/run.sh [HIDDEN=h8] [BOARDS=3] [K=3] [ENCRYPTED=0]   (outputs in .build-chess/)
set -euo pipefail
cd "$(dirname "$0")/../.."
hidden=${1:-h8}; boards=${2:-3}; k=${3:-3}; encrypted=${4:-0}
for n in "$boards" "$k" "$encrypted"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "error: BOARDS, K and ENCRYPTED must be whole numbers, got '$n'" >&2; exit 2; }
done
[ "$encrypted" -le "$boards" ] || { echo "error: ENCRYPTED ($encrypted) cannot exceed BOARDS ($boards)" >&2; exit 2; }
models=../shared/models
[ -d "$models/chess-source-$hidden" ] || { echo "error: $models/chess-source-$hidden not found (shared data)" >&2; exit 1; }
swift build -c release --product torus >&2
torus=.build/release/torus
out=.build-chess
mkdir -p "$out"
src=$models/chess-source-$hidden; tgt=$models/chess-target-$hidden

echo "== compile chess-source-$hidden -> $out/mlir_source.txt"
$torus compile "$src/model.qonnx.onnx" --inputset "$src/inputset.npy" --n-bits-inputs 4 --n-bits-outputs 4 -o "$out/mlir_source.txt"
echo "== compile chess-target-$hidden -> $out/mlir_target.txt"
$torus compile "$tgt/model.qonnx.onnx" --inputset "$tgt/inputset_board.npy" --inputset "$tgt/inputset_source.npy" \
  --n-bits-inputs 4 --n-bits-outputs 4 -o "$out/mlir_target.txt"

python3 - "$src/test_inputs.npy" "$out" "$boards" <<'PY'
import sys, numpy as np
boards = np.load(sys.argv[1])[: int(sys.argv[3])]
np.save(sys.argv[2] + "/boards.npy", boards.astype(np.float32))
PY
echo "== simulate the source network on $boards boards"
$torus run "$out/mlir_source.txt" --mode simulate --input "$out/boards.npy" --output "$out/source_scores.npy" --timing

# For each board, the best from-square becomes the target network's one-hot source input.
python3 - "$out" "$k" <<'PY'
import sys, numpy as np
out, k = sys.argv[1], int(sys.argv[2])
scores = np.load(out + "/source_scores.npy").reshape(-1, 64)
onehot = np.zeros((len(scores), 64), dtype=np.float32)
onehot[np.arange(len(scores)), scores.argmax(axis=1)] = 1
np.save(out + "/sources.npy", onehot)
PY
echo "== simulate the target network"
$torus run "$out/mlir_target.txt" --mode simulate --input "$out/boards.npy" --input "$out/sources.npy" --output "$out/target_scores.npy" --timing

python3 - "$out" "$k" <<'PY'
import sys, numpy as np
out, k = sys.argv[1], int(sys.argv[2])
def name(i):  # output index 0..63 -> square: a1 = 0 ... h8 = 63 (python-chess numbering, as FHE.Chess labels
    return "abcdefgh"[i % 8] + str(i // 8 + 1)  # its targets; only the input planes start at a8)
src = np.load(out + "/source_scores.npy").reshape(-1, 64)
tgt = np.load(out + "/target_scores.npy").reshape(-1, 64)
for b in range(len(src)):
    top_from = np.argsort(-src[b], kind="stable")[:k]
    top_to = np.argsort(-tgt[b], kind="stable")[:k]
    print(f"board {b}: from " + ", ".join(f"{name(i)} ({src[b][i]:.2f})" for i in top_from)
          + f" | best from {name(top_from[0])} -> to " + ", ".join(f"{name(i)} ({tgt[b][i]:.2f})" for i in top_to))
PY

if [ "$encrypted" -gt 0 ]; then
  echo "== encrypted: chess-source-$hidden with exact rounding to 4 bits, $encrypted board(s), against simulate"
  $torus compile "$src/model.qonnx.onnx" --inputset "$src/inputset.npy" --n-bits-inputs 4 --n-bits-outputs 4 \
    --rounding-threshold-bits 4 -o "$out/mlir_source_r4.txt"
  python3 - "$out" "$encrypted" <<'PY'
import sys, numpy as np
out, n = sys.argv[1], int(sys.argv[2])
np.save(out + "/boards_encrypted.npy", np.load(out + "/boards.npy")[:n])
PY
  $torus run "$out/mlir_source_r4.txt" --mode simulate --input "$out/boards_encrypted.npy" --output "$out/source_r4_simulate.npy"
  $torus run "$out/mlir_source_r4.txt" --mode encrypted --input "$out/boards_encrypted.npy" --output "$out/source_r4_encrypted.npy" --timing
  python3 - "$out" <<'PY'
import sys, numpy as np
out = sys.argv[1]
s, e = np.load(out + "/source_r4_simulate.npy"), np.load(out + "/source_r4_encrypted.npy")
print(f"encrypted == simulate: {int((s == e).sum())}/{s.size} scores, best from-square equal on "
      f"{int((s.reshape(-1, 64).argmax(1) == e.reshape(-1, 64).argmax(1)).sum())}/{len(s.reshape(-1, 64))} boards")
sys.exit(0 if (s == e).all() else 1)
PY
fi
