"""Handlers for data-movement ops: no-ops, flatten, reshape, permute, chunk, split, indexing, channel shuffle, pad."""

import operator

import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F

from torch_ops import _axis, _bind, _name, _unary, function_key, functions, methods, modules, nnq

# --- shape ops -------------------------------------------------------------------------------


@modules(nn.Identity, nn.Dropout, nnq.Dropout, nn.Dropout2d)
def identity_module(ex, node, args, kwargs, mod):
    if isinstance(mod, nn.modules.dropout._DropoutNd) and mod.training:
        raise ex.error("is a dropout in training mode")
    return ex.tensor(args[0])


@methods("contiguous", "detach", "clone")
def identity(ex, node, args, kwargs):
    return ex.tensor(args[0])


@functions(F.dropout, F.dropout2d, torch.dropout)
def dropout(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "p", "training", "inplace"], p=0.5, training=True)
    if p["training"]:
        raise ex.error("is a dropout in training mode")
    return ex.tensor(p["input"])


def _flatten(ex, node, x, start_dim, end_dim):
    return _unary(ex, node, "flatten", x, {"start_dim": int(start_dim), "end_dim": int(end_dim)})


@modules(nn.Flatten)
def flatten_module(ex, node, args, kwargs, mod):
    return _flatten(ex, node, args[0], mod.start_dim, mod.end_dim)


@functions(torch.flatten)
@methods("flatten")
def flatten(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "start_dim", "end_dim"], start_dim=0, end_dim=-1)
    return _flatten(ex, node, p["input"], p["start_dim"], p["end_dim"])


@functions(torch.reshape, torch.unsqueeze, torch.squeeze)
@methods("view", "reshape", "unsqueeze", "squeeze", "view_as", "reshape_as")
def reshape(ex, node, args, kwargs):
    x = ex.tensor(args[0])
    shape = ex.result_meta().shape
    if shape == x.meta.shape:
        return x
    return _unary(ex, node, "reshape", x, {"shape": shape})


@functions(torch.permute)
@methods("permute")
def permute(ex, node, args, kwargs):
    x = ex.tensor(args[0])
    dims = kwargs.get("dims", args[1:])
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = dims[0]
    return _unary(ex, node, "permute", x, {"dims": [_axis(d, x.meta.rank) for d in dims]})


@functions(torch.transpose)
@methods("transpose")
def transpose(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "dim0", "dim1"])
    x = ex.tensor(p["input"])
    dims = list(range(x.meta.rank))
    a, b = _axis(p["dim0"], x.meta.rank), _axis(p["dim1"], x.meta.rank)
    dims[a], dims[b] = dims[b], dims[a]
    return _unary(ex, node, "permute", x, {"dims": dims})


def _result_metas(ex, node):
    metas = ex.rec.metas.get(node)
    if not isinstance(metas, list):
        raise ex.error("does not produce a list of tensors")
    return metas


@functions(torch.chunk)
@methods("chunk")
def chunk(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "chunks", "dim"], dim=0)
    x = ex.tensor(p["input"])
    attrs = {"axis": _axis(p["dim"], x.meta.rank), "chunks": int(p["chunks"])}
    return ex.emit_multi(_name(node), "chunk", x, attrs, _result_metas(ex, node))


@functions(torch.split)
@methods("split")
def split(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "split_size_or_sections", "dim"], dim=0)
    if "split_size" in p:
        p["split_size_or_sections"] = p["split_size"]
    x = ex.tensor(p["input"])
    axis = _axis(p["dim"], x.meta.rank)
    metas = _result_metas(ex, node)
    attrs = {"axis": axis, "sizes": [m.shape[axis] for m in metas]}
    return ex.emit_multi(_name(node), "split", x, attrs, metas)


@functions(operator.getitem)
def getitem(ex, node, args, kwargs):
    from zeropoint_torch import Value

    source, index = args
    if isinstance(source, (list, tuple)):
        return source[index]
    if not isinstance(source, Value):
        raise ex.error("indexes a non-tensor value")
    return _index(ex, node, source, index)


def _index(ex, node, x, index):
    """Basic indexing (ints, step-1 slices, None, ...) as split along each axis, then reshape."""
    items = list(index) if isinstance(index, tuple) else [index]
    if any(i is Ellipsis for i in items):
        at = next(k for k, i in enumerate(items) if i is Ellipsis)
        used = sum(1 for i in items if i is not None and i is not Ellipsis)
        items[at:at + 1] = [slice(None)] * (x.meta.rank - used)
    cur, axis = x, 0
    for item in items:
        if item is None:
            continue
        size = cur.meta.shape[axis]
        if isinstance(item, bool) or not isinstance(item, (int, slice)):
            raise ex.error(f"uses advanced indexing ({type(item).__name__}); only ints and slices map to split")
        if isinstance(item, int):
            start, length = item % size, 1
        else:
            start, stop, step = item.indices(size)
            if step != 1:
                raise ex.error("slices with a step (no strided slice in the language)")
            length = stop - start
            if length <= 0:
                raise ex.error("produces an empty slice")
        if (start, length) != (0, size):
            sizes = [s for s in (start, length, size - start - length) if s > 0]
            metas = []
            for s in sizes:
                shape = list(cur.meta.shape)
                shape[axis] = s
                metas.append(cur.meta.with_shape(shape))
            parts = ex.emit_multi(f"{_name(node)}.split{axis}", "split", cur, {"axis": axis, "sizes": sizes}, metas)
            cur = parts[1 if start > 0 else 0]
        axis += 1
    shape = ex.result_meta().shape
    if shape != cur.meta.shape:
        cur = ex.emit(_name(node), "reshape", [cur], {"shape": shape})
    return cur


def channel_shuffle(x, groups):
    """torchvision's channel_shuffle, kept as one node when traced (it unpacks x.size())."""
    if isinstance(x, torch.fx.Proxy):
        return x.tracer.create_proxy("call_function", channel_shuffle, (x, groups), {})
    return ORIGINAL_CHANNEL_SHUFFLE[0](x, groups)


ORIGINAL_CHANNEL_SHUFFLE = [torch.channel_shuffle]


def _channel_shuffle(ex, node, x, groups):
    """reshape [N, C, ...] to [N, g, C/g, ...], swap axes 1 and 2, reshape back."""
    x = ex.tensor(x)
    g = int(groups)
    n, c, rest = x.meta.shape[0], x.meta.shape[1], x.meta.shape[2:]
    grouped = ex.emit(f"{_name(node)}.groups", "reshape", [x], {"shape": [n, g, c // g] + rest},
                      x.meta.with_shape([n, g, c // g] + rest))
    dims = [0, 2, 1] + list(range(3, 3 + len(rest)))
    swapped = ex.emit(f"{_name(node)}.swap", "permute", [grouped], {"dims": dims},
                      x.meta.with_shape([n, c // g, g] + rest))
    return ex.emit(_name(node), "reshape", [swapped], {"shape": x.meta.shape})


@functions(channel_shuffle, torch.channel_shuffle, torch.native_channel_shuffle)
def channel_shuffle_fn(ex, node, args, kwargs):
    p = _bind(args, kwargs, ["input", "groups"])
    return _channel_shuffle(ex, node, p["input"], p["groups"])


@modules(nn.ChannelShuffle)
def channel_shuffle_module(ex, node, args, kwargs, mod):
    return _channel_shuffle(ex, node, args[0], mod.groups)


def _pad(ex, node, x, pad, mode, value):
    x = ex.tensor(x)
    if mode != "constant":
        raise ex.error(f"pads with mode '{mode}' (only constant padding is in the language)")
    rank = x.meta.rank
    begins, ends = [0] * rank, [0] * rank
    for i in range(len(pad) // 2):  # PyTorch lists (begin, end) pairs from the last axis backwards
        begins[rank - 1 - i] = int(pad[2 * i])
        ends[rank - 1 - i] = int(pad[2 * i + 1])
    return _unary(ex, node, "pad", x, {"pads": begins + ends, "value": float(value or 0.0)})


@functions(F.pad, torch.constant_pad_nd)
def pad(ex, node, args, kwargs):
    if function_key(node.target) == "torch.constant_pad_nd":
        p = _bind(args, kwargs, ["input", "pad", "value"], value=0.0)
        p["mode"] = "constant"
    else:
        p = _bind(args, kwargs, ["input", "pad", "mode", "value"], mode="constant", value=None)
    return _pad(ex, node, p["input"], p["pad"], p["mode"], p["value"])


@modules(nn.ZeroPad2d, nn.ConstantPad1d, nn.ConstantPad2d, nn.ConstantPad3d)
def pad_module(ex, node, args, kwargs, mod):
    return _pad(ex, node, args[0], mod.padding, "constant", getattr(mod, "value", 0.0))
