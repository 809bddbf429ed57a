"""Small helpers to build, quantize and feed seeded models (shared by the example and golden generators)."""

import numpy as np
import torch
import torch.ao.quantization as tq
from torch.ao.quantization import QConfig, get_default_qconfig_mapping
from torch.ao.quantization.observer import MinMaxObserver, PerChannelMinMaxObserver
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

import zeropoint_torch

ENGINE = "qnnpack"


def setup():
    torch.backends.quantized.engine = ENGINE
    torch.set_num_threads(1)


def qconfig(per_channel=False, weight_affine=False, act_dtype=torch.quint8):
    """MinMax observers (deterministic and fast); activations affine, weights symmetric by default."""
    if per_channel:
        scheme = torch.per_channel_affine if weight_affine else torch.per_channel_symmetric
        weight = PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=scheme)
    else:
        scheme = torch.per_tensor_affine if weight_affine else torch.per_tensor_symmetric
        weight = MinMaxObserver.with_args(dtype=torch.qint8, qscheme=scheme)
    return QConfig(activation=MinMaxObserver.with_args(dtype=act_dtype, qscheme=torch.per_tensor_affine),
                   weight=weight)


def eager(model, calibration, qc=None, fuse=None):
    """Eager-mode post-training quantization: fuse, prepare, calibrate, convert."""
    model.eval()
    if fuse:
        model = tq.fuse_modules(model, fuse)
    model.qconfig = qc or qconfig()
    tq.prepare(model, inplace=True)
    with torch.no_grad():
        for batch in calibration:
            model(*batch)
    tq.convert(model, inplace=True)
    return model


def fx(model, example, calibration, qc=None, float_modules=()):
    """FX-mode post-training quantization (prepare_fx / convert_fx); float_modules stay float."""
    model.eval()
    # the default mapping supplies the fixed-qparams observers of sigmoid, hardsigmoid, ...
    mapping = get_default_qconfig_mapping(ENGINE).set_global(qc or qconfig())
    for name in float_modules:
        mapping.set_module_name(name, None)
    with zeropoint_torch.tracing_patches():
        prepared = prepare_fx(model, mapping, example)
    with torch.no_grad():
        for batch in calibration:
            prepared(*batch)
    return convert_fx(prepared)


def uniform(gen, shape, lo, hi):
    return torch.rand(shape, generator=gen) * (hi - lo) + lo


def spread(gen, shape, lo, hi, beyond=0.3):
    """Seeded inputs over [lo, hi] widened by `beyond` on each side (so quantization saturates),
    with the extreme values present."""
    width = hi - lo
    x = uniform(gen, shape, lo - beyond * width, hi + beyond * width)
    flat = x.view(-1)
    if flat.numel() >= 4:
        flat[0], flat[1] = lo - beyond * width, hi + beyond * width
    return x


def set_qparams(module, scale, zero_point):
    """Overrides the output scale/zero point of a converted quantized module (Quantize, conv, linear,
    QFunctional, hardswish, batch norm)."""
    if hasattr(module, "scale") and isinstance(module.scale, torch.Tensor):
        module.scale = torch.tensor([float(scale)])
        module.zero_point = torch.tensor([int(zero_point)])
    else:
        module.scale = float(scale)
        module.zero_point = int(zero_point)


def set_weight(module, weight_q, bias=None):
    """Replaces the weight (a quantized tensor) and float bias of a converted conv/linear module."""
    module.set_weight_bias(weight_q, bias)


def distinct(t):
    a = t.int_repr() if t.is_quantized else t
    return int(np.unique(a.numpy()).size)
