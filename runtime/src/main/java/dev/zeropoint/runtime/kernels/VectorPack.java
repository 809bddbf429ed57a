package dev.zeropoint.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmF32}'s input packing on the JDK's vector API: {@code p[dst + l] = (float) (x[src + l *
 * strideW] - zp)}, eight lanes at a time (exact: the differences are integers far below 2^24). The
 * plain loops spend several cycles on each element of these short runs (at most {@link Gemm#NR}).
 */
final class VectorPack {
  private VectorPack() {}

  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  private static final VectorShuffle<Float> EVEN_F = VectorShuffle.fromOp(F, l -> 2 * l);
  /** Lanes 0, 2, .. 14 of two vectors: the even elements of 16. */
  private static final VectorShuffle<Integer> EVEN = VectorShuffle.fromOp(I, l -> 2 * l);

  static void pack(float[] p, int dst, int[] x, int src, int run, int strideW, int zp) {
    int l = 0;
    if (strideW == 1) {
      for (; l + 8 <= run; l += 8) {
        store(IntVector.fromArray(I, x, src + l), zp, p, dst + l);
      }
    } else if (strideW == 2) {
      // Sixteen consecutive elements hold the eight wanted at even offsets.
      for (; l + 8 <= run && src + 2 * l + 16 <= x.length; l += 8) {
        IntVector lo = IntVector.fromArray(I, x, src + 2 * l);
        IntVector hi = IntVector.fromArray(I, x, src + 2 * l + 8);
        store(lo.rearrange(EVEN, hi), zp, p, dst + l);
      }
    }
    for (; l < run; l++) {
      p[dst + l] = x[src + l * strideW] - zp;
    }
  }

  /** {@code p[dst + l] = f[src + l * strideW]} for {@code l < run}. */
  static void copy(float[] p, int dst, float[] f, int src, int run, int strideW) {
    int l = 0;
    if (strideW == 1) {
      for (; l + 8 <= run; l += 8) {
        FloatVector.fromArray(F, f, src + l).intoArray(p, dst + l);
      }
    } else if (strideW == 2) {
      for (; l + 8 <= run && src + 2 * l + 16 <= f.length; l += 8) {
        FloatVector lo = FloatVector.fromArray(F, f, src + 2 * l);
        FloatVector hi = FloatVector.fromArray(F, f, src + 2 * l + 8);
        lo.rearrange(EVEN_F, hi).intoArray(p, dst + l);
      }
    }
    for (; l < run; l++) {
      p[dst + l] = f[src + l * strideW];
    }
  }

  private static void store(IntVector v, int zp, float[] p, int at) {
    ((FloatVector) v.sub(zp).convert(VectorOperators.I2F, 0)).intoArray(p, at);
  }
}
