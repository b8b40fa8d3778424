#!/usr/bin/env python3
"""Compare Torus's TFHE PBS time with Concrete's on this machine, for the same precisions.

Concrete side: concrete-python (pip-installed if missing) compiles the 64-element table lookup
`shared/bench/tlu_p{p}_n64.mlir` with `fhe.Server.create(mlir_text, fhe.Configuration())`
(config B, the same parameters as `ParameterSet.concrete(precision:)`), generates keys, and
times `server.run` only (server-side, both cores). Torus side: `torus-bench pbs` (release build),
whose `threads=all` line runs 64 independent KS+PBS over all cores.

Usage: python3 Benchmarks/tfhe/concrete_compare.py --precisions 1,2,3,4,5,6,7,8 [--runs 3]
Prints one line per precision with both times (ms per PBS) and the ratio ours/Concrete.
"""
import argparse, os, re, subprocess, sys, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.environ.get("TORUS_SHARED", os.path.join(ROOT, "..", "shared"))


def ensure_concrete():
    try:
        import concrete.fhe  # noqa: F401
        return True
    except ImportError:
        print("installing concrete-python ...", file=sys.stderr)
        # concrete-python 2.11 still imports pkg_resources, which setuptools >= 81 dropped.
        r = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "concrete-python", "setuptools<80"])
        if r.returncode != 0:
            return False
        try:
            import concrete.fhe  # noqa: F401
            return True
        except ImportError:
            return False


def concrete_ms_per_pbs(p, runs):
    import numpy as np
    from concrete import fhe
    mlir = open(os.path.join(SHARED, "bench", f"tlu_p{p}_n64.mlir")).read()
    server = fhe.Server.create(mlir, fhe.Configuration())
    client = fhe.Client(server.client_specs)
    t0 = time.time()
    client.keys.generate()
    keygen = time.time() - t0
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2 ** p, size=64)
    args = client.encrypt(x)
    ek = client.evaluation_keys
    server.run(args, evaluation_keys=ek)  # warm-up
    best = None
    for _ in range(runs):
        t = time.time()
        server.run(args, evaluation_keys=ek)
        dt = time.time() - t
        best = dt if best is None else min(best, dt)
    return best * 1000 / 64, keygen


def torus_lines(precisions, count):
    exe = os.path.join(ROOT, ".build", "release", "torus-bench")
    if not os.path.exists(exe):
        subprocess.run(["swift", "build", "-c", "release", "--product", "torus-bench"], cwd=ROOT, check=True)
    out = subprocess.run([exe, "pbs", "--precisions", ",".join(map(str, precisions)), "--count", str(count)],
                         check=True, capture_output=True, text=True).stdout
    print(out, end="")
    res = {}
    for line in out.splitlines():
        m = re.match(r"p=(\d+) threads=(\S+) ms_per_pbs=([\d.]+)", line)
        if m:
            res[(int(m.group(1)), m.group(2))] = float(m.group(3))
        m = re.match(r"p=(\d+) .*keygen_s=([\d.]+) bsk_bytes=(\d+) ksk_bytes=(\d+)", line)
        if m:
            res[(int(m.group(1)), "keys")] = (float(m.group(2)), int(m.group(3)), int(m.group(4)))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--precisions", default="1,2,3,4,5,6,7,8")
    ap.add_argument("--count", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    ps = [int(p) for p in a.precisions.split(",")]
    ours = torus_lines(ps, a.count)
    have = ensure_concrete()
    if not have:
        print("concrete-python could not be installed: no Concrete comparison on this machine")
    import json
    params = json.load(open(os.path.join(SHARED, "spec", "concrete-params.json")))
    ckeys = {e["precision_bits"]: e["B"]["bytes"] for e in params["entries"] if e["tensor_elements"] == 64}
    print(f"{'p':>2} {'torus_1t_ms':>12} {'torus_all_ms':>13} {'concrete_ms':>12} {'ratio':>6} "
          f"{'torus_keygen_s':>15} {'concrete_keygen_s':>18} {'torus_key_MB':>13} {'concrete_key_MB':>16}")
    for p in ps:
        c, ck = concrete_ms_per_pbs(p, a.runs) if have else (float("nan"), float("nan"))
        o1 = ours.get((p, "1"), float("nan"))
        oa = ours.get((p, "all"), float("nan"))
        kg, bsk, ksk = ours.get((p, "keys"), (float("nan"), 0, 0))
        cb = ckeys.get(p, {})
        cmb = (cb.get("bootstrap_keys", 0) + cb.get("keyswitch_keys", 0)) / 1e6
        print(f"{p:>2} {o1:>12.2f} {oa:>13.2f} {c:>12.2f} {oa / c:>6.2f} {kg:>15.2f} {ck:>18.2f} "
              f"{(bsk + ksk) / 1e6:>13.1f} {cmb:>16.1f}", flush=True)
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
