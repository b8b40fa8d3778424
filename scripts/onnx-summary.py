#!/usr/bin/env python3
"""Prints what Tests/TorusONNXTests expects of the chess models, computed with the `onnx`
package, to cross-check TorusONNX by hand (pip install onnx). Not used by the tests.

Usage: python3 scripts/onnx-summary.py [../shared/models]
"""
import collections
import glob
import os
import sys

import onnx
from onnx import numpy_helper

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "models")
for path in sorted(glob.glob(os.path.join(root, "*", "model*.onnx"))):
    m = onnx.load(path)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    producers = {o: n for n in g.node for o in n.output}
    conv = next(n for n in g.node if n.op_type == "Conv")
    weight = conv.input[1]
    if weight in producers:
        weight = producers[weight].input[0]
    w = numpy_helper.to_array(inits[weight])
    runtime = [[d.dim_value for d in i.type.tensor_type.shape.dim] for i in g.input if i.name not in inits]
    print(os.path.relpath(path, root))
    print(f"  ir {m.ir_version} opsets {dict((o.domain, o.version) for o in m.opset_import)} producer {m.producer_name}")
    print(f"  nodes {len(g.node)} ops {dict(collections.Counter(n.op_type for n in g.node))}")
    print(f"  initializers {len(g.initializer)} inputs {len(g.input)} runtime inputs {runtime}")
    print(f"  first conv weight {weight} {list(w.shape)} sum {sum(float(x) for x in w.flatten())!r}")
