"""Reads a `.qg` file and runs it with PyTorch's own quantized kernels.

This is the exporter's self-check, not a Zeropoint implementation: every `.qg` op is executed by
the PyTorch kernel it came from, and every result is compared with the type written in the file.
If an exported graph run this way gives exactly the integers of the original model, the export
(op mapping, attributes, types, weights) is faithful. Used by make_goldens.py and make_examples.py.

    /usr/bin/python3 tools/torch/qg_check.py MODEL.qg NAME=INPUT.npy ... [--expect OUTNAME=FILE.npy ...]
"""

import pathlib
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

import qg_text

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<value>%[A-Za-z0-9_.]+)
    | (?P<number>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf)|nan)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    | (?P<punct>[{}()\[\]<>:,=])
    )""",
    re.VERBOSE,
)

_TORCH_DTYPE = {
    "f32": torch.float32, "f64": torch.float64, "i8": torch.int8, "u8": torch.uint8, "i16": torch.int16,
    "i32": torch.int32, "i64": torch.int64, "qu8": torch.quint8, "qi8": torch.qint8, "qi32": torch.qint32,
}
_STORAGE = {"qu8": torch.uint8, "qi8": torch.int8, "qi32": torch.int32}


class QgError(Exception):
    pass


def _tokens(text):
    text = re.sub(r"//[^\n]*", "", text)
    pos, out = 0, []
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QgError(f"cannot read at: {text[pos:pos + 40]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class Type:
    def __init__(self, element, shape, qparams):
        self.element, self.shape, self.qparams = element, shape, qparams

    def __str__(self):
        return qg_text.fmt_type(self.element, self.shape, self.qparams)


class _Parser:
    def __init__(self, text):
        self.toks = _tokens(text)
        self.i = 0

    def peek(self, k=0):
        return self.toks[self.i + k] if self.i + k < len(self.toks) else (None, None)

    def take(self, kind=None, text=None):
        tok = self.peek()
        if (kind and tok[0] != kind) or (text and tok[1] != text):
            raise QgError(f"expected {text or kind}, got {tok[1]!r} (token {self.i})")
        self.i += 1
        return tok[1]

    def accept(self, text):
        if self.peek()[1] == text:
            self.i += 1
            return True
        return False

    def number(self):
        t = self.take("number")
        return float(t) if re.search(r"[.eEn]", t) else int(t)

    def attr_value(self):
        kind, t = self.peek()
        if t == "[":
            self.take()
            items = []
            while not self.accept("]"):
                items.append(self.attr_value())
                self.accept(",")
            return items
        if kind == "number":
            return self.number()
        if kind == "string":
            return self.take()[1:-1]
        word = self.take("word")
        return {"true": True, "false": False}.get(word, word)

    def type(self):
        element = self.take("word")
        q = None
        if self.accept("<"):
            if self.accept("axis"):
                axis = int(self.take("number"))
                self.take(text=":")
                self.take(text="{")
                scales, zps = [], []
                while not self.accept("}"):
                    scales.append(float(self.take("number")))
                    self.take(text=":")
                    zps.append(int(self.take("number")))
                    self.accept(",")
                q = ("axis", axis, scales, zps)
            else:
                s = float(self.take("number"))
                self.take(text=":")
                q = ("tensor", s, int(self.take("number")))
            self.take(text=">")
        self.take(text="[")
        shape = []
        while not self.accept("]"):
            shape.append(int(self.take("number")))
            self.accept(",")
        return Type(element, shape, q)

    def model(self):
        self.take(text="model")
        m = {"name": self.take("word"), "numerics": "pytorch-qnnpack", "weights": None, "stmts": []}
        while not self.accept("{"):
            key = self.take("word")
            self.take(text="(")
            m[key] = self.take("string")[1:-1] if self.peek()[0] == "string" else self.take("word")
            self.take(text=")")
        while not self.accept("}"):
            m["stmts"].append(self.statement())
        return m

    def statement(self):
        if self.accept("input"):
            name = self.take("value")[1:]
            self.take(text=":")
            return ("input", name, self.type())
        if self.accept("output"):
            name = self.take("word")
            self.take(text="=")
            return ("output", name, self.take("value")[1:])
        results = [self.take("value")[1:]]
        while self.accept(","):
            results.append(self.take("value")[1:])
        self.take(text="=")
        op = self.take("word")
        if op == "const":
            if self.peek()[0] == "string":
                src = ("key", self.take()[1:-1])
            else:
                src = ("inline", self.attr_value())
            self.take(text=":")
            return ("const", results, src, self.type())
        self.take(text="(")
        operands = []
        while not self.accept(")"):
            operands.append(self.take("value")[1:])
            self.accept(",")
        attrs = {}
        if self.accept("{"):
            while not self.accept("}"):
                k = self.take("word")
                self.take(text="=")
                attrs[k] = self.attr_value()
                self.accept(",")
        types = []
        if self.accept(":"):
            types.append(self.type())
            while self.accept(","):
                types.append(self.type())
        return ("op", results, op, operands, attrs, types)


def parse(text):
    return _Parser(text).model()


def type_of(t):
    if t.is_quantized:
        if t.qscheme() in (torch.per_tensor_affine, torch.per_tensor_symmetric):
            q = ("tensor", float(t.q_scale()), int(t.q_zero_point()))
        else:
            q = ("axis", int(t.q_per_channel_axis()), t.q_per_channel_scales().tolist(),
                 t.q_per_channel_zero_points().tolist())
    else:
        q = None
    elem = next(k for k, v in _TORCH_DTYPE.items() if v == t.dtype)
    return Type(elem, list(t.shape), q)


def _make(data, ty):
    """A tensor of type `ty` from stored elements (integers for quantized types)."""
    if ty.qparams is None:
        return torch.from_numpy(np.ascontiguousarray(data)).to(_TORCH_DTYPE[ty.element]).reshape(ty.shape)
    ints = torch.from_numpy(np.ascontiguousarray(data)).to(_STORAGE[ty.element]).reshape(ty.shape)
    if ty.qparams[0] == "tensor":
        return torch._make_per_tensor_quantized_tensor(ints, ty.qparams[1], ty.qparams[2])
    _, axis, scales, zps = ty.qparams
    return torch._make_per_channel_quantized_tensor(ints, torch.tensor(scales, dtype=torch.float64),
                                                    torch.tensor(zps, dtype=torch.int64), axis)


def _sym(padding, what):
    t, l, b, r = padding if len(padding) == 4 else padding * 2
    if (t, l) != (b, r):
        raise QgError(f"{what}: asymmetric padding {padding} has no PyTorch kernel")
    return [t, l]


def _run_op(op, xs, a, ty):
    q = ty.qparams
    x = xs[0] if xs else None
    if op == "quantize":
        return torch.quantize_per_tensor(x, q[1], q[2], _TORCH_DTYPE[ty.element])
    if op == "dequantize":
        return x.dequantize()
    if op == "conv2d":
        stride, pad = a.get("stride", [1, 1]), _sym(a.get("padding", [0, 0, 0, 0]), op)
        dil, groups = a.get("dilation", [1, 1]), a.get("groups", 1)
        bias = xs[2] if len(xs) > 2 else None
        if x.is_quantized:
            packed = torch.ops.quantized.conv2d_prepack(xs[1], bias, stride, pad, dil, groups)
            return torch.ops.quantized.conv2d(x, packed, q[1], q[2])
        return F.conv2d(x, xs[1], bias, stride, pad, dil, groups)
    if op == "linear":
        bias = xs[2] if len(xs) > 2 else None
        if x.is_quantized:
            return torch.ops.quantized.linear(x, torch.ops.quantized.linear_prepack(xs[1], bias), q[1], q[2])
        return F.linear(x, xs[1], bias)
    if op in ("add", "mul"):
        if x.is_quantized:
            return getattr(torch.ops.quantized, op)(xs[0], xs[1], q[1], q[2])
        return xs[0] + xs[1] if op == "add" else xs[0] * xs[1]
    if op == "cat":
        if x.is_quantized:
            return torch.ops.quantized.cat(xs, a["axis"], q[1], q[2])
        return torch.cat(xs, a["axis"])
    if op == "relu":
        return torch.relu(x)
    if op == "relu6":
        return F.hardtanh(x, 0.0, 6.0)
    if op == "hardtanh":
        return F.hardtanh(x, float(a.get("min", -1.0)), float(a.get("max", 1.0)))
    if op == "clamp":
        return torch.clamp(x, a.get("min"), a.get("max"))
    if op == "hardswish":
        return torch.ops.quantized.hardswish(x, q[1], q[2]) if x.is_quantized else F.hardswish(x)
    if op == "hardsigmoid":
        return F.hardsigmoid(x)
    if op == "sigmoid":
        return torch.sigmoid(x)
    if op == "max_pool2d":
        return F.max_pool2d(x, a["kernel"], a.get("stride", a["kernel"]), _sym(a.get("padding", [0] * 4), op),
                            a.get("dilation", [1, 1]), a.get("ceil_mode", False))
    if op == "avg_pool2d":
        return F.avg_pool2d(x, a["kernel"], a.get("stride", a["kernel"]), _sym(a.get("padding", [0] * 4), op),
                            a.get("ceil_mode", False), a.get("count_include_pad", True),
                            a.get("divisor_override", 0) or None)
    if op == "adaptive_avg_pool2d":
        return F.adaptive_avg_pool2d(x, a["output_size"])
    if op == "flatten":
        return torch.flatten(x, a.get("start_dim", 0), a.get("end_dim", -1))
    if op == "reshape":
        return x.reshape(a["shape"])
    if op == "permute":
        return x.permute(a["dims"])
    if op == "split":
        return list(torch.split(x, a["sizes"], a["axis"]))
    if op == "chunk":
        return list(torch.chunk(x, a["chunks"], a["axis"]))
    if op == "pad":
        pads, r = a["pads"], x.dim()
        torch_pad = []
        for axis in reversed(range(r)):
            torch_pad += [pads[axis], pads[r + axis]]
        return F.pad(x, torch_pad, value=float(a.get("value", 0.0)))
    if op == "batch_norm":
        w, b, mean, var = xs[1:5]
        if x.is_quantized:
            return torch.ops.quantized.batch_norm2d(x, w, b, mean, var, a.get("eps", 1e-5), q[1], q[2])
        return F.batch_norm(x, mean, var, w, b, False, 0.0, a.get("eps", 1e-5))
    raise QgError(f"op {op} is not known to the checker")


def run(path, inputs):
    """Runs the model at `path` on {input name: numpy array}; returns {output name: torch tensor}."""
    path = pathlib.Path(path)
    m = parse(path.read_text())
    weights = qg_text.read_safetensors(path.parent / m["weights"]) if m["weights"] else {}
    env, outputs = {}, {}
    for st in m["stmts"]:
        if st[0] == "input":
            _, name, ty = st
            env[name] = _make(inputs[name], ty)
        elif st[0] == "output":
            outputs[st[1]] = env[st[2]]
        elif st[0] == "const":
            _, (name,), (kind, src), ty = st
            data = weights[src] if kind == "key" else np.array(src, dtype=np.float64)
            if kind == "key" and list(data.shape) != ty.shape:
                raise QgError(f"%{name}: weights entry {src} has shape {list(data.shape)}, type says {ty.shape}")
            env[name] = _make(data, ty)
        else:
            _, results, op, operands, attrs, types = st
            out = _run_op(op, [env[o] for o in operands], attrs, types[0] if types else None)
            outs = out if isinstance(out, list) else [out]
            if len(outs) != len(results):
                raise QgError(f"{op}: {len(outs)} results, {len(results)} names")
            for name, t, ty in zip(results, outs, types or [None] * len(outs)):
                if ty is not None and str(type_of(t)) != str(ty):
                    raise QgError(f"%{name} = {op}: PyTorch gives {type_of(t)}, the file says {ty}")
                env[name] = t
    return outputs


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    expect = {}
    if "--expect" in argv:
        i = argv.index("--expect")
        expect = dict(a.split("=", 1) for a in argv[i + 1:])
        args = [a for a in argv[1:i]]
    inputs = {k: np.load(v) for k, v in (a.split("=", 1) for a in args[1:])}
    outs = run(args[0], inputs)
    ok = True
    for name, t in outs.items():
        got = (t.int_repr() if t.is_quantized else t).numpy()
        print(f"{name}: {type_of(t)}")
        if name in expect:
            same = np.array_equal(got, np.load(expect[name]), equal_nan=True)
            print(f"  matches {expect[name]}: {same}")
            ok &= same
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
