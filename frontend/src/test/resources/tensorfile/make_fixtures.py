#!/usr/bin/python3
"""Regenerates the .npy fixtures for NpyTest with real NumPy.

Run from this directory with a Python that has NumPy (Debian: /usr/bin/python3, python3-numpy):
    /usr/bin/python3 make_fixtures.py
The committed files were written by NumPy 1.24. NpyTest hard-codes the same values, so the Java
reader is checked against NumPy's bytes and the Java writer against NumPy's exact output.
"""
import numpy as np

i8 = np.iinfo(np.int8)
i16 = np.iinfo(np.int16)
i32 = np.iinfo(np.int32)
i64 = np.iinfo(np.int64)
f32 = np.finfo(np.float32)
f64 = np.finfo(np.float64)

# Readable files NumPy writes with np.save (format 1.0).
valid = {
    "u1": np.array([0, 1, 127, 128, 255], dtype=np.uint8),
    "i1": np.array([i8.min, -1, 0, 1, i8.max], dtype=np.int8),
    "i2": np.array([[i16.min, -1, 0], [1, 255, i16.max]], dtype=np.int16),
    "i4": np.array([[i32.min, -1], [0, 1], [65536, i32.max]], dtype=np.int32),
    "i8": np.array([i64.min, -1, 0, 1, 2**40 + 7, i64.max], dtype=np.int64),
    "f4": np.array(
        [0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, f32.smallest_subnormal, f32.max, 0.1],
        dtype=np.float32).reshape(2, 5),
    "f8": np.array(
        [np.pi, -np.e, f64.smallest_subnormal, f64.max, -0.0, np.nan, 1e-300, 0.1],
        dtype=np.float64).reshape(2, 2, 2),
    "scalar_f4": np.array(3.5, dtype=np.float32),
    "empty_i4": np.zeros((2, 0, 3), dtype=np.int32),
    "long_i2": np.arange(300, dtype=np.int16).reshape(3, 100),
}
for name, array in valid.items():
    np.save(name + ".npy", array)

# Formats 2.0 and 3.0, which np.save only picks for huge headers.
for version in [(2, 0), (3, 0)]:
    with open("v%d_i2.npy" % version[0], "wb") as f:
        np.lib.format.write_array(f, np.arange(6, dtype=np.int16).reshape(2, 3), version=version)

# Files NumPy writes that the Java reader must refuse.
refused = {
    "big_endian_f4": np.array([1.0, 2.0], dtype=">f4"),
    "fortran_i4": np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)),
    "bool": np.array([True, False]),
    "f2": np.array([1.0, 2.0], dtype=np.float16),
    "c8": np.array([1 + 2j], dtype=np.complex64),
    "u2": np.array([1, 2], dtype=np.uint16),
    "unicode": np.array(["abc"]),
    "structured": np.array([(1, 2.0)], dtype=[("a", "<i4"), ("b", "<f4")]),
    "object": np.array([None, 1], dtype=object),
}
for name, array in refused.items():
    np.save(name + ".npy", array, allow_pickle=True)
