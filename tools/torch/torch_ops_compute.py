"""Handlers for arithmetic ops: quantize, conv2d, linear, activations, add/mul/cat, pooling, batch norm."""

import operator

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_ops import (_axis, _bind, _module_comment, _name, _pair, _unary, _with_relu, functions, methods, modules,
                       nniq, nnq, nnqd)

# --- quantize / dequantize -------------------------------------------------------------------


def _quantize(ex, node, x, comment=None):
    x = ex.tensor(x)
    if x.meta.quantized:
        raise ex.error("quantizes a tensor that is already quantized")
    if not ex.result_meta().quantized or ex.result_meta().qparams[0] != "tensor":
        raise ex.error("is not a per-tensor quantization")
    return ex.emit(_name(node), "quantize", [x], comment=comment)


@modules(nnq.Quantize)
def quantize_module(ex, node, args, kwargs, mod):
    return _quantize(ex, node, args[0], _module_comment(node, mod))


@functions(torch.quantize_per_tensor)
def quantize_per_tensor(ex, node, args, kwargs):
    return _quantize(ex, node, _bind(args, kwargs, ["input", "scale", "zero_point", "dtype"])["input"])


def _dequantize(ex, node, x):
    x = ex.tensor(x)
    if not x.meta.quantized:
        return x  # Tensor.dequantize() of a float tensor returns it unchanged
    return ex.emit(_name(node), "dequantize", [x])


@modules(nnq.DeQuantize)
def dequantize_module(ex, node, args, kwargs, mod):
    return _dequantize(ex, node, args[0])


@functions(torch.dequantize)
@methods("dequantize")
def dequantize(ex, node, args, kwargs):
    return _dequantize(ex, node, args[0])


# --- conv2d / linear -------------------------------------------------------------------------


def _conv(ex, node, x, key, w, b, stride, padding, dilation, groups, relu, comment=None):
    x = ex.tensor(x)
    if x.meta.rank != 4 or w.dim() != 4:
        raise ex.error("is not a 2-D convolution (only conv2d is in the language)")
    if isinstance(padding, str):
        if padding != "valid":
            raise ex.error(f"uses padding='{padding}' (write the padding explicitly)")
        padding = 0
    operands = [x, ex.weight(f"{key}.weight", w, f"{_name(node)}.weight")]
    if b is not None:
        operands.append(ex.weight(f"{key}.bias", b, f"{_name(node)}.bias"))
    ph, pw = _pair(padding)
    attrs = {
        "stride": _pair(stride),
        "padding": [ph, pw, ph, pw],
        "dilation": _pair(dilation),
        "groups": int(groups),
    }
    return _with_relu(ex, node, "conv2d", operands, attrs, relu, comment)


@modules(nnq.Conv2d, nniq.ConvReLU2d, nn.Conv2d)
def conv_module(ex, node, args, kwargs, mod):
    if getattr(mod, "padding_mode", "zeros") != "zeros":
        raise ex.error(f"uses padding_mode='{mod.padding_mode}' (only zero padding is in the language)")
    quantized = isinstance(mod, nnq.Conv2d)
    w, b = (mod.weight(), mod.bias()) if quantized else (mod.weight, mod.bias)
    relu = isinstance(mod, nniq.ConvReLU2d)
    return _conv(ex, node, args[0], node.target, w, b, mod.stride, mod.padding, mod.dilation, mod.groups, relu,
                 _module_comment(node, mod))


def _packed_key(ex, packed, node):
    return ex.const_keys.get(id(packed), f"{_name(node)}.packed")


def _quantized_conv_fn(relu):
    def handler(ex, node, args, kwargs):
        p = _bind(args, kwargs, ["qx", "packed_weight", "output_scale", "output_zero_point"])
        packed = p["packed_weight"]
        w, b = packed.unpack()
        return _conv(ex, node, p["qx"], _packed_key(ex, packed, node), w, b, packed.stride(), packed.padding(),
                     packed.dilation(), packed.groups(), relu)

    return handler


functions("torch.ops.quantized.conv2d")(_quantized_conv_fn(False))
functions("torch.ops.quantized.conv2d_relu")(_quantized_conv_fn(True))


def _linear(ex, node, x, key, w, b, relu, comment=None):
    x = ex.tensor(x)
    if w.is_quantized != x.meta.quantized:
        raise ex.error("mixes float and quantized operands (dynamic quantization is not in the language)")
    operands = [x, ex.weight(f"{key}.weight", w, f"{_name(node)}.weight")]
    if b is not None:
        operands.append(ex.weight(f"{key}.bias", b, f"{_name(node)}.bias"))
    return _with_relu(ex, node, "linear", operands, {}, relu, comment)


@modules(nnqd.Linear)
def dynamic_linear(ex, node, args, kwargs, mod):
    raise ex.error("is dynamically quantized (runtime qparams are not in the language)")


@modules(nnq.Linear, nniq.LinearReLU, nn.Linear)
def linear_module(ex, node, args, kwargs, mod):
    quantized = isinstance(mod, nnq.Linear)
    w, b = (mod.weight(), mod.bias()) if quantized else (mod.weight, mod.bias)
    return _linear(ex, node, args[0], node.target, w, b, isinstance(mod, nniq.LinearReLU), _module_comment(node, mod))


def _quantized_linear_fn(relu):
    def handler(ex, node, args, kwargs):
        p = _bind(args, kwargs, ["X", "W_prepack", "Y_scale_i", "Y_zero_point_i"])
        w, b = torch.ops.quantized.linear_unpack(p["W_prepack"])
        return _linear(ex, node, p["X"], _packed_key(ex, p["W_prepack"], node), w, b, relu)

    return handler


functions("torch.ops.quantized.linear")(_quantized_linear_fn(False))
functions("torch.ops.quantized.linear_relu")(_quantized_linear_fn(True))


@functions(F.linear)
def linear_fn(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "weight", "bias"], bias=None)
    operands = [ex.tensor(p["input"]), ex.tensor(p["weight"], "weight")]
    if p["bias"] is not None:
        operands.append(ex.tensor(p["bias"], "bias"))
    return ex.emit(_name(node), "linear", operands, {})


# --- activations -----------------------------------------------------------------------------



@modules(nn.ReLU)
def relu_module(ex, node, args, kwargs, mod):
    return _unary(ex, node, "relu", args[0])


@functions(torch.relu, torch.relu_, F.relu, "torch.nn.functional.relu_")
@methods("relu", "relu_")
def relu(ex, node, args, kwargs):
    return _unary(ex, node, "relu", args[0])


@modules(nn.ReLU6, nnq.ReLU6)
def relu6_module(ex, node, args, kwargs, mod):
    return _unary(ex, node, "relu6", args[0])


@functions(F.relu6, "torch.ops.quantized.relu6")
def relu6(ex, node, args, kwargs):
    return _unary(ex, node, "relu6", args[0])


def _hardtanh(ex, node, x, lo, hi):
    return _unary(ex, node, "hardtanh", x, {"min": float(lo), "max": float(hi)})


@modules(nn.Hardtanh)
def hardtanh_module(ex, node, args, kwargs, mod):
    return _hardtanh(ex, node, args[0], mod.min_val, mod.max_val)


@functions(F.hardtanh, "torch.nn.functional.hardtanh_", "torch._C._nn.hardtanh")
def hardtanh(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "min_val", "max_val", "inplace"], min_val=-1.0, max_val=1.0)
    return _hardtanh(ex, node, p["input"], p["min_val"], p["max_val"])


@functions(torch.clamp, torch.clip, "torch.clamp_")
@methods("clamp", "clamp_", "clip", "clip_")
def clamp(ex, node, args, kwargs):
    from zeropoint_torch import Value

    p = _bind(args, kwargs, ["input", "min", "max"], min=None, max=None)
    attrs = {}
    for k in ("min", "max"):
        if isinstance(p[k], (torch.Tensor, Value)):
            raise ex.error("clamps with tensor bounds (only constant bounds are in the language)")
        if p[k] is not None:
            attrs[k] = float(p[k])
    if not attrs:
        return ex.tensor(p["input"])
    return _unary(ex, node, "clamp", p["input"], attrs)


@modules(nnq.Hardswish)
def hardswish_qmodule(ex, node, args, kwargs, mod):
    return _unary(ex, node, "hardswish", args[0], comment=_module_comment(node, mod))


@modules(nn.Hardswish)
def hardswish_module(ex, node, args, kwargs, mod):
    return _unary(ex, node, "hardswish", args[0])


@functions(F.hardswish, "torch.ops.quantized.hardswish", "torch.ao.nn.quantized.functional.hardswish")
def hardswish(ex, node, args, kwargs):
    return _unary(ex, node, "hardswish", args[0])


@modules(nn.Hardsigmoid)
def hardsigmoid_module(ex, node, args, kwargs, mod):
    return _unary(ex, node, "hardsigmoid", args[0])


@functions(F.hardsigmoid)
@methods("hardsigmoid")
def hardsigmoid(ex, node, args, kwargs):
    return _unary(ex, node, "hardsigmoid", args[0])


def _sigmoid(ex, node, x):
    meta = ex.result_meta()
    if meta.quantized:
        fixed = {"qu8": ("tensor", 0.00390625, 0), "qi8": ("tensor", 0.00390625, -128)}.get(meta.element)
        if meta.qparams != fixed:
            raise ex.error(f"gives sigmoid output parameters {meta.qparams}, the language infers {fixed}")
    return _unary(ex, node, "sigmoid", x)


@modules(nn.Sigmoid, nnq.Sigmoid)
def sigmoid_module(ex, node, args, kwargs, mod):
    return _sigmoid(ex, node, args[0])


@functions(torch.sigmoid, F.sigmoid, "torch.ops.quantized.sigmoid")
@methods("sigmoid")
def sigmoid(ex, node, args, kwargs):
    return _sigmoid(ex, node, args[0])


# --- add / mul / cat -------------------------------------------------------------------------


def _quantized_binary(op, relu):
    def handler(ex, node, args, kwargs):
        p = _bind(args, kwargs, ["qa", "qb", "scale", "zero_point"])
        if not isinstance(p["qb"], (torch.Tensor,)) and type(p["qb"]).__name__ != "Value":
            raise ex.error(f"is a quantized {op} with a Python scalar ({op}_scalar): not in the language")
        a, b = ex.tensor(p["qa"]), ex.tensor(p["qb"])
        return _with_relu(ex, node, op, [a, b], {}, relu)

    return handler


functions("torch.ops.quantized.add")(_quantized_binary("add", False))
functions("torch.ops.quantized.add_relu")(_quantized_binary("add", True))
functions("torch.ops.quantized.mul")(_quantized_binary("mul", False))
functions("torch.ops.quantized.mul_relu")(_quantized_binary("mul", True))


def _float_binary(ex, node, op, a, b):
    from zeropoint_torch import Value

    like = a if isinstance(a, Value) else b
    if like.meta.quantized:
        raise ex.error(f"is a {op} on a quantized tensor outside torch.ops.quantized")
    return ex.emit(_name(node), op, [ex.scalar(like, a, "lhs"), ex.scalar(like, b, "rhs")], {})


@functions(operator.add, operator.iadd, torch.add)
@methods("add", "add_")
def add(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "other", "alpha"], alpha=1)
    if p["alpha"] != 1:
        raise ex.error("adds with alpha != 1")
    return _float_binary(ex, node, "add", p["input"], p["other"])


@functions(operator.sub, torch.sub)
@methods("sub")
def sub(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "other", "alpha"], alpha=1)
    if not isinstance(p["other"], (int, float)) or p["alpha"] != 1:
        raise ex.error("subtracts a tensor (the language has no sub; x - c is written as add of -c)")
    return _float_binary(ex, node, "add", p["input"], -float(p["other"]))


@functions(operator.mul, operator.imul, torch.mul)
@methods("mul", "mul_")
def mul(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "other"])
    return _float_binary(ex, node, "mul", p["input"], p["other"])


def _cat(ex, node, xs, dim):
    xs = [ex.tensor(x) for x in xs]
    return ex.emit(_name(node), "cat", xs, {"axis": _axis(dim, xs[0].meta.rank)})


@functions("torch.ops.quantized.cat")
def quantized_cat(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["qx", "dim", "scale", "zero_point"], dim=0)
    return _cat(ex, node, p["qx"], p["dim"])


@functions(torch.cat, torch.concat)
def cat(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["tensors", "dim"], dim=0)
    return _cat(ex, node, p["tensors"], p["dim"])


# --- pooling ---------------------------------------------------------------------------------


def _max_pool(ex, node, x, kernel, stride, padding, dilation, ceil_mode, return_indices):
    if return_indices:
        raise ex.error("returns pooling indices")
    k = _pair(kernel)
    ph, pw = _pair(padding)
    attrs = {
        "kernel": k,
        "stride": _pair(stride) if stride not in (None, [], ()) else k,
        "padding": [ph, pw, ph, pw],
        "dilation": _pair(dilation),
        "ceil_mode": bool(ceil_mode),
    }
    return _unary(ex, node, "max_pool2d", x, attrs)


@modules(nn.MaxPool2d)
def max_pool_module(ex, node, args, kwargs, mod):
    return _max_pool(ex, node, args[0], mod.kernel_size, mod.stride, mod.padding, mod.dilation, mod.ceil_mode,
                     mod.return_indices)


@functions(F.max_pool2d, torch.max_pool2d, "torch.nn.functional._max_pool2d")
def max_pool(ex, node, args, kwargs):
    names = ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"]
    p = _bind(args, kwargs, names, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False)
    return _max_pool(ex, node, p["input"], p["kernel_size"], p["stride"], p["padding"], p["dilation"], p["ceil_mode"],
                     p["return_indices"])


def _avg_pool(ex, node, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    k = _pair(kernel)
    ph, pw = _pair(padding)
    attrs = {
        "kernel": k,
        "stride": _pair(stride) if stride not in (None, [], ()) else k,
        "padding": [ph, pw, ph, pw],
        "ceil_mode": bool(ceil_mode),
        "count_include_pad": bool(count_include_pad),
        "divisor_override": int(divisor_override or 0),
    }
    return _unary(ex, node, "avg_pool2d", x, attrs)


@modules(nn.AvgPool2d)
def avg_pool_module(ex, node, args, kwargs, mod):
    return _avg_pool(ex, node, args[0], mod.kernel_size, mod.stride, mod.padding, mod.ceil_mode,
                     mod.count_include_pad, mod.divisor_override)


@functions(F.avg_pool2d, "torch.ops.quantized.avg_pool2d")
def avg_pool(ex, node, args, kwargs):
    names = ["input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"]
    p = _bind(args, kwargs, names, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
              divisor_override=None)
    return _avg_pool(ex, node, p["input"], p["kernel_size"], p["stride"], p["padding"], p["ceil_mode"],
                     p["count_include_pad"], p["divisor_override"])


def _adaptive_avg_pool(ex, node, x):
    return _unary(ex, node, "adaptive_avg_pool2d", x, {"output_size": ex.result_meta().shape[-2:]})


@modules(nn.AdaptiveAvgPool2d)
def adaptive_avg_pool_module(ex, node, args, kwargs, mod):
    return _adaptive_avg_pool(ex, node, args[0])


@functions(F.adaptive_avg_pool2d, torch._C._nn.adaptive_avg_pool2d)
def adaptive_avg_pool(ex, node, args, kwargs):
    return _adaptive_avg_pool(ex, node, args[0])


@functions(torch.mean)
@methods("mean")
def mean(ex, node, args, kwargs):
    """Spatial mean of a quint8 NCHW tensor, as PyTorch's qnnpack engine computes it.

    With the qnnpack engine, `x.mean([2, 3])` on a quint8 4-D tensor runs QNNPACK's global average
    pooling, which gives the same integers as `adaptive_avg_pool2d(x, 1)` (both subtract the zero
    point before rounding to nearest even); other means are not in the language.
    """
    p = _bind(args, kwargs, ["input", "dim", "keepdim", "dtype"], dim=None, keepdim=False, dtype=None)
    x = ex.tensor(p["input"])
    dims = p["dim"] if isinstance(p["dim"], (list, tuple)) else [p["dim"]] if p["dim"] is not None else []
    dims = sorted(_axis(d, x.meta.rank) for d in dims)
    if not (x.meta.element == "qu8" and x.meta.rank == 4 and dims == [2, 3] and p["dtype"] is None
            and torch.backends.quantized.engine == "qnnpack"):
        raise ex.error("is a mean other than the spatial mean of a quint8 NCHW tensor under qnnpack")
    n, c = x.meta.shape[:2]
    pooled = ex.emit(f"{_name(node)}.pool" if not p["keepdim"] else _name(node), "adaptive_avg_pool2d", [x],
                     {"output_size": [1, 1]}, x.meta.with_shape([n, c, 1, 1]))
    if p["keepdim"]:
        return pooled
    return ex.emit(_name(node), "reshape", [pooled], {"shape": [n, c]})


# --- batch norm ------------------------------------------------------------------------------


def _batch_norm(ex, node, x, params, eps, relu, comment=None):
    """params: (name, tensor-or-Value) for weight, bias, mean, var."""
    x = ex.tensor(x)
    operands = [x]
    for name, t in params:
        if isinstance(t, torch.Tensor) and id(t) not in ex.const_keys:
            operands.append(ex.weight(f"{name}", t, f"{_name(node)}.{name.rsplit('.', 1)[-1]}"))
        else:
            operands.append(ex.tensor(t, name.rsplit(".", 1)[-1]))
    return _with_relu(ex, node, "batch_norm", operands, {"eps": float(eps)}, relu, comment)


def _bn_params(key, mod):
    c = mod.num_features
    if mod.running_mean is None or mod.running_var is None:
        raise ValueError("batch norm without running statistics")
    w = mod.weight if mod.weight is not None else torch.ones(c)
    b = mod.bias if mod.bias is not None else torch.zeros(c)
    return [(f"{key}.weight", w), (f"{key}.bias", b), (f"{key}.running_mean", mod.running_mean),
            (f"{key}.running_var", mod.running_var)]


@modules(nn.BatchNorm2d, nnq.BatchNorm2d, nniq.BNReLU2d)
def batch_norm_module(ex, node, args, kwargs, mod):
    if mod.training and not isinstance(mod, nnq.BatchNorm2d):
        raise ex.error("is a batch norm in training mode")
    try:
        params = _bn_params(node.target, mod)
    except ValueError as e:
        raise ex.error(str(e)) from e
    return _batch_norm(ex, node, args[0], params, mod.eps, isinstance(mod, nniq.BNReLU2d), _module_comment(node, mod))


@functions(F.batch_norm)
def batch_norm(ex, node, args, kwargs):
    names = ["input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"]
    p = _bind(args, kwargs, names, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5)
    if p["training"]:
        raise ex.error("is a batch norm in training mode")
    c = ex.tensor(p["input"]).meta.shape[1]
    w = p["weight"] if p["weight"] is not None else torch.ones(c)
    b = p["bias"] if p["bias"] is not None else torch.zeros(c)
    params = [(f"{_name(node)}.weight", w), (f"{_name(node)}.bias", b), (f"{_name(node)}.running_mean", p["running_mean"]),
              (f"{_name(node)}.running_var", p["running_var"])]
    return _batch_norm(ex, node, p["input"], params, p["eps"], False)


def _quantized_batch_norm_fn(relu):
    def handler(ex, node, args, kwargs):
        names = ["qx", "weight", "bias", "mean", "var", "eps", "output_scale", "output_zero_point"]
        p = _bind(args, kwargs, names)
        params = [(f"{_name(node)}.{k}", p[k]) for k in ("weight", "bias", "mean", "var")]
        return _batch_norm(ex, node, p["qx"], params, p["eps"], relu)

    return handler


functions("torch.ops.quantized.batch_norm2d")(_quantized_batch_norm_fn(False))
functions("torch.ops.quantized.batch_norm2d_relu")(_quantized_batch_norm_fn(True))
