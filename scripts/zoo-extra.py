#!/usr/bin/env python
"""More Brevitas QAT models, compiled by Concrete-ML, in the zoo's folder layout: models the
compiler was not fitted to, to check `torus compile` on unseen graphs.

It imports ../shared/models/zoo/make_zoo.py (its data, training and `build`, unchanged), registers
the networks below instead of the zoo's and writes their folders to OUT (default
/tmp/zoo-extra). Needs the zoo's Python stack (concrete-ml 1.9.0, brevitas 0.10.2, torch 2.3.1);
`scripts/zoo-check.sh` then compares `torus compile` with them:

    /path/to/venv/bin/python scripts/zoo-extra.py [--out DIR] [--only NAME ...]
    ZOO=/tmp/zoo-extra bash scripts/zoo-check.sh
"""

import argparse
import os
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "shared" / "models" / "zoo"))

import make_zoo as zoo  # noqa: E402  pylint: disable=wrong-import-position
import torch  # noqa: E402
from brevitas import nn as qnn  # noqa: E402
from torch import nn  # noqa: E402


class MlpExoticActivations(nn.Module):
    """Linear -> ELU -> Linear -> SELU -> Linear -> Softplus -> Linear -> Hardswish -> Linear,
    each activation followed by a QuantIdentity."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.fcs = nn.ModuleList(qnn.QuantLinear(16, 16, bias=True, weight_bit_width=4) for _ in range(4))
        self.acts = nn.ModuleList([nn.ELU(0.7), nn.SELU(), nn.Softplus(), nn.Hardswish()])
        self.qs = nn.ModuleList(qnn.QuantIdentity(bit_width=4, return_quant_tensor=True) for _ in range(4))
        self.fc = qnn.QuantLinear(16, 10, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=6)

    def forward(self, x):
        x = self.q_in(x)
        for fc, act, q in zip(self.fcs, self.acts, self.qs):
            x = q(act(fc(x)))
        return self.q_out(self.fc(x))


class MlpPreluMish(nn.Module):
    """Linear -> PReLU (per channel) -> Linear -> Mish -> Linear -> Hardsigmoid, bare output Linear."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc1 = qnn.QuantLinear(16, 12, bias=True, weight_bit_width=5)
        self.prelu = nn.PReLU(12)
        self.q1 = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.fc2 = qnn.QuantLinear(12, 12, bias=True, weight_bit_width=5)
        self.mish = nn.Mish()
        self.q2 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc3 = qnn.QuantLinear(12, 12, bias=False, weight_bit_width=5)
        self.hsig = nn.Hardsigmoid()
        self.q3 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc4 = qnn.QuantLinear(12, 10, bias=True, weight_bit_width=5)

    def forward(self, x):
        x = self.q1(self.prelu(self.fc1(self.q_in(x))))
        x = self.q2(self.mish(self.fc2(x)))
        x = self.q3(self.hsig(self.fc3(x)))
        return self.fc4(x)


class CnnRectKernel(nn.Module):
    """Conv 3x5 stride (2, 1) pad (1, 2) -> ReLU -> Conv 2x2 stride 2 -> QuantHardTanh ->
    MaxPool 2 stride 1 -> QuantIdentity -> Flatten -> Linear, 7-bit weights, rounding 6."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=7, return_quant_tensor=True)
        self.conv1 = qnn.QuantConv2d(1, 6, (3, 5), stride=(2, 1), padding=(1, 2), bias=True, weight_bit_width=7)
        self.act1 = qnn.QuantReLU(bit_width=7, return_quant_tensor=True)
        self.conv2 = qnn.QuantConv2d(6, 8, 2, stride=2, bias=True, weight_bit_width=7)
        self.act2 = qnn.QuantHardTanh(bit_width=6, min_val=-2.0, max_val=2.0, return_quant_tensor=True)
        self.pool = nn.MaxPool2d(2, stride=1)
        self.q_pool = qnn.QuantIdentity(bit_width=6, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(8 * 1 * 3, 10, bias=True, weight_bit_width=7)
        self.q_out = qnn.QuantIdentity(bit_width=7)

    def forward(self, x):
        x = self.act1(self.conv1(self.q_in(x)))
        x = self.q_pool(self.pool(self.act2(self.conv2(x))))
        return self.q_out(self.fc(torch.flatten(x, 1)))


class Cnn1dPool(nn.Module):
    """Waves: Conv1d -> ReLU -> MaxPool1d -> QuantIdentity -> Conv1d -> ReLU -> AvgPool1d ->
    QuantIdentity -> Flatten -> Linear."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.conv1 = qnn.QuantConv1d(2, 6, 3, padding=1, bias=True, weight_bit_width=4)
        self.act1 = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.pool1 = nn.MaxPool1d(2)
        self.q1 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.conv2 = qnn.QuantConv1d(6, 6, 3, padding=1, bias=False, weight_bit_width=4)
        self.act2 = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.pool2 = nn.AvgPool1d(4)
        self.q2 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(6 * 4, 4, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        x = self.q1(self.pool1(self.act1(self.conv1(self.q_in(x)))))
        x = self.q2(self.pool2(self.act2(self.conv2(x))))
        return self.q_out(self.fc(torch.flatten(x, 1)))


class GatherIndices(nn.Module):
    """Digit vectors: a constant index list picks 8 of 16 features (Gather with an index
    tensor) -> Linear -> ReLU -> Linear."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.register_buffer("idx", torch.tensor([0, 2, 5, 6, 9, 10, 13, 15]))
        self.fc1 = qnn.QuantLinear(8, 16, bias=True, weight_bit_width=4)
        self.act = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.fc2 = qnn.QuantLinear(16, 10, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        x = self.q_in(x)
        x = x.value if hasattr(x, "value") else x
        x = self.act(self.fc1(x[:, self.idx]))
        return self.q_out(self.fc2(x))


class MulBroadcast(nn.Module):
    """Digit vectors: a gate branch of one unit multiplies a 12-unit branch (broadcast Mul of
    two encrypted tensors), then Linear."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc_a = qnn.QuantLinear(16, 12, bias=True, weight_bit_width=4)
        self.fc_g = qnn.QuantLinear(16, 1, bias=True, weight_bit_width=4)
        self.q_a = qnn.QuantIdentity(bit_width=4)
        self.q_g = qnn.QuantIdentity(bit_width=3)
        self.q_mul = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(12, 10, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        x = self.q_in(x)
        a = self.q_a(self.fc_a(x))
        g = self.q_g(self.fc_g(x))
        return self.q_out(self.fc(self.q_mul(a * g)))


class MulOfSum(nn.Module):
    """Digit vectors: (a + b) * c of three Linear branches: the Mul reads the Add's calibrated
    quantizer (a nonzero zero point)."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fa = qnn.QuantLinear(16, 12, bias=True, weight_bit_width=4)
        self.fb = qnn.QuantLinear(16, 12, bias=True, weight_bit_width=4)
        self.fc_c = qnn.QuantLinear(16, 12, bias=True, weight_bit_width=4)
        self.qa = qnn.QuantIdentity(bit_width=4)
        self.qb = qnn.QuantIdentity(bit_width=4)
        self.qc = qnn.QuantIdentity(bit_width=4)
        self.q_mul = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(12, 10, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        x = self.q_in(x)
        s = self.qa(self.fa(x)) + self.qb(self.fb(x))
        return self.q_out(self.fc(self.q_mul(s * self.qc(self.fc_c(x)))))


class DivBranches(nn.Module):
    """Digit vectors: a / (1 + relu(b)) of two Linear branches (an encrypted Div)."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fa = qnn.QuantLinear(16, 12, bias=True, weight_bit_width=4)
        self.fb = qnn.QuantLinear(16, 12, bias=True, weight_bit_width=4)
        self.qa = qnn.QuantIdentity(bit_width=4)
        self.qb = qnn.QuantReLU(bit_width=4)
        self.q_div = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(12, 10, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        x = self.q_in(x)
        a = self.qa(self.fa(x))
        b = self.qb(self.fb(x))
        return self.q_out(self.fc(self.q_div(a / (b + 1.0))))


class WhereCompare(nn.Module):
    """Digit vectors: torch.where(x > 0.5, x, -x) and a comparison mask (univariate in one
    tensor, so fused) -> Linear."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc1 = qnn.QuantLinear(16, 16, bias=True, weight_bit_width=4)
        self.q1 = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.fc2 = qnn.QuantLinear(16, 16, bias=True, weight_bit_width=4)
        self.q2 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc3 = qnn.QuantLinear(16, 10, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        h = self.fc1(self.q_in(x))
        h = self.q1(torch.where(h > 0.5, h, -h))
        g = self.fc2(h)
        g = self.q2(g * (g >= 0.0).float() + torch.round(g) * 0.25)
        return self.q_out(self.fc3(g))


class DeepNarrow(nn.Module):
    """Digits: three convs (2-, 3- and 8-bit weights), BN, ReLU, AvgPool with padding, Flatten,
    two Linear layers; the image input has no QuantIdentity (Concrete-ML's calibrated 8-bit input
    quantizer)."""

    def __init__(self):
        super().__init__()
        self.conv1 = qnn.QuantConv2d(1, 4, 3, padding=1, bias=True, weight_bit_width=8,
                                     input_quant=None)
        self.q_in = qnn.QuantIdentity(bit_width=3, return_quant_tensor=True)
        self.conv2 = qnn.QuantConv2d(4, 8, 3, padding=1, bias=True, weight_bit_width=2)
        self.bn2 = nn.BatchNorm2d(8)
        self.act2 = qnn.QuantReLU(bit_width=3)
        self.pool = nn.AvgPool2d(3, stride=2, padding=1)
        self.q_pool = qnn.QuantIdentity(bit_width=3, return_quant_tensor=True)
        self.conv3 = qnn.QuantConv2d(8, 8, 3, bias=False, weight_bit_width=3)
        self.act3 = qnn.QuantReLU(bit_width=3, return_quant_tensor=True)
        self.fc1 = qnn.QuantLinear(8 * 2 * 2, 16, bias=True, weight_bit_width=3)
        self.act4 = qnn.QuantReLU(bit_width=3, return_quant_tensor=True)
        self.fc2 = qnn.QuantLinear(16, 10, bias=True, weight_bit_width=3)
        self.q_out = qnn.QuantIdentity(bit_width=4)

    def forward(self, x):
        x = self.q_in(self.conv1(x))
        x = self.q_pool(self.pool(self.act2(self.bn2(self.conv2(x)))))
        x = self.act3(self.conv3(x))
        x = self.act4(self.fc1(torch.flatten(x, 1)))
        return self.q_out(self.fc2(x))


class Cnn1dAvgPool(nn.Module):
    """Waves: Conv1d -> ReLU -> AvgPool1d -> QuantIdentity -> Flatten -> Linear."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.conv1 = qnn.QuantConv1d(2, 6, 3, padding=1, bias=True, weight_bit_width=4)
        self.act1 = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.pool = nn.AvgPool1d(4)
        self.q1 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(6 * 8, 4, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        x = self.q1(self.pool(self.act1(self.conv1(self.q_in(x)))))
        return self.q_out(self.fc(torch.flatten(x, 1)))


class BiasQuantMlp(nn.Module):
    """Digit vectors: Linear layers with quantized biases (Int32Bias / Int8Bias), 8-bit weights,
    float-scaled activations, ReLU6 then a QuantReLU."""

    def __init__(self):
        super().__init__()
        from brevitas.quant import Int8Bias, Int32Bias  # pylint: disable=import-outside-toplevel
        self.q_in = qnn.QuantIdentity(bit_width=6, return_quant_tensor=True)
        self.fc1 = qnn.QuantLinear(16, 20, bias=True, weight_bit_width=5, bias_quant=Int32Bias, return_quant_tensor=False)
        self.act1 = qnn.QuantReLU(bit_width=5, return_quant_tensor=True)
        self.fc2 = qnn.QuantLinear(20, 16, bias=True, weight_bit_width=5, bias_quant=Int8Bias)
        self.act2 = nn.ReLU6()
        self.q2 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc3 = qnn.QuantLinear(16, 10, bias=True, weight_bit_width=5)
        self.q_out = qnn.QuantIdentity(bit_width=6)

    def forward(self, x):
        x = self.act1(self.fc1(self.q_in(x)))
        x = self.q2(self.act2(self.fc2(x)))
        return self.q_out(self.fc3(x))


class CnnPoolVariants(nn.Module):
    """RGB blobs: Conv -> ReLU -> MaxPool 3 stride 1 -> QuantIdentity -> Conv stride 2 -> BN ->
    ReLU -> AvgPool 3 stride 2 pad 1 (padding counted) -> QuantIdentity -> Conv 1x1 (no bias) ->
    ReLU -> Flatten -> Linear -> Sigmoid (float output)."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.conv1 = qnn.QuantConv2d(3, 6, 3, padding=1, bias=True, weight_bit_width=4)
        self.act1 = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.pool1 = nn.MaxPool2d(3, stride=1)
        self.q1 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.conv2 = qnn.QuantConv2d(6, 8, 3, stride=2, padding=1, bias=True, weight_bit_width=4)
        self.bn2 = nn.BatchNorm2d(8)
        self.act2 = qnn.QuantReLU(bit_width=4)
        self.pool2 = nn.AvgPool2d(3, stride=2, padding=1)
        self.q2 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.conv3 = qnn.QuantConv2d(8, 4, 1, bias=False, weight_bit_width=4)
        self.act3 = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(4 * 2 * 2, 6, bias=True, weight_bit_width=4)

    def forward(self, x):
        x = self.q1(self.pool1(self.act1(self.conv1(self.q_in(x)))))
        x = self.q2(self.pool2(self.act2(self.bn2(self.conv2(x)))))
        x = self.act3(self.conv3(x))
        return torch.sigmoid(self.fc(torch.flatten(x, 1)))


class SliceCatTranspose(nn.Module):
    """Waves: the two channels sliced apart with a step, each through its own Linear, concatenated
    (shared quantizer), transposed and flattened."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.fa = qnn.QuantLinear(16, 8, bias=True, weight_bit_width=4)
        self.fb = qnn.QuantLinear(16, 8, bias=True, weight_bit_width=4)
        self.q_cat = qnn.QuantIdentity(bit_width=4)
        self.fc = qnn.QuantLinear(16, 4, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        x = self.q_in(x)
        x = x.value if hasattr(x, "value") else x
        a = self.q_cat(self.fa(x[:, 0, ::2]))
        b = self.q_cat(self.fb(x[:, 1, 1::2]))
        h = torch.stack([a, b], dim=2)  # (N, 8, 2)
        h = torch.transpose(h, 1, 2)
        return self.q_out(self.fc(torch.flatten(h, 1)))


class DeepResidualMlp(nn.Module):
    """Digit vectors: three residual blocks x + f(x) with BatchNorm1d, each sum re-quantized, and
    a Sub of two branches at the end; 3-bit activations, 3-bit weights."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=3, return_quant_tensor=True)
        self.stem = qnn.QuantLinear(16, 16, bias=True, weight_bit_width=3)
        self.q0 = qnn.QuantIdentity(bit_width=3)
        self.blocks = nn.ModuleList(qnn.QuantLinear(16, 16, bias=True, weight_bit_width=3) for _ in range(3))
        self.bns = nn.ModuleList(nn.BatchNorm1d(16) for _ in range(3))
        self.acts = nn.ModuleList(qnn.QuantReLU(bit_width=3) for _ in range(3))
        self.qs = nn.ModuleList(qnn.QuantIdentity(bit_width=3) for _ in range(3))
        self.head = qnn.QuantLinear(16, 10, bias=True, weight_bit_width=3)

    def forward(self, x):
        h = self.q0(self.stem(self.q_in(x)))
        for fc, bn, act, q in zip(self.blocks, self.bns, self.acts, self.qs):
            h = q(h + act(bn(fc(h))))
        return self.head(h)


class ShiftedInputConvBias(nn.Module):
    """Digits: an asymmetric (shifted, nonzero zero point) 6-bit input quantizer; Conv with an
    Int32Bias quantized bias, groups 2; non-narrow 8-bit weights; AvgPool without counting the
    padding; Dropout; BatchNorm1d after a Linear."""

    def __init__(self):
        super().__init__()
        from brevitas.quant import Int32Bias, ShiftedUint8ActPerTensorFloat  # pylint: disable=import-outside-toplevel
        self.q_in = qnn.QuantIdentity(act_quant=ShiftedUint8ActPerTensorFloat, bit_width=6, return_quant_tensor=True)
        self.conv1 = qnn.QuantConv2d(1, 4, 3, padding=1, bias=True, weight_bit_width=5, bias_quant=Int32Bias)
        self.act1 = qnn.QuantReLU(bit_width=5, return_quant_tensor=True)
        self.conv2 = qnn.QuantConv2d(4, 8, 3, stride=2, padding=1, groups=2, bias=True, weight_bit_width=8,
                                     weight_narrow_range=False)
        self.act2 = qnn.QuantReLU(bit_width=5)
        self.pool = nn.AvgPool2d(2)
        self.drop = nn.Dropout(0.2)
        self.q_pool = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.fc1 = qnn.QuantLinear(8 * 2 * 2, 12, bias=True, weight_bit_width=5)
        self.bn = nn.BatchNorm1d(12)
        self.q1 = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.fc2 = qnn.QuantLinear(12, 10, bias=True, weight_bit_width=5)
        self.q_out = qnn.QuantIdentity(bit_width=6)

    def forward(self, x):
        x = self.act1(self.conv1(self.q_in(x)))
        x = self.q_pool(self.drop(self.pool(self.act2(self.conv2(x)))))
        x = self.q1(self.bn(self.fc1(torch.flatten(x, 1))))
        return self.q_out(self.fc2(x))


class StackedBranches(nn.Module):
    """Waves: the two channels through their own Linear (shared output quantizer), stacked,
    transposed, flattened, then Linear."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.fa = qnn.QuantLinear(32, 8, bias=True, weight_bit_width=4)
        self.fb = qnn.QuantLinear(32, 8, bias=True, weight_bit_width=4)
        self.q_cat = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(16, 4, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        x = self.q_in(x)
        a = self.fa(x[:, 0, :])
        b = self.fb(x[:, 1, :])
        h = self.q_cat(torch.stack([a, b], dim=2))  # (N, 8, 2)
        h = torch.transpose(h.value if hasattr(h, "value") else h, 1, 2)
        return self.q_out(self.fc(torch.flatten(h, 1)))


class Conv1dBiasQuant(nn.Module):
    """Waves: Conv1d with an Int32Bias quantized bias -> ReLU -> Conv1d stride 2 (Int8Bias) ->
    ReLU -> Flatten -> Linear."""

    def __init__(self):
        super().__init__()
        from brevitas.quant import Int8Bias, Int32Bias  # pylint: disable=import-outside-toplevel
        self.q_in = qnn.QuantIdentity(bit_width=5, return_quant_tensor=True)
        self.conv1 = qnn.QuantConv1d(2, 6, 3, padding=1, bias=True, weight_bit_width=4, bias_quant=Int32Bias)
        self.act1 = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.conv2 = qnn.QuantConv1d(6, 4, 3, stride=2, padding=1, bias=True, weight_bit_width=4, bias_quant=Int8Bias)
        self.act2 = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(4 * 16, 4, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        x = self.act2(self.conv2(self.act1(self.conv1(self.q_in(x)))))
        return self.q_out(self.fc(torch.flatten(x, 1)))


class WideCnnTanhOut(nn.Module):
    """Digits: Conv 5x5 stride 2 pad 2 (16 channels) -> BN -> LeakyReLU -> QuantIdentity -> Conv
    3x3 -> Hardtanh -> QuantIdentity -> AvgPool 2 -> QuantIdentity -> Flatten -> Linear ->
    QuantTanh output."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.conv1 = qnn.QuantConv2d(1, 16, 5, stride=2, padding=2, bias=True, weight_bit_width=3)
        self.bn1 = nn.BatchNorm2d(16)
        self.act1 = nn.LeakyReLU(0.1)
        self.q1 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.conv2 = qnn.QuantConv2d(16, 8, 3, padding=1, bias=False, weight_bit_width=3)
        self.act2 = nn.Hardtanh(-1.5, 1.5)
        self.q2 = qnn.QuantIdentity(bit_width=4)
        self.pool = nn.AvgPool2d(2)
        self.q3 = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(8 * 2 * 2, 10, bias=True, weight_bit_width=3)
        self.out = qnn.QuantTanh(bit_width=6)

    def forward(self, x):
        x = self.q1(self.act1(self.bn1(self.conv1(self.q_in(x)))))
        x = self.q3(self.pool(self.q2(self.act2(self.conv2(x)))))
        return self.out(self.fc(torch.flatten(x, 1)))


class LowWeightsHighActs(nn.Module):
    """Digit vectors: 2-bit weights, 8-bit activations, an Elu and a Softsign (x / (1 + |x|)),
    rounding 6."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=8, return_quant_tensor=True)
        self.fc1 = qnn.QuantLinear(16, 32, bias=True, weight_bit_width=2)
        self.act1 = nn.ELU()
        self.q1 = qnn.QuantIdentity(bit_width=8, return_quant_tensor=True)
        self.fc2 = qnn.QuantLinear(32, 32, bias=True, weight_bit_width=2)
        self.act2 = nn.Softsign()
        self.q2 = qnn.QuantIdentity(bit_width=8, return_quant_tensor=True)
        self.fc3 = qnn.QuantLinear(32, 10, bias=True, weight_bit_width=2)
        self.q_out = qnn.QuantIdentity(bit_width=8)

    def forward(self, x):
        x = self.q1(self.act1(self.fc1(self.q_in(x))))
        x = self.q2(self.act2(self.fc2(x)))
        return self.q_out(self.fc3(x))


class WidthConcat(nn.Module):
    """Digits: two conv branches of different kernel widths concatenated along the width axis
    (shared quantizer), then a strided conv and Linear."""

    def __init__(self):
        super().__init__()
        self.q_in = qnn.QuantIdentity(bit_width=4, return_quant_tensor=True)
        self.ca = qnn.QuantConv2d(1, 4, 3, padding=1, bias=True, weight_bit_width=4)
        self.cb = qnn.QuantConv2d(1, 4, (3, 5), padding=(1, 2), bias=True, weight_bit_width=4)
        self.q_cat = qnn.QuantIdentity(bit_width=4)
        self.conv = qnn.QuantConv2d(4, 6, 3, stride=2, padding=1, bias=True, weight_bit_width=4)
        self.act = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)
        self.fc = qnn.QuantLinear(6 * 4 * 8, 10, bias=True, weight_bit_width=4)
        self.q_out = qnn.QuantIdentity(bit_width=5)

    def forward(self, x):
        x = self.q_in(x)
        h = torch.cat([self.q_cat(self.ca(x)), self.q_cat(self.cb(x))], dim=3)
        h = self.act(self.conv(h))
        return self.q_out(self.fc(torch.flatten(h, 1)))


def spec(cls, data, n_bits=None, rounding=None, w=(4,), a=(4,), ops=()):
    return dict(cls=cls, data=data, n_bits=n_bits, rounding=rounding, weight_bits=list(w),
                act_bits=list(a), ops=list(ops), steps=150)


EXTRA = {
    "x-mlp-exotic-act": spec(MlpExoticActivations, zoo.data_digits_vec, ops=["ELU", "SELU", "Softplus", "Hardswish"]),
    "x-mlp-prelu-mish": spec(MlpPreluMish, zoo.data_digits_vec, w=(5,), ops=["PReLU", "Mish", "Hardsigmoid", "bare Linear"]),
    "x-cnn-rect-kernel": spec(CnnRectKernel, zoo.data_digits_img, rounding=6, w=(7,), a=(6, 7),
                              ops=["Conv 3x5", "stride (2,1)", "HardTanh", "MaxPool stride 1"]),
    "x-cnn1d-pool": spec(Cnn1dPool, zoo.data_waves, ops=["Conv1d", "MaxPool1d", "AvgPool1d"]),
    "x-gather-indices": spec(GatherIndices, zoo.data_digits_vec, ops=["Gather index tensor"]),
    "x-mul-broadcast": spec(MulBroadcast, zoo.data_digits_vec, ops=["broadcast encrypted Mul"]),
    "x-mul-of-sum": spec(MulOfSum, zoo.data_digits_vec, ops=["Mul with nonzero zero point"]),
    "x-div-branches": spec(DivBranches, zoo.data_digits_vec, ops=["encrypted Div"]),
    "x-where-compare": spec(WhereCompare, zoo.data_digits_vec, ops=["Where", "Greater", "GreaterOrEqual", "Round", "Cast"]),
    "x-cnn1d-avgpool": spec(Cnn1dAvgPool, zoo.data_waves, ops=["AvgPool1d"]),
    # The zoo's own networks under other compile settings: rounding on every op kind.
    "x-mul-sub-r4": spec(zoo.MulSubBranches, zoo.data_digits_vec, rounding=4, ops=["encrypted Mul/Sub/Add", "rounding 4"]),
    "x-resnet-r5": spec(zoo.ResNetAdd, zoo.data_digits_img, rounding=5, w=(5,), ops=["residual Add", "AvgPool", "rounding 5"]),
    "x-two-inputs-r4": spec(zoo.TwoInputs, zoo.data_digits_two, rounding=4, ops=["two inputs", "rounding 4"]),
    "x-cnn1d-r6": spec(zoo.Cnn1dLastStep, zoo.data_waves, rounding=6, w=(5,), a=(5,), ops=["Conv1d", "Gather", "rounding 6"]),
    "x-lowbit-r3": spec(zoo.LowBitSumPool, zoo.data_digits_img, rounding=3, w=(2, 3), a=(2, 3), ops=["ReduceSum", "MaxPool", "rounding 3"]),
    "x-concat-n6": spec(zoo.ConcatBranches, zoo.data_digits_img, n_bits=6, ops=["Concat", "n_bits 6"]),
    "x-silu-gelu-r5": spec(zoo.MlpSiluGelu, zoo.data_digits_vec, n_bits={"model_inputs": 4, "model_outputs": 6}, rounding=5, ops=["SiLU", "GELU", "rounding 5"]),
    "x-bias-quant": spec(BiasQuantMlp, zoo.data_digits_vec, w=(5,), a=(4, 5, 6), ops=["Int32Bias", "Int8Bias", "ReLU6"]),
    "x-cnn-pool-variants": spec(CnnPoolVariants, zoo.data_rgb_blobs, n_bits={"model_inputs": 8, "model_outputs": 6},
                                ops=["MaxPool 3 stride 1", "AvgPool pad 1", "1x1 conv", "float Sigmoid output"]),
    "x-slice-cat-transpose": spec(SliceCatTranspose, zoo.data_waves, w=(4,), a=(4, 5), ops=["Slice step 2", "stack", "Transpose"]),
    "x-deep-residual": spec(DeepResidualMlp, zoo.data_digits_vec, w=(3,), a=(3,), ops=["residual Add x3", "BatchNorm1d"]),
    "x-shifted-input-conv-bias": spec(ShiftedInputConvBias, zoo.data_digits_img, w=(5, 8), a=(5, 6),
                                      ops=["shifted input quantizer", "Int32Bias on Conv", "groups 2", "Dropout", "BatchNorm1d"]),
    "x-stacked-branches": spec(StackedBranches, zoo.data_waves, a=(4, 5), ops=["Slice", "stack (Unsqueeze + Concat)", "Transpose"]),
    "x-cnn-pool-variants-nb": spec(CnnPoolVariants, zoo.data_rgb_blobs, ops=["MaxPool 3 stride 1", "AvgPool pad 1", "1x1 conv", "float Sigmoid output"]),
    "x-conv1d-bias-quant": spec(Conv1dBiasQuant, zoo.data_waves, ops=["Conv1d with Int32Bias / Int8Bias"]),
    "x-wide-cnn-tanh-out": spec(WideCnnTanhOut, zoo.data_digits_img, w=(3,), a=(4, 6), ops=["Conv 5x5 stride 2", "LeakyReLU after BN", "Hardtanh", "QuantTanh output"]),
    "x-low-weights-high-acts": spec(LowWeightsHighActs, zoo.data_digits_vec, rounding=6, w=(2,), a=(8,), ops=["2-bit weights", "8-bit acts", "ELU", "Softsign", "rounding 6"]),
    "x-width-concat": spec(WidthConcat, zoo.data_digits_img, ops=["Concat on width", "3x5 kernel"]),
    "x-deep-narrow": spec(DeepNarrow, zoo.data_digits_img, w=(2, 3, 8), a=(3,), ops=["no input quantizer", "AvgPool padded"]),
}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="/tmp/zoo-extra", help="output folder (default /tmp/zoo-extra)")
    p.add_argument("--only", nargs="*", help="build only these models")
    args = p.parse_args()
    zoo.ZOO_DIR = Path(args.out).resolve()
    zoo.ZOO_DIR.mkdir(parents=True, exist_ok=True)
    # concrete-python writes debugging artifacts (.artifacts/) into the working directory when a
    # compile fails: keep them out of the source tree.
    os.chdir(zoo.ZOO_DIR)
    zoo.MODELS.clear()
    zoo.MODELS.update(EXTRA)
    for name in args.only or EXTRA:
        try:
            zoo.build(name, EXTRA[name])
        except Exception as e:  # pylint: disable=broad-except
            print(f"[{name}] Concrete-ML refused: {type(e).__name__}: {str(e).splitlines()[0][:300]}", flush=True)
            (zoo.ZOO_DIR / f"{name}.refused.txt").write_text(traceback.format_exc())


if __name__ == "__main__":
    main()
