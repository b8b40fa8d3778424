#!/usr/bin/env python3
"""Writes a Concrete-ML-style FHE circuit of about SIZE megabytes, for parser/printer benchmarks.

Layers repeat conv2d -> mapped table lookup -> matmul -> table lookup, with big dense constants in
both spellings real files use: hex blobs (dense<"0x...">) and decimal lists. Deterministic (seeded).

usage: generate_circuit.py SIZE_MB OUT.mlir
"""
import random
import sys


def hex_blob(rng, count, width_bytes, bits):
    mask = (1 << bits) - 1
    out = []
    for _ in range(count):
        v = rng.getrandbits(bits) & mask
        out.append(v.to_bytes(width_bytes, "little").hex().upper())
    return "".join(out)


def decimal_list(rng, shape, lo, hi):
    if len(shape) == 1:
        return "[" + ", ".join(str(rng.randint(lo, hi)) for _ in range(shape[0])) + "]"
    return "[" + ", ".join(decimal_list(rng, shape[1:], lo, hi) for _ in range(shape[0])) + "]"


def main():
    size_mb, path = float(sys.argv[1]), sys.argv[2]
    target = int(size_mb * 1_000_000)
    rng = random.Random(20261125)
    ch, hw, p = 64, 8, 9
    lines = ["module {", f"  func.func @main(%arg0: tensor<1x{ch}x{hw}x{hw}x!FHE.esint<{p}>>) -> tensor<1x{ch}x{hw}x{hw}x!FHE.eint<{p}>> {{"]
    size = sum(len(s) + 1 for s in lines)
    cur = "%arg0"
    cur_signed = True
    n = 0
    while size < target:
        new = []
        # conv2d with 5-bit weights in hex (1 byte per element)
        w = hex_blob(rng, ch * ch * 9, 1, 5)
        new.append(f'    %w{n} = arith.constant dense<"0x{w}"> : tensor<{ch}x{ch}x3x3xi5>')
        src = cur
        if not cur_signed:
            new.append(f'    %s{n} = "FHELinalg.to_signed"({cur}) : (tensor<1x{ch}x{hw}x{hw}x!FHE.eint<{p}>>) -> tensor<1x{ch}x{hw}x{hw}x!FHE.esint<{p}>>')
            src = f"%s{n}"
        new.append(f'    %c{n} = "FHELinalg.conv2d"({src}, %w{n}) {{dilations = dense<1> : tensor<2xi64>, group = 1 : i64, padding = dense<1> : tensor<4xi64>, strides = dense<1> : tensor<2xi64>}} : (tensor<1x{ch}x{hw}x{hw}x!FHE.esint<{p}>>, tensor<{ch}x{ch}x3x3xi5>) -> tensor<1x{ch}x{hw}x{hw}x!FHE.esint<{p}>>')
        # per-channel tables (hex, i64) and the index map (hex, index)
        tables = hex_blob(rng, ch * (1 << p), 8, 4)
        new.append(f'    %t{n} = arith.constant dense<"0x{tables}"> : tensor<{ch}x{1 << p}xi64>')
        idx = "".join((c).to_bytes(8, "little").hex().upper() for c in range(ch) for _ in range(hw * hw))
        new.append(f'    %m{n} = arith.constant dense<"0x{idx}"> : tensor<1x{ch}x{hw}x{hw}xindex>')
        new.append(f'    %l{n} = "FHELinalg.apply_mapped_lookup_table"(%c{n}, %t{n}, %m{n}) : (tensor<1x{ch}x{hw}x{hw}x!FHE.esint<{p}>>, tensor<{ch}x{1 << p}xi64>, tensor<1x{ch}x{hw}x{hw}xindex>) -> tensor<1x{ch}x{hw}x{hw}x!FHE.eint<{p}>>')
        # a dense layer in decimal: collapse, matmul, expand, table lookup
        new.append(f'    %f{n} = tensor.collapse_shape %l{n} [[0], [1, 2, 3]] : tensor<1x{ch}x{hw}x{hw}x!FHE.eint<{p}>> into tensor<1x{ch * hw * hw}x!FHE.eint<{p}>>')
        k = ch * hw * hw
        wd = decimal_list(rng, [k, 64], -15, 15)
        new.append(f"    %d{n} = arith.constant dense<{wd}> : tensor<{k}x64xi5>")
        new.append(f'    %g{n} = "FHELinalg.matmul_eint_int"(%f{n}, %d{n}) : (tensor<1x{k}x!FHE.eint<{p}>>, tensor<{k}x64xi5>) -> tensor<1x64x!FHE.eint<{p}>>')
        lut = decimal_list(rng, [1 << p], 0, 15)
        new.append(f"    %u{n} = arith.constant dense<{lut}> : tensor<{1 << p}xi64>")
        new.append(f'    %r{n} = "FHELinalg.apply_lookup_table"(%g{n}, %u{n}) : (tensor<1x64x!FHE.eint<{p}>>, tensor<{1 << p}xi64>) -> tensor<1x64x!FHE.eint<{p}>>')
        cur, cur_signed = f"%l{n}", False
        lines += new
        size += sum(len(s) + 1 for s in new)
        n += 1
    lines.append(f"    return {cur} : tensor<1x{ch}x{hw}x{hw}x!FHE.eint<{p}>>")
    lines += ["  }", "}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{path}: {size / 1e6:.1f} MB, {n} layers", file=sys.stderr)


if __name__ == "__main__":
    main()
