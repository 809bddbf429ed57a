"""The table from PyTorch operations (modules, functions, Tensor methods) to .qg ops: registry and helpers.

Each handler is `handler(ex, node, args, kwargs)`: `ex` is the exporter (it emits statements and
knows every node's recorded result type), `args`/`kwargs` are the node's arguments with graph
values replaced by `.qg` Values and everything else by its concrete (recorded) value. A handler
returns the Value of the node (or a tuple of Values, or an existing Value for no-ops).

The handlers live in torch_ops_compute.py (arithmetic ops) and torch_ops_layout.py (data movement).
"""

import functools

import torch
from torch.fx.node import _get_qualified_name

import torch.ao.nn.quantized as nnq

try:
    import torch.ao.nn.intrinsic.quantized as nniq
except ImportError:  # torch <= 1.13 keeps the fused quantized modules here
    import torch.nn.intrinsic.quantized as nniq
try:
    import torch.ao.nn.quantized.dynamic as nnqd
except ImportError:
    import torch.nn.quantized.dynamic as nnqd

_MODULES = {}
_FUNCTIONS = {}
_METHODS = {}


def function_key(target):
    if isinstance(target, (torch._ops.OpOverloadPacket, torch._ops.OpOverload)):
        name = getattr(target, "_qualified_op_name", None) or str(target)
        return "torch.ops." + name.replace("::", ".").split(".default")[0]
    try:
        return _get_qualified_name(target)
    except Exception:  # noqa: BLE001 - builtins without a module
        return getattr(target, "__name__", repr(target))


def handler_for(gm, node):
    if node.op == "call_module":
        mod = gm.get_submodule(node.target)
        for cls in type(mod).__mro__:
            if cls in _MODULES:
                return functools.partial(_MODULES[cls], mod=mod)
        return None
    if node.op == "call_function":
        return _FUNCTIONS.get(function_key(node.target))
    if node.op == "call_method":
        return _METHODS.get(node.target)
    return None


def modules(*classes):
    def register(fn):
        for c in classes:
            _MODULES[c] = fn
        return fn

    return register


def functions(*targets):
    def register(fn):
        for t in targets:
            _FUNCTIONS[t if isinstance(t, str) else function_key(t)] = fn
        return fn

    return register


def methods(*names):
    def register(fn):
        for n in names:
            _METHODS[n] = fn
        return fn

    return register


def _name(node):
    """The name hint of a node's result: the module path for module calls, else FX's node name."""
    return str(node.target) if node.op == "call_module" else node.name


def _bind(args, kwargs, names, **defaults):
    out = dict(defaults)
    if len(args) > len(names):
        raise TypeError(f"too many arguments for {names}")
    out.update(zip(names, args))
    out.update(kwargs)
    return out


def _pair(v):
    if isinstance(v, (list, tuple)):
        v = list(v)
        return [int(v[0]), int(v[0])] if len(v) == 1 else [int(x) for x in v]
    return [int(v), int(v)]


def _axis(d, rank):
    d = int(d)
    return d + rank if d < 0 else d


def _with_relu(ex, node, op, operands, attrs, relu, comment=None):
    """`op`, then `relu` when the PyTorch op has a fused ReLU (same result type, same integers)."""
    if not relu:
        return ex.emit(_name(node), op, operands, attrs, comment=comment)
    pre = ex.emit(f"{_name(node)}.{op}", op, operands, attrs, comment=comment)
    return ex.emit(_name(node), "relu", [pre])


def _module_comment(node, mod):
    return f"{node.target}: {type(mod).__name__}"

def _unary(ex, node, op, x, attrs=None, comment=None):
    x = ex.tensor(x)
    if x.meta.quantized and x.meta.qparams[0] != "tensor":
        raise ex.error("applies an activation to a per-axis quantized tensor")
    return ex.emit(_name(node), op, [x], attrs or {}, comment=comment)


# The handler modules register themselves when imported (they import the helpers above).
import torch_ops_compute  # noqa: E402,F401
import torch_ops_layout  # noqa: E402
from torch_ops_layout import ORIGINAL_CHANNEL_SHUFFLE, channel_shuffle  # noqa: E402,F401
