package dev.zeropoint.ir.numerics;

/**
 * TOSA RESCALE arithmetic (flavour {@code tosa}), integer only.
 *
 * <p>Sources: the TOSA reference model's {@code reference_model/src/quant_util.h} ({@code
 * apply_scale_32}, {@code apply_scale_16}, with the spec's REQUIRE checks on multiplier, shift and
 * value), and MLIR's {@code mlir/lib/Dialect/Tosa/Utils/QuantUtils.cpp} ({@code
 * computeMultiplierAndShiftTosaScale32/16}, llvm-project commit 3d1687c2, which clamps shifts above
 * 62; older MLIR versions did not clamp).
 *
 * <h2>Relation to TFLite</h2>
 *
 * With {@code s = 31 - t} for a TFLite shift {@code t}, multiplier {@code M >= 0} and {@code s} in
 * [2, 62] with the value REQUIRE met:
 *
 * <ul>
 *   <li>{@code applyScale32(x, M, s, false)} is TFLite's single rounding, literally the same
 *       formula.
 *   <li>{@code applyScale32(x, M, s, true)} equals TFLite's double rounding {@code RDBPOT(SRDHM(x,
 *       M), s - 31)}. For {@code s <= 31} there is no correction and both are {@code floor((x*M +
 *       2^(s-1)) / 2^s)}. For {@code r = s - 31 > 0}, let {@code h = floor((x*M + 2^30) / 2^31)} (the
 *       SRDHM). If {@code x >= 0}, TOSA is {@code floor((h + 2^(r-1)) / 2^r)}, the half-up rounding of
 *       {@code h / 2^r}, which for {@code h >= 0} is RDBPOT's half away from zero. If {@code x < 0},
 *       TOSA is {@code floor((floor((x*M - 2^30) / 2^31) + 2^(r-1)) / 2^r)} and {@code floor((x*M -
 *       2^30) / 2^31) = h - 1}, so TOSA is {@code floor((h - 1 + 2^(r-1)) / 2^r) = ceil((h - 2^(r-1))
 *       / 2^r)}, which for {@code h <= 0} is half away from zero.
 * </ul>
 */
public final class Tosa {
  private Tosa() {}

  /** A TOSA RESCALE scale: the real value is {@code multiplier / 2^shift} (shift is a right shift). */
  public record MultiplierAndShift(int multiplier, int shift) {
    /** {@code multiplier * 2^-shift}, exact in double. */
    public double toDouble() {
      return Math.scalb((double) multiplier, -shift);
    }
  }

  /**
   * TOSA {@code apply_scale_32(value, multiplier, shift, double_round)}: {@code round = 2^(shift -
   * 1)}; if {@code double_round} and {@code shift > 31}, {@code round += value >= 0 ? 2^30 :
   * -2^30}; result {@code ((int64) value * multiplier + round) >> shift} (arithmetic shift, so half
   * up without the correction). The REQUIREs guarantee the result fits int32.
   *
   * @throws IllegalArgumentException when a spec REQUIRE fails: {@code multiplier >= 0}, {@code
   *     shift} in [2, 62], {@code value} in [-2^(shift-1), 2^(shift-1)) (a restriction only for
   *     shift up to 31)
   */
  public static int applyScale32(int value, int multiplier, int shift, boolean doubleRound) {
    checkMultiplierAndShift(multiplier, shift);
    if (shift <= 32) {
      long bound = 1L << (shift - 1);
      if (value < -bound || value >= bound) {
        throw new IllegalArgumentException(
            "apply_scale_32: value " + value + " outside [" + -bound + ", " + (bound - 1) + "] for shift " + shift);
      }
    }
    long round = 1L << (shift - 1);
    if (doubleRound && shift > 31) {
      round += value >= 0 ? (1L << 30) : -(1L << 30);
    }
    return (int) (((long) value * multiplier + round) >> shift);
  }

  /**
   * TOSA {@code apply_scale_16(int48 value, int16 multiplier, shift)}: {@code ((int64) value *
   * multiplier + 2^(shift - 1)) >> shift}, half up, single rounding.
   *
   * @throws IllegalArgumentException when a spec REQUIRE fails: {@code multiplier} in [0, 2^15),
   *     {@code shift} in [2, 62], {@code value} an int48, the result within int32
   */
  public static int applyScale16(long value, int multiplier, int shift) {
    if (multiplier > Short.MAX_VALUE) {
      throw new IllegalArgumentException("apply_scale_16: multiplier " + multiplier + " is not an int16");
    }
    checkMultiplierAndShift(multiplier, shift);
    if (value < -(1L << 47) || value >= (1L << 47)) {
      throw new IllegalArgumentException("apply_scale_16: value " + value + " is not an int48");
    }
    // |value * multiplier| < 2^62 and round <= 2^61: no int64 overflow.
    long result = (value * multiplier + (1L << (shift - 1))) >> shift;
    if (result < Integer.MIN_VALUE || result > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("apply_scale_16: result " + result + " exceeds int32");
    }
    return (int) result;
  }

  private static void checkMultiplierAndShift(int multiplier, int shift) {
    if (multiplier < 0) {
      throw new IllegalArgumentException("TOSA rescale multiplier must be >= 0, got " + multiplier);
    }
    if (shift < 2 || shift > 62) {
      throw new IllegalArgumentException("TOSA rescale shift " + shift + " outside 2..62");
    }
  }

  /**
   * MLIR's {@code computeMultiplierAndShiftTosaScale32}: {@code (m, e) = frexp(scale)}, {@code M =
   * round_HAZ(m * 2^31)}, if {@code M == 2^31} then {@code M = 2^30, e++}; {@code shift = 31 - e};
   * if {@code shift > 62}: {@code M >>= min(31, shift - 62)} (arithmetic, truncating), {@code shift
   * = 62}. Same mantissa rounding as TFLite's {@link FixedPoint#quantizeMultiplier}, so for scales
   * in about [2^-32, 2^29) the pair is TFLite's with {@code shift = 31 - t}. Not clamped below:
   * scales from about 2^29 up give shifts under 2, which {@link #applyScale32} rejects. A zero scale
   * gives (0, 31); a negative scale a negative multiplier (rejected by {@code applyScale32}).
   *
   * @throws IllegalArgumentException if {@code scale} is NaN or infinite
   */
  public static MultiplierAndShift computeMultiplierAndShift32(double scale) {
    return computeMultiplierAndShift(scale, 31);
  }

  /**
   * MLIR's {@code computeMultiplierAndShiftTosaScale16}: as {@link
   * #computeMultiplierAndShift32(double)} with a 16-bit mantissa: {@code M = round_HAZ(m * 2^15)},
   * fix-up at 2^15, {@code shift = 15 - e}, the same clamp above 62.
   */
  public static MultiplierAndShift computeMultiplierAndShift16(double scale) {
    return computeMultiplierAndShift(scale, 15);
  }

  private static MultiplierAndShift computeMultiplierAndShift(double scale, int fractionBits) {
    if (!Double.isFinite(scale)) {
      throw new IllegalArgumentException("cannot compute a TOSA multiplier for " + scale);
    }
    Frexp f = Frexp.of(scale);
    long one = 1L << fractionBits;
    long shiftedMantissa = Rounding.roundHalfAwayFromZero(f.mantissa() * one);
    int exponent = f.exponent();
    if (shiftedMantissa == one) {
      shiftedMantissa /= 2;
      exponent++;
    }
    int shift = fractionBits - exponent;
    int multiplier = (int) shiftedMantissa;
    if (shift > 62) {
      multiplier >>= Math.min(31, shift - 62);
      shift = 62;
    }
    return new MultiplierAndShift(multiplier, shift);
  }
}
