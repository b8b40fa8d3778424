#!/usr/bin/env python3
"""Train a tiny quantization-aware MLP and export it as a Brevitas-style QONNX graph.

Needs numpy, torch (2.x) and onnx; Brevitas is not needed: the fake quantizers below follow
Brevitas' per-tensor integer quantizers and the exporter writes the graph Brevitas' QONNX export
produces for the same layers (opset 14, `onnx.brevitas.Quant` nodes, Gemm with transB=1).

    python3 Examples/mlp/make_model.py

Writes next to this file (all small, deterministic):
    mlp.qonnx.onnx       the model; graph input `x` float32 [1, 2], output float32 [1, 3]
    inputset.npy         200 training samples (float32 [200, 2]) for calibration
    test_inputs.npy      20 held-out samples (float32 [20, 2])
    test_labels.npy      their classes (int64 [20])
    expected_float.npy   the fake-quantized torch forward on test_inputs (float32 [20, 3])

Model (what Brevitas would call it):
    QuantIdentity(4b signed) -> QuantLinear(2, 16, 4b weights) -> QuantReLU(4b unsigned)
    -> QuantLinear(16, 16) -> QuantReLU -> QuantLinear(16, 3) -> QuantIdentity(4b signed)
"""
import os
import time

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0
N_CLASSES = 3
N_FEATURES = 2
HIDDEN = 16
BITS = 4
N_TRAIN, N_TEST_POOL = 3000, 600
N_INPUTSET, N_TEST = 200, 20
STEPS, BATCH, LR = 1500, 128, 0.01


# ----------------------------------------------------------------------------------------------
# Data: three interleaved spiral arms in the plane, with a little Gaussian noise.
# ----------------------------------------------------------------------------------------------
def make_spirals(n, rng):
    labels = rng.integers(0, N_CLASSES, size=n)
    t = rng.uniform(0.15, 1.0, size=n)  # position along the arm
    angle = 2.0 * np.pi * labels / N_CLASSES + 2.4 * np.pi * t
    radius = 1.6 * t
    pts = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    pts += rng.normal(scale=0.08, size=pts.shape)
    return pts.astype(np.float32), labels.astype(np.int64)


# ----------------------------------------------------------------------------------------------
# Fake quantization (straight-through estimator), Brevitas' per-tensor integer quantizer:
#   q = clip(round(x / scale + zero_point), lo, hi),   y = (q - zero_point) * scale
# torch.round is round-half-to-even, as numpy.rint.
# ----------------------------------------------------------------------------------------------
def int_bounds(bits, signed, narrow):
    if signed:
        return -(2 ** (bits - 1)) + (1 if narrow else 0), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1 - (1 if narrow else 0)


def round_ste(v):
    return v + (torch.round(v) - v).detach()


def fake_quant(x, scale, bits, signed, narrow, zero_point=0.0):
    lo, hi = int_bounds(bits, signed, narrow)
    q = torch.clamp(round_ste(x / scale + zero_point), lo, hi)
    return (q - zero_point) * scale


class ActQuant(torch.nn.Module):
    """QuantIdentity / the quantizer of a QuantReLU: a learned per-tensor scale (zero point 0)."""

    def __init__(self, signed):
        super().__init__()
        self.signed = signed
        self.scale = torch.nn.Parameter(torch.tensor(1.0))
        self.calibrating = False

    def forward(self, x):
        if self.calibrating:  # first pass: set the scale from the data, as a stats-based init
            lo, hi = int_bounds(BITS, self.signed, False)
            with torch.no_grad():
                self.scale.copy_(x.abs().max() / hi)
            return x
        return fake_quant(x, self.scale.abs(), BITS, self.signed, narrow=False)


class QuantLinear(torch.nn.Linear):
    """Linear with 4-bit signed narrow weights, scale = max |w| / 7 (Brevitas' weight default)."""

    def weight_scale(self):
        _, hi = int_bounds(BITS, True, True)
        return self.weight.abs().max() / hi

    def quant_weight(self):
        return fake_quant(self.weight, self.weight_scale(), BITS, signed=True, narrow=True)

    def forward(self, x):
        return torch.nn.functional.linear(x, self.quant_weight(), self.bias)


class QATMLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.quant_in = ActQuant(signed=True)
        self.fc1 = QuantLinear(N_FEATURES, HIDDEN)
        self.relu1 = ActQuant(signed=False)
        self.fc2 = QuantLinear(HIDDEN, HIDDEN)
        self.relu2 = ActQuant(signed=False)
        self.fc3 = QuantLinear(HIDDEN, N_CLASSES)
        self.quant_out = ActQuant(signed=True)

    def act_quants(self):
        return [self.quant_in, self.relu1, self.relu2, self.quant_out]

    def forward(self, x):
        x = self.quant_in(x)
        x = self.relu1(torch.relu(self.fc1(x)))
        x = self.relu2(torch.relu(self.fc2(x)))
        return self.quant_out(self.fc3(x))


def train(x_train, y_train):
    torch.manual_seed(SEED)
    model = QATMLP()
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for q in model.act_quants():
        q.calibrating = True
    with torch.no_grad():
        model(xt)
    for q in model.act_quants():
        q.calibrating = False
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, STEPS)
    gen = torch.Generator().manual_seed(SEED)
    for step in range(STEPS):
        idx = torch.randint(0, len(xt), (BATCH,), generator=gen)
        loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    return model.eval()


# ----------------------------------------------------------------------------------------------
# Export: the graph Brevitas' QONNX manager writes for this model.
# ----------------------------------------------------------------------------------------------
def export_qonnx(model, path):
    nodes, inits = [], []

    def const(name, value):
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def scalar_f32(t):
        return np.float32(t.detach().abs().item() if isinstance(t, torch.nn.Parameter) else t.item())

    # Brevitas shares the zero-point and bit-width constants between all its Quant nodes.
    zp = const("/quant_in/act_quant/export_handler/Constant_2_output_0", 0.0)
    bw = const("/quant_in/act_quant/export_handler/Constant_output_0", float(BITS))

    def quant(name, x, scale_name, signed, narrow, out=None):
        out = out or f"{name}/export_handler/Quant_output_0"
        nodes.append(helper.make_node(
            "Quant", [x, scale_name, zp, bw], [out], name=f"{name}/export_handler/Quant",
            domain="onnx.brevitas", narrow=int(narrow), rounding_mode="ROUND", signed=int(signed)))
        return out

    def act(name, x, q, out=None):
        s = const(f"{name}/export_handler/Constant_1_output_0", scalar_f32(q.scale))
        return quant(name, x, s, q.signed, False, out)

    def linear(name, x, layer):
        with torch.no_grad():  # weights exported already quantized (Brevitas 0.10 behaviour)
            w = layer.quant_weight().numpy().astype(np.float32)
            ws = np.float32(layer.weight_scale().item())
            b = layer.bias.numpy().astype(np.float32)
        w_name = const(f"/{name}/weight_quant/export_handler/Constant_output_0", w)
        s_name = const(f"/{name}/weight_quant/export_handler/Constant_1_output_0", ws)
        wq = quant(f"/{name}/weight_quant", w_name, s_name, True, True)
        b_name = const(f"{name}.bias", b)
        out = f"/{name}/Gemm_output_0"
        nodes.append(helper.make_node("Gemm", [x, wq, b_name], [out], name=f"/{name}/Gemm",
                                      alpha=1.0, beta=1.0, transB=1))
        return out

    def relu(name, x):
        out = f"/{name}/act_quant/activation_impl/Relu_output_0"
        nodes.append(helper.make_node("Relu", [x], [out], name=f"/{name}/act_quant/activation_impl/Relu"))
        return out

    h = act("/quant_in/act_quant", "x", model.quant_in)
    h = linear("fc1", h, model.fc1)
    h = act("/relu1/act_quant", relu("relu1", h), model.relu1)
    h = linear("fc2", h, model.fc2)
    h = act("/relu2/act_quant", relu("relu2", h), model.relu2)
    h = linear("fc3", h, model.fc3)
    act("/quant_out/act_quant", h, model.quant_out, out="y")

    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, N_FEATURES])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, N_CLASSES])],
        initializer=inits)
    m = helper.make_model(graph, producer_name="torus-examples-mlp", producer_version="1",
                          opset_imports=[helper.make_opsetid("", 14), helper.make_opsetid("onnx.brevitas", 1)])
    m.ir_version = 7
    onnx.checker.check_model(m)  # the custom-domain Quant is not checked, everything else is
    onnx.save(m, path)
    return m


# ----------------------------------------------------------------------------------------------
# A small numpy evaluator of the exported graph (float64, as Concrete-ML evaluates it).
# ----------------------------------------------------------------------------------------------
def run_graph(m, x):
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
    env[m.graph.input[0].name] = x.astype(np.float64)
    for n in m.graph.node:
        a = {at.name: helper.get_attribute_value(at) for at in n.attribute}
        ins = [env[i] for i in n.input]
        if n.op_type == "Quant":
            assert n.domain == "onnx.brevitas" and a["rounding_mode"] == b"ROUND"
            v, s, z, b = ins
            lo, hi = int_bounds(int(b), bool(a["signed"]), bool(a["narrow"]))
            y = (np.clip(np.rint(v / s + z), lo, hi) - z) * s
        elif n.op_type == "Gemm":
            assert a.get("alpha", 1.0) == 1.0 and a.get("transB", 0) == 1 and not a.get("transA", 0)
            y = ins[0] @ ins[1].T + a.get("beta", 1.0) * ins[2]
        elif n.op_type == "Relu":
            y = np.maximum(ins[0], 0.0)
        elif n.op_type == "Identity":
            y = ins[0]
        else:
            raise ValueError(f"unsupported op {n.op_type}")
        env[n.output[0]] = y
    return env[m.graph.output[0].name]


def main():
    torch.set_num_threads(1)  # bit-for-bit reproducible training
    rng = np.random.default_rng(SEED)
    x_train, y_train = make_spirals(N_TRAIN, rng)
    x_pool, y_pool = make_spirals(N_TEST_POOL, rng)

    t0 = time.time()
    model = train(x_train, y_train)
    print(f"trained {STEPS} steps in {time.time() - t0:.1f} s")

    with torch.no_grad():
        pool_out = model(torch.from_numpy(x_pool)).numpy()
        train_acc = (model(torch.from_numpy(x_train)).numpy().argmax(1) == y_train).mean()
    print(f"QAT model accuracy: train {train_acc:.3f}, held-out ({N_TEST_POOL}) {(pool_out.argmax(1) == y_pool).mean():.3f}")
    print("scales: " + ", ".join(f"{n} {q.scale.abs().item():.5f}" for n, q in
                                 zip(["in", "relu1", "relu2", "out"], model.act_quants()))
          + ", weights " + ", ".join(f"{l.weight_scale().item():.5f}" for l in [model.fc1, model.fc2, model.fc3]))

    m = export_qonnx(model, os.path.join(HERE, "mlp.qonnx.onnx"))

    # Check the exported graph against the torch fake-quant model on the whole held-out pool.
    graph_out = np.concatenate([run_graph(m, x_pool[i:i + 1]) for i in range(len(x_pool))])
    diff = np.abs(graph_out - pool_out.astype(np.float64))
    same = (graph_out.astype(np.float32) == pool_out).all(axis=1).sum()
    print(f"exported graph (numpy, float64) vs torch fake-quant (float32), {N_TEST_POOL} samples: "
          f"max abs diff {diff.max():.3g}, rows equal in float32 {same}/{N_TEST_POOL}, "
          f"argmax agreement {(graph_out.argmax(1) == pool_out.argmax(1)).sum()}/{N_TEST_POOL}")

    x_test, y_test = x_pool[:N_TEST], y_pool[:N_TEST]
    expected = pool_out[:N_TEST].astype(np.float32)
    print(f"test set ({N_TEST}): accuracy {(expected.argmax(1) == y_test).mean():.3f}, "
          f"graph vs torch max abs diff {diff[:N_TEST].max():.3g}")
    np.save(os.path.join(HERE, "inputset.npy"), x_train[:N_INPUTSET])
    np.save(os.path.join(HERE, "test_inputs.npy"), x_test)
    np.save(os.path.join(HERE, "test_labels.npy"), y_test)
    np.save(os.path.join(HERE, "expected_float.npy"), expected)
    print("wrote mlp.qonnx.onnx, inputset.npy, test_inputs.npy, test_labels.npy, expected_float.npy in " + HERE)


if __name__ == "__main__":
    main()
