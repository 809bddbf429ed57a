"""Exports a PyTorch-quantized model to the Zeropoint `.qg` language (docs/language.md).

    import zeropoint_torch
    zeropoint_torch.export(quantized_model, (example_input,), "model.qg")

writes `model.qg` and, next to it, `model.safetensors` with the weights. The model is one that
PyTorch quantized and converted: eager mode (QuantStub/DeQuantStub, fused modules, FloatFunctional)
or FX mode (`prepare_fx`/`convert_fx`).

How it works: the converted model is traced with torch.fx (an FX-converted model already is a
GraphModule), then run once on the example inputs by an FX interpreter that records every
intermediate tensor. Types in the `.qg` file (shapes, quantization parameters) are those of the
recorded tensors, so every value gets a fully written type with the exact scale PyTorch uses.
Anything that only depends on shapes (`x.size()`, arithmetic on sizes) is folded to constants.
Everything else must map to an op of the language, or export fails with an `ExportError` naming
the PyTorch op and the module it was called from.
"""

import contextlib
import dis
import inspect
import pathlib
import re
import sys

import torch
import torch.fx

import qg_text
from qg_text import fmt_attrs, fmt_f32, fmt_type
import torch_ops

__all__ = ["export", "ExportError", "tracing_patches", "numerics_flavour"]


class ExportError(Exception):
    """A model (or part of one) that cannot be written in the .qg language."""


_FLAVOUR_OF_ENGINE = {"qnnpack": "pytorch-qnnpack", "fbgemm": "pytorch-fbgemm"}


def numerics_flavour(engine=None):
    engine = engine or torch.backends.quantized.engine
    if engine not in _FLAVOUR_OF_ENGINE:
        raise ExportError(f"no numerics flavour for quantized engine '{engine}'")
    return _FLAVOUR_OF_ENGINE[engine]


# ---------------------------------------------------------------------------------------------
# Tensor metadata and .qg values


class Meta:
    """Element type, shape and quantization parameters of a recorded tensor."""

    def __init__(self, element, shape, qparams=None):
        self.element = element
        self.shape = [int(d) for d in shape]
        self.qparams = qparams  # None, ("tensor", scale, zp) or ("axis", axis, scales, zps)

    @staticmethod
    def of(t):
        key = str(t.dtype)
        if key not in qg_text.ELEMENT_OF_DTYPE:
            raise ExportError(f"tensor dtype {t.dtype} has no .qg element type")
        q = None
        if t.is_quantized:
            scheme = t.qscheme()
            if scheme in (torch.per_tensor_affine, torch.per_tensor_symmetric):
                q = ("tensor", float(t.q_scale()), int(t.q_zero_point()))
            elif scheme in (torch.per_channel_affine, torch.per_channel_symmetric):
                q = (
                    "axis",
                    int(t.q_per_channel_axis()),
                    [float(s) for s in t.q_per_channel_scales().tolist()],
                    [int(z) for z in t.q_per_channel_zero_points().tolist()],
                )
            else:
                raise ExportError(f"quantization scheme {scheme} has no .qg type (float zero points)")
        return Meta(qg_text.ELEMENT_OF_DTYPE[key], t.shape, q)

    @property
    def quantized(self):
        return self.qparams is not None

    @property
    def rank(self):
        return len(self.shape)

    def with_shape(self, shape):
        return Meta(self.element, shape, self.qparams)

    def type(self):
        return fmt_type(self.element, self.shape, self.qparams)

    def __eq__(self, other):
        return isinstance(other, Meta) and self.type() == other.type()


class Value:
    """A value of the .qg graph (an SSA name and its type)."""

    def __init__(self, name, meta):
        self.name = name
        self.meta = meta
        self.tensor = None  # PyTorch's tensor for this value, when it is a node's result

    def __repr__(self):
        return f"%{self.name}"


def _contains(obj, kind):
    if isinstance(obj, kind):
        return True
    if isinstance(obj, (list, tuple)):
        return any(_contains(o, kind) for o in obj)
    if isinstance(obj, dict):
        return any(_contains(o, kind) for o in obj.values())
    return False


# ---------------------------------------------------------------------------------------------
# Tracing


class _Tracer(torch.fx.Tracer):
    """The default FX tracer that also remembers which module each node was created in."""

    def __init__(self):
        super().__init__()
        self._stack = []

    def call_module(self, m, forward, args, kwargs):
        self._stack.append(self.path_of_module(m))
        try:
            return super().call_module(m, forward, args, kwargs)
        finally:
            self._stack.pop()

    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None):
        node = super().create_node(kind, target, args, kwargs, name, type_expr)
        node.meta["zp_module"] = self._stack[-1] if self._stack else ""
        return node


def _proxy_iter(self):
    """Proxy.__iter__ of torch 1.13, fixed for Python 3.11 (its bytecode has inline caches).

    `a, b = proxy` (e.g. `x1, x2 = x.chunk(2, dim=1)`) becomes `proxy[0], proxy[1]`.
    """
    frame = inspect.currentframe().f_back
    for inst in dis.get_instructions(frame.f_code):
        if inst.offset == frame.f_lasti:
            if inst.opname == "UNPACK_SEQUENCE":
                return (self[i] for i in range(inst.argval))
            break
    return self.tracer.iter(self)


@contextlib.contextmanager
def tracing_patches():
    """Makes torch.fx trace torchvision's models while active (use it around prepare_fx too).

    Keeps torchvision's channel_shuffle as one node, and fixes tuple unpacking of proxies.
    """
    saved = []
    try:
        import torchvision.models.shufflenetv2 as sv2

        if sv2.channel_shuffle is not torch_ops.channel_shuffle:
            torch_ops.ORIGINAL_CHANNEL_SHUFFLE[0] = sv2.channel_shuffle
            saved.append((sv2, "channel_shuffle", sv2.channel_shuffle))
            sv2.channel_shuffle = torch_ops.channel_shuffle
    except ImportError:
        pass
    if sys.version_info >= (3, 11):
        saved.append((torch.fx.Proxy, "__iter__", torch.fx.Proxy.__iter__))
        torch.fx.Proxy.__iter__ = _proxy_iter
    try:
        yield
    finally:
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)


def _trace(model):
    if isinstance(model, torch.fx.GraphModule):
        return model
    tracer = _Tracer()
    with tracing_patches():
        try:
            graph = tracer.trace(model)
        except Exception as e:  # noqa: BLE001 - report any tracing failure as an export error
            raise ExportError(f"torch.fx cannot trace {type(model).__name__}: {e}") from e
    return torch.fx.GraphModule(tracer.root, graph, type(model).__name__)


class _Recorder(torch.fx.Interpreter):
    """Runs the graph and keeps every node's result (metadata snapshot and value)."""

    def __init__(self, gm):
        super().__init__(gm, garbage_collect_values=False)
        self.values = {}
        self.metas = {}

    def run_node(self, n):
        result = super().run_node(n)
        self.values[n] = result
        if isinstance(result, torch.Tensor):
            self.metas[n] = Meta.of(result)  # before any in-place op changes the tensor
        elif isinstance(result, (list, tuple)) and result and all(isinstance(r, torch.Tensor) for r in result):
            self.metas[n] = [Meta.of(r) for r in result]
        return result


def _same_result(a, b):
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        if a.is_quantized != b.is_quantized or a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.is_quantized:
            return Meta.of(a) == Meta.of(b) and torch.equal(a.int_repr(), b.int_repr())
        return torch.equal(a, b) or bool(torch.all((a == b) | (torch.isnan(a) & torch.isnan(b))))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_result(x, y) for x, y in zip(a, b))
    return type(a) == type(b)


# ---------------------------------------------------------------------------------------------
# The exporter


class _Exporter:
    """Walks the traced graph and writes one or more .qg statements per FX node."""

    def __init__(self, gm, recorder):
        self.gm = gm
        self.rec = recorder
        self.lines = []
        self.weights = {}
        self.names = set()
        self.env = {}
        self.const_keys = {}  # id(tensor) -> weights key, for tensors read with get_attr
        self.emitted_consts = {}  # weights key -> Value
        self.inputs = []
        self.outputs = []
        self.producers = {}  # value name -> (op, operand Values)
        self.node = None

    # -- naming and emission ------------------------------------------------------------------

    def fresh(self, hint):
        base = re.sub(r"[^A-Za-z0-9_.]", "_", str(hint)) or "v"
        name, i = base, 1
        while name in self.names:
            name = f"{base}_{i}"
            i += 1
        self.names.add(name)
        return name

    def emit(self, hint, op, operands, attrs=None, meta=None, comment=None):
        """Writes `%hint = op(operands) {attrs} : type` and returns the new Value."""
        meta = meta if meta is not None else self.result_meta()
        name = self.fresh(hint)
        ops = ", ".join(f"%{v.name}" for v in operands)
        line = f"%{name} = {op}({ops}){fmt_attrs(attrs or {})} : {meta.type()}"
        self.lines.append(line + (f"  // {comment}" if comment else ""))
        self.producers[name] = (op, list(operands))
        return Value(name, meta)

    def emit_multi(self, hint, op, operand, attrs, metas):
        base = self.fresh(hint)
        names = [self.fresh(f"{base}.{i}") for i in range(len(metas))]
        lhs = ", ".join(f"%{n}" for n in names)
        types = ", ".join(m.type() for m in metas)
        self.lines.append(f"{lhs} = {op}(%{operand.name}){fmt_attrs(attrs)} : {types}")
        return tuple(Value(n, m) for n, m in zip(names, metas))

    def result_meta(self):
        meta = self.rec.metas.get(self.node)
        if not isinstance(meta, Meta):
            raise self.error("does not produce a single tensor")
        return meta

    def weight(self, key, tensor, hint):
        """A named constant read from the weights file (one entry per key)."""
        if key in self.emitted_consts:
            return self.emitted_consts[key]
        tensor = tensor.detach()
        meta = Meta.of(tensor)
        data = tensor.int_repr() if tensor.is_quantized else tensor
        self.weights[key] = data.contiguous().numpy().copy()
        name = self.fresh(hint)
        self.lines.append(f'%{name} = const "{key}" : {meta.type()}')
        value = Value(name, meta)
        self.emitted_consts[key] = value
        return value

    def inline(self, hint, tensor):
        """A small float constant written inline."""
        tensor = tensor.detach()
        meta = Meta.of(tensor)
        if tensor.is_quantized or not tensor.is_floating_point():
            raise self.error("needs a non-float inline constant")
        fmt = fmt_f32 if tensor.dtype == torch.float32 else qg_text.fmt_f64
        elems = ", ".join(fmt(v) for v in tensor.reshape(-1).tolist())
        name = self.fresh(hint)
        self.lines.append(f"%{name} = const [{elems}] : {meta.type()}")
        return Value(name, meta)

    def tensor(self, x, hint="const"):
        """The Value of an operand; constant tensors become `const` statements."""
        if isinstance(x, Value):
            return x
        if isinstance(x, torch.Tensor):
            key = self.const_keys.get(id(x))
            if key is None and x.numel() <= 16 and not x.is_quantized:
                return self.inline(hint, x)
            base = torch_ops._name(self.node)
            return self.weight(key or f"{base}.{hint}", x, f"{base}.{hint}")
        raise self.error(f"expects a tensor operand, got {type(x).__name__}")

    def scalar(self, like, v, hint="scalar"):
        """A Python number operand of a float op, as a rank-0 constant of the tensor's dtype."""
        if isinstance(v, (Value, torch.Tensor)):
            return self.tensor(v, hint)
        if like.meta.quantized:
            raise self.error("mixes a quantized tensor with a Python scalar (add_scalar/mul_scalar)")
        dtype = torch.float64 if like.meta.element == "f64" else torch.float32
        return self.inline(f"{torch_ops._name(self.node)}.{hint}", torch.tensor(float(v), dtype=dtype))

    def error(self, what):
        return ExportError(f"{_describe(self.gm, self.node)} {what}")

    # -- graph walk ---------------------------------------------------------------------------

    def run(self):
        for node in self.gm.graph.nodes:
            self.node = node
            self.env[node] = self.visit(node)

    def visit(self, node):
        value = self.rec.values.get(node)
        if node.op == "placeholder":
            if not isinstance(value, torch.Tensor):
                return value
            name = str(node.target).lstrip("*")
            if name in self.names:
                raise self.error(f"input name '{name}' clashes with another value")
            self.names.add(name)
            v = Value(name, self.rec.metas[node])
            self.inputs.append(v)
            self.lines.append(f"input %{name} : {v.meta.type()}")
            return v
        if node.op == "get_attr":
            self.const_keys[id(value)] = str(node.target)
            return value
        if node.op == "output":
            self.outputs = _flatten_outputs(node.args[0], self.env, self)
            return None
        args = torch.fx.node.map_arg(node.args, lambda n: self.env[n])
        kwargs = torch.fx.node.map_arg(node.kwargs, lambda n: self.env[n])
        if not _contains(args, Value) and not _contains(kwargs, Value):
            if isinstance(value, torch.Tensor):
                self.const_keys[id(value)] = node.name
            return value  # computed from constants only: folded
        if not _contains(value, torch.Tensor):
            return self.shape_query(node, value)
        handler = torch_ops.handler_for(self.gm, node)
        if handler is None:
            raise self.error("is not supported: no .qg op for it in docs/language.md")
        result = handler(self, node, list(args), dict(kwargs))
        if isinstance(result, Value) and result.tensor is None and isinstance(value, torch.Tensor):
            result.tensor = value
        return result

    def shape_query(self, node, value):
        allowed_methods = {"size", "dim", "numel", "q_scale", "q_zero_point", "qscheme", "is_contiguous"}
        if node.op == "call_method" and node.target in allowed_methods:
            return value
        if node.op == "call_function" and getattr(node.target, "__name__", "") in ("getattr", "len"):
            return value
        raise self.error("computes a non-tensor value from tensor contents")

    def text(self, name, flavour, weights_file, comment):
        out = []
        for line in (comment or "").strip("\n").splitlines():
            out.append(("// " + line).rstrip() if not line.startswith("//") else line)
        weights = f' weights("{weights_file}")' if weights_file else ""
        out.append(f"model {name} numerics({flavour}){weights} {{")
        out.extend("  " + line for line in self.lines)
        for i, v in enumerate(self.outputs):
            oname = "output" if len(self.outputs) == 1 else f"output{i}"
            out.append(f"  output {oname} = %{v.name}")
        out.append("}")
        return "\n".join(out) + "\n"


def _flatten_outputs(arg, env, exporter):
    result = []

    def walk(a):
        if isinstance(a, torch.fx.Node):
            a = env[a]
        if isinstance(a, Value):
            result.append(a)
        elif isinstance(a, (list, tuple)):
            for x in a:
                walk(x)
        else:
            raise exporter.error(f"returns {type(a).__name__}, which is not a graph value")

    walk(arg)
    return result


def _describe(gm, node):
    if node is None:
        return "model"
    if node.op == "call_module":
        mod = gm.get_submodule(node.target)
        what = f"module '{node.target}' ({type(mod).__module__}.{type(mod).__name__})"
    elif node.op == "call_function":
        what = f"function {torch_ops.function_key(node.target)}"
    elif node.op == "call_method":
        what = f"method Tensor.{node.target}"
    else:
        what = f"{node.op} {node.target}"
    where = node.meta.get("zp_module", "")
    loc = f" in module '{where}'" if where and node.op != "call_module" else ""
    return f"PyTorch {what}{loc} (node {node.name})"


class ExportResult:
    """What export() wrote.

    inputs: [(name, Meta)]; outputs: [(name, Meta)]; quantized_outputs: {output name: the
    quantized tensor PyTorch dequantized to give that output} for outputs that end in dequantize.
    """

    def __init__(self, qg_path, weights_path, inputs, outputs, quantized_outputs, text):
        self.qg_path = qg_path
        self.weights_path = weights_path
        self.inputs = inputs
        self.outputs = outputs
        self.quantized_outputs = quantized_outputs
        self.text = text


def export(model, example_inputs, path, comment=None, name=None, engine=None):
    """Writes `path` (.qg) and the weights next to it (`<stem>.safetensors`).

    model: a quantized, converted torch.nn.Module (eager) or torch.fx.GraphModule (FX); it is
    put in eval mode. example_inputs: a tuple of tensors passed to forward(); they fix the
    shapes of the graph. comment: text written as `//` lines on top. Returns an ExportResult.
    """
    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    example_inputs = tuple(example_inputs)
    path = pathlib.Path(path)
    flavour = numerics_flavour(engine)
    model.eval()
    gm = _trace(model)
    recorder = _Recorder(gm)
    with torch.no_grad():
        traced_out = recorder.run(*example_inputs)
        reference = model(*example_inputs)
    if not _same_result(traced_out, reference):
        raise ExportError("the traced graph does not reproduce the model's outputs (data-dependent control flow?)")

    exporter = _Exporter(gm, recorder)
    exporter.run()
    model_name = name or re.sub(r"[^A-Za-z0-9_]", "_", path.stem)
    weights_path = path.with_suffix(".safetensors") if exporter.weights else None
    text = exporter.text(model_name, flavour, weights_path.name if weights_path else None, comment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if weights_path:
        qg_text.write_safetensors(weights_path, exporter.weights)
    inputs = [(v.name, v.meta) for v in exporter.inputs]
    oname = (lambda i: "output") if len(exporter.outputs) == 1 else (lambda i: f"output{i}")
    outputs = [(oname(i), v.meta) for i, v in enumerate(exporter.outputs)]
    quantized_outputs = {}
    for i, v in enumerate(exporter.outputs):
        op, operands = exporter.producers.get(v.name, (None, []))
        if op == "dequantize" and operands[0].tensor is not None:
            quantized_outputs[oname(i)] = operands[0].tensor
    return ExportResult(path, weights_path, inputs, outputs, quantized_outputs, text)

