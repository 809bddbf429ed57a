"""Writes the QDQ goldens: models in QDQ form (dequantize -> float op -> quantize, as PyTorch FX reference
graphs and ONNX QDQ models are) with the outputs PyTorch's LOWERED model computes for them, that is the
quantized kernels convert_fx lowers each pattern to (the eager quantized modules and ops, engine qnnpack).

    /usr/bin/python3 tools/torch/make_qdq_goldens.py            -> tests/src/test/resources/qdq/
    /usr/bin/python3 tools/torch/make_qdq_goldens.py --out DIR

Each case directory holds model.qg (weights inline: quantized constants dequantized in the graph, float
biases), the float32 inputs, and for every output PyTorch's dequantized result (<out>.npy) and its
integers (<out>.int.npy), with case.json in GoldenTest's format. The .qg text is written here, not by
the exporter (which writes lowered models). Weights are seeded; output parameters are chosen from the
float reference's range so the outputs take many distinct values (checked before writing).
"""

import argparse
import json
import pathlib
import shutil

import numpy as np
import torch
import torch.nn.functional as F
import torch.nn.quantized as nnq
import torch.nn.intrinsic.quantized as nniq

from qg_text import fmt_f32, fmt_f64

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "tests" / "src" / "test" / "resources" / "qdq"
torch.backends.quantized.engine = "qnnpack"


def qtype(t):
    """The .qg type of a quantized tensor (per tensor, or per channel along axis 0)."""
    storage = {torch.quint8: "qu8", torch.qint8: "qi8"}[t.dtype]
    dims = ", ".join(str(d) for d in t.shape)
    if t.qscheme() in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        return f"{storage}<{fmt_f64(t.q_scale())}:{int(t.q_zero_point())}>[{dims}]"
    pairs = ", ".join(f"{fmt_f64(s)}:{int(z)}" for s, z in
                      zip(t.q_per_channel_scales().tolist(), t.q_per_channel_zero_points().tolist()))
    return f"{storage}<axis 0: {{{pairs}}}>[{dims}]"


def ptype(scale, zp, shape, storage="qu8"):
    return f"{storage}<{fmt_f64(scale)}:{zp}>[{', '.join(str(d) for d in shape)}]"


def const_q(name, t):
    ints = ", ".join(str(int(v)) for v in t.int_repr().flatten().tolist())
    return f"  %{name} = const [{ints}] : {qtype(t)}\n  %{name}.d = dequantize(%{name})"


def const_f(name, t):
    vals = ", ".join(fmt_f32(v) for v in t.flatten().tolist())
    return f"  %{name} = const [{vals}] : f32[{', '.join(str(d) for d in t.shape)}]"


def out_params(lo, hi):
    """Output parameters covering [lo, hi] (and 0) with 255 steps."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = (hi - lo) / 255.0
    return scale, int(min(255, max(0, round(-lo / scale))))


def weight_q(gen, shape, per_channel):
    w = torch.randn(shape, generator=gen) * 0.3
    if per_channel:
        scales = w.flatten(1).abs().amax(1).double() / 127.0
        return torch.quantize_per_channel(w, scales, torch.zeros(shape[0], dtype=torch.long), 0, torch.qint8)
    return torch.quantize_per_tensor(w, float(w.abs().max()) / 127.0, 0, torch.qint8)


def conv_relu(gen):
    x = torch.rand((1, 3, 16, 16), generator=gen) * 2 - 1
    qx = torch.quantize_per_tensor(x, 2.0 / 255, 128, torch.quint8)
    qw = weight_q(gen, (8, 3, 3, 3), per_channel=True)
    b = torch.randn(8, generator=gen) * 0.1
    ref = F.conv2d(qx.dequantize(), qw.dequantize(), b, padding=1)
    s, z = out_params(ref.min(), ref.max())
    m = nniq.ConvReLU2d(3, 8, 3, padding=1)
    m.set_weight_bias(qw, b)
    m.scale, m.zero_point = s, z
    y = m(qx)
    text = f"""  input %x : f32[1, 3, 16, 16]
  %q = quantize(%x) : {qtype(qx)}
  %q.d = dequantize(%q)
{const_q("w", qw)}
{const_f("b", b)}
  %c = conv2d(%q.d, %w.d, %b) {{padding = [1, 1]}}
  %r = relu(%c)
  %y = quantize(%r) : {ptype(s, z, y.shape)}
  %out = dequantize(%y)
  output y = %out"""
    return text, {"x": x}, {"y": y}


def linear_hardtanh(gen):
    x = torch.rand((32, 64), generator=gen) * 4 - 2
    qx = torch.quantize_per_tensor(x, 4.0 / 255, 127, torch.quint8)
    qw = weight_q(gen, (16, 64), per_channel=False)
    b = torch.randn(16, generator=gen) * 0.2
    ref = F.linear(qx.dequantize(), qw.dequantize(), b)
    s, z = out_params(ref.min(), ref.max())
    m = nnq.Linear(64, 16)
    m.set_weight_bias(qw, b)
    m.scale, m.zero_point = s, z
    y = m(qx)
    lo, hi = -0.37 * float(ref.abs().max()), 0.81 * float(ref.abs().max())  # between two integers
    h = torch.nn.quantized.functional.hardtanh(y, lo, hi)
    text = f"""  input %x : f32[32, 64]
  %q = quantize(%x) : {qtype(qx)}
  %q.d = dequantize(%q)
{const_q("w", qw)}
{const_f("b", b)}
  %l = linear(%q.d, %w.d, %b)
  %y = quantize(%l) : {ptype(s, z, y.shape)}
  %y.d = dequantize(%y)
  %h = hardtanh(%y.d) {{min = {fmt_f64(lo)}, max = {fmt_f64(hi)}}}
  %hq = quantize(%h) : {ptype(s, z, y.shape)}
  %out = dequantize(%hq)
  %y.out = dequantize(%y)
  output y = %y.out
  output h = %out"""
    return text, {"x": x}, {"y": y, "h": h}


def add(gen):
    a = torch.rand((1, 8, 16, 16), generator=gen) * 3 - 1
    c = torch.rand((1, 8, 16, 16), generator=gen) * 2 - 1.5
    qa = torch.quantize_per_tensor(a, 3.0 / 255, 85, torch.quint8)
    qb = torch.quantize_per_tensor(c, 2.0 / 255, 191, torch.quint8)
    ref = qa.dequantize() + qb.dequantize()
    s, z = out_params(ref.min(), ref.max())
    y = torch.ops.quantized.add(qa, qb, s, z)
    yr = torch.ops.quantized.add_relu(qa, qb, s, z)
    text = f"""  input %a : f32[1, 8, 16, 16]
  input %b : f32[1, 8, 16, 16]
  %qa = quantize(%a) : {qtype(qa)}
  %qb = quantize(%b) : {qtype(qb)}
  %da = dequantize(%qa)
  %db = dequantize(%qb)
  %s = add(%da, %db)
  %sq = quantize(%s) : {ptype(s, z, y.shape)}
  %r = relu(%s)
  %rq = quantize(%r) : {ptype(s, z, y.shape)}
  %sum = dequantize(%sq)
  %sum_relu = dequantize(%rq)
  output sum = %sum
  output sum_relu = %sum_relu"""
    return text, {"a": a, "b": c}, {"sum": y, "sum_relu": yr}


def conv_pool_linear(gen):
    x = torch.rand((4, 2, 6, 6), generator=gen) * 2 - 1
    qx = torch.quantize_per_tensor(x, 2.0 / 255, 128, torch.quint8)
    qw = weight_q(gen, (4, 2, 3, 3), per_channel=False)
    b = torch.randn(4, generator=gen) * 0.1
    ref = F.conv2d(qx.dequantize(), qw.dequantize(), b, padding=1)
    s1, z1 = out_params(ref.min(), ref.max())
    conv = nnq.Conv2d(2, 4, 3, padding=1)
    conv.set_weight_bias(qw, b)
    conv.scale, conv.zero_point = s1, z1
    c = conv(qx)
    p = F.max_pool2d(c, 2)
    f = torch.flatten(p, 1)
    ql = weight_q(gen, (8, 36), per_channel=True)
    bl = torch.randn(8, generator=gen) * 0.1
    ref2 = F.linear(f.dequantize(), ql.dequantize(), bl)
    s2, z2 = out_params(ref2.min(), ref2.max())
    lin = nnq.Linear(36, 8)
    lin.set_weight_bias(ql, bl)
    lin.scale, lin.zero_point = s2, z2
    y = lin(f)
    text = f"""  input %x : f32[4, 2, 6, 6]
  %q = quantize(%x) : {qtype(qx)}
  %q.d = dequantize(%q)
{const_q("w", qw)}
{const_f("b", b)}
  %c = conv2d(%q.d, %w.d, %b) {{padding = [1, 1]}}
  %cq = quantize(%c) : {ptype(s1, z1, c.shape)}
  %cq.d = dequantize(%cq)
  %p = max_pool2d(%cq.d) {{kernel = [2, 2]}}
  %f = flatten(%p) {{start_dim = 1}}
  %fq = quantize(%f) : {ptype(s1, z1, f.shape)}
  %fq.d = dequantize(%fq)
{const_q("lw", ql)}
{const_f("lb", bl)}
  %l = linear(%fq.d, %lw.d, %lb)
  %y = quantize(%l) : {ptype(s2, z2, y.shape)}
  %out = dequantize(%y)
  output y = %out"""
    return text, {"x": x}, {"y": y}


def cat(gen):
    a = torch.rand((1, 2, 4, 4), generator=gen) * 2 - 1
    c = torch.rand((1, 3, 4, 4), generator=gen) * 2.4 - 1.2
    qa = torch.quantize_per_tensor(a, 2.0 / 255, 120, torch.quint8)
    qb = torch.quantize_per_tensor(c, 2.0 / 255, 120, torch.quint8)
    same = torch.cat([qa, qb], 1)
    s2, z2 = 2.9 / 255, 131
    other = torch.ops.quantized.cat([qa, qb], 1, s2, z2)
    text = f"""  input %a : f32[1, 2, 4, 4]
  input %b : f32[1, 3, 4, 4]
  %qa = quantize(%a) : {qtype(qa)}
  %qb = quantize(%b) : {qtype(qb)}
  %da = dequantize(%qa)
  %db = dequantize(%qb)
  %c = cat(%da, %db) {{axis = 1}}
  %same = quantize(%c) : {qtype(same)}
  %other = quantize(%c) : {ptype(s2, z2, same.shape)}
  %same.d = dequantize(%same)
  %other.d = dequantize(%other)
  output same = %same.d
  output other = %other.d"""
    return text, {"a": a, "b": c}, {"same": same, "other": other}


def conv_ties(gen):
    """Output scale 2 * s_in * s_w: every odd accumulator is a tie. PyTorch's integer kernel rounds it
    to even exactly; the float reference (float conv, then quantize) decides it by its rounding errors,
    so the QDQ graph without qdq-to-integer misses many of these integers."""
    s_in, s_w = 0.0123, 0.0071
    xi = torch.randint(118, 139, (1, 2, 8, 8), generator=gen)
    x = (xi.float() - 128) * s_in
    qx = torch.quantize_per_tensor(x, s_in, 128, torch.quint8)
    assert torch.equal(qx.int_repr().long(), xi)
    wi = torch.randint(-3, 4, (4, 2, 3, 3), generator=gen)
    qw = torch._make_per_tensor_quantized_tensor(wi.to(torch.int8), s_w, 0)
    s, z = 2 * s_in * s_w, 128
    m = nnq.Conv2d(2, 4, 3, padding=1, bias=False)
    m.set_weight_bias(qw, None)
    m.scale, m.zero_point = s, z
    y = m(qx)
    text = f"""  input %x : f32[1, 2, 8, 8]
  %q = quantize(%x) : {qtype(qx)}
  %q.d = dequantize(%q)
{const_q("w", qw)}
  %c = conv2d(%q.d, %w.d) {{padding = [1, 1]}}
  %y = quantize(%c) : {ptype(s, z, y.shape)}
  %out = dequantize(%y)
  output y = %out"""
    return text, {"x": x}, {"y": y}


CASES = {
    "qdq_conv_ties": (conv_ties, "reference Conv2d whose output scale makes every odd accumulator a tie -> nnq.Conv2d"),
    "qdq_conv_relu": (conv_relu, "FX reference ConvReLU2d (per-channel weights) -> nniq.ConvReLU2d"),
    "qdq_linear_hardtanh": (linear_hardtanh, "reference Linear, then hardtanh with bounds between integers -> nnq.Linear, quantized hardtanh"),
    "qdq_add": (add, "reference add and add + relu -> quantized::add, quantized::add_relu"),
    "qdq_conv_pool_linear": (conv_pool_linear, "conv -> max_pool2d -> flatten -> linear, pool and flatten in float between QDQ"),
    "qdq_cat": (cat, "cat of dequantized tensors with equal parameters, quantized to them and to others -> torch.cat, quantized::cat"),
}


def write(name, make, description, out_dir):
    gen = torch.Generator().manual_seed(sum(map(ord, name)))
    with torch.no_grad():
        body, inputs, outputs = make(gen)
    d = out_dir / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    header = (f"// {description}\n// QDQ golden '{name}', written by tools/torch/make_qdq_goldens.py "
              f"(torch {torch.__version__}, engine qnnpack): expected outputs are the lowered model's.\n")
    (d / "model.qg").write_text(f"{header}model {name} numerics(pytorch-qnnpack) {{\n{body}\n}}\n")
    spec = {"name": name, "description": description, "torch": torch.__version__, "model": "model.qg",
            "inputs": [], "outputs": []}
    for iname, x in inputs.items():
        np.save(d / f"{iname}.npy", x.numpy().astype(np.float32))
        spec["inputs"].append({"name": iname, "file": f"{iname}.npy"})
    for oname, y in outputs.items():
        ints = y.int_repr().numpy()
        distinct = int(np.unique(ints).size)
        if distinct < 8 or distinct < min(64, ints.size // 4):
            raise SystemExit(f"{name}: output {oname} has only {distinct} distinct integers")
        np.save(d / f"{oname}.npy", y.dequantize().numpy().astype(np.float32))
        np.save(d / f"{oname}.int.npy", ints)
        spec["outputs"].append({"name": oname, "file": f"{oname}.npy", "int_file": f"{oname}.int.npy",
                                "elements": int(ints.size), "distinct": distinct})
    (d / "case.json").write_text(json.dumps(spec, indent=2) + "\n")
    print(name, [(o["name"], o["elements"], o["distinct"]) for o in spec["outputs"]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=pathlib.Path, default=OUT_DIR)
    args = ap.parse_args()
    for name, (make, description) in CASES.items():
        write(name, make, description, args.out)


if __name__ == "__main__":
    main()
