#!/usr/bin/env python3
"""Load test for torus-serve on loopback: many concurrent clients submit a small circuit
(../shared/bench/tlu_p4_n64 by default), each job's latency is measured from submit to the
downloaded result, and every result is decrypted and checked.

usage: Benchmarks/serve/load.py [--clients 16] [--jobs 8] [--key-sets 4] [--servers 1]
                                [--database postgres://...] [--circuit NAME]
With --servers 2 the servers share one PostgreSQL (a fresh database is made in the server
--database points at) and one data directory; the script then checks in the database that every
job ran exactly once, and says how the jobs split between the servers.
Needs: swift build -c release --product torus --product torus-serve (done here), numpy.
"""
import argparse, hashlib, json, os, random, re, shutil, statistics, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.parse, urllib.request

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BENCH = os.path.join(ROOT, "..", "shared", "bench")
BIN = os.path.join(ROOT, ".build", "release")


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def request(method, url, body=None, headers=None, timeout=600):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def start_server(data, circuits, database, threads, log):
    args = [os.path.join(BIN, "torus-serve"), "--port", "0", "--data", data, "--circuits", circuits, "--threads", str(threads),
            "--log-level", "warning"]
    if database:
        args += ["--database", database]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(log, "a"), text=True)
    line = p.stdout.readline()
    m = re.search(r":(\d+)\s*$", line)
    if not m:
        raise SystemExit(f"torus-serve did not start: {line!r}; see {log}")
    return p, f"http://127.0.0.1:{m.group(1)}"


def peak_rss_mb(pid):
    try:
        for l in open(f"/proc/{pid}/status"):
            if l.startswith("VmHWM:"):
                return int(l.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--circuit", default="tlu_p4_n64")
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients (threads)")
    ap.add_argument("--jobs", type=int, default=8, help="jobs per client")
    ap.add_argument("--key-sets", type=int, default=4, help="distinct clients with their own keys (and tokens)")
    ap.add_argument("--servers", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="threads per job on each server (default: cores / servers)")
    ap.add_argument("--database", help="postgres://… (required with --servers > 1)")
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    a = ap.parse_args()
    if a.servers > 1 and not a.database:
        raise SystemExit("--servers > 1 needs --database postgres://… (e.g. $(bash scripts/postgres.sh))")
    threads = a.threads or max(1, os.cpu_count() // a.servers)

    subprocess.run(["swift", "build", "-c", "release", "--product", "torus", "--product", "torus-serve"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="torus-load-")
    spec = json.load(open(os.path.join(BENCH, a.circuit + ".json")))
    circuits = os.path.join(work, "circuits")
    os.makedirs(circuits)
    shutil.copy(os.path.join(BENCH, spec["mlir"]), os.path.join(circuits, a.circuit + ".mlir"))
    mlir = os.path.join(circuits, a.circuit + ".mlir")
    arg = spec["args"][0]
    x = np.array(arg["value"], dtype=np.int64).reshape(arg["shape"])
    np.save(os.path.join(work, "x.npy"), x)
    torus = os.path.join(BIN, "torus")

    database = None
    if a.database:
        name = f"torus_load_{os.getpid()}_{random.randrange(1 << 30)}"
        run("psql", a.database, "-qc", f"CREATE DATABASE {name}")
        u = urllib.parse.urlsplit(a.database)
        database = urllib.parse.urlunsplit(u._replace(path="/" + name))

    # Key sets: each made by torus keygen, its inputs encrypted once, its expected output known.
    keysets = []
    t0 = time.time()
    for k in range(a.key_sets):
        kd = os.path.join(work, f"keys{k}")
        run(torus, "keygen", mlir, "--keys", kd)
        run(torus, "encrypt", "--keys", kd, "--input", os.path.join(work, "x.npy"), "-o", os.path.join(work, f"x{k}.ct"))
        keysets.append(kd)
    print(f"keygen + encrypt for {a.key_sets} key sets: {time.time() - t0:.1f} s")
    expected = run(torus, "run", mlir, "--input", os.path.join(work, "x.npy"), "-o", os.path.join(work, "expected.npy"))
    expected = np.load(os.path.join(work, "expected.npy"))

    data = os.path.join(work, "data")
    servers = [start_server(data, circuits, database, threads, os.path.join(work, f"server{i}.log")) for i in range(a.servers)]
    urls = [u for _, u in servers]
    circuit_id = json.loads(request("GET", urls[0] + "/circuits")[1])[0]["id"]

    uploads = []
    t0 = time.time()
    for k, kd in enumerate(keysets):
        key = open(os.path.join(kd, "server", "server.key"), "rb").read()
        ident = open(os.path.join(kd, "server", "circuit.id")).read().split("\n")[1:4]
        status, body = request("PUT", urls[k % len(urls)] + f"/circuits/{circuit_id}/keys", key,
                               {"X-Torus-Key-Identity": ";".join(ident), "X-Torus-SHA256": hashlib.sha256(key).hexdigest()})
        if status != 201:
            raise SystemExit(f"key upload failed: {status} {body[:300]}")
        r = json.loads(body)
        uploads.append((r["keySet"]["id"], r["token"], open(os.path.join(work, f"x{k}.ct"), "rb").read()))
    key_mb = len(key) / 1e6
    print(f"uploaded {a.key_sets} key sets of {key_mb:.1f} MB in {time.time() - t0:.1f} s")

    latencies, errors, job_ids = [], [], []
    lock = threading.Lock()
    peak = [0.0]

    def client(c):
        keyset, token, ct = uploads[c % len(uploads)]
        url = urls[c % len(urls)]
        auth = {"Authorization": f"Bearer {token}"}
        for _ in range(a.jobs):
            t = time.time()
            status, body = request("POST", f"{url}/keys/{keyset}/jobs", ct, auth)
            if status != 202:
                with lock: errors.append(f"submit {status} {body[:200]}")
                continue
            job = json.loads(body)["id"]
            while True:
                status, body = request("GET", f"{url}/jobs/{job}", None, auth)
                state = json.loads(body)["state"] if status == 200 else "error"
                if state in ("done", "failed", "error"):
                    break
                time.sleep(0.02)
            if state != "done":
                with lock: errors.append(f"job {job}: {state} {body[:200]}")
                continue
            status, result = request("GET", f"{url}/jobs/{job}/result", None, auth)
            if status != 200:
                with lock: errors.append(f"result {status}")
                continue
            elapsed = time.time() - t
            out = os.path.join(work, f"out-{job}.ct")
            open(out, "wb").write(result)
            with lock:
                latencies.append(elapsed)
                job_ids.append((job, c % len(uploads), out))

    def watch():
        while any(t.is_alive() for t in workers):
            for p, _ in servers:
                peak[0] = max(peak[0], peak_rss_mb(p.pid))
            time.sleep(0.2)

    workers = [threading.Thread(target=client, args=(c,)) for c in range(a.clients)]
    t0 = time.time()
    for w in workers: w.start()
    watcher = threading.Thread(target=watch); watcher.start()
    for w in workers: w.join()
    watcher.join()
    wall = time.time() - t0
    for p, _ in servers:
        peak[0] = max(peak[0], peak_rss_mb(p.pid))

    # Decrypt every result with its client's keys.
    wrong = 0
    for job, k, out in job_ids:
        run(torus, "decrypt", "--keys", keysets[k], out, "-o", out + ".npy")
        if not np.array_equal(np.load(out + ".npy"), expected):
            wrong += 1

    total = a.clients * a.jobs
    lat = sorted(latencies)
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
    print(f"{a.circuit}: {a.clients} clients x {a.jobs} jobs = {total} jobs on {a.servers} server(s) "
          f"({a.database and 'postgres' or 'sqlite'}, {threads} threads per job)")
    print(f"  throughput {len(lat) / wall:.2f} jobs/s ({wall:.1f} s), latency p50 {pct(0.5) * 1000:.0f} ms, "
          f"p99 {pct(0.99) * 1000:.0f} ms, max {lat[-1] * 1000 if lat else 0:.0f} ms")
    print(f"  errors {len(errors)}, wrong results {wrong}, peak server memory {peak[0]:.0f} MB (keys {a.key_sets} x {key_mb:.1f} MB)")
    for e in errors[:5]:
        print("   ", e)
    ok = not errors and wrong == 0 and len(lat) == total
    if database:
        rows = run("psql", database, "-qAtF", " ", "-c",
                   "SELECT state, attempts, worker FROM jobs").stdout.split("\n")
        rows = [r.split(" ", 2) for r in rows if r]
        once = all(r[0] == "done" and r[1] == "1" for r in rows)
        by_worker = {}
        for r in rows:
            server = r[2].rsplit(":", 1)[0]
            by_worker[server] = by_worker.get(server, 0) + 1
        print(f"  database: {len(rows)} jobs, every job done exactly once: {once}; jobs per server: "
              + ", ".join(f"{v}" for v in sorted(by_worker.values(), reverse=True)))
        ok = ok and once and len(rows) == total
    for p, _ in servers:
        p.terminate()
        p.wait()
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("  kept", work)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
