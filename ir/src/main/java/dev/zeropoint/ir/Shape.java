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
  /**
   * The numpy broadcast of two shapes (aligned at the last dimension; a dimension of 1 stretches),
   * or empty when they do not broadcast.
   */
  public static java.util.Optional<Shape> broadcast(Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.rank() ? 1 : a.dim(i - (rank - a.rank()));
      int db = i < rank - b.rank() ? 1 : b.dim(i - (rank - b.rank()));
      if (da != db && da != 1 && db != 1) {
        return java.util.Optional.empty();
      }
      out[i] = da == 1 ? db : da;
    }
    return java.util.Optional.of(Shape.of(out));
  }

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
