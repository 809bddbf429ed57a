package dev.zeropoint.ir.numerics;

/**
 * {@code RNE(f32(f32(acc) * m))} for an int32 {@code acc} and a float32 {@code m > 0}, computed with
 * integers only and exactly equal to the float computation - PyTorch qnnpack's requantization
 * product ({@link PyTorchQnnpack#scaleAndRound}) on hardware without floating point.
 *
 * <p>At compile time {@code m} is split into a 24-bit significand and a binary exponent, {@code m =
 * mantissa * 2^exponent} (this record). At run time ({@link #apply}):
 *
 * <ol>
 *   <li>{@code |acc|} is rounded RNE to 24 significant bits, {@code |acc| ~ a * 2^k} with {@code a
 *       <= 2^24}: this is {@code f32(acc)}, since int-to-float conversion rounds to nearest even.
 *   <li>{@code a * mantissa < 2^48} is exact in int64; rounding it RNE to 24 significant bits, {@code
 *       p * 2^j}, is the float multiply, <b>provided the float product is a normal number that does
 *       not overflow</b>.
 *   <li>{@code p * 2^(k + j + exponent)} is an integer times a power of two; shifting it right with
 *       RNE (or left) gives the final {@code nearbyintf}. The sign is applied last (every rounding
 *       here is symmetric).
 * </ol>
 *
 * <h2>Domain (exactness)</h2>
 *
 * {@link #of(float)} accepts every float in (0, 2^32):
 *
 * <ul>
 *   <li>{@code m <= 2^-32} (including every subnormal): {@code |f32(acc) * m| <= 2^31 * 2^-32 = 1/2},
 *       its float rounding stays at most 1/2, and RNE gives 0 for every acc. Such m are stored as
 *       mantissa 0, so the float product's subnormal range is never reached: for {@code m > 2^-32}
 *       and {@code acc != 0} the product is at least 2^-32, a normal float.
 *   <li>{@code m < 2^32}: the product is below 2^63, far from float overflow, and the result fits a
 *       long.
 * </ul>
 *
 * Outside that ({@code m} NaN, infinite, not positive, or at least 2^32) {@link #of(float)} throws.
 * The result is the exact rounded product as a long; converting it to the output type (including
 * x86's out-of-range behaviour) is the flavour's business, e.g. {@link
 * PyTorchQnnpack#finishRequantization}.
 *
 * @param mantissa the 24-bit significand of m, in [2^23, 2^24), or 0 when every result is 0
 * @param exponent so that {@code m == mantissa * 2^exponent} (0 when mantissa is 0)
 */
public record IntegerOnlyRequant(int mantissa, int exponent) {
  private static final int SIGNIFICAND_BITS = 24;
  private static final float ZERO_THRESHOLD = 0x1p-32f;
  private static final float UPPER_LIMIT = 0x1p32f;

  public IntegerOnlyRequant {
    boolean zero = mantissa == 0 && exponent == 0;
    boolean normal = mantissa >= (1 << 23) && mantissa < (1 << 24) && exponent > -32 - 24 && exponent < 32 - 23;
    if (!zero && !normal) {
      throw new IllegalArgumentException("not a decomposed multiplier: mantissa " + mantissa + ", exponent " + exponent);
    }
  }

  /**
   * Decomposes a float multiplier (compile time).
   *
   * @throws IllegalArgumentException if {@code m} is not in (0, 2^32)
   */
  public static IntegerOnlyRequant of(float m) {
    if (!(m > 0.0f && m < UPPER_LIMIT)) {
      throw new IllegalArgumentException("integer-only requantization needs 0 < m < 2^32, got " + m);
    }
    if (m <= ZERO_THRESHOLD) {
      return new IntegerOnlyRequant(0, 0);
    }
    int bits = Float.floatToRawIntBits(m);
    int biasedExponent = bits >>> 23; // m > 0 and normal here: sign 0, exponent field 1..254
    int significand = (bits & 0x7FFFFF) | 0x800000;
    return new IntegerOnlyRequant(significand, biasedExponent - 127 - 23);
  }

  /** The float multiplier this record stands for (0 for the all-zero record). */
  public float multiplier() {
    return Math.scalb((float) mantissa, exponent);
  }

  /** {@code RNE(f32(f32(acc) * m))} exactly, with integer arithmetic only. */
  public long apply(int acc) {
    if (mantissa == 0 || acc == 0) {
      return 0;
    }
    long magnitude = Math.abs((long) acc);
    long significand = productSignificand(magnitude);
    int scale = productScale(magnitude);
    // nearbyintf of significand * 2^scale.
    long rounded = scale >= 0
        ? significand << scale // < 2^63 by the domain of m
        : Rounding.shiftRightRoundHalfEven(significand, Math.min(-scale, 63));
    return acc < 0 ? -rounded : rounded;
  }

  /**
   * {@code nearbyint(f32(f32(f32(acc) * m) + addend))} exactly, with integer arithmetic only: the
   * product as in {@link #apply}, then the float addition of a small integer (rounded RNE to 24
   * significant bits), then the RNE to an integer - ATen's NCHW average pooling, which adds the
   * zero point in float before rounding ({@link PyTorchQnnpackPooling#atenNchwAverage}). When the
   * product reaches 2^39 the result is {@code ±2^40}, the product's sign (callers saturate to 8 or
   * 32 bits, far below). Tested against the float computation on millions of random and near-tie
   * cases with no mismatch ({@code IntegerOnlyPoolingTest}).
   *
   * @param addend an integer of magnitude below 2^16 (a zero point)
   * @throws IllegalArgumentException for a larger addend, or for the zero record ({@code m <=
   *     2^-32}: a product up to 1/2 plus an integer need not round back to the integer)
   */
  public long applyAddRound(int acc, int addend) {
    if (Math.abs(addend) >= 1 << 16) {
      throw new IllegalArgumentException("addend " + addend + " outside (-2^16, 2^16)");
    }
    if (mantissa == 0) {
      throw new IllegalArgumentException("applyAddRound needs m > 2^-32 (a product up to 1/2 plus an integer "
          + "need not round to the integer)");
    }
    if (acc == 0) {
      return addend; // f32(0 * m) = 0
    }
    long magnitude = Math.abs((long) acc);
    long product = acc < 0 ? -productSignificand(magnitude) : productSignificand(magnitude);
    int scale = productScale(magnitude);
    if (scale >= 40 - SIGNIFICAND_BITS) {
      // |product| >= 2^39 >> |addend|: far out of every storage range; only the sign matters.
      return acc < 0 ? -(1L << 40) : 1L << 40;
    }
    if (scale >= 0) {
      // An integer sum: its f32 is an integer too, so nearbyint keeps it.
      long exact = (product << scale) + addend; // |.| < 2^40 + 2^16
      long rounded = roundSignificand(Math.abs(exact));
      return exact < 0 ? -rounded : rounded;
    }
    if (scale < -40) {
      // |product| <= 2^(24 + scale) < 2^-16: below half an ulp of any nonzero integer under 2^16
      // (even one just above a power of two, whose lower ulp is half), and alone it rounds to 0.
      return addend;
    }
    // The exact sum times 2^-scale (|addend| 2^40 < 2^56 fits), f32 by RNE to 24 bits, then nearbyint.
    long sum = product + ((long) addend << -scale);
    long mag = Math.abs(sum);
    int shift = Math.max(0, bitLength(mag) - SIGNIFICAND_BITS);
    long floatSignificand = Rounding.shiftRightRoundHalfEven(mag, shift);
    int floatScale = scale + shift;
    long rounded = floatScale >= 0
        ? floatSignificand << floatScale
        : Rounding.shiftRightRoundHalfEven(floatSignificand, Math.min(-floatScale, 63));
    return sum < 0 ? -rounded : rounded;
  }

  /** An integer rounded RNE to 24 significant bits (the float it converts to, as an integer). */
  private static long roundSignificand(long magnitude) {
    int shift = Math.max(0, bitLength(magnitude) - SIGNIFICAND_BITS);
    return Rounding.shiftRightRoundHalfEven(magnitude, shift) << shift;
  }

  /** The 24-bit significand of {@code f32(f32(magnitude) * m)}, magnitude in [1, 2^31]. */
  private long productSignificand(long magnitude) {
    int accShift = Math.max(0, bitLength(magnitude) - SIGNIFICAND_BITS);
    long accSignificand = Rounding.shiftRightRoundHalfEven(magnitude, accShift); // f32(acc), <= 2^24
    long product = accSignificand * mantissa; // < 2^48, exact
    int productShift = Math.max(0, bitLength(product) - SIGNIFICAND_BITS);
    return Rounding.shiftRightRoundHalfEven(product, productShift); // the float multiply, <= 2^24
  }

  /** The binary exponent that goes with {@link #productSignificand}. */
  private int productScale(long magnitude) {
    int accShift = Math.max(0, bitLength(magnitude) - SIGNIFICAND_BITS);
    long accSignificand = Rounding.shiftRightRoundHalfEven(magnitude, accShift);
    long product = accSignificand * mantissa;
    int productShift = Math.max(0, bitLength(product) - SIGNIFICAND_BITS);
    return accShift + productShift + exponent;
  }

  private static int bitLength(long v) {
    return 64 - Long.numberOfLeadingZeros(v);
  }
}
