package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.Shape;

/** NumPy broadcasting and shape products for the compute kernels. */
final class Broadcast {
  private Broadcast() {}

  /**
   * For each element of {@code out} (row-major), the row-major index of the element of {@code in}
   * it reads under NumPy broadcasting; null when the shapes are equal (the identity).
   */
  static int[] indices(Shape out, Shape in) {
    if (out.equals(in)) {
      return null;
    }
    return dev.zeropoint.backends.IndexMaps.broadcast(out, in);
  }

  /** The index into an operand for output element {@code i}, given {@link #indices}. */
  static int at(int[] indices, int i) {
    return indices == null ? i : indices[i];
  }

  /** The product of the dimensions in [from, to). */
  static int product(Shape s, int from, int to) {
    long p = 1;
    for (int d = from; d < to; d++) {
      p *= s.dim(d);
    }
    return Math.toIntExact(p);
  }
}
