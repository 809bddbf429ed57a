package dev.zeropoint.runtime.kernels;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;
import java.util.Arrays;

/**
 * permute, split / chunk, cat and pad: element moves whose index arithmetic is laid out at compile
 * time. Each has an int (integer and quantized types) and a float (f32) variant.
 */
public final class Layout {
  private Layout() {}

  /** {@code out[i] = x[source[i]]} (permute). */
  public static void gatherInts(int[] out, int[] x, int[] source) {
    for (int i = 0; i < out.length; i++) {
      out[i] = x[source[i]];
    }
  }

  public static void gatherFloats(float[] out, float[] x, int[] source) {
    for (int i = 0; i < out.length; i++) {
      out[i] = x[source[i]];
    }
  }

  /**
   * split / chunk: piece {@code p} takes {@code blocks[p]} consecutive elements of each of the
   * {@code outer} rows of {@code x} (a row is the sum of the blocks).
   */
  public static void splitInts(int[][] outs, int[] x, int[] blocks, int outer) {
    int row = sum(blocks);
    int offset = 0;
    for (int p = 0; p < outs.length; p++) {
      int block = blocks[p];
      for (int o = 0; o < outer; o++) {
        System.arraycopy(x, o * row + offset, outs[p], o * block, block);
      }
      offset += block;
    }
  }

  public static void splitFloats(float[][] outs, float[] x, int[] blocks, int outer) {
    int row = sum(blocks);
    int offset = 0;
    for (int p = 0; p < outs.length; p++) {
      int block = blocks[p];
      for (int o = 0; o < outer; o++) {
        System.arraycopy(x, o * row + offset, outs[p], o * block, block);
      }
      offset += block;
    }
  }

  /** cat: each of the {@code outer} rows of {@code out} is the inputs' rows, input {@code k}'s of {@code blocks[k]}. */
  public static void catInts(int[] out, int[][] xs, int[] blocks, int outer) {
    int row = sum(blocks);
    int offset = 0;
    for (int k = 0; k < xs.length; k++) {
      int block = blocks[k];
      for (int o = 0; o < outer; o++) {
        System.arraycopy(xs[k], o * block, out, o * row + offset, block);
      }
      offset += block;
    }
  }

  public static void catFloats(float[] out, float[][] xs, int[] blocks, int outer) {
    int row = sum(blocks);
    int offset = 0;
    for (int k = 0; k < xs.length; k++) {
      int block = blocks[k];
      for (int o = 0; o < outer; o++) {
        System.arraycopy(xs[k], o * block, out, o * row + offset, block);
      }
      offset += block;
    }
  }

  /**
   * Quantized cat: every element requantized from its input's parameters ({@code scales[k]}, {@code
   * zeroPoints[k]}) to the output's (the last entry) by {@link PyTorchAtenQuantized#requantize}.
   */
  public static void catQuantized(int[] out, int[][] xs, int[] blocks, int outer, double[] scales,
      long[] zeroPoints, int storage) {
    ElementType type = ElementType.values()[storage];
    int row = sum(blocks);
    double outScale = scales[xs.length];
    long outZeroPoint = zeroPoints[xs.length];
    int offset = 0;
    for (int k = 0; k < xs.length; k++) {
      int block = blocks[k];
      int[] x = xs[k];
      double scale = scales[k];
      long zeroPoint = zeroPoints[k];
      for (int o = 0; o < outer; o++) {
        int src = o * block;
        int dst = o * row + offset;
        for (int i = 0; i < block; i++) {
          out[dst + i] = PyTorchAtenQuantized.requantize(x[src + i], scale, zeroPoint, outScale, outZeroPoint, type);
        }
      }
      offset += block;
    }
  }

  /**
   * Constant pad: {@code out} filled with {@code fill}, then row {@code r} of {@code x} ({@code row}
   * elements) copied to {@code out[targets[r]..]}.
   */
  public static void padInts(int[] out, int[] x, int fill, int[] targets, int row) {
    Arrays.fill(out, fill);
    for (int r = 0; r < targets.length; r++) {
      System.arraycopy(x, r * row, out, targets[r], row);
    }
  }

  /** {@code fill} is the bits of the f32 pad value. */
  public static void padFloats(float[] out, float[] x, int fill, int[] targets, int row) {
    Arrays.fill(out, Float.intBitsToFloat(fill));
    for (int r = 0; r < targets.length; r++) {
      System.arraycopy(x, r * row, out, targets[r], row);
    }
  }

  private static int sum(int[] a) {
    int s = 0;
    for (int v : a) {
      s += v;
    }
    return s;
  }
}
