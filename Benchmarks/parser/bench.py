#!/usr/bin/env python3
"""Times torus-opt against mlir-opt-19 on the same files: alternating runs, median of N, peak RSS.

usage: bench.py TORUS_OPT MLIR_OPT RUNS FILE...
"""
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024  # MiB


def main():
    torus, mlir, runs, files = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    flags = ["--allow-unregistered-dialect", "--mlir-print-op-generic"]
    print(f"{'file':<24} {'MB':>6} {'torus s':>8} {'mlir s':>8} {'ratio':>6} {'torus MiB':>10} {'mlir MiB':>9}")
    rows = []
    for f in files:
        t, m, tr, mr = [], [], [], []
        for _ in range(runs):
            a, ra = run([torus, *flags, f, "-o", "/dev/null"])
            b, rb = run([mlir, *flags, f, "-o", "/dev/null"])
            t.append(a); tr.append(ra); m.append(b); mr.append(rb)
        mb = os.path.getsize(f) / 1e6
        tt, mm = statistics.median(t), statistics.median(m)
        rows.append((mb, tt))
        print(f"{os.path.basename(f):<24} {mb:6.1f} {tt:8.3f} {mm:8.3f} {tt / mm:6.2f} {max(tr):10.0f} {max(mr):9.0f}")
    if len(rows) >= 2:
        (m0, t0), (m1, t1) = rows[0], rows[-1]
        print(f"time growth {t1 / t0:.2f}x for size growth {m1 / m0:.2f}x")


if __name__ == "__main__":
    main()
