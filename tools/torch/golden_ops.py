"""Golden cases for single ops (and small groups of them), registered with golden_cases.case."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.ao.nn.quantized import FloatFunctional
from torch.ao.quantization import DeQuantStub, QuantStub

import make_examples
import quant_helpers as qh
from golden_cases import Fn, Wrap, _calib, _grid, _quant_only, case

# --- quantize / dequantize ---------------------------------------------------------------------


@case("quantize_u8", "quantize to u8 with an odd zero point and dequantize; inputs beyond the range on both sides")
def quantize_u8(g):
    return _quant_only(g, nn.Identity(), (4, 64), -3.0, 9.0, (0.05, 77))


@case("quantize_ties", "quantize with scale 1/16: every other input lies exactly halfway between two steps "
      "(round half to even), plus saturation on both sides")
def quantize_ties(g):
    model, _ = _quant_only(g, nn.Identity(), (1, 8), -1.0, 1.0, (0.0625, 77))
    k = torch.arange(-2 * 90, 2 * 190)  # half steps from below q=0 to above q=255
    return model, ((k.float() / 32.0).reshape(1, -1),)


@case("quantize_reciprocal", "quantize multiplies by f32(1/scale) (x=0.273939937, s=f32(0.00214854861) gives 128; "
      "dividing would give 127)")
def quantize_reciprocal(g):
    model, (x,) = _quant_only(g, nn.Identity(), (2, 32), -0.1, 0.6, (0.00214854861, 0))
    x.view(-1)[5] = 0.273939937
    return model, (x,)


@case("quantize_qi8", "quantize to qint8 (zero point -11) and dequantize")
def quantize_qi8(g):
    return _quant_only(g, nn.Identity(), (3, 40), -2.0, 5.0, (0.03, -11), act_dtype=torch.qint8)


# --- conv2d -----------------------------------------------------------------------------------


def _conv_case(g, conv, shape, per_channel=True, weight_affine=False, relu=False, lo=-2.0, hi=2.0):
    body = nn.Sequential(conv, nn.ReLU()) if relu else nn.Sequential(conv)
    model = Wrap(body)
    fuse = [["body.0", "body.1"]] if relu else None
    qc = qh.qconfig(per_channel=per_channel, weight_affine=weight_affine)
    model = qh.eager(model, _calib(g, (2,) + shape[1:], lo, hi), qc, fuse)
    return model, (qh.spread(g, shape, lo, hi),)


@case("conv2d_per_tensor", "3x3 conv, padding 1, per-tensor symmetric weights")
def conv2d_per_tensor(g):
    return _conv_case(g, nn.Conv2d(3, 4, 3, padding=1), (1, 3, 6, 6), per_channel=False)


@case("conv2d_per_channel", "3x3 conv, padding 1, per-channel symmetric weights")
def conv2d_per_channel(g):
    return _conv_case(g, nn.Conv2d(3, 5, 3, padding=1), (1, 3, 6, 6))


@case("conv2d_stride_padding_dilation", "3x3 conv, stride 2, padding 2, dilation 2, per-channel weights")
def conv2d_spd(g):
    return _conv_case(g, nn.Conv2d(2, 4, 3, stride=2, padding=2, dilation=2), (1, 2, 9, 9))


@case("conv2d_rect", "2x3 kernel, stride (2, 1), padding (1, 0), per-tensor weights, non-square input")
def conv2d_rect(g):
    return _conv_case(g, nn.Conv2d(3, 4, (2, 3), stride=(2, 1), padding=(1, 0)), (1, 3, 7, 6), per_channel=False)


@case("conv2d_groups", "grouped conv (groups 2, 4 -> 6 channels), per-channel weights")
def conv2d_groups(g):
    return _conv_case(g, nn.Conv2d(4, 6, 3, padding=1, groups=2), (1, 4, 5, 5))


@case("conv2d_winograd", "3x3 conv, stride 1, padding 1, 20 -> 24 channels on 17 x 29 (the JVM's Winograd kernel: "
      "odd output rows and columns, 15 tiles a row), relu fused, per-channel weights")
def conv2d_winograd(g):
    return _conv_case(g, nn.Conv2d(20, 24, 3, padding=1), (1, 20, 17, 29), relu=True, lo=-1.0, hi=3.0)


@case("conv2d_winograd_narrow", "3x3 conv, stride 1, padding (1, 0), 40 -> 8 channels on 9 x 15: 13 output columns "
      "(the JVM's Winograd kernel with 7 tiles a row, two rows a panel), per-tensor weights")
def conv2d_winograd_narrow(g):
    return _conv_case(g, nn.Conv2d(40, 8, 3, padding=(1, 0)), (2, 40, 9, 15), per_channel=False)


@case("conv2d_depthwise", "depthwise 3x3 conv, stride 2, per-channel weights")
def conv2d_depthwise(g):
    return _conv_case(g, nn.Conv2d(4, 4, 3, stride=2, padding=1, groups=4), (1, 4, 7, 7))


@case("conv2d_depthwise_multiplier", "depthwise conv with channel multiplier 2 (3 -> 6, groups 3), per-tensor weights")
def conv2d_depthwise_multiplier(g):
    return _conv_case(g, nn.Conv2d(3, 6, 3, padding=1, groups=3), (1, 3, 5, 5), per_channel=False)


@case("conv2d_no_bias", "1x1 conv without bias, per-channel weights")
def conv2d_no_bias(g):
    return _conv_case(g, nn.Conv2d(4, 3, 1, bias=False), (1, 4, 5, 5))


@case("conv2d_relu", "conv + relu fused (ConvReLU2d), per-tensor weights; written conv2d then relu")
def conv2d_relu(g):
    return _conv_case(g, nn.Conv2d(3, 4, 3, padding=1), (1, 3, 6, 6), per_channel=False, relu=True, lo=-1.0,
                      hi=3.0)


@case("conv2d_weight_zp_per_tensor", "per-tensor affine int8 weights (non-zero weight zero point)")
def conv2d_weight_zp_per_tensor(g):
    conv = nn.Conv2d(3, 4, 3, padding=1)
    with torch.no_grad():
        conv.weight.add_(0.15)  # asymmetric weights give a non-zero zero point
    return _conv_case(g, conv, (1, 3, 6, 6), per_channel=False, weight_affine=True)


@case("conv2d_weight_zp_per_channel", "per-channel affine int8 weights (a zero point per output channel)")
def conv2d_weight_zp_per_channel(g):
    conv = nn.Conv2d(3, 4, 3, padding=1)
    with torch.no_grad():
        conv.weight.add_(torch.tensor([0.1, -0.12, 0.05, 0.2]).view(4, 1, 1, 1))
    return _conv_case(g, conv, (1, 3, 6, 6), weight_affine=True)


@case("conv2d_output_saturation", "conv whose output scale was forced to 0.4x the calibrated one (zero point 200): "
      "outputs saturate at 0 and 255")
def conv2d_output_saturation(g):
    model, inputs = _conv_case(g, nn.Conv2d(3, 4, 3, padding=1), (1, 3, 6, 6))
    qh.set_qparams(model.body[0], model.body[0].scale * 0.4, 200)
    return model, inputs


def _tie_weights(g, shape, scale, axis_scales=None):
    ints = torch.randint(-2, 3, shape, generator=g).to(torch.int8)
    if axis_scales is not None:
        return torch._make_per_channel_quantized_tensor(ints, torch.tensor(axis_scales, dtype=torch.float64),
                                                        torch.zeros(len(axis_scales), dtype=torch.int64), 0)
    return torch._make_per_tensor_quantized_tensor(ints, scale, 0)


@case("conv2d_requant_ties", "constructed so requantization hits exact ties: input scale 0.5, weight scale "
      "0.25, output scale 0.25 (multiplier 0.5); biases are odd multiples of half the bias scale (ties in "
      "bias rounding); odd zero points 101 and 97")
def conv2d_requant_ties(g):
    model, _ = _conv_case(g, nn.Conv2d(2, 3, 3, padding=1), (1, 2, 6, 6), per_channel=False)
    conv = model.body[0]
    bias = (2 * torch.randint(-6, 6, (3,), generator=g) + 1).float() * 0.0625  # b / 0.125 = k + 0.5
    qh.set_weight(conv, _tie_weights(g, (3, 2, 3, 3), 0.25), bias)
    qh.set_qparams(model.quant, 0.5, 101)
    qh.set_qparams(conv, 0.25, 97)
    x = _grid(g, (1, 2, 6, 6), 0.5, 101, 101 - 10, 101 + 10, beyond=0)
    x.view(-1)[:2] = torch.tensor([-80.0, 90.0])  # saturating inputs
    return model, (x,)


@case("conv2d_requant_ties_per_channel", "like conv2d_requant_ties with per-channel weight scales 0.25, 0.5, "
      "0.125 (multipliers 0.5, 1, 0.25)")
def conv2d_requant_ties_per_channel(g):
    model, _ = _conv_case(g, nn.Conv2d(2, 3, 3, padding=1), (1, 2, 6, 6))
    conv = model.body[0]
    qh.set_weight(conv, _tie_weights(g, (3, 2, 3, 3), None, [0.25, 0.5, 0.125]), torch.tensor([0.0625, -0.1875, 0.0]))
    qh.set_qparams(model.quant, 0.5, 101)
    qh.set_qparams(conv, 0.25, 97)
    return model, (_grid(g, (1, 2, 6, 6), 0.5, 101, 101 - 8, 101 + 8, beyond=0),)


# --- linear -----------------------------------------------------------------------------------


def _linear_case(g, lin, shape, per_channel=True, relu=False, lo=-2.0, hi=2.0):
    body = nn.Sequential(lin, nn.ReLU()) if relu else nn.Sequential(lin)
    fuse = [["body.0", "body.1"]] if relu else None
    model = qh.eager(Wrap(body), _calib(g, shape, lo, hi), qh.qconfig(per_channel=per_channel), fuse)
    return model, (qh.spread(g, shape, lo, hi),)


@case("linear_per_tensor", "linear 8 -> 6, per-tensor weights")
def linear_per_tensor(g):
    return _linear_case(g, nn.Linear(8, 6), (4, 8), per_channel=False)


@case("linear_per_channel", "linear 10 -> 7, per-channel weights")
def linear_per_channel(g):
    return _linear_case(g, nn.Linear(10, 7), (3, 10))


@case("linear_relu", "linear + relu fused (LinearReLU), per-channel weights")
def linear_relu(g):
    return _linear_case(g, nn.Linear(10, 7), (3, 10), relu=True)


@case("linear_3d_input", "linear on a rank-3 input [2, 3, 8] -> [2, 3, 5]")
def linear_3d_input(g):
    return _linear_case(g, nn.Linear(8, 5), (2, 3, 8), per_channel=False)


@case("linear_no_bias", "linear without bias, per-channel weights")
def linear_no_bias(g):
    return _linear_case(g, nn.Linear(12, 4, bias=False), (3, 12))


@case("linear_requant_ties", "linear constructed for exact requantization ties (multiplier 0.5, odd zero points)")
def linear_requant_ties(g):
    model, _ = _linear_case(g, nn.Linear(16, 6), (4, 16), per_channel=False)
    lin = model.body[0]
    bias = (2 * torch.randint(-6, 6, (6,), generator=g) + 1).float() * 0.0625
    qh.set_weight(lin, _tie_weights(g, (6, 16), 0.25), bias)
    qh.set_qparams(model.quant, 0.5, 101)
    qh.set_qparams(lin, 0.25, 97)
    return model, (_grid(g, (4, 16), 0.5, 101, 101 - 12, 101 + 12, beyond=0),)


# --- activations ------------------------------------------------------------------------------


@case("relu", "relu on u8 with zero point 93")
def relu(g):
    return _quant_only(g, nn.ReLU(), (2, 64), -4.0, 8.0, (0.05, 93))


@case("relu6", "relu6 on u8 (scale 0.04, zero point 51: 6 -> 201 clamps inside the range)")
def relu6(g):
    return _quant_only(g, nn.ReLU6(), (2, 64), -2.0, 8.0, (0.04, 51))


@case("hardtanh", "hardtanh(-1.5, 2.25) with zero point 117")
def hardtanh(g):
    return _quant_only(g, nn.Hardtanh(-1.5, 2.25), (2, 64), -3.0, 4.0, (0.03, 117))


@case("hardtanh_bounds", "hardtanh bounds beyond the range (both saturate: no-op), and bounds that quantize "
      "to exact ties (-10.5 and 20.5 steps with scale 1/16)")
def hardtanh_bounds(g):
    body = Fn(lambda m, x: (F.hardtanh(x, -100.0, 100.0), F.hardtanh(x, -0.65625, 1.28125)))
    model, _ = _quant_only(g, body, (2, 64), -4.0, 8.0, (0.0625, 77))
    return model, (_grid(g, (2, 64), 0.0625, 77, 40, 120, beyond=0),)


@case("clamp", "clamp(-0.25, 0.75), clamp(-0.5, 10.0) whose max lies beyond the range, and clip(-5.0, 0.3) "
      "whose min does (three outputs; quantized clamp needs both bounds in PyTorch)")
def clamp(g):
    body = Fn(lambda m, x: (torch.clamp(x, -0.25, 0.75), torch.clamp(x, -0.5, 10.0), torch.clip(x, -5.0, 0.3)))
    return _quant_only(g, body, (2, 48), -2.0, 2.0, (0.02, 101))


@case("hardswish", "quantized Hardswish with its own output scale and zero point")
def hardswish(g):
    return _quant_only(g, nn.Hardswish(), (2, 64), -5.0, 5.0)


@case("hardsigmoid", "hardsigmoid on u8 (PyTorch fixes the output to scale 1/256, zero point 0)")
def hardsigmoid(g):
    return _quant_only(g, nn.Hardsigmoid(), (2, 64), -4.0, 4.0, (0.04, 120))


@case("sigmoid", "sigmoid on u8 (output scale 1/256, zero point 0)")
def sigmoid(g):
    return _quant_only(g, Fn(lambda m, x: torch.sigmoid(x)), (2, 64), -6.0, 6.0, (0.05, 128))


@case("qi8_activations", "relu, max_pool2d, avg_pool2d, sigmoid and hardsigmoid on a qint8 tensor "
      "(zero point -7; five outputs)")
def qi8_activations(g):
    body = Fn(lambda m, x: (torch.relu(x), F.max_pool2d(x, 2), F.avg_pool2d(x, 2), torch.sigmoid(x),
                            F.hardsigmoid(x)))
    return _quant_only(g, body, (1, 2, 6, 6), -3.0, 4.0, (0.03, -7), act_dtype=torch.qint8)


# --- add / mul / cat --------------------------------------------------------------------------


class Binary(nn.Module):
    """Two quantized inputs a, b combined by a FloatFunctional op."""

    def __init__(self, op):
        super().__init__()
        self.qa, self.qb = QuantStub(), QuantStub()
        self.ff = FloatFunctional()
        self.op = op
        self.dequant = DeQuantStub()

    def forward(self, a, b):
        return self.dequant(getattr(self.ff, self.op)(self.qa(a), self.qb(b)))


def _binary(g, op, shape_a, shape_b, ra=(-2.0, 2.0), rb=(-1.0, 3.0)):
    calib = [(qh.uniform(g, shape_a, *ra), qh.uniform(g, shape_b, *rb)) for _ in range(3)]
    model = qh.eager(Binary(op), calib)
    return model, (qh.spread(g, shape_a, *ra), qh.spread(g, shape_b, *rb))


@case("add", "quantized add of two u8 tensors with different parameters (QNNPACK fixed point)")
def add(g):
    return _binary(g, "add", (1, 3, 6, 6), (1, 3, 6, 6))


@case("add_relu", "quantized add_relu (FloatFunctional.add_relu)")
def add_relu(g):
    return _binary(g, "add_relu", (1, 3, 6, 6), (1, 3, 6, 6))


@case("add_broadcast", "quantized add with broadcasting ([1, 3, 5, 5] + [1, 3, 1, 1])")
def add_broadcast(g):
    return _binary(g, "add", (1, 3, 5, 5), (1, 3, 1, 1))


def _float_add_tables(sa, za, sb, zb, so, zo):
    """PyTorch's quint8 broadcast add (ATen's float path) of every pair (qa, qb), as [qb, qa] tables:
    once laid out so that its vectorized lambda computes every element ([256, 256] + [256, 1]: rows
    of 256, b broadcast), once so that its scalar lambda does (rows of 32, shorter than 64)."""
    q = torch.arange(256, dtype=torch.uint8)

    def add(a, b):
        qa = torch._make_per_tensor_quantized_tensor(a, sa, za)
        qb = torch._make_per_tensor_quantized_tensor(b, sb, zb)
        return torch.ops.quantized.add(qa, qb, so, zo).int_repr()

    vectorized = add(q.repeat(256, 1), q.reshape(256, 1))
    scalar = add(q.repeat(256, 1).reshape(2048, 32), q.reshape(256, 1).repeat(1, 8).reshape(2048, 1))
    return vectorized, scalar.reshape(256, 256)


def _on_grid(q, scale, zp):
    """Float inputs that PyTorch quantizes to exactly the integers q (checked)."""
    x = (q - zp).float() * scale
    assert torch.equal(torch.quantize_per_tensor(x, scale, zp, torch.quint8).int_repr(), q.to(torch.uint8))
    return x


@case("add_broadcast_rows", "broadcast quint8 add ([2, 3, 150] + [2, 1, 150]): ATen's float path in rows of 150, "
      "the first 128 of each row by its vectorized lambda, the last 22 by its scalar lambda")
def add_broadcast_rows(g):
    return _binary(g, "add", (2, 3, 150), (2, 1, 150))


@case("add_broadcast_scalar", "broadcast quint8 add of a one-element tensor ([1, 4, 8, 8] + [1]): one row of 256, "
      "every element by the vectorized lambda")
def add_broadcast_scalar(g):
    return _binary(g, "add", (1, 4, 8, 8), (1,), rb=(-1.5, 1.5))


@case("add_broadcast_lambdas", "broadcast quint8 add ([71, 96] + [71, 1]; rows of 96: 64 vectorized, 32 scalar) "
      "where every pair (qa, qb) whose vectorized and scalar results differ in PyTorch is placed in both parts "
      "of its row, the rest random")
def add_broadcast_lambdas(g):
    sa, za, sb, zb, so, zo = 0.0123, 77, 0.031, 140, 0.037, 90
    vectorized, scalar = _float_add_tables(sa, za, sb, zb, so, zo)
    by_b = {}
    for b, a in (vectorized != scalar).nonzero().tolist():
        by_b.setdefault(b, []).append(a)
    rows = sorted(by_b)
    assert len(rows) == 71 and max(len(v) for v in by_b.values()) <= 16, (len(rows), by_b)
    qa = torch.randint(0, 256, (len(rows), 96), generator=g)
    for r, b in enumerate(rows):
        for k, a in enumerate(by_b[b]):
            qa[r, k] = qa[r, 63 - k] = a  # vectorized: the start and the end of the vectorized part
            qa[r, 64 + k] = qa[r, 95 - k] = a  # scalar: the start and the end of the tail
    qb = torch.tensor(rows).reshape(-1, 1)
    model, _ = _binary(g, "add", (len(rows), 96), (len(rows), 1))
    qh.set_qparams(model.qa, sa, za)
    qh.set_qparams(model.qb, sb, zb)
    qh.set_qparams(model.ff, so, zo)
    return model, (_on_grid(qa, sa, za), _on_grid(qb, sb, zb))


@case("add_ties", "quantized add constructed for exact ties: scales a 0.5, b 0.25, output 1.0")
def add_ties(g):
    model, _ = _binary(g, "add", (2, 64), (2, 64))
    qh.set_qparams(model.qa, 0.5, 3)
    qh.set_qparams(model.qb, 0.25, 100)
    qh.set_qparams(model.ff, 1.0, 7)
    return model, (_grid(g, (2, 64), 0.5, 3), _grid(g, (2, 64), 0.25, 100))


@case("mul", "quantized mul of two u8 tensors")
def mul(g):
    return _binary(g, "mul", (1, 3, 6, 6), (1, 3, 6, 6))


@case("mul_broadcast", "quantized mul with broadcasting ([1, 4, 3, 3] * [1, 4, 1, 1]), as in squeeze-excitation")
def mul_broadcast(g):
    return _binary(g, "mul", (1, 4, 3, 3), (1, 4, 1, 1), rb=(0.0, 1.0))


@case("mul_ties", "quantized mul constructed for exact ties: scales 0.5 x 0.5 -> 0.5 (multiplier 0.5)")
def mul_ties(g):
    model, _ = _binary(g, "mul", (2, 64), (2, 64))
    qh.set_qparams(model.qa, 0.5, 120)
    qh.set_qparams(model.qb, 0.5, 131)
    qh.set_qparams(model.ff, 0.5, 77)
    return model, (_grid(g, (2, 64), 0.5, 120, 100, 140, 0), _grid(g, (2, 64), 0.5, 131, 115, 147, 0))


class Cat(nn.Module):
    def __init__(self, n, dim):
        super().__init__()
        self.quants = nn.ModuleList(QuantStub() for _ in range(n))
        self.ff = FloatFunctional()
        self.dim = dim
        self.dequant = DeQuantStub()

    def forward(self, a, b, c):
        xs = [q(x) for q, x in zip(self.quants, (a, b, c))]
        return self.dequant(self.ff.cat(xs, dim=self.dim))


def _cat(g, dim, shapes, ranges):
    calib = [tuple(qh.uniform(g, s, *r) for s, r in zip(shapes, ranges)) for _ in range(3)]
    model = qh.eager(Cat(len(shapes), dim), calib)
    return model, tuple(qh.spread(g, s, *r) for s, r in zip(shapes, ranges))


@case("cat_requantize", "cat of three u8 tensors with different parameters along channels (each requantized)")
def cat_requantize(g):
    return _cat(g, 1, [(1, 2, 4, 4), (1, 3, 4, 4), (1, 1, 4, 4)], [(-1.0, 1.0), (0.0, 4.0), (-3.0, 2.0)])


@case("cat_same_qparams", "cat where every input has the output's parameters (a plain copy), along axis 3")
def cat_same_qparams(g):
    model, inputs = _cat(g, 3, [(1, 2, 3, 4), (1, 2, 3, 2), (1, 2, 3, 5)], [(-1.0, 2.0)] * 3)
    for q in list(model.quants) + [model.ff]:
        qh.set_qparams(q, 0.015, 67)
    return model, inputs


@case("cat_ties", "cat requantizing to twice the scale: inputs on the grid land exactly on ties")
def cat_ties(g):
    model, _ = _cat(g, 1, [(1, 2, 4, 4), (1, 2, 4, 4), (1, 2, 4, 4)], [(-1.0, 1.0)] * 3)
    for q, (s, z) in zip(model.quants, [(0.5, 10), (0.25, 131), (1.0, 128)]):
        qh.set_qparams(q, s, z)
    qh.set_qparams(model.ff, 1.0, 11)
    return model, (_grid(g, (1, 2, 4, 4), 0.5, 10), _grid(g, (1, 2, 4, 4), 0.25, 131), _grid(g, (1, 2, 4, 4), 1.0, 128))


# --- pooling ----------------------------------------------------------------------------------


def _pool(g, body, shape, qparams=(0.03, 101)):
    return _quant_only(g, body, shape, -2.0, 3.0, qparams)


@case("max_pool2d", "max_pool2d kernel 3, stride 2, padding 1")
def max_pool2d(g):
    return _pool(g, nn.MaxPool2d(3, 2, 1), (1, 2, 9, 9))


@case("max_pool2d_ceil_mode", "max_pool2d kernel 2, stride 2, ceil_mode on a 7x7 input (partial last window)")
def max_pool2d_ceil(g):
    return _pool(g, nn.MaxPool2d(2, 2, ceil_mode=True), (1, 2, 7, 7))


@case("max_pool2d_dilation", "max_pool2d kernel 2, stride 1, padding 1, dilation 2")
def max_pool2d_dilation(g):
    return _pool(g, nn.MaxPool2d(2, 1, 1, dilation=2), (1, 2, 6, 6))


@case("max_pool2d_rect", "max_pool2d kernel (3, 2), stride (2, 1), padding (1, 0), ceil_mode")
def max_pool2d_rect(g):
    return _pool(g, nn.MaxPool2d((3, 2), (2, 1), (1, 0), ceil_mode=True), (1, 2, 8, 5))


@case("avg_pool2d", "avg_pool2d kernel 3, stride 2, padding 1, count_include_pad (default)")
def avg_pool2d(g):
    return _pool(g, nn.AvgPool2d(3, 2, 1), (1, 2, 9, 9))


@case("avg_pool2d_exclude_pad", "avg_pool2d kernel 3, stride 2, padding 1, count_include_pad=False")
def avg_pool2d_exclude_pad(g):
    return _pool(g, nn.AvgPool2d(3, 2, 1, count_include_pad=False), (1, 2, 9, 9))


@case("avg_pool2d_ceil_mode", "avg_pool2d kernel 3, stride 2, padding 1, ceil_mode, with and without "
      "count_include_pad (two outputs)")
def avg_pool2d_ceil(g):
    body = Fn(lambda m, x: (F.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
                            F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)))
    return _pool(g, body, (1, 2, 8, 8))


@case("avg_pool2d_divisor_override", "avg_pool2d kernel 2 with divisor_override 3")
def avg_pool2d_divisor(g):
    return _pool(g, nn.AvgPool2d(2, divisor_override=3), (1, 2, 6, 6))


@case("avg_pool2d_ties", "avg_pool2d kernel 2 (divide by 4) with zero point 101 and inputs on the grid: exact "
      "ties on the QNNPACK path (quint8, no ceil_mode)")
def avg_pool2d_ties(g):
    model, _ = _pool(g, nn.AvgPool2d(2), (1, 2, 8, 8))
    return model, (_grid(g, (1, 2, 8, 8), 0.03, 101),)


@case("avg_pool2d_ceil_mode_ties", "avg_pool2d kernel 2, stride 2, ceil_mode on 7x7 with zero point 101 and inputs "
      "on the grid: exact ties on PyTorch's generic path (qnnpack's kernel is not used under ceil_mode)")
def avg_pool2d_ceil_ties(g):
    model, _ = _pool(g, nn.AvgPool2d(2, ceil_mode=True), (1, 3, 7, 7))
    return model, (_grid(g, (1, 3, 7, 7), 0.03, 101),)


@case("adaptive_avg_pool2d_even", "adaptive_avg_pool2d 8x8 -> 4x4 (2x2 windows) with zero point 101 and inputs on "
      "the grid: exact ties on the QNNPACK path (output size divides input size)")
def adaptive_even(g):
    model, _ = _pool(g, nn.AdaptiveAvgPool2d(4), (1, 3, 8, 8))
    return model, (_grid(g, (1, 3, 8, 8), 0.03, 101),)


@case("adaptive_avg_pool2d_uneven", "adaptive_avg_pool2d 7x5 -> 3x2 (overlapping windows of varying size)")
def adaptive_uneven(g):
    model, _ = _pool(g, nn.AdaptiveAvgPool2d((3, 2)), (1, 3, 7, 5))
    return model, (_grid(g, (1, 3, 7, 5), 0.03, 101),)


@case("adaptive_avg_pool2d_overlap_ties", "adaptive_avg_pool2d 3x3 -> 2x2 (overlapping 2x2 windows) with zero "
      "point 101 and inputs on the grid: exact ties on PyTorch's generic path")
def adaptive_overlap_ties(g):
    model, _ = _pool(g, nn.AdaptiveAvgPool2d(2), (1, 8, 3, 3))
    return model, (_grid(g, (1, 8, 3, 3), 0.03, 101),)


@case("adaptive_avg_pool2d_global", "adaptive_avg_pool2d 6x6 -> 1x1")
def adaptive_global(g):
    return _pool(g, nn.AdaptiveAvgPool2d(1), (2, 8, 6, 6))


@case("mean_spatial", "x.mean([2, 3]) on u8 (ShuffleNetV2's global pool), written adaptive_avg_pool2d + reshape")
def mean_spatial(g):
    model, _ = _pool(g, Fn(lambda m, x: x.mean([2, 3])), (2, 16, 2, 2))
    return model, (_grid(g, (2, 16, 2, 2), 0.03, 101),)


# --- shape ops --------------------------------------------------------------------------------


@case("flatten", "flatten(start_dim=1) of a quantized tensor")
def flatten(g):
    return _quant_only(g, nn.Flatten(), (2, 3, 2, 4), -1.0, 1.0)


@case("reshape", "view and reshape of a quantized tensor (two outputs)")
def reshape(g):
    body = Fn(lambda m, x: (x.view(2, -1, 4), x.reshape(4, 12)))
    return _quant_only(g, body, (2, 3, 2, 4), -1.0, 1.0)


@case("permute", "permute(0, 2, 3, 1) and transpose(1, 2) (two outputs)")
def permute(g):
    body = Fn(lambda m, x: (x.permute(0, 2, 3, 1), x.transpose(1, 2)))
    return _quant_only(g, body, (1, 3, 4, 5), -1.0, 1.0)


@case("chunk", "chunk(3, dim=1) of 8 channels: sizes 3, 3, 2 (three outputs)")
def chunk(g):
    def body(m, x):
        a, b, c = x.chunk(3, dim=1)  # unpacked so that torch.fx sees three values
        return a, b, c

    return _quant_only(g, Fn(body), (1, 8, 3, 3), -1.0, 1.0)


@case("split", "split([2, 5, 1], dim=1) and split(3, dim=3) (five outputs)")
def split(g):
    def body(m, x):
        a, b, c = torch.split(x, [2, 5, 1], dim=1)
        d, e = x.split(3, dim=3)
        return a, b, c, d, e

    return _quant_only(g, Fn(body), (1, 8, 2, 5), -1.0, 1.0)


@case("channel_shuffle", "channel shuffle with 2 groups as torchvision writes it (view/transpose/contiguous/view) "
      "and nn.ChannelShuffle(3) (two outputs)")
def channel_shuffle(g):
    def shuffle(m, x):
        n, c, h, w = x.size()
        y = x.view(n, 2, c // 2, h, w).transpose(1, 2).contiguous().view(n, c, h, w)
        return y, m.cs(x)

    return _quant_only(g, Fn(shuffle, cs=nn.ChannelShuffle(3)), (1, 6, 3, 3), -1.0, 1.0)


@case("pad", "constant pad of a quantized tensor: spatial (1, 2, 0, 3) with value 0.3 (quantized with the "
      "input's parameters), and channels with 0 (two outputs)")
def pad(g):
    body = Fn(lambda m, x: (F.pad(x, (1, 2, 0, 3), value=0.3), F.pad(x, (0, 0, 0, 0, 1, 2))))
    return _quant_only(g, body, (1, 2, 3, 3), -1.0, 1.0, (0.02, 55))


@case("slice", "basic indexing of a quantized tensor, x[:, 1:3, :, 2:] and x[0, 1], written as split + reshape")
def slice_(g):
    return _quant_only(g, Fn(lambda m, x: (x[:, 1:3, :, 2:], x[0, 1])), (2, 4, 3, 5), -1.0, 1.0)


@case("identity_ops", "contiguous, Identity and Dropout (eval) are no-ops: quantize then dequantize")
def identity_ops(g):
    body = Fn(lambda m, x: m.drop(m.ident(x.contiguous())), ident=nn.Identity(), drop=nn.Dropout(0.5))
    return _quant_only(g, body, (2, 32), -1.0, 1.0, (0.01, 133))


# --- batch norm -------------------------------------------------------------------------------


def _bn(g, c):
    bn = nn.BatchNorm2d(c)
    make_examples._randomize_bn(bn, g)
    return bn


@case("batch_norm_quantized", "a standalone BatchNorm2d, quantized (torch.ops.quantized.batch_norm2d)")
def batch_norm_quantized(g):
    return _quant_only(g, _bn(g, 3), (1, 3, 4, 4), -2.0, 2.0)


@case("bn_relu_quantized", "BatchNorm2d + ReLU fused into the quantized BNReLU2d; written batch_norm then relu")
def bn_relu_quantized(g):
    model = Wrap(nn.Sequential(_bn(g, 3), nn.ReLU()))
    model = qh.eager(model, _calib(g, (1, 3, 4, 4), -2.0, 2.0), fuse=[["body.0", "body.1"]])
    return model, (qh.spread(g, (1, 3, 4, 4), -2.0, 2.0),)


class FloatBnThenQuant(nn.Module):
    def __init__(self, bn):
        super().__init__()
        self.bn = bn
        self.quant = QuantStub()
        self.dequant = DeQuantStub()

    def forward(self, x):
        return self.dequant(self.quant(self.bn(x)))


@case("batch_norm_float", "a float BatchNorm2d before quantize. Float numerics of this PyTorch build (checked "
      "bit-exact on 32768 values): invstd = f32(1 / f32(sqrt(f32(var + eps)))), a = f32(invstd * w), "
      "c = fma(-mean, a, b), out = fma(x, a, c) (GCC contracts the AVX2 kernel to FMA)")
def batch_norm_float(g):
    model = FloatBnThenQuant(_bn(g, 3))
    model.bn.qconfig = None
    model = qh.eager(model, _calib(g, (1, 3, 4, 4), -2.0, 2.0))
    return model, (qh.spread(g, (1, 3, 4, 4), -2.0, 2.0),)
