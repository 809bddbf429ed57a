"""The golden conformance cases: small seeded models, each with its inputs.

A case is a function decorated with @case(name, description). It returns (model, inputs) where
`model` is a converted quantized model and `inputs` a tuple of float tensors for forward(); or
(model, inputs, extra_description). The generator (make_goldens.py) exports it, runs PyTorch on
the inputs and stores everything. Each case gets its own seeded generator `g`.
"""

import torch
import torch.nn as nn
from torch.ao.quantization import DeQuantStub, QuantStub

import quant_helpers as qh

CASES = {}


def case(name, description, source="eager"):
    def register(fn):
        CASES[name] = (fn, description, source)
        return fn

    return register


class Wrap(nn.Module):
    """QuantStub -> body -> DeQuantStub on every output (body works on quantized tensors)."""

    def __init__(self, body):
        super().__init__()
        self.quant = QuantStub()
        self.body = body
        self.dequant = DeQuantStub()

    def forward(self, x):
        y = self.body(self.quant(x))
        if isinstance(y, (tuple, list)):
            return tuple(self.dequant(t) for t in y)
        return self.dequant(y)


class Fn(nn.Module):
    """A body from a function of the input."""

    def __init__(self, fn, **modules):
        super().__init__()
        self.fn = fn
        for k, m in modules.items():
            setattr(self, k, m)

    def forward(self, x):
        return self.fn(self, x)


def _calib(g, shape, lo, hi, n=3):
    return [(qh.uniform(g, shape, lo, hi),) for _ in range(n)]


def _quant_only(g, body, shape, lo, hi, qparams=None, act_dtype=torch.quint8, beyond=0.3):
    """quantize -> body -> dequantize, calibrated on [lo, hi], inputs beyond that range."""
    model = qh.eager(Wrap(body), _calib(g, shape, lo, hi), qh.qconfig(act_dtype=act_dtype))
    if qparams:
        qh.set_qparams(model.quant, *qparams)
    return model, (qh.spread(g, shape, lo, hi, beyond),)


def _grid(g, shape, scale, zp, lo_q=0, hi_q=255, beyond=8):
    """Inputs exactly on the quantization grid (and a little beyond), so integer sums hit ties."""
    q = torch.randint(lo_q - beyond, hi_q + beyond + 1, shape, generator=g)
    return (q - zp).float() * scale


def load_all():
    """Imports the modules that define the cases (in the order the generator writes them)."""
    import importlib

    for module in ("golden_ops", "golden_models"):  # single ops first, then chains and examples
        importlib.import_module(module)

    return CASES
