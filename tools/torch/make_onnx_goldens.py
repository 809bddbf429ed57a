"""Exports torchvision quantizable models to ONNX (QDQ, opset 13) with PyTorch's outputs, for running
them side by side with ONNX Runtime and Zeropoint's ONNX importer (issue 8).

    /usr/bin/python3 tools/torch/make_onnx_goldens.py OUT_DIR [--models resnet18,mobilenet_v2] [--size 64]

The models are built exactly as `make_goldens.py --large` builds them (seeded random weights, batch
norms settled on random inputs, fuse_model(), the default qnnpack qconfig, calibration, convert), then
exported with torch.onnx.export(..., opset_version=13). PyTorch 1.13 writes quantized modules as QDQ:
QuantizeLinear / DequantizeLinear around float Conv / Gemm / Relu / Add / MaxPool /
GlobalAveragePool, with no-op Casts, Constants and ConstantOfShape (the zero point of each bias).

OUT_DIR/<model>/ holds:
  <model>.onnx          the export as PyTorch writes it: input x (float32), output `output` (float32,
                        after the final DequantizeLinear)
  <model>_int.onnx      the same model exported with its DeQuantStub replaced by an identity: PyTorch
                        1.13 then writes the quantized output as three graph outputs, `output_int`
                        (uint8, the final QuantizeLinear), `output_scale` and `output_zero_point`
  <model>_layers.onnx   the float export cut at every quantized tensor PyTorch also computes (see
                        "layers" in case.json): each such QuantizeLinear output is a graph output, and
                        its consumers read a new uint8 graph input `<tensor>.pytorch` instead, fed with
                        PyTorch's integers. Every layer then runs on PyTorch's inputs, so its output
                        measures that layer alone. (A QuantizeLinear of a functional op, such as
                        F.adaptive_avg_pool2d or torch.flatten, gets PyTorch's tensor from the input
                        of the module it feeds through value-preserving ops.)
  <model>_exact.onnx    the float export with every conv / linear int32 bias replaced by the one
                        PyTorch adds at run time (see the bias check below): with it, the file
                        determines PyTorch's integers, and Zeropoint imported with --numerics
                        pytorch-qnnpack reproduces them exactly. Nothing else changes.
  x.npy                 the input, float32
  output.npy            PyTorch's output (float32, dequantized)
  output.int.npy        the integers that were dequantized (the int_repr of the input of `dequant`)
  layers/NNN.npy        PyTorch's integers of each cut tensor
  layers/NNN.ort_model.npy, layers/NNN.ort_model_unsaturated.npy
                        for conv / linear layers: the model of ONNX Runtime's kernels described below,
                        with and without the int16 pair saturation
  case.json             names, shapes, quantization parameters, distinct-integer counts, the bias check
                        and the per-layer analysis described below

The bias check: the exporter quantizes each conv / linear bias itself (symbolic_helper.
requantize_bias_helper: Cast(Div(bias, w_scale * in_scale), INT32), constant-folded in float32, so
truncated toward zero), while PyTorch's qnnpack kernel rounds it at run time (quant_utils::QuantizeBias:
quantize_per_tensor(bias, double(w_scale) * in_scale, 0, qint32): multiply by the float reciprocal,
round half to even, saturate). For every conv / linear this records how many of the ONNX file's int32
biases differ from PyTorch's, whether the truncating formula reproduces the ONNX values, and, by
recomputing the layer's integer output (exact int64 accumulation, then qnnpack's float requantization
f32(f32(acc) * f32(f32(s_w * s_in) * f32(1 / s_out)))) from PyTorch's own input, that PyTorch's bias
reproduces PyTorch's output bit for bit and how many outputs the ONNX bias would change.

The per-layer analysis ("ort_model" in case.json) is a model of ONNX Runtime's integer kernels on x86-64
with AVX2 and without VNNI, written from reading MLAS (see docs/onnx-runtime-notes.md): raw u8 x s8
products summed in pairs by vpmaddubsw, which saturates each pair sum to int16 (ConvSym kernel: pairs of
adjacent input channels at one kernel tap; QGEMM over the NHWC im2col: adjacent K), except in depthwise
convolutions (32-bit products); the requantization scale f32(f32(s_in * s_w) / s_out); the ONNX bias.
It counts saturated pairs and the outputs they change, given PyTorch's input of that layer, and writes
the outputs it predicts. It is an explanation to check against ONNX Runtime (OnnxRuntimeSideBySideTest
does), not golden data.

The script fails when the output integers take fewer than 3 distinct values, when an ONNX weight differs
from PyTorch's, or when PyTorch's bias formula does not reproduce PyTorch's conv / linear outputs.
"""

import argparse
import pathlib
import shutil
import sys

import numpy as np
import torch
import torch.nn.functional as F

import make_goldens as mg
import quant_helpers as qh

DEFAULT_MODELS = ["resnet18", "mobilenet_v2"]
OPSET = 13
INT16_MIN, INT16_MAX = -32768, 32767


class GoldenError(Exception):
    """A model that cannot be written (export failure, a check that does not hold)."""


# --- the ONNX graph ------------------------------------------------------------------------------

class OnnxGraph:
    """Constant values, producers and consumers of an ONNX graph (the exporter writes constants as
    Constant nodes; ConstantOfShape and Cast of constants are folded here too)."""

    def __init__(self, model):
        from onnx import numpy_helper
        self.model = model
        self.graph = model.graph
        self.producer = {}
        self.consumers = {}
        self._values = {i.name: numpy_helper.to_array(i) for i in self.graph.initializer}
        for n in self.graph.node:
            for o in n.output:
                self.producer[o] = n
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)

    def const(self, name):
        """The value of a constant tensor, or None if it is computed from graph inputs."""
        from onnx import helper, numpy_helper
        if name in self._values:
            return self._values[name]
        n = self.producer.get(name)
        value = None
        if n is None:
            return None
        attrs = {a.name: a for a in n.attribute}
        if n.op_type == "Constant":
            value = numpy_helper.to_array(attrs["value"].t)
        elif n.op_type == "ConstantOfShape":
            shape = self.const(n.input[0])
            fill = numpy_helper.to_array(attrs["value"].t) if "value" in attrs else np.zeros(1, np.float32)
            if shape is not None:
                value = np.full(tuple(int(d) for d in shape), fill.reshape(-1)[0], dtype=fill.dtype)
        elif n.op_type == "Cast":
            src = self.const(n.input[0])
            if src is not None:
                to = helper.get_attribute_value(attrs["to"])
                value = src.astype(_np_dtype(to))
        self._values[name] = value
        return value

    def dequantized_const(self, name):
        """(integers, scale, zero point) of a DequantizeLinear of constants producing `name`."""
        n = self.producer.get(name)
        if n is None or n.op_type != "DequantizeLinear":
            raise GoldenError(f"{name} is not produced by a DequantizeLinear")
        values = [self.const(i) if i else None for i in n.input] + [None] * (3 - len(n.input))
        if values[0] is None:
            raise GoldenError(f"the integers of {n.name} are not constant")
        return values[0], values[1], values[2]

    def op_histogram(self):
        counts = {}
        for n in self.graph.node:
            counts[n.op_type] = counts.get(n.op_type, 0) + 1
        return dict(sorted(counts.items()))


def _np_dtype(onnx_type):
    from onnx import helper, mapping
    if hasattr(helper, "tensor_dtype_to_np_dtype"):  # onnx >= 1.13
        return helper.tensor_dtype_to_np_dtype(onnx_type)
    return mapping.TENSOR_TYPE_TO_NP_TYPE[onnx_type]


def scope_of(node):
    """The PyTorch module path of an exported node: '/layer1/0/conv1/Conv' -> 'layer1.0.conv1'."""
    return node.name.rsplit("/", 1)[0].lstrip("/").replace("/", ".")


# --- PyTorch: recording every module's quantized input and output -------------------------------

def run_recorded(model, x):
    """Runs the model once; returns (output, final quantized tensor, {module: input}, {module: output})
    for modules called exactly once whose input / output is a quantized tensor."""
    ins, outs, calls = {}, {}, {}
    handles = []
    for name, module in model.named_modules():
        def hook(m, args, out, name=name):
            calls[name] = calls.get(name, 0) + 1
            if args and isinstance(args[0], torch.Tensor) and args[0].is_quantized:
                ins[name] = args[0]
            if isinstance(out, torch.Tensor) and out.is_quantized:
                outs[name] = out
        handles.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            y = model(x)
    finally:
        for h in handles:
            h.remove()
    if "dequant" not in ins:
        raise GoldenError("the model has no `dequant` module with a quantized input")
    final = ins["dequant"]
    once = {n for n, c in calls.items() if c == 1}
    return y, final, {n: t for n, t in ins.items() if n in once}, {n: t for n, t in outs.items() if n in once}


# --- integer arithmetic of PyTorch's qnnpack kernels and of MLAS ----------------------------------

def f32(v):
    return np.float32(v)


def requantize(acc, m, zero_point, qmin):
    """qnnpack's SSE2 requantization (and MLAS's, which clamps the float first; same result in range):
    RNE(f32(f32(acc) * m)) + zero point, clamped to [qmin, 255]. A product outside int32 gives qnnpack's
    INT32_MIN, so the lower bound."""
    y = np.rint(acc.astype(np.float32) * np.float32(m)).astype(np.float64)
    y = np.where((y < -2.0 ** 31) | (y >= 2.0 ** 31), -2.0 ** 31, y)
    return np.clip(y + zero_point, qmin, 255).astype(np.int64)


def torch_bias(module, in_scale):
    """quant_utils::QuantizeBias as qnnpack's conv / linear apply it (per-tensor weights)."""
    b = module.bias()
    if b is None:
        return None
    w = module.weight()
    if w.qscheme() not in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        raise GoldenError("per-channel weights: the bias check handles per-tensor weights only")
    return torch.quantize_per_tensor(b.float(), w.q_scale() * in_scale, 0, torch.qint32).int_repr().numpy()


def exporter_bias(module, in_scale):
    """What torch.onnx's requantize_bias_helper folds to: trunc(f32(b) / f32(f32(s_w) * f32(s_in)))."""
    b = module.bias().detach().float().numpy()
    scale = f32(f32(module.weight().q_scale()) * f32(in_scale))
    return np.trunc(b / scale).astype(np.int32)


def conv_geometry(module):
    if hasattr(module, "stride"):
        return dict(stride=tuple(module.stride), padding=tuple(module.padding), dilation=tuple(module.dilation),
                    groups=int(module.groups))
    return None


def exact_accumulators(module, xq):
    """sum((x - x_zp) * w) over each output, exact (int64), without bias; shape of the output."""
    x = xq.int_repr().to(torch.float64) - float(xq.q_zero_point())
    w = module.weight().int_repr().to(torch.float64)
    g = conv_geometry(module)
    acc = F.conv2d(x, w, None, **g) if g else x @ w.t()
    return acc.round().to(torch.int64).numpy()


def per_channel(values, out_shape):
    """Broadcasts a per-output-channel vector over a conv (N, C, H, W) or linear (N, C) output."""
    return values.reshape((1, -1) + (1,) * (len(out_shape) - 2))


def im2col_u8(xq, module):
    """The raw uint8 input (not zero-point shifted) of each output, padded with the input zero point as
    MLAS pads: [C, T, L] for a conv (T kernel taps, L outputs), [K, 1, 1] for a linear."""
    x = xq.int_repr().to(torch.float64)
    g = conv_geometry(module)
    if g is None:
        return x.reshape(-1, 1).unsqueeze(1)  # [K, 1, 1]
    w = module.weight()
    kh, kw = w.shape[2], w.shape[3]
    ph, pw = g["padding"]
    x = F.pad(x, (pw, pw, ph, ph), value=float(xq.q_zero_point()))
    cols = F.unfold(x, (kh, kw), dilation=g["dilation"], stride=g["stride"])  # [1, C*T, L]
    c = x.shape[1]
    return cols.reshape(c, kh * kw, -1)


def mlas_path(module):
    """Which MLAS routine ONNX Runtime's fused QLinearConv / QGemm uses for this layer on AVX2 without
    VNNI (u8 activations, s8 weights with zero point 0): see docs/onnx-runtime-notes.md."""
    g = conv_geometry(module)
    w = module.weight()
    if g is None:
        return "qgemm-u8s8-avx2"
    out_c, in_c_per_group = w.shape[0], w.shape[1]
    if g["groups"] > 1:
        if in_c_per_group == 1 and out_c == g["groups"]:
            # 32-bit products (vpmovzxbd / vpmovsxbd, vpmaddwd): no saturation
            return "convsym-depthwise-avx2" if g["groups"] % 16 == 0 else "depthwise, not a multiple of 16 (not modelled)"
        return "grouped (not modelled)"
    if in_c_per_group % 4 == 0 and out_c % 8 == 0 and out_c >= 16:
        return "convsym-avx2"
    return "qgemm-u8s8-avx2"


def saturation_delta(module, xq, path):
    """(pair sums, saturated pair sums, delta) where delta[o, l] = sum over the pairs of output l, channel o
    of (saturate_int16(s) - s): what vpmaddubsw loses against exact arithmetic. None for exact paths."""
    if path not in ("convsym-avx2", "qgemm-u8s8-avx2"):
        return None
    cols = im2col_u8(xq, module).to(torch.int32)  # [C, T, L]
    w = module.weight().int_repr().to(torch.int32)
    out_c = w.shape[0]
    c, t, l = cols.shape
    w = w.reshape(out_c, c, t)
    if path == "convsym-avx2":
        # ConvSym: the input vector of one kernel tap, 4 channels per dword: pairs (2j, 2j+1) of channels
        a = cols.reshape(c // 2, 2, t, l)
        b = w.reshape(out_c, c // 2, 2, t)
        a0, a1, b0, b1 = a[:, 0], a[:, 1], b[:, :, 0], b[:, :, 1]  # [P, T, L], [O, P, T]
    else:
        # QGEMM over the NHWC im2col (K ordered tap-major, channel-minor), K padded with zeros to a
        # multiple of 4: pairs (2j, 2j+1) of K
        k = c * t
        a = cols.permute(1, 0, 2).reshape(k, l)
        b = w.permute(0, 2, 1).reshape(out_c, k)
        pad = (-k) % 4
        if pad:
            a = torch.cat([a, torch.zeros((pad, l), dtype=a.dtype)])
            b = torch.cat([b, torch.zeros((out_c, pad), dtype=b.dtype)], dim=1)
        a = a.reshape(-1, 2, l)
        b = b.reshape(out_c, -1, 2)
        a0, a1, b0, b1 = a[:, 0].unsqueeze(1), a[:, 1].unsqueeze(1), b[:, :, 0].unsqueeze(2), b[:, :, 1].unsqueeze(2)
    pairs = saturated = 0
    delta = torch.zeros((out_c, l), dtype=torch.int64)
    per_o = max(1, int(16_000_000 // max(1, a0.numel())))
    for o in range(0, out_c, per_o):
        s = a0.unsqueeze(0) * b0[o:o + per_o].unsqueeze(-1) + a1.unsqueeze(0) * b1[o:o + per_o].unsqueeze(-1)
        sat = s.clamp(INT16_MIN, INT16_MAX)
        pairs += s.numel()
        saturated += int((sat != s).sum())
        delta[o:o + per_o] = (sat - s).to(torch.int64).flatten(1).reshape(s.shape[0], -1, l).sum(1)
    return pairs, saturated, delta.numpy()


def conv_linear_report(module, scope, node, graph, xq, yq):
    """The bias check and the MLAS model of one quantized conv / linear; PyTorch's input xq, output yq."""
    w_onnx, w_scale_onnx, _ = graph.dequantized_const(node.input[1])
    w = module.weight()
    if not np.array_equal(w_onnx, w.int_repr().numpy()):
        raise GoldenError(f"{scope}: the ONNX weight of {node.name} differs from PyTorch's")
    in_scale, out_scale, out_zp = xq.q_scale(), yq.q_scale(), int(yq.q_zero_point())
    relu = "ReLU" in type(module).__name__
    qmin = out_zp if relu else 0
    acc = exact_accumulators(module, xq)
    y = yq.int_repr().numpy().astype(np.int64)
    ours = torch_bias(module, in_scale)
    row = {"scope": scope, "onnx_node": node.name, "module": type(module).__name__,
           "weight_shape": list(w.shape), "geometry": conv_geometry(module), "relu": relu,
           "input_scale": in_scale, "weight_scale": w.q_scale(), "output_scale": out_scale,
           "output_zero_point": out_zp, "outputs": int(y.size)}

    m_torch = f32(f32(f32(w.q_scale()) * f32(in_scale)) * f32(f32(1.0) / f32(out_scale)))
    onnx_bias = np.zeros(y.shape[1], np.int32)
    if len(node.input) > 2 and node.input[2]:
        onnx_bias, bias_scale, _ = graph.dequantized_const(node.input[2])
        onnx_bias = onnx_bias.astype(np.int64)
        ours = ours.astype(np.int64)
        y_ours = requantize(acc + per_channel(ours, y.shape), m_torch, out_zp, qmin)
        y_onnx = requantize(acc + per_channel(onnx_bias, y.shape), m_torch, out_zp, qmin)
        row.update(
            bias_values=int(ours.size),
            bias_mismatches=int((ours != onnx_bias).sum()),
            bias_max_abs_diff=int(np.abs(ours - onnx_bias).max()),
            onnx_bias_scale=float(np.asarray(bias_scale).reshape(-1)[0]),
            exporter_formula_reproduces_onnx_bias=bool(np.array_equal(exporter_bias(module, in_scale), onnx_bias)),
            pytorch_bias_reproduces_pytorch_output=bool(np.array_equal(y_ours, y)),
            outputs_changed_by_onnx_bias=int((y_onnx != y).sum()))
        if not row["pytorch_bias_reproduces_pytorch_output"]:
            raise GoldenError(f"{scope}: round(bias / (double(s_w) * s_in)) does not reproduce PyTorch's output "
                              f"({int((y_ours != y).sum())} of {y.size} differ); the bias formula is not the "
                              "one PyTorch's kernel uses")
    else:
        row.update(bias_values=0, bias_mismatches=0)

    # ONNX Runtime's QLinearConv / QGemm: scale (x_scale * w_scale) / y_scale in float, the file's bias,
    # and the pair saturation of its u8 x s8 kernel
    xs, ws, ys = f32(xq.q_scale()), f32(w_scale_onnx.reshape(-1)[0]), f32(out_scale)
    m_ort = f32(f32(xs * ws) / ys)
    path = mlas_path(module)
    sat = saturation_delta(module, xq, path)
    bias_onnx_b = per_channel(onnx_bias.astype(np.int64), y.shape)
    exact_ort_acc = acc + bias_onnx_b
    model = {"path": path, "scale_pytorch": float(m_torch), "scale_ort": float(m_ort),
             "scale_equal": bool(m_torch == m_ort),
             "outputs_changed_by_scale": int((requantize(acc + per_channel(ours, y.shape) if ours is not None else acc,
                                                         m_ort, out_zp, qmin) != y).sum())}
    if sat is not None:
        pairs, saturated, delta = sat
        delta = delta.reshape(y.shape)  # [O, L] with L the row-major spatial index, batch 1
        base = acc + (per_channel(ours, y.shape) if ours is not None else 0)
        model.update(pairs=int(pairs), saturated_pairs=int(saturated),
                     saturated_accumulators=int((delta != 0).sum()),
                     outputs_changed_by_saturation=int((requantize(base + delta, m_torch, out_zp, qmin) != y).sum()))
        exact_ort_acc = exact_ort_acc + delta
    else:
        model.update(pairs=0, saturated_pairs=0, saturated_accumulators=0, outputs_changed_by_saturation=0)
    predicted = requantize(exact_ort_acc, m_ort, out_zp, qmin)
    unsaturated = requantize(acc + bias_onnx_b, m_ort, out_zp, qmin)
    model["predicted_outputs_differing"] = int((predicted != y).sum())
    model["predicted_outputs_differing_without_saturation"] = int((unsaturated != y).sum())
    row["ort_model"] = model
    return row, {"ort_model": predicted.astype(np.uint8), "ort_model_unsaturated": unsaturated.astype(np.uint8)}


# --- writing a case -------------------------------------------------------------------------------

def write_exact(proto, graph, modules, path):
    """A copy of `proto` whose conv / linear int32 biases are PyTorch's own (torch_bias)."""
    import onnx
    from onnx import numpy_helper
    exact = onnx.ModelProto()
    exact.CopyFrom(proto)
    producers = {o: n for n in exact.graph.node for o in n.output}
    replaced = 0
    for node in exact.graph.node:
        if node.op_type not in ("Conv", "Gemm") or len(node.input) < 3 or not node.input[2]:
            continue
        dq = producers.get(node.input[2])
        const = producers.get(dq.input[0]) if dq is not None and dq.op_type == "DequantizeLinear" else None
        if const is None or const.op_type != "Constant":
            raise GoldenError(f"{node.name}: the bias is not DequantizeLinear(Constant)")
        x_dq = graph.producer[node.input[0]]
        in_scale = float(graph.const(x_dq.input[1]))
        ours = torch_bias(modules[scope_of(node)], in_scale)
        value = next(a for a in const.attribute if a.name == "value")
        old = numpy_helper.to_array(value.t)
        if old.shape != ours.shape or old.dtype != np.int32:
            raise GoldenError(f"{node.name}: bias {old.dtype}{old.shape} is not int32{ours.shape}")
        value.t.CopyFrom(numpy_helper.from_array(ours.astype(np.int32), value.t.name))
        replaced += int((old != ours).sum())
    onnx.checker.check_model(exact)
    onnx.save(exact, str(path))
    return replaced


def _qparams(t):
    return {"dtype": str(t.dtype).replace("torch.", ""), "scale": float(t.q_scale()),
            "zero_point": int(t.q_zero_point())}


def _export(model, x, path, output_names):
    import onnx
    torch.onnx.export(model, (x,), str(path), opset_version=OPSET, input_names=["x"], output_names=output_names)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    return proto


def onnx_shapes(proto):
    """The static shapes ONNX shape inference gives the graph's tensors, by name."""
    import onnx
    inferred = onnx.shape_inference.infer_shapes(proto)
    shapes = {}
    for v in list(inferred.graph.value_info) + list(inferred.graph.output):
        dims = v.type.tensor_type.shape.dim
        if all(d.HasField("dim_value") for d in dims):
            shapes[v.name] = [d.dim_value for d in dims]
    return shapes


def downstream_input(graph, q_node, ins):
    """For a QuantizeLinear no module produces: PyTorch's tensor reaching the first module downstream
    through value-preserving ops only (Cast, DequantizeLinear / QuantizeLinear with the same parameters,
    Flatten, Reshape); (tensor, description) or (None, None)."""
    params = (f32(graph.const(q_node.input[1])), int(graph.const(q_node.input[2])))
    frontier, seen, found = [q_node.output[0]], set(), {}
    while frontier:
        name = frontier.pop()
        if name in seen:
            continue
        seen.add(name)
        for c in graph.consumers.get(name, []):
            if c.op_type in ("Cast", "Flatten", "Reshape") and c.input[0] == name:
                frontier.append(c.output[0])
            elif c.op_type in ("DequantizeLinear", "QuantizeLinear"):
                if (f32(graph.const(c.input[1])), int(graph.const(c.input[2]))) != params:
                    return None, None
                frontier.append(c.output[0])
            elif scope_of(c) in ins:
                found[scope_of(c)] = ins[scope_of(c)]
            else:
                return None, None
    if len(found) != 1:
        return None, None
    scope, t = next(iter(found.items()))
    return t, f"input of {scope}"


def rename_tensors(proto, names):
    """Renames tensors {old: new} everywhere in the graph (node inputs and outputs, graph outputs)."""
    g = proto.graph
    for n in g.node:
        for i, v in enumerate(n.input):
            n.input[i] = names.get(v, v)
        for i, v in enumerate(n.output):
            n.output[i] = names.get(v, v)
    for o in g.output:
        o.name = names.get(o.name, o.name)


def cut_at_layers(proto, layer_tensors):
    """A copy of the model where each tensor of layer_tensors {name: (uint8 shape)} is a graph output and
    its consumers read the graph input `<name>.pytorch` instead."""
    import copy
    from onnx import TensorProto, helper
    cut = copy.deepcopy(proto)
    g = cut.graph
    for n in g.node:
        for i, name in enumerate(n.input):
            if name in layer_tensors:
                n.input[i] = name + ".pytorch"
    for name, shape in layer_tensors.items():
        g.input.append(helper.make_tensor_value_info(name + ".pytorch", TensorProto.UINT8, list(shape)))
        g.output.append(helper.make_tensor_value_info(name, TensorProto.UINT8, list(shape)))
    return cut


def write_case(name, size, out_dir):
    import onnx
    case_dir = pathlib.Path(out_dir) / name
    if case_dir.exists():
        shutil.rmtree(case_dir)
    (case_dir / "layers").mkdir(parents=True)
    model, (x,) = mg.build_torchvision(name, size)
    y, final, ins, outs = run_recorded(model, x)
    if not torch.equal(y, final.dequantize()):
        raise GoldenError("the output is not the dequantized input of `dequant`")

    proto = _export(model, x, case_dir / f"{name}.onnx", ["output"])
    graph = OnnxGraph(proto)
    y_again = model(x)
    if not torch.equal(y_again, y):
        raise GoldenError("the model's output changed after torch.onnx.export")

    np.save(case_dir / "x.npy", x.numpy().astype(np.float32))
    np.save(case_dir / "output.npy", y.numpy().astype(np.float32))
    ints = final.int_repr().numpy()
    np.save(case_dir / "output.int.npy", ints)
    distinct = int(np.unique(ints).size)
    if distinct < 3:
        raise GoldenError(f"the output integers take only {distinct} distinct values")

    # conv / linear: the bias check and the MLAS model
    modules = dict(model.named_modules())
    conv_rows, predicted = [], {}
    for node in proto.graph.node:
        if node.op_type not in ("Conv", "Gemm"):
            continue
        scope = scope_of(node)
        module = modules.get(scope)
        if module is None or scope not in ins or scope not in outs or not hasattr(module, "weight"):
            raise GoldenError(f"{node.name}: no quantized PyTorch module '{scope}' with a recorded input and output")
        row, pred = conv_linear_report(module, scope, node, graph, ins[scope], outs[scope])
        conv_rows.append(row)
        predicted[scope] = pred

    # <name>_exact.onnx: the float export with each conv / linear bias replaced by the integers PyTorch
    # adds at run time (the exporter truncates them; see the bias check), so that the file determines
    # PyTorch's outputs. Only the int32 constants change.
    write_exact(proto, graph, modules, case_dir / f"{name}_exact.onnx")

    # the layers: every QuantizeLinear whose output PyTorch also computes (same scale, zero point, shape)
    layers, cut_tensors, unmapped = [], {}, []
    shapes = onnx_shapes(proto)
    for node in proto.graph.node:
        if node.op_type != "QuantizeLinear":
            continue
        scope = scope_of(node)
        tensor = node.output[0]
        scale, zp = graph.const(node.input[1]), graph.const(node.input[2])
        def same_params(t):
            return (t is not None and scale is not None and zp is not None and t.dtype == torch.quint8
                    and f32(t.q_scale()) == f32(scale) and int(t.q_zero_point()) == int(zp))
        t, source = outs.get(scope), f"output of {scope}"
        if not same_params(t):
            # a functional op (F.avg_pool2d, F.adaptive_avg_pool2d, torch.flatten) inside the module: the
            # input of the module it feeds
            t, source = downstream_input(graph, node, ins)
        if not same_params(t):
            unmapped.append(node.name)
            continue
        shape = shapes.get(tensor, list(t.shape))
        if int(np.prod(shape)) != t.numel():
            unmapped.append(node.name)
            continue
        k = len(layers)
        values = t.int_repr().numpy().reshape(shape)
        file = f"layers/{k:03d}.npy"
        np.save(case_dir / file, values)
        producer = graph.producer.get(node.input[0])
        while producer is not None and producer.op_type == "Relu":
            producer = graph.producer.get(producer.input[0])
        entry = {"index": k, "tensor": tensor, "input": tensor + ".pytorch", "scope": scope or node.name,
                 "pytorch": source, "onnx_op": producer.op_type if producer is not None else None, "file": file,
                 "shape": list(values.shape), "scale": float(t.q_scale()), "zero_point": int(t.q_zero_point()),
                 "distinct": int(np.unique(values).size)}
        for kind, pred in predicted.get(scope, {}).items() if source.startswith("output") else ():
            pfile = f"layers/{k:03d}.{kind}.npy"
            np.save(case_dir / pfile, pred.reshape(values.shape))
            entry[kind + "_file"] = pfile
        layers.append(entry)
        cut_tensors[tensor] = values.shape
    layers_proto = cut_at_layers(proto, cut_tensors)
    onnx.checker.check_model(layers_proto)
    onnx.save(layers_proto, str(case_dir / f"{name}_layers.onnx"))

    # the variant with the quantized output: DeQuantStub replaced by an identity
    model.dequant = torch.nn.Identity()
    int_proto = _export(model, x, case_dir / f"{name}_int.onnx", ["output_int"])
    if len(int_proto.graph.output) != 3:
        raise GoldenError(f"the _int export has {len(int_proto.graph.output)} outputs, not integers, scale, zero point")
    # torch names only the first of the three; the scale and zero point keep generated names
    rename_tensors(int_proto, {int_proto.graph.output[1].name: "output_scale",
                               int_proto.graph.output[2].name: "output_zero_point"})
    onnx.checker.check_model(int_proto)
    onnx.save(int_proto, str(case_dir / f"{name}_int.onnx"))
    outs_int = {o.name: o.type.tensor_type.elem_type for o in int_proto.graph.output}
    if outs_int.get("output_int") != onnx.TensorProto.UINT8:
        raise GoldenError(f"the _int export does not output uint8 `output_int`: {outs_int}")
    int_graph = OnnxGraph(int_proto)
    q_scale = int_graph.const("output_scale")
    q_zp = int_graph.const("output_zero_point")
    if q_scale is None or f32(q_scale) != f32(final.q_scale()) or int(q_zp) != int(final.q_zero_point()):
        raise GoldenError(f"the _int export's scale / zero point {q_scale}, {q_zp} are not PyTorch's")
    hist, hist_int = graph.op_histogram(), int_graph.op_histogram()
    expected = dict(hist)
    for op in ("Cast", "DequantizeLinear"):  # the final Cast (uint8 -> uint8) and DequantizeLinear
        expected[op] -= 1
    if {k: v for k, v in hist_int.items() if k != "Constant"} != {k: v for k, v in expected.items() if k != "Constant"}:
        raise GoldenError(f"the _int export is not the float export without its final dequantize: {hist} vs {hist_int}")

    biased = [r for r in conv_rows if r["bias_values"]]
    bias_check = {
        "onnx_formula": "Cast(Div(bias, w_scale * in_scale), INT32), folded in float32: truncation toward zero",
        "pytorch_formula": "quantize_per_tensor(bias, double(w_scale) * in_scale, 0, qint32): b * f32(1 / scale), "
                           "rounded half to even",
        "layers": len(biased),
        "values": sum(r["bias_values"] for r in biased),
        "mismatched_values": sum(r["bias_mismatches"] for r in biased),
        "mismatched_layers": sum(1 for r in biased if r["bias_mismatches"]),
        "max_abs_diff": max((r["bias_max_abs_diff"] for r in biased), default=0),
        "exporter_formula_reproduces_onnx_bias": all(r["exporter_formula_reproduces_onnx_bias"] for r in biased),
        "pytorch_bias_reproduces_pytorch_outputs": all(r["pytorch_bias_reproduces_pytorch_output"] for r in biased),
        "outputs_changed_by_onnx_bias": sum(r["outputs_changed_by_onnx_bias"] for r in biased),
        "conv_linear_outputs": sum(r["outputs"] for r in biased),
    }
    meta = {
        "name": name,
        "description": (f"torchvision.models.quantization.{name}, built as make_goldens.py --large builds it "
                        f"(input {size}x{size}), exported with torch.onnx.export(opset_version={OPSET})"),
        "torch": torch.__version__,
        "onnx": onnx.__version__,
        "engine": qh.ENGINE,
        "opset": OPSET,
        "model": f"{name}.onnx",
        "model_int": f"{name}_int.onnx",
        "model_layers": f"{name}_layers.onnx",
        "model_exact": f"{name}_exact.onnx",
        "inputs": [{"name": "x", "file": "x.npy", "dtype": "float32", "shape": list(x.shape)}],
        "outputs": [{
            "name": "output", "file": "output.npy", "dtype": "float32", "shape": list(y.shape),
            "elements": int(y.numel()), "int_output": "output_int", "int_file": "output.int.npy",
            "int_dtype": str(ints.dtype), "qparams": _qparams(final), "distinct": distinct,
            "saturated_low": int((ints == 0).sum()), "saturated_high": int((ints == 255).sum())}],
        "onnx_ops": hist,
        "onnx_ops_int": hist_int,
        "bias_check": bias_check,
        "conv_linear": conv_rows,
        "layers": layers,
        "unmapped_quantize_nodes": unmapped,
    }
    mg.write_case_json(case_dir, meta)
    return meta


def summary(meta):
    o = meta["outputs"][0]
    b = meta["bias_check"]
    sat = sum(r["ort_model"]["saturated_pairs"] for r in meta["conv_linear"])
    pairs = sum(r["ort_model"]["pairs"] for r in meta["conv_linear"])
    return (f"{meta['name']:14s} {o['shape']} output: {o['elements']} integers, {o['distinct']} distinct; "
            f"{len(meta['layers'])} layers cut; bias: {b['mismatched_values']} of {b['values']} ONNX biases differ "
            f"from PyTorch's in {b['mismatched_layers']} of {b['layers']} layers (max {b['max_abs_diff']}), "
            f"changing {b['outputs_changed_by_onnx_bias']} of {b['conv_linear_outputs']} layer outputs; "
            f"AVX2 model: {sat} of {pairs} u8s8 pair sums saturate")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir")
    p.add_argument("--models", default=",".join(DEFAULT_MODELS))
    p.add_argument("--size", type=int, default=64)
    args = p.parse_args(argv[1:])
    qh.setup()
    failures = []
    for name in [m for m in args.models.split(",") if m]:
        if name not in mg.LARGE_MODELS:
            failures.append(f"{name}: unknown model (known: {', '.join(mg.LARGE_MODELS)})")
            continue
        size = max(args.size, 80) if name == "inception_v3" else args.size
        try:
            print(summary(write_case(name, size, args.out_dir)), flush=True)
        except (GoldenError, RuntimeError, torch.onnx.errors.OnnxExporterError) as e:
            failures.append(f"{name}: {e}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
