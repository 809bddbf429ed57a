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
    int rank = out.rank();
    int offset = rank - in.rank();
    int[] stride = new int[rank];
    int contiguous = 1;
    for (int d = rank - 1; d >= offset; d--) {
      int size = in.dim(d - offset);
      stride[d] = size == 1 ? 0 : contiguous;
      contiguous *= size;
    }
    int n = Math.toIntExact(out.numElements());
    int[] result = new int[n];
    int[] counter = new int[rank];
    int position = 0;
    for (int i = 0; i < n; i++) {
      result[i] = position;
      for (int d = rank - 1; d >= 0; d--) {
        position += stride[d];
        if (++counter[d] < out.dim(d)) {
          break;
        }
        position -= stride[d] * out.dim(d);
        counter[d] = 0;
      }
    }
    return result;
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
