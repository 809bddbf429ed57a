package dev.zeropoint.backends;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.Shape;

/**
 * Element index maps over row-major tensors, shared by the interpreter (at run time) and the
 * compiled backends (which lay them out at compile time): for each output element, the index of
 * the input element it reads.
 */
public final class IndexMaps {
  private IndexMaps() {}

  /** NumPy broadcasting of {@code in} to {@code out}; the identity when the shapes are equal. */
  public static int[] broadcast(Shape out, Shape in) {
    int rank = out.rank();
    int offset = rank - in.rank();
    int[] stride = new int[rank];
    int contiguous = 1;
    for (int d = rank - 1; d >= offset; d--) {
      int size = in.dim(d - offset);
      stride[d] = size == 1 ? 0 : contiguous;
      contiguous *= size;
    }
    long[] walk = new long[rank];
    for (int d = 0; d < rank; d++) {
      walk[d] = stride[d];
    }
    return walk(out, walk);
  }

  /** permute: the result's axis d is the input's axis {@code dims[d]} (negative counts from the end). */
  public static int[] permute(Shape in, Shape out, ImmutableIntArray dims) {
    int rank = out.rank();
    long[] inStrides = in.strides();
    long[] walk = new long[rank];
    for (int d = 0; d < rank; d++) {
      walk[d] = inStrides[Math.floorMod(dims.get(d), rank)];
    }
    return walk(out, walk);
  }

  /** The input offset of every output element when output axis d steps the input by {@code walk[d]}. */
  private static int[] walk(Shape out, long[] walk) {
    int rank = out.rank();
    int[] outDims = out.toArray();
    int size = Math.toIntExact(out.numElements());
    int[] source = new int[size];
    int[] index = new int[rank];
    long offset = 0;
    for (int i = 0; i < size; i++) {
      source[i] = (int) offset;
      // Advance the odometer over the output's indices, last axis fastest.
      for (int d = rank - 1; d >= 0; d--) {
        index[d]++;
        offset += walk[d];
        if (index[d] < outDims[d]) {
          break;
        }
        offset -= walk[d] * outDims[d];
        index[d] = 0;
      }
    }
    return source;
  }
}
