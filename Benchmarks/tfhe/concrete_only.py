#!/usr/bin/env python3
"""Concrete's server-side ms per PBS for the 64-element TLU circuits (see concrete_compare.py)."""
import sys, os
sys.path.insert(0, os.path.dirname(__file__))
from concrete_compare import concrete_ms_per_pbs, ensure_concrete
if not ensure_concrete():
    sys.exit("concrete-python unavailable")
for p in [int(x) for x in (sys.argv[1] if len(sys.argv) > 1 else "1,2,3,4,5,6,7,8").split(",")]:
    ms, kg = concrete_ms_per_pbs(p, 3)
    print(f"concrete p={p} ms_per_pbs={ms:.3f} keygen_s={kg:.2f}", flush=True)
