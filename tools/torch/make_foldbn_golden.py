"""Golden data for the pass fold-batchnorm (seeded, deterministic).

    /usr/bin/python3 tools/torch/make_foldbn_golden.py [OUTPUT_DIR]
        (default: tests/src/test/resources/foldbn/)

1. Constant cases (cases.json): a float Conv2d or Linear followed by BatchNorm2d / BatchNorm1d,
   fused by torch.ao.quantization.fuse_modules (which calls torch.nn.utils.fusion's
   fuse_conv_bn_weights / fuse_linear_bn_weights; the script checks both agree). Per case NAME:
   NAME.w.npy (f32 weight), NAME.b.npy (f32 bias, when the layer has one), NAME.bn.npy (f32 [4, C]:
   gamma, beta, running mean, running var), NAME.fused_w.npy and NAME.fused_b.npy (PyTorch's
   folded weight and bias). cases.json gives kind (conv2d / linear), groups, eps (float64) and bias.
2. End to end (e2e.*): depthwise 1x1 conv + BatchNorm2d + quantize (quint8) + dequantize,
   exported unfused to e2e.qg / e2e.safetensors. Inputs are 0 and powers of two, so each conv
   output x * w + b rounds once whatever the kernel's summation order or fused multiply-add:
   outputs are the float batch-norm output (output0) and its quantize-dequantize (output1, scale
   0.02, zero point 128). e2e.fusedI.npy are the outputs of PyTorch's fuse_modules-fused model
   (what the .qg must give after fold-batchnorm), e2e.unfusedI.npy the unfused model's (what it
   gives without it).
"""

import json
import pathlib
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.ao.quantization import fuse_modules
from torch.nn.utils.fusion import fuse_conv_bn_weights, fuse_linear_bn_weights

import zeropoint_torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
F32 = np.float32


def bits(a):
    return np.ascontiguousarray(a, dtype=F32).view(np.uint32)


class Pair(nn.Module):
    def __init__(self, layer, bn):
        super().__init__()
        self.layer = layer
        self.bn = bn

    def forward(self, x):
        return self.bn(self.layer(x))


def make_pair(kind, cin, cout, groups, kernel, bias, eps):
    if kind == "conv2d":
        return Pair(nn.Conv2d(cin, cout, kernel, groups=groups, bias=bias), nn.BatchNorm2d(cout, eps=eps)).eval()
    return Pair(nn.Linear(cin, cout, bias=bias), nn.BatchNorm1d(cout, eps=eps)).eval()


def set_params(m, w, b, bn):
    with torch.no_grad():
        m.layer.weight.copy_(torch.from_numpy(w))
        if b is not None:
            m.layer.bias.copy_(torch.from_numpy(b))
        m.bn.weight.copy_(torch.from_numpy(bn[0]))
        m.bn.bias.copy_(torch.from_numpy(bn[1]))
        m.bn.running_mean.copy_(torch.from_numpy(bn[2]))
        m.bn.running_var.copy_(torch.from_numpy(bn[3]))


def fused(m):
    """fuse_modules' weight and bias, checked against the fusion functions called directly."""
    f = fuse_modules(m, [["layer", "bn"]])
    w, b = f.layer.weight.detach().numpy(), f.layer.bias.detach().numpy()
    layer_b = m.layer.bias
    if isinstance(m.layer, nn.Conv2d):
        dw, db = fuse_conv_bn_weights(m.layer.weight, layer_b, m.bn.running_mean, m.bn.running_var, m.bn.eps,
                                      m.bn.weight, m.bn.bias)
    else:
        dw, db = fuse_linear_bn_weights(m.layer.weight, layer_b, m.bn.running_mean, m.bn.running_var, m.bn.eps,
                                        m.bn.weight, m.bn.bias)
    assert (bits(dw.detach().numpy()) == bits(w)).all() and (bits(db.detach().numpy()) == bits(b)).all()
    return w, b


def constant_cases(rng):
    """(name, kind, cin, cout, groups, kernel, bias, eps, w, b, bn) with special values."""
    out = []

    def normal(*shape, scale=1.0):
        return (rng.standard_normal(shape) * scale).astype(F32)

    def bn_random(c, var_low=0.05, var_high=3.0):
        return np.stack([normal(c) * 0.5 + 1, normal(c) * 0.3, normal(c) * 0.2,
                         rng.uniform(var_low, var_high, c).astype(F32)]).astype(F32)

    def add(name, kind, cin, cout, groups, kernel, bias, eps, bn, w=None, b=None):
        wshape = (cout, cin // groups, kernel, kernel) if kind == "conv2d" else (cout, cin)
        w = normal(*wshape) if w is None else w.astype(F32).reshape(wshape)
        b = (normal(cout) if b is None else b.astype(F32)) if bias else None
        out.append((name, kind, cin, cout, groups, kernel, bias, eps, w, b, bn.astype(F32)))

    add("conv_random", "conv2d", 4, 6, 1, 3, True, 1e-5, bn_random(6))
    add("conv_no_bias", "conv2d", 3, 5, 1, 3, False, 1e-3, bn_random(5))
    add("conv_groups", "conv2d", 4, 6, 2, 3, True, 1e-5, bn_random(6))
    add("conv_depthwise", "conv2d", 8, 8, 8, 3, True, 0.1, bn_random(8))
    add("conv_1x1_many", "conv2d", 16, 64, 1, 1, True, 1e-5, bn_random(64, 1e-6, 10.0))
    # var near 0: 0, denormal, tiny; eps 1e-5 dominates or not
    var0 = np.array([0.0, 1e-40, 1e-30, 1e-10, 1e-7, 1e-5, 2e-5, 1e-45], dtype=F32)
    add("conv_var_near_zero", "conv2d", 2, 8, 1, 1, True, 1e-5,
        np.stack([normal(8) + 1, normal(8), normal(8), var0]))
    # eps 0 with tiny (even denormal) variances: large but finite scales, tiny gammas
    add("conv_eps_zero_denormal_var", "conv2d", 2, 4, 1, 1, True, 0.0,
        np.stack([np.array([1e-20, 3e-25, 1.0, 1e-30], F32), normal(4),
                  normal(4), np.array([1e-40, 1e-38, 3.0, 7e-45], F32)]))
    for eps in (1e-12, 3e-7, 0.001, 0.37):  # 3e-7 and 0.37 are not float32 numbers
        add(f"conv_eps_{eps:g}".replace("-", "m").replace(".", "p"), "conv2d", 3, 4, 1, 1, True, eps,
            bn_random(4, 1e-8, 1e-4))
    # denormal-ish weights and bias: products that underflow to subnormal or zero
    add("conv_denormal_products", "conv2d", 2, 4, 1, 2, True, 1e-5,
        np.stack([np.array([1e-30, 1e-38, 2e-39, 1.0], F32), np.array([1e-40, 0.0, -1e-45, 1e-38], F32),
                  np.array([1e-39, -1e-44, 0.0, 5e-39], F32), np.array([1.0, 0.5, 1e-3, 2.0], F32)]),
        w=normal(32) * np.array([1e-10, 1e-30] * 16, F32), b=np.array([1e-39, -2e-38, 3e-45, 0.0], F32))
    # exact ties: var + eps = 1 (r = 1), gamma = 1 + 2^-12 and weights 1 + 2^-12: product 1 + 2^-11 + 2^-24,
    # halfway between floats; bias: (b - mean) = 1 + 2^-12 likewise, then + beta = 2^-24 ties again
    t = np.float32(1 + 2.0 ** -12)
    add("conv_ties", "conv2d", 1, 4, 1, 1, True, 0.0,
        np.stack([np.array([t, t, -t, 3 * t], F32),
                  np.array([2.0 ** -24, -(2.0 ** -24), 3 * 2.0 ** -23, 2.0 ** -22], F32),
                  np.array([0.0, 0.0, 0.0, 0.0], F32), np.ones(4, F32)]),
        w=np.array([t, -t, 1 + 2.0 ** -11, 2.0 ** -12 + 1], F32), b=np.array([t, t, t, t], F32))
    add("linear_random", "linear", 10, 5, 1, 1, True, 1e-5, bn_random(5))
    add("linear_no_bias", "linear", 7, 3, 1, 1, False, 1e-5, bn_random(3))
    add("linear_wide_range", "linear", 6, 8, 1, 1, True, 1e-3,
        np.stack([normal(8) * 1e3, normal(8) * 1e2, normal(8) * 10, rng.uniform(1e-9, 1e4, 8).astype(F32)]))
    return out


def write_constant_cases(out_dir, rng):
    spec = []
    for name, kind, cin, cout, groups, kernel, bias, eps, w, b, bn in constant_cases(rng):
        m = make_pair(kind, cin, cout, groups, kernel, bias, eps)
        set_params(m, w, b, bn)
        fw, fb = fused(m)
        assert np.isfinite(fw).all() and np.isfinite(fb).all(), name
        np.save(out_dir / f"{name}.w.npy", w)
        if bias:
            np.save(out_dir / f"{name}.b.npy", b)
        np.save(out_dir / f"{name}.bn.npy", bn)
        np.save(out_dir / f"{name}.fused_w.npy", fw.astype(F32))
        np.save(out_dir / f"{name}.fused_b.npy", fb.astype(F32))
        spec.append({"name": name, "kind": kind, "groups": groups, "eps": eps, "bias": bias})
    (out_dir / "cases.json").write_text(json.dumps(spec, indent=1) + "\n")
    return spec


class E2E(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(6, 6, 1, groups=6)
        self.bn = nn.BatchNorm2d(6)

    def forward(self, x):
        y = self.bn(self.conv(x))
        return y, torch.quantize_per_tensor(y, 0.02, 128, torch.quint8).dequantize()


def write_e2e(out_dir, rng):
    torch.backends.quantized.engine = "qnnpack"
    m = E2E().eval()
    with torch.no_grad():
        m.conv.weight.copy_(torch.from_numpy((rng.standard_normal((6, 1, 1, 1)) * 0.4).astype(F32)))
        m.conv.bias.copy_(torch.from_numpy((rng.standard_normal(6) * 0.1).astype(F32)))
        m.bn.weight.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, 6).astype(F32)))
        m.bn.bias.copy_(torch.from_numpy(rng.uniform(-0.3, 0.3, 6).astype(F32)))
        m.bn.running_mean.copy_(torch.from_numpy(rng.uniform(-0.2, 0.2, 6).astype(F32)))
        m.bn.running_var.copy_(torch.from_numpy(rng.uniform(0.01, 2.0, 6).astype(F32)))
    powers = np.array([0.0, 0.25, 0.5, 1.0, 2.0, -0.25, -0.5, -1.0, -2.0, 4.0, -4.0, 0.125], F32)
    x = powers[rng.integers(0, powers.size, (2, 6, 5, 7))].astype(F32)
    with torch.no_grad():
        unfused = [t.numpy() for t in m(torch.from_numpy(x))]
        f = fuse_modules(m, [["conv", "bn"]])
        fused_out = [t.numpy() for t in f(torch.from_numpy(x))]
    zeropoint_torch.export(m, (torch.from_numpy(x),), out_dir / "e2e.qg", comment=(
        "fold-batchnorm end to end: depthwise 1x1 conv + batch norm + quantize, unfused.\n"
        "Written by tools/torch/make_foldbn_golden.py (torch 1.13, seeded)."))
    np.save(out_dir / "e2e.x.npy", x)
    for i in range(2):
        np.save(out_dir / f"e2e.fused{i}.npy", fused_out[i].astype(F32))
        np.save(out_dir / f"e2e.unfused{i}.npy", unfused[i].astype(F32))
    differ = [int((bits(a) != bits(b)).sum()) for a, b in zip(fused_out, unfused)]
    print(f"e2e: {x.size} outputs each; fused and unfused PyTorch outputs differ in {differ} (float, quantized)")
    assert differ[0] > 0, "pick another seed: the e2e case should tell fused from unfused"


def main():
    out_dir = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/src/test/resources/foldbn"
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240613)
    spec = write_constant_cases(out_dir, rng)
    print(f"{len(spec)} constant cases written to {out_dir}")
    write_e2e(out_dir, rng)


if __name__ == "__main__":
    main()
