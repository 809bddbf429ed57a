package dev.zeropoint.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Requantize#requantizeFloat} eight lanes at a time on the JDK's vector API: the same
 * integers as its definition ({@code PyTorchQnnpack.requantize}: {@code y = RNE(f32(f32(acc) * m))},
 * then x86's tail), for a finite scale and a u8 output ({@code 0 <= zp, min <= max <= 255}).
 *
 * <p>The product {@code p = f32(acc) * m} is the same float32 multiply. Its rounding: for {@code |p|
 * <= 2^22}, the float sum {@code p + 1.5 * 2^23} lies in {@code [2^23, 2^24]}, where consecutive
 * floats are 1 apart, so that addition rounds {@code p} to the nearest integer, ties to even (the
 * magic number is even, so the parity of the sum is the parity of the integer), and subtracting the
 * magic number again is exact: this is RNE. Beyond {@code 2^22} the output no longer depends on
 * {@code p}'s exact value: the definition turns a {@code y} at or above {@code 2^31} (outside int32)
 * into {@code INT32_MIN}, which like every {@code y <= -2^22} ends at 0 before the clamp, and every
 * {@code y} in {@code [2^22, 2^31)} ends at 255. So {@code p >= 2^31} is replaced by {@code -2^22}
 * and the rest clamped to {@code [-2^22, 2^22]} before rounding, which keeps every output. With
 * {@code |y| <= 2^22}, the definition's int16 saturations cannot bind before the u8 one: the output is
 * {@code clamp(y + zp, min, max)}.
 */
final class VectorRequantize {
  private VectorRequantize() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  private static final float MAGIC = 12582912f; // 1.5 * 2^23
  private static final float LIMIT = 4194304f; // 2^22
  private static final float INT32_END = 2147483648f; // 2^31

  /** Requantizes {@code acc[start .. end)} into {@code out}; {@code m} finite, u8 bounds checked. */
  static void requantizeFloat(int[] out, int[] acc, int start, int end, float m, int outputZeroPoint, int min,
      int max) {
    requantizeFloat(out, start, acc, start, end - start, m, outputZeroPoint, min, max);
  }

  /**
   * Requantizes {@code acc[accStart .. accStart + count)} into {@code out[outStart .. outStart +
   * count)}; {@code m} finite, u8 bounds checked.
   */
  static void requantizeFloat(int[] out, int outStart, int[] acc, int accStart, int count, float m,
      int outputZeroPoint, int min, int max) {
    FloatVector scale = FloatVector.broadcast(F, m);
    IntVector zp = IntVector.broadcast(I, outputZeroPoint);
    IntVector lo = IntVector.broadcast(I, min);
    IntVector hi = IntVector.broadcast(I, max);
    int i = 0;
    for (int bound = I.loopBound(count); i < bound; i += I.length()) {
      apply(IntVector.fromArray(I, acc, accStart + i), scale, zp, lo, hi).intoArray(out, outStart + i);
    }
    // The last few by the definition: a masked store checks each lane, which costs more.
    Requantize.requantizeFloatScalar(out, outStart + i, acc, accStart + i, count - i, m, outputZeroPoint, min, max);
  }

  private static IntVector apply(IntVector acc, FloatVector scale, IntVector zp, IntVector lo, IntVector hi) {
    return applyFloat((FloatVector) acc.convert(VectorOperators.I2F, 0), scale, zp, lo, hi);
  }

  /**
   * The requantization of eight accumulators given as {@code f32(acc)}: the product with the scale,
   * the rounding and the tail above. {@link VectorF32MicroKernel} calls it on its float sums plus the
   * bias, which are {@code f32(acc)} when both are exact floats (one rounding of the exact sum).
   */
  static IntVector applyFloat(FloatVector f, FloatVector scale, IntVector zp, IntVector lo, IntVector hi) {
    FloatVector p = f.mul(scale);
    VectorMask<Float> outside = p.compare(VectorOperators.GE, INT32_END);
    p = p.max(-LIMIT).min(LIMIT).blend(-LIMIT, outside);
    IntVector y = (IntVector) p.add(MAGIC).sub(MAGIC).convert(VectorOperators.F2I, 0);
    return y.add(zp).max(lo).min(hi);
  }
}
