package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.ElementType;

/**
 * The rounding rules, saturations and float-to-integer conversions every flavour is built from.
 *
 * <p>Notation used throughout this package: RNE = round half to even, HAZ = round half away from
 * zero, HU = round half up ({@code floor(x + 1/2)}); {@code f32(e)} means IEEE binary32 with every
 * operation rounded separately (no fused multiply-add).
 *
 * <h2>Float versus double in Java</h2>
 *
 * Since Java 17 every {@code float} and {@code double} operation is strict IEEE 754 (JEP 306): a
 * {@code float * float}, {@code float / float}, {@code float + float} is computed exactly and
 * rounded once, to nearest even, to binary32 - the same as C on x86-64 SSE or AArch64 with
 * {@code FLT_EVAL_METHOD == 0}. The JIT never contracts {@code a * b + c} into an FMA; only {@link
 * Math#fma} does. So to reproduce a C expression on {@code float} operands, write it on Java {@code
 * float}s with the same operation order and the same conversions:
 *
 * <ul>
 *   <li>{@code (float) d} of a double rounds RNE, as C's {@code static_cast<float>} does;
 *   <li>{@code (float) i} of an {@code int} or {@code long} rounds RNE (JLS 5.1.2), as C's implicit
 *       integer-to-float conversion does (including {@code int64 + float}, which C evaluates in
 *       float);
 *   <li>{@link Math#rint} of a float value (widened to double, exactly) is C's {@code nearbyintf} /
 *       {@code rintf} under the default rounding mode; the result is an integer that is itself
 *       representable as a float.
 * </ul>
 *
 * Doing a float formula in double (for instance {@code x / s} with {@code s} a double) generally
 * gives a different integer at near-ties; each flavour class says which type each step uses.
 *
 * <h2>Out-of-range and NaN conventions</h2>
 *
 * The pure rounding functions ({@link #roundHalfToEven(double)} and friends) return {@code long}
 * and follow Java's narrowing conversion for values that do not fit (JLS 5.1.3): NaN becomes 0,
 * values above {@link Long#MAX_VALUE} (including +infinity) become {@code Long.MAX_VALUE}, values
 * below {@link Long#MIN_VALUE} (including -infinity) become {@code Long.MIN_VALUE}. The {@code x86*}
 * functions instead reproduce what the x86-64 instructions the frameworks compile to return for such
 * inputs (the "integer indefinite" value), because that is what the framework's output contains.
 */
public final class Rounding {
  private Rounding() {}

  // ---------------------------------------------------------------- rounding of a double

  /**
   * RNE of a double: the nearest integer, ties to the even one. Exact for every double (ties such as
   * 0.5, -0.5, 2.5 and 2^52 - 0.5 included; every double of magnitude at least 2^52 is already an
   * integer). -0.0 and -0.5 give 0. NaN gives 0, values beyond the long range saturate.
   *
   * <p>This is C's {@code nearbyint} / {@code rint} / {@code lrint} under the default rounding mode,
   * and numpy's {@code rint}.
   */
  public static long roundHalfToEven(double x) {
    return (long) Math.rint(x);
  }

  /**
   * HAZ of a double: the nearest integer, ties away from zero (2.5 gives 3, -2.5 gives -3). This is
   * C's {@code round} / {@code std::round}, TFLite's {@code TfLiteRound}. Exact for every double:
   * unlike the naive {@code floor(|x| + 0.5)}, 0.49999999999999994 gives 0. NaN gives 0, values
   * beyond the long range saturate.
   */
  public static long roundHalfAwayFromZero(double x) {
    double magnitude = Math.abs(x);
    double floor = Math.floor(magnitude);
    // magnitude - floor is exact: below 1 it is magnitude itself, from 1 on Sterbenz's lemma
    // applies (floor <= magnitude < 2 * floor).
    double rounded = (magnitude - floor >= 0.5) ? floor + 1.0 : floor;
    return (long) Math.copySign(rounded, x);
  }

  /**
   * HU of a double: {@code floor(x + 1/2)} computed exactly (2.5 gives 3, -2.5 gives -2,
   * 0.49999999999999994 gives 0). NaN gives 0, values beyond the long range saturate.
   */
  public static long roundHalfUp(double x) {
    double floor = Math.floor(x);
    // x - floor is exact except for x in (-0.5, 0), where the true difference exceeds 1/2 and
    // rounding (monotone, 1/2 representable) cannot bring it below 1/2.
    double rounded = (x - floor >= 0.5) ? floor + 1.0 : floor;
    return (long) rounded;
  }

  // ---------------------------------------------------------------- C / x86 conversions of a float

  /**
   * glibc's {@code lrintf} on x86-64 (where {@code long} is 64 bits): RNE of a float to a 64-bit
   * integer; NaN and values whose rounded value does not fit in int64 give {@code Long.MIN_VALUE}
   * (the {@code cvtss2si} "integer indefinite" value). For |x| below 2^63 this is exactly {@link
   * #roundHalfToEven(double)}.
   */
  public static long lrintf(float x) {
    double rounded = Math.rint(x);
    if (!(rounded >= -0x1p63 && rounded < 0x1p63)) {
      return Long.MIN_VALUE;
    }
    return (long) rounded;
  }

  /**
   * x86 {@code cvtps2dq} / {@code _mm_cvtps_epi32} under the default MXCSR: RNE of a float to int32;
   * NaN and values whose rounded value lies outside [-2^31, 2^31) give {@code Integer.MIN_VALUE}.
   * Note 2147483647 is not a float: {@code (float) Integer.MAX_VALUE} is 2^31 and converts to
   * {@code Integer.MIN_VALUE}; the largest float that converts normally is 2147483520.
   */
  public static int x86FloatToInt32RoundHalfEven(float x) {
    double rounded = Math.rint(x);
    if (!(rounded >= -0x1p31 && rounded < 0x1p31)) {
      return Integer.MIN_VALUE;
    }
    return (int) rounded;
  }

  /**
   * C's {@code static_cast<int64_t>(float)} as x86-64 compiles it ({@code cvttss2si} with a 64-bit
   * destination): truncation toward zero; NaN and values outside [-2^63, 2^63) give {@code
   * Long.MIN_VALUE}. (C leaves that case undefined; this is what the hardware the reference results
   * come from returns.)
   */
  public static long x86TruncateFloatToInt64(float x) {
    if (!(x >= -0x1p63f && x < 0x1p63f)) {
      return Long.MIN_VALUE;
    }
    return (long) x;
  }

  // ---------------------------------------------------------------- integer rounding shifts

  /**
   * {@code v / 2^shift} rounded RNE, for any {@code long v} and {@code shift} in [0, 63]. This is the
   * integer form of rounding a binary fraction to fewer bits (what a float conversion does to the
   * significand).
   */
  public static long shiftRightRoundHalfEven(long v, int shift) {
    checkShift(shift);
    if (shift == 0) {
      return v;
    }
    long quotient = v >> shift; // floor
    long remainder = v - (quotient << shift); // in [0, 2^shift)
    long half = 1L << (shift - 1);
    if (remainder > half || (remainder == half && (quotient & 1) != 0)) {
      quotient++;
    }
    return quotient;
  }

  /** {@code v / 2^shift} rounded HAZ, for any {@code long v} and {@code shift} in [0, 63]. */
  public static long shiftRightRoundHalfAwayFromZero(long v, int shift) {
    checkShift(shift);
    if (shift == 0) {
      return v;
    }
    long quotient = v >> shift;
    long remainder = v - (quotient << shift);
    long half = 1L << (shift - 1);
    // A negative tie must go down, i.e. stay at the floor: only round up past the half, or at the
    // half for non-negative v.
    if (remainder > half || (remainder == half && v >= 0)) {
      quotient++;
    }
    return quotient;
  }

  /** {@code floor(v / 2^shift + 1/2)} (HU), for any {@code long v} and {@code shift} in [0, 63]. */
  public static long shiftRightRoundHalfUp(long v, int shift) {
    checkShift(shift);
    if (shift == 0) {
      return v;
    }
    long quotient = v >> shift;
    long remainder = v - (quotient << shift);
    if (remainder >= (1L << (shift - 1))) {
      quotient++;
    }
    return quotient;
  }

  private static void checkShift(int shift) {
    if (shift < 0 || shift > 63) {
      throw new IllegalArgumentException("shift " + shift + " outside 0..63");
    }
  }

  // ---------------------------------------------------------------- saturation

  /**
   * Clamps {@code v} into the range of integer type {@code type} ({@link ElementType#minValue()} to
   * {@link ElementType#maxValue()}).
   *
   * @throws IllegalArgumentException if {@code type} is a float type
   */
  public static long saturate(long v, ElementType type) {
    if (!type.isInteger()) {
      throw new IllegalArgumentException("cannot saturate to float type " + type);
    }
    return Math.min(Math.max(v, type.minValue()), type.maxValue());
  }

  /** Clamps {@code v} into [lo, hi]. Requires {@code lo <= hi}. */
  public static long clamp(long v, long lo, long hi) {
    if (lo > hi) {
      throw new IllegalArgumentException("empty clamp range [" + lo + ", " + hi + "]");
    }
    return Math.min(Math.max(v, lo), hi);
  }

  /** Saturating cast to int32. */
  public static int saturateToInt32(long v) {
    return (int) Math.min(Math.max(v, Integer.MIN_VALUE), Integer.MAX_VALUE);
  }

  /** Saturating cast to int16 (x86 {@code packssdw} per lane). */
  public static int saturateToInt16(long v) {
    return (int) Math.min(Math.max(v, Short.MIN_VALUE), Short.MAX_VALUE);
  }

  /** Saturating cast to int8 ({@code packsswb} per lane). */
  public static int saturateToInt8(long v) {
    return (int) Math.min(Math.max(v, -128), 127);
  }

  /** Saturating cast to uint8 ({@code packuswb} per lane). */
  public static int saturateToUint8(long v) {
    return (int) Math.min(Math.max(v, 0), 255);
  }
}
