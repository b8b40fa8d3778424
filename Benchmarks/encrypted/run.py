#!/usr/bin/env python3
"""Encrypted run time, server side only with keys ready: Torus vs concrete-python on the same MLIR.

Circuits (shared/bench): 64-element table lookups at p = 2, 4, 6, 8, 12, 14, 16 and the dense
16x8 + ReLU layer. Concrete: fhe.Server.create(mlir, fhe.Configuration()) (global_p_error 1e-5), keys
generated, then `server.run` timed (best of RUNS). Torus: `torus keygen` then `torus run --mode
encrypted --eval-keys` with --timing (the server step's own time, best of RUNS), with 1 and 2 threads
for the lookups. Should `torus keygen` refuse a circuit for want of key files (wide-lookup keys before
they had one), the circuit runs in one process (`torus run --mode encrypted --input x.npy --timing`),
which also times the server step alone.
Outputs of both are decrypted and compared with the fixture's expected values; evaluation-key sizes
(MB) of both are printed: ours from the parameter plan, Concrete's serialized evaluation keys.

usage: Benchmarks/encrypted/run.py [--runs 3] [--circuits tlu_p2_n64,tlu_p4_n64,...]
"""
import argparse, json, os, re, subprocess, sys, tempfile, time
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.environ.get("TORUS_SHARED", os.path.join(ROOT, "..", "shared"))
TORUS = os.path.join(ROOT, ".build", "release", "torus")


def concrete_time(mlir, inputs, runs):
    from concrete import fhe
    server = fhe.Server.create(mlir, fhe.Configuration())
    client = fhe.Client(server.client_specs)
    client.keys.generate()
    args = client.encrypt(*inputs)
    ek = client.evaluation_keys
    concrete_time.key_mb = len(ek.serialize()) / 1e6
    out = server.run(*args if isinstance(args, tuple) else (args,), evaluation_keys=ek)
    best = None
    for _ in range(runs):
        t = time.time()
        out = server.run(*args if isinstance(args, tuple) else (args,), evaluation_keys=ek)
        best = min(best or 1e9, time.time() - t)
    return best, np.array(client.decrypt(out))


def key_megabytes(plan_text):
    """Evaluation-key MB from the plan torus prints (bootstrapping + key switching + packing)."""
    m = re.search(r"keys: (.*)", plan_text)
    return sum(float(x) for x in re.findall(r"([\d.]+) MB", m.group(1))) if m else float("nan")


def torus_time(mlir_path, inputs, runs, threads, tmp):
    keys = os.path.join(tmp, "keys")
    paths = []
    for i, x in enumerate(inputs):
        p = os.path.join(tmp, f"in{i}.npy")
        np.save(p, np.asarray(x, dtype=np.int64))
        paths.append(p)
    inputs_args = sum([["--input", p] for p in paths], [])
    one_process = os.path.exists(os.path.join(tmp, "one-process"))
    if not one_process and not os.path.exists(keys):
        r = subprocess.run([TORUS, "keygen", mlir_path, "--keys", keys], capture_output=True, text=True)
        torus_time.key_mb = key_megabytes(r.stderr)
        if r.returncode != 0:
            if "wide-lookup (packing) keys" not in r.stderr:
                raise RuntimeError(r.stderr)
            open(os.path.join(tmp, "one-process"), "w").close()
            one_process = True
    best = None
    out = os.path.join(tmp, "out.npy")
    if one_process:
        for _ in range(runs):
            r = subprocess.run([TORUS, "run", mlir_path, "--mode", "encrypted", "--timing", "--threads", str(threads), "-o", out]
                               + inputs_args, check=True, capture_output=True, text=True)
            m = re.search(r"encrypted run: ([\d.]+) s", r.stderr)
            best = min(best or 1e9, float(m.group(1)))
        return best, np.load(out)
    ct = os.path.join(tmp, "in.ct")
    subprocess.run([TORUS, "encrypt", mlir_path, "--keys", keys, "-o", ct] + inputs_args, check=True)
    out_ct = os.path.join(tmp, "out.ct")
    for _ in range(runs):
        r = subprocess.run([TORUS, "run", mlir_path, "--mode", "encrypted", "--eval-keys", os.path.join(keys, "server"),
                            "--input", ct, "-o", out_ct, "--timing", "--threads", str(threads)], check=True, capture_output=True, text=True)
        m = re.search(r"encrypted run: ([\d.]+) s", r.stderr)
        best = min(best or 1e9, float(m.group(1)))
    subprocess.run([TORUS, "decrypt", mlir_path, out_ct, "--keys", keys, "-o", out], check=True)
    return best, np.load(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--circuits", default="tlu_p2_n64,tlu_p4_n64,tlu_p6_n64,tlu_p8_n64,dense_16x8_relu")
    ap.add_argument("--no-concrete", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(TORUS):
        subprocess.run(["swift", "build", "-c", "release", "--product", "torus"], cwd=ROOT, check=True)
    print(f"{'circuit':<18} {'torus_1t_s':>10} {'torus_2t_s':>10} {'speedup':>7} {'concrete_s':>10} {'ratio':>6} {'outputs':>8} {'keys_MB':>8} {'concrete_keys_MB':>16}")
    for name in a.circuits.split(","):
        meta = json.load(open(os.path.join(SHARED, "bench", name + ".json")))
        mlir_path = os.path.join(SHARED, "bench", meta["mlir"])
        inputs = [np.array(arg["value"]) for arg in meta["args"]]
        expected = np.array(meta["expected_outputs"][0]["value"])
        with tempfile.TemporaryDirectory() as tmp:
            try:
                t1, o1 = torus_time(mlir_path, inputs, a.runs, 1, tmp)
                t2, o2 = torus_time(mlir_path, inputs, a.runs, 2, tmp)
            except (RuntimeError, subprocess.CalledProcessError) as e:  # refused by the plan: say why, go on
                reason = str(e).strip().splitlines()[-1] if str(e).strip() else repr(e)
                print(f"{name:<18} refused by torus: {reason}", flush=True)
                continue
        ok = np.array_equal(o1.reshape(-1), expected.reshape(-1)) and np.array_equal(o2.reshape(-1), expected.reshape(-1))
        c = float("nan")
        concrete_time.key_mb = float("nan")
        if not a.no_concrete:
            try:
                c, co = concrete_time(open(mlir_path).read(), inputs, a.runs)
                ok = ok and np.array_equal(co.reshape(-1), expected.reshape(-1))
            except Exception as e:  # concrete-python missing or failing: say so, keep our figures
                print(f"  concrete-python failed on {name}: {e}", file=sys.stderr)
        print(f"{name:<18} {t1:>10.3f} {t2:>10.3f} {t1 / t2:>7.2f} {c:>10.3f} {t2 / c:>6.2f} {'ok' if ok else 'WRONG':>8}"
              f" {torus_time.key_mb:>8.1f} {concrete_time.key_mb:>16.1f}", flush=True)
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
