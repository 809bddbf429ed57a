"""Regenerates the example models in examples/ (seeded, deterministic).

    /usr/bin/python3 tools/torch/make_examples.py [OUTPUT_DIR]     (default: examples/)

Each example is built in PyTorch with seeded random weights, quantized in eager mode with the
qnnpack engine, exported with zeropoint_torch.export, and checked: running the exported .qg with
PyTorch's kernels (qg_check.py) must give exactly the model's output. make_goldens.py reuses the
builders below for its example cases.
"""

import pathlib
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.ao.quantization import DeQuantStub, QuantStub

import qg_check
import quant_helpers as qh
import zeropoint_torch

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _provenance(seed):
    return (f"Produced by tools/torch/make_examples.py (seed {seed}, torch {torch.__version__},\n"
            f"engine {qh.ENGINE}): random weights, post-training quantization in eager mode.")


def _randomize_bn(bn, gen):
    """Random but plausible batch-norm statistics, so activations neither vanish nor explode."""
    c = bn.num_features
    with torch.no_grad():
        bn.weight.copy_(qh.uniform(gen, (c,), 0.5, 1.5))
        bn.bias.copy_(qh.uniform(gen, (c,), -0.3, 0.3))
        bn.running_mean.copy_(qh.uniform(gen, (c,), -0.2, 0.2))
        bn.running_var.copy_(qh.uniform(gen, (c,), 0.5, 2.0))


# --- tutorial_conv_relu ----------------------------------------------------------------------


class TutorialM(nn.Module):
    """The model of PyTorch's static quantization tutorial (eager mode)."""

    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv = nn.Conv2d(1, 1, 1)
        self.relu = nn.ReLU()
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.conv(x)
        x = self.relu(x)
        return self.dequant(x)


def tutorial_conv_relu(seed=0):
    torch.manual_seed(seed)
    model = TutorialM().eval()
    model.qconfig = torch.ao.quantization.get_default_qconfig(qh.ENGINE)
    model = torch.ao.quantization.fuse_modules(model, [["conv", "relu"]])
    prepared = torch.ao.quantization.prepare(model)
    input_fp32 = torch.randn(4, 1, 4, 4)
    prepared(input_fp32)
    model = torch.ao.quantization.convert(prepared)
    comment = f"""The 1x1 conv + ReLU of PyTorch's static quantization tutorial ("model M"): QuantStub,
Conv2d(1, 1, 1), ReLU, DeQuantStub, with conv and relu fused into ConvReLU2d before
quantization, calibrated (default qnnpack qconfig: HistogramObserver activations, per-tensor
symmetric weights) on one batch torch.randn(4, 1, 4, 4) and run on the same batch.
The fused ConvReLU2d is written as conv2d followed by relu (same integers).
{_provenance(seed)}"""
    return model, (input_fp32,), comment


# --- conv_bn_relu_x3 -------------------------------------------------------------------------


class ConvBnReluX3(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        chans = [3, 8, 8, 4]
        for i in range(3):
            setattr(self, f"conv{i + 1}", nn.Conv2d(chans[i], chans[i + 1], 3, padding=1))
            setattr(self, f"bn{i + 1}", nn.BatchNorm2d(chans[i + 1]))
            setattr(self, f"relu{i + 1}", nn.ReLU())
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        for i in range(1, 4):
            x = getattr(self, f"relu{i}")(getattr(self, f"bn{i}")(getattr(self, f"conv{i}")(x)))
        return self.dequant(x)


def conv_bn_relu_x3(seed=1):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = ConvBnReluX3().eval()
    for i in range(1, 4):
        _randomize_bn(getattr(model, f"bn{i}"), gen)
    calibration = [(torch.randn(2, 3, 8, 8, generator=gen),) for _ in range(4)]
    fuse = [[f"conv{i}", f"bn{i}", f"relu{i}"] for i in range(1, 4)]
    model = qh.eager(model, calibration, qh.qconfig(per_channel=True), fuse)
    # A fused ConvReLU2d calibrates to zero point 0 (its observer never sees a negative value);
    # force zero point 111 on the last layer, with a scale that keeps the calibrated maximum.
    last = model.conv3
    top = last.scale * (255 - last.zero_point)
    qh.set_qparams(last, top / (255 - 111), 111)
    x = qh.spread(gen, (1, 3, 8, 8), -2.0, 2.0)
    comment = f"""Three conv-bn-relu layers (3 -> 8 -> 8 -> 4 channels, 3x3, padding 1) with per-channel
symmetric int8 weights. Batch norms have random statistics and were folded into the convs by
fuse_modules (Conv2d+BatchNorm2d+ReLU -> ConvReLU2d), then calibrated with MinMax observers.
The last layer's output zero point was forced to 111 after convert (conv3.zero_point = 111,
conv3.scale = calibrated range / 144): a fused ReLU calibrates to zero point 0, and a zero point
of 111 makes the ReLU clamp at 111 instead of 0.
{_provenance(seed)}"""
    return model, (x,), comment


# --- hardtanh_saturating ---------------------------------------------------------------------


class ConvReluHardtanh(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.conv = nn.Conv2d(3, 2, 3, padding=1)
        self.relu = nn.ReLU()
        self.hardtanh = nn.Hardtanh(0.0, 6.0)
        self.dequant = DeQuantStub()

    def forward(self, x):
        return self.dequant(self.hardtanh(self.relu(self.conv(self.quant(x)))))


def hardtanh_saturating(seed=2):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = ConvReluHardtanh().eval()
    calibration = [(torch.randn(2, 3, 8, 8, generator=gen),) for _ in range(4)]
    model = qh.eager(model, calibration, qh.qconfig(per_channel=True), [["conv", "relu"]])
    qh.set_qparams(model.conv, 0.02, 0)  # 6 / 0.02 + 0 = 300 > 255
    x = qh.spread(gen, (1, 3, 8, 8), -3.0, 3.0)
    comment = f"""conv + relu + hardtanh(0, 6), the shape of a ReLU6 network after fusion, where the upper
bound of the hardtanh lies beyond the u8 range: the conv output scale was forced to 0.02 with
zero point 0 (model.conv.scale = 0.02 after convert), so 6 / 0.02 + 0 = 300 > 255. Quantized
with the input parameters and saturated, the bound becomes 255 and the hardtanh changes
nothing (the conv itself already saturates values above 255 * 0.02 = 5.1).
{_provenance(seed)}"""
    return model, (x,), comment


# --- two_linear ------------------------------------------------------------------------------


class TwoLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.fc1 = nn.Linear(16, 12)
        self.fc2 = nn.Linear(12, 6)
        self.dequant = DeQuantStub()

    def forward(self, x):
        return self.dequant(self.fc2(self.fc1(self.quant(x))))


def two_linear(seed=3):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = TwoLinear().eval()
    calibration = [(torch.randn(4, 16, generator=gen),) for _ in range(4)]
    model = qh.eager(model, calibration, qh.qconfig(per_channel=False))
    x = qh.spread(gen, (3, 16), -2.5, 2.5)
    s1, z1, s2, z2 = model.fc1.scale, model.fc1.zero_point, model.fc2.scale, model.fc2.zero_point
    comment = f"""Two consecutive quantized linear layers (16 -> 12 -> 6) with per-tensor symmetric int8
weights and different output parameters, all from MinMax calibration: fc1 gives
scale {s1!r}, zero point {z1}; fc2 scale {s2!r}, zero point {z2}.
No activation in between: fc2 reads fc1's u8 output with its zero point.
{_provenance(seed)}"""
    return model, (x,), comment


EXAMPLES = {
    "tutorial_conv_relu": tutorial_conv_relu,
    "conv_bn_relu_x3": conv_bn_relu_x3,
    "hardtanh_saturating": hardtanh_saturating,
    "two_linear": two_linear,
}


def write_example(name, out_dir):
    model, inputs, comment = EXAMPLES[name]()
    path = pathlib.Path(out_dir) / f"{name}.qg"
    result = zeropoint_torch.export(model, inputs, path, comment=comment)
    with torch.no_grad():
        expected = model(*inputs)
    got = qg_check.run(path, {n: t.numpy() for (n, _), t in zip(result.inputs, inputs)})["output"]
    if not torch.equal(got, expected):
        raise SystemExit(f"{name}: the exported graph does not reproduce PyTorch's output")
    # The example's input and PyTorch's output, so that a user can run the model and compare.
    for (input_name, _), t in zip(result.inputs, inputs):
        np.save(pathlib.Path(out_dir) / f"{name}.{input_name}.npy", t.numpy())
    np.save(pathlib.Path(out_dir) / f"{name}.expected.npy", expected.numpy())
    return path, expected


def main(argv):
    qh.setup()
    out_dir = pathlib.Path(argv[1]) if len(argv) > 1 else ROOT / "examples"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLES:
        path, out = write_example(name, out_dir)
        print(f"{path}: output {list(out.shape)}, {qh.distinct(out)} distinct values")


if __name__ == "__main__":
    main(sys.argv)
