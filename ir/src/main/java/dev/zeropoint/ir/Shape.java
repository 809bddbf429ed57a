package dev.zeropoint.ir;

import com.google.common.primitives.ImmutableIntArray;

/** A static tensor shape: a list of non-negative dimensions (rank 0 is a scalar). */
public record Shape(ImmutableIntArray dims) {
  public Shape {
    for (int i = 0; i < dims.length(); i++) {
      if (dims.get(i) < 0) {
        throw new IllegalArgumentException("negative dimension " + dims.get(i) + " in shape " + dims);
      }
    }
    dims = dims.trimmed();
  }

  public static Shape of(int... dims) {
    return new Shape(ImmutableIntArray.copyOf(dims));
  }

  public int rank() {
    return dims.length();
  }

  public int dim(int axis) {
    return dims.get(axis);
  }

  public int[] toArray() {
    return dims.toArray();
  }

  /** The number of elements; exact (throws on overflow of a long, which cannot happen for int dims below rank 3). */
  public long numElements() {
    long n = 1;
    for (int i = 0; i < dims.length(); i++) {
      n = Math.multiplyExact(n, dims.get(i));
    }
    return n;
  }

  /** Row-major (C order) strides in elements. */
  public long[] strides() {
    long[] s = new long[rank()];
    long acc = 1;
    for (int i = rank() - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= dims.get(i);
    }
    return s;
  }

  /** {@code [1, 3, 8, 8]}, as written in the .qg language. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < dims.length(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(dims.get(i));
    }
    return b.append(']').toString();
  }
}
