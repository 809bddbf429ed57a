package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.Shape;

/**
 * Which output elements of an ATen CPU binary elementwise kernel PyTorch 1.13.1 computes with the
 * kernel's vectorized lambda and which with its scalar lambda ({@code cpu_kernel_vec}). The two
 * lambdas of the quantized float-path add round differently ({@link PyTorchAtenQuantized}), so the
 * split decides integers.
 *
 * <p>What the loop does ({@code TensorIterator} and {@code ATen/native/cpu/Loops.h}; checked
 * element by element against torch 1.13.1, see the tests):
 *
 * <ol>
 *   <li>Operand strides: contiguous row-major strides, with stride 0 for a dimension an operand
 *       broadcasts (its size 1 where the output's is not, or a missing leading dimension).
 *   <li>Dimensions are taken innermost first. For contiguous operands the reordering step keeps
 *       that order. Then adjacent dimensions are coalesced: two merge when either has size 1, or
 *       when for every operand {@code size(inner) * stride(inner) == stride(outer)}.
 *   <li>The coalesced innermost dimension is a <em>row</em> of consecutive output elements. Each
 *       row runs {@code vectorized_loop} from its first element when every operand's inner stride
 *       is 1, or when exactly one input's is 0 (a broadcast scalar) and the others' are 1;
 *       otherwise the whole row runs the scalar lambda.
 *   <li>{@code vectorized_loop} handles {@code 2 * lanes} elements per step ({@code lanes =
 *       Vectorized<T>::size()}, 32 for quint8 / qint8 with AVX2); the remainder of the row, fewer
 *       than {@code 2 * lanes} elements, runs the scalar lambda.
 * </ol>
 *
 * <p>This is the single-threaded partition. PyTorch splits an iteration of at least {@link
 * #GRAIN_SIZE} elements between its threads, each chunk starting its own vectorized loop, so for
 * such tensors the split (and, for the few elements where the lambdas disagree, the integers)
 * depends on the thread count; they equal this partition with {@code torch.set_num_threads(1)}.
 * It also assumes contiguous (NCHW) operands: PyTorch's quantized conv and batch norm return
 * channels-last tensors, whose iteration order differs.
 */
public final class PyTorchTensorIterator {
  private PyTorchTensorIterator() {}

  /** {@code at::internal::GRAIN_SIZE}: below this many elements the loop runs on one thread. */
  public static final long GRAIN_SIZE = 32768;

  /** {@code Vectorized<quint8>::size()} and {@code Vectorized<qint8>::size()} on AVX2 (256 bits). */
  public static final int INT8_LANES = 32;

  /**
   * The split of a binary kernel's output into rows.
   *
   * @param rowLength the length of the coalesced innermost dimension (at least 1)
   * @param vectorizedPerRow how many elements at the start of each row take the vectorized lambda
   */
  public record Partition(long rowLength, long vectorizedPerRow) {
    /** Whether the element at row-major index {@code flatIndex} of the output is computed vectorized. */
    public boolean isVectorized(long flatIndex) {
      return flatIndex % rowLength < vectorizedPerRow;
    }
  }

  /**
   * The partition of {@code out = op(a, b)} with contiguous operands, {@code out} the broadcast of
   * {@code a} and {@code b}.
   *
   * @param lanes {@code Vectorized<T>::size()} of the kernel's element type
   */
  public static Partition binary(Shape out, Shape a, Shape b, int lanes) {
    int rank = out.rank();
    long[] shape = new long[rank];
    // strides[operand][dim], dims innermost first; operand 0 is the output
    long[][] strides = new long[3][rank];
    long contiguous = 1;
    for (int i = 0; i < rank; i++) {
      int d = rank - 1 - i;
      shape[i] = out.dim(d);
      strides[0][i] = contiguous;
      contiguous *= out.dim(d);
    }
    broadcastStrides(out, a, strides[1]);
    broadcastStrides(out, b, strides[2]);
    // coalesce_dimensions
    int prev = 0;
    for (int dim = 1; dim < rank; dim++) {
      if (canCoalesce(shape, strides, prev, dim)) {
        if (shape[prev] == 1) {
          for (long[] s : strides) {
            s[prev] = s[dim];
          }
        }
        shape[prev] *= shape[dim];
      } else {
        prev++;
        if (prev != dim) {
          for (long[] s : strides) {
            s[prev] = s[dim];
          }
          shape[prev] = shape[dim];
        }
      }
    }
    long rowLength = rank == 0 ? 1 : shape[0];
    boolean vectorizable = rank > 0 && rowLength > 1 && innerStridesVectorize(strides);
    long step = 2L * lanes;
    return new Partition(Math.max(rowLength, 1), vectorizable ? rowLength / step * step : 0);
  }

  /** Strides of {@code in} seen from the output's dimensions (innermost first), 0 where it broadcasts. */
  private static void broadcastStrides(Shape out, Shape in, long[] into) {
    int rank = out.rank();
    int offset = rank - in.rank();
    long contiguous = 1;
    for (int i = 0; i < rank; i++) {
      int d = rank - 1 - i;
      if (d < offset) {
        into[i] = 0;
        continue;
      }
      int size = in.dim(d - offset);
      into[i] = size == 1 && out.dim(d) != 1 ? 0 : contiguous;
      contiguous *= size;
    }
  }

  private static boolean canCoalesce(long[] shape, long[][] strides, int dim0, int dim1) {
    if (shape[dim0] == 1 || shape[dim1] == 1) {
      return true;
    }
    for (long[] s : strides) {
      if (shape[dim0] * s[dim0] != s[dim1]) {
        return false;
      }
    }
    return true;
  }

  /** {@code is_contiguous} or {@code is_contiguous_scalar} for one of the two inputs. */
  private static boolean innerStridesVectorize(long[][] strides) {
    long out = strides[0][0];
    long a = strides[1][0];
    long b = strides[2][0];
    if (out != 1) {
      return false;
    }
    return (a == 1 && b == 1) || (a == 0 && b == 1) || (a == 1 && b == 0);
  }
}
