#!/usr/bin/env python3
"""Writes a circuit that only runs encrypted in residues (CRT), with an input and its expected output.

128 four-bit inputs go through an identity lookup (to 13 bits, so they carry lookup-output noise),
a 128x64 matmul with weights in [-15, 15] (2-norm up to ~115), and a signed 13-bit lookup to 4 bits:
natively the 13-bit input would need output noise near 2^-25, which vertical packing does not reach,
so the plan puts the values in residues (Spec/Encrypted.md, "Values in residues").

    python3 Benchmarks/encrypted/make_crt_circuit.py OUT_DIR
    torus-opt OUT_DIR/crt13.mlir --fhe-cost-report -o /dev/null
    torus run OUT_DIR/crt13.mlir --mode encrypted --input OUT_DIR/x.npy --timing -o OUT_DIR/out.npy
    # OUT_DIR/out.npy must equal OUT_DIR/expected.npy
"""
import os
import sys

import numpy as np


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    k, o = 128, 64
    w = rng.integers(-15, 16, size=(k, o))
    x = rng.integers(0, 16, size=(1, k))
    sums = x @ w
    assert -4096 <= sums.min() and sums.max() < 4096, "sums must fit 13 signed bits"

    def f(v: int) -> int:
        return int(min(15, max(0, (v + 4096) >> 9)))

    table = [f(j if j < 4096 else j - 8192) for j in range(8192)]
    fmt = lambda a: "[" + ", ".join(str(int(v)) for v in a) + "]"
    weights = "[" + ", ".join(fmt(r) for r in w) + "]"
    mlir = f"""module {{
  func.func @main(%arg0: tensor<1x{k}x!FHE.eint<4>>) -> tensor<1x{o}x!FHE.eint<4>> {{
    %cst = arith.constant dense<{fmt(range(16))}> : tensor<16xi64>
    %0 = "FHELinalg.apply_lookup_table"(%arg0, %cst) : (tensor<1x{k}x!FHE.eint<4>>, tensor<16xi64>) -> tensor<1x{k}x!FHE.eint<13>>
    %1 = "FHELinalg.to_signed"(%0) : (tensor<1x{k}x!FHE.eint<13>>) -> tensor<1x{k}x!FHE.esint<13>>
    %cst_0 = arith.constant dense<{weights}> : tensor<{k}x{o}xi5>
    %2 = "FHELinalg.matmul_eint_int"(%1, %cst_0) : (tensor<1x{k}x!FHE.esint<13>>, tensor<{k}x{o}xi5>) -> tensor<1x{o}x!FHE.esint<13>>
    %cst_1 = arith.constant dense<{fmt(table)}> : tensor<8192xi64>
    %3 = "FHELinalg.apply_lookup_table"(%2, %cst_1) : (tensor<1x{o}x!FHE.esint<13>>, tensor<8192xi64>) -> tensor<1x{o}x!FHE.eint<4>>
    return %3 : tensor<1x{o}x!FHE.eint<4>>
  }}
}}
"""
    with open(os.path.join(out, "crt13.mlir"), "w") as fh:
        fh.write(mlir)
    np.save(os.path.join(out, "x.npy"), x.astype(np.int64))
    np.save(os.path.join(out, "expected.npy"), np.array([[f(v) for v in sums[0]]], dtype=np.int64))
    print(f"wrote {out}/crt13.mlir, x.npy, expected.npy (max 2-norm {np.sqrt((w ** 2).sum(0)).max():.1f})")


if __name__ == "__main__":
    main()
