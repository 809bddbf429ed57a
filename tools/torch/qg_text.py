"""Text and file formats shared by the exporter and the checker.

- Formatting of `.qg` numbers, types and attribute values, following docs/language.md.
- Reading and writing safetensors files (the `safetensors` package is not required).

Numbers are printed so that they read back to the same bits: float64 values (PyTorch's
scales) with `repr`, float32 values as the shortest decimal that rounds back to the same
float32 (`repr` of the float32 widened to float64 is exact and round-trips).
"""

import json
import math
import struct

import numpy as np

# PyTorch dtype name -> .qg element keyword; quantized dtypes map to quantized storage types.
ELEMENT_OF_DTYPE = {
    "torch.float32": "f32",
    "torch.float64": "f64",
    "torch.int8": "i8",
    "torch.uint8": "u8",
    "torch.int16": "i16",
    "torch.int32": "i32",
    "torch.int64": "i64",
    "torch.quint8": "qu8",
    "torch.qint8": "qi8",
    "torch.qint32": "qi32",
}

# safetensors dtype names for NumPy dtypes.
_SAFETENSORS_DTYPE = {
    np.dtype(np.int8): "I8",
    np.dtype(np.uint8): "U8",
    np.dtype(np.int16): "I16",
    np.dtype(np.int32): "I32",
    np.dtype(np.int64): "I64",
    np.dtype(np.float32): "F32",
    np.dtype(np.float64): "F64",
}
_NUMPY_DTYPE = {v: k for k, v in _SAFETENSORS_DTYPE.items()}


class Word(str):
    """An attribute value written as a bare word (`mode = constant`)."""


def fmt_f64(v):
    """A float64 (e.g. a PyTorch scale) so that it parses back to the same double."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


def fmt_f32(v):
    """A float32 value so that it parses back (as float32) to the same bits."""
    return fmt_f64(float(np.float32(v)))


def fmt_attr(v):
    if isinstance(v, Word):
        return str(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return fmt_f64(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt_attr(x) for x in v) + "]"
    raise TypeError(f"cannot write attribute value {v!r}")


def fmt_attrs(attrs):
    if not attrs:
        return ""
    return " {" + ", ".join(f"{k} = {fmt_attr(v)}" for k, v in attrs.items()) + "}"


def fmt_shape(shape):
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"


def fmt_type(element, shape, qparams=None):
    """A tensor type.

    qparams is None (plain type), ("tensor", scale, zp) or ("axis", axis, scales, zps).
    """
    if qparams is None:
        return element + fmt_shape(shape)
    if qparams[0] == "tensor":
        _, scale, zp = qparams
        return f"{element}<{fmt_f64(scale)}:{int(zp)}>{fmt_shape(shape)}"
    _, axis, scales, zps = qparams
    pairs = ", ".join(f"{fmt_f64(s)}:{int(z)}" for s, z in zip(scales, zps))
    return f"{element}<axis {int(axis)}: {{{pairs}}}>{fmt_shape(shape)}"


def write_safetensors(path, tensors):
    """Writes {name: numpy array} as a safetensors file (tensors sorted by name)."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        if a.dtype not in _SAFETENSORS_DTYPE:
            raise TypeError(f"safetensors: unsupported dtype {a.dtype} for {name}")
        data = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {
            "dtype": _SAFETENSORS_DTYPE[a.dtype],
            "shape": [int(d) for d in a.shape],
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Reads a safetensors file into {name: numpy array}."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _NUMPY_DTYPE[info["dtype"]].newbyteorder("<")
        begin, end = info["data_offsets"]
        a = np.frombuffer(raw[base + begin : base + end], dtype=dtype)
        out[name] = a.reshape(info["shape"]).astype(dtype.newbyteorder("="))
    return out
