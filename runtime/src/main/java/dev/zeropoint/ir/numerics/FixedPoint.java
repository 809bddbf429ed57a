package dev.zeropoint.ir.numerics;

/**
 * TFLite / gemmlowp fixed-point requantization, integer only (flavour {@code tflite}).
 *
 * <p>Sources (read for semantics, reproduced here from their definitions):
 *
 * <ul>
 *   <li>gemmlowp {@code fixedpoint/fixedpoint.h} (commit 16e8662c):
 *       {@code SaturatingRoundingDoublingHighMul}, {@code RoundingDivideByPOT};
 *   <li>TFLite {@code tensorflow/lite/kernels/internal/quantization_util.cc} ({@code
 *       QuantizeMultiplier}), {@code common.cc} ({@code MultiplyByQuantizedMultiplier}, both the
 *       default double-rounding build and {@code TFLITE_SINGLE_ROUNDING}), {@code cppmath.h}
 *       ({@code TfLiteRound} is {@code std::round}), as in tflite-micro commit 90b983c2.
 * </ul>
 *
 * <p>Where TFLite only DCHECKs a precondition (so a release build computes something anyway), the
 * functions here compute what the release build computes on x86-64 and ARM (two's-complement
 * wrap-around) and say so; where the argument is outside the range the C code can handle at all
 * (shift amounts that would be undefined), they throw {@link IllegalArgumentException}.
 */
public final class FixedPoint {
  private FixedPoint() {}

  private static final long TWO_POW_31 = 1L << 31;

  /**
   * TFLite's {@code QuantizeMultiplier(double)} in the default (double-rounding) build.
   *
   * <ol>
   *   <li>{@code d == 0} (either sign) gives (0, 0).
   *   <li>{@code (q, e) = frexp(d)}, |q| in [0.5, 1); {@code M = round_HAZ(q * 2^31)} ({@code
   *       std::round}; {@code q * 2^31} is exact).
   *   <li>If {@code M == 2^31} (q rounded up to 1): {@code M = 2^30, e = e + 1}.
   *   <li>If {@code e < -31} (d below about 2^-32): {@code M = 0, e = 0} (flush to zero).
   * </ol>
   *
   * A negative {@code d} is not rejected by TFLite: frexp and std::round are symmetric, so it yields
   * the negated multiplier (in [-2^31, -2^30]; -2^31 when q rounds to -1, which the fix-up, testing
   * only +2^31, leaves alone). The double-rounding {@link #multiplyByQuantizedMultiplier} handles it;
   * the single-rounding one requires {@code M >= 0}.
   *
   * @throws IllegalArgumentException if {@code d} is NaN or infinite (undefined in TFLite)
   */
  public static QuantizedMultiplier quantizeMultiplier(double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("cannot quantize non-finite multiplier " + d);
    }
    if (d == 0.0) {
      return new QuantizedMultiplier(0, 0);
    }
    Frexp f = Frexp.of(d);
    long qFixed = Rounding.roundHalfAwayFromZero(f.mantissa() * TWO_POW_31);
    int shift = f.exponent();
    if (qFixed == TWO_POW_31) {
      qFixed /= 2;
      shift++;
    }
    if (shift < -31) {
      shift = 0;
      qFixed = 0;
    }
    return new QuantizedMultiplier((int) qFixed, shift);
  }

  /**
   * TFLite's {@code QuantizeMultiplier(double)} when built with {@code TFLITE_SINGLE_ROUNDING}: as
   * {@link #quantizeMultiplier(double)}, then a shift above 30 (d at least about 2^30), which the
   * single-rounding multiply cannot express, saturates to {@code (2^31 - 1, 30)}.
   */
  public static QuantizedMultiplier quantizeMultiplierSingleRounding(double d) {
    QuantizedMultiplier m = quantizeMultiplier(d);
    if (m.shift() > 30) {
      return new QuantizedMultiplier(Integer.MAX_VALUE, 30);
    }
    return m;
  }

  /**
   * gemmlowp's {@code SaturatingRoundingDoublingHighMul} for int32 (ARM {@code VQRDMULH}): the high
   * 32 bits of {@code 2 * a * b}, rounded. Definition: {@code ab = (int64) a * b}, {@code nudge = ab
   * >= 0 ? 2^30 : 1 - 2^30}, result {@code (ab + nudge) / 2^31} with C's truncating division, except
   * {@code a == b == INT_MIN} (the only overflow) gives {@code INT_MAX}.
   *
   * <p>That equals {@code floor((ab + 2^30) / 2^31)}: round half UP (toward +infinity) of {@code ab
   * / 2^31} for both signs (1.5 gives 2, -1.5 gives -1, -0.5 gives 0), not half away from zero.
   * Proof for {@code ab < 0}: truncation of a negative quotient is {@code ceil}, and {@code ceil((ab
   * + 1 - 2^30) / 2^31) = floor((ab + 1 - 2^30 + 2^31 - 1) / 2^31)}.
   */
  public static int saturatingRoundingDoublingHighMul(int a, int b) {
    if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
      return Integer.MAX_VALUE;
    }
    long ab = (long) a * b;
    return (int) ((ab + (1L << 30)) >> 31);
  }

  /**
   * gemmlowp's {@code RoundingDivideByPOT} for int32: {@code x / 2^exponent} rounded half AWAY from
   * zero (2.5 gives 3, -2.5 gives -3). Definition: {@code mask = 2^exponent - 1}, {@code remainder
   * = x & mask}, {@code threshold = (mask >> 1) + (x < 0 ? 1 : 0)}, result {@code (x >> exponent) +
   * (remainder > threshold ? 1 : 0)}.
   *
   * @param exponent in [0, 31] (gemmlowp asserts this range)
   */
  public static int roundingDivideByPOT(int x, int exponent) {
    if (exponent < 0 || exponent > 31) {
      throw new IllegalArgumentException("exponent " + exponent + " outside 0..31");
    }
    int mask = (int) ((1L << exponent) - 1);
    int remainder = x & mask;
    int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
  }

  /**
   * TFLite's {@code MultiplyByQuantizedMultiplier(int32 x, int32 M, int shift)} in the default
   * (double-rounding) build: {@code RDBPOT(SRDHM(x * 2^max(shift, 0), M), max(-shift, 0))}. Two
   * roundings: half up in SRDHM, then half away from zero in RDBPOT; the result can differ by one
   * from the correctly rounded {@code x * M * 2^(shift - 31)} (for example x = 5, M = 2^30, shift =
   * -1 gives 2, not 1).
   *
   * <p>The left shift {@code x * (1 << shift)} is an int32 multiplication in TFLite; when it
   * overflows (undefined in C, wrap-around on the targets) this function wraps too.
   *
   * @param shift in [-31, 30]: the range {@link #quantizeMultiplier} produces for multipliers below
   *     2^30, and beyond which the C shifts are undefined
   */
  public static int multiplyByQuantizedMultiplier(int x, int multiplier, int shift) {
    checkShift(shift);
    int leftShift = Math.max(shift, 0);
    int rightShift = Math.max(-shift, 0);
    return roundingDivideByPOT(
        saturatingRoundingDoublingHighMul(x * (1 << leftShift), multiplier), rightShift);
  }

  /**
   * TFLite's {@code MultiplyByQuantizedMultiplier(int32 x, int32 M, int shift)} built with {@code
   * TFLITE_SINGLE_ROUNDING}: {@code (x * (int64) M + 2^(30 - shift)) >> (31 - shift)}, one rounding,
   * half up (toward +infinity; -1.5 gives -1). TFLite DCHECKs {@code M >= 0}, {@code shift} in
   * [-31, 30] and that the result fits int32; a release build returns the low 32 bits, and so does
   * this function.
   *
   * @throws IllegalArgumentException if {@code M < 0} or {@code shift} is outside [-31, 30]
   */
  public static int multiplyByQuantizedMultiplierSingleRounding(int x, int multiplier, int shift) {
    checkShift(shift);
    if (multiplier < 0) {
      throw new IllegalArgumentException("single rounding needs a non-negative multiplier, got " + multiplier);
    }
    int totalShift = 31 - shift;
    long round = 1L << (totalShift - 1);
    return (int) (((long) x * multiplier + round) >> totalShift);
  }

  /**
   * TFLite's {@code MultiplyByQuantizedMultiplier(int64 x, int32 M, int shift)} (used by the 16x8
   * kernels; identical in both builds; named apart from the int32 overload so that a Java int
   * argument cannot silently select it): the multiplier is first reduced to 16 bits, {@code M' = M <
   * 0x7FFF0000 ? (M + 2^15) >> 16 : 0x7FFF}, then {@code (x * M' + 2^(14 - shift)) >> (15 - shift)},
   * half up, truncated to int32.
   *
   * @throws IllegalArgumentException outside TFLite's asserted domain: {@code M >= 0}, {@code shift}
   *     in [-31, 7], {@code x} in [-2^47, 2^47)
   */
  public static int multiplyByQuantizedMultiplierInt64(long x, int multiplier, int shift) {
    if (multiplier < 0 || shift < -31 || shift > 7 || x < -(1L << 47) || x >= (1L << 47)) {
      throw new IllegalArgumentException(
          "outside the int64 MultiplyByQuantizedMultiplier domain: x=" + x + " M=" + multiplier + " shift=" + shift);
    }
    long reduced = multiplier < 0x7FFF0000 ? (multiplier + (1L << 15)) >> 16 : 0x7FFF;
    int totalShift = 15 - shift;
    return (int) ((x * reduced + (1L << (totalShift - 1))) >> totalShift);
  }

  private static void checkShift(int shift) {
    if (shift < -31 || shift > 30) {
      throw new IllegalArgumentException("shift " + shift + " outside -31..30");
    }
  }
}
