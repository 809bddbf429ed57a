package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TosaTest {
  private static final int INT_MIN = Integer.MIN_VALUE;
  private static final int INT_MAX = Integer.MAX_VALUE;
  private static final int HALF = 1 << 30;

  private static Tosa.MultiplierAndShift ms(int multiplier, int shift) {
    return new Tosa.MultiplierAndShift(multiplier, shift);
  }

  @Test
  void applyScale32SingleAndDoubleRound() {
    // 5 * 2^30 / 2^32 = 1.25. single: (5 * 2^30 + 2^31) >> 32 = floor(1.75) = 1
    assertEquals(1, Tosa.applyScale32(5, HALF, 32, false));
    // double: round = 2^31 + 2^30; (5 * 2^30 + 3 * 2^30) >> 32 = 2 (TFLite double rounding also 2)
    assertEquals(2, Tosa.applyScale32(5, HALF, 32, true));
    // value < 0: round = 2^31 - 2^30 = 2^30; (-5 * 2^30 + 2^30) >> 32 = -1
    assertEquals(-1, Tosa.applyScale32(-5, HALF, 32, true));
    // shift 31: no correction even with double_round; (2^30 + 2^30) >> 31 = 1 (0.5 -> 1)
    assertEquals(1, Tosa.applyScale32(1, HALF, 31, true));
    // half up for negative ties: -1 * 2^30 / 2^31 = -0.5 -> (−2^30 + 2^30) >> 31 = 0
    assertEquals(0, Tosa.applyScale32(-1, HALF, 31, false));
    // shift 62, INT_MIN, M = 2^31 - 1, double: round = 2^61 - 2^30;
    // (-2^62 + 2^31 + 2^61 - 2^30) >> 62 = floor(-0.5 + 2^-32) = -1
    assertEquals(-1, Tosa.applyScale32(INT_MIN, INT_MAX, 62, true));
    // shift 2, value -2 (lowest allowed): (-2^31 + 2) >> 2 = floor(-536870911.5) = -536870912
    assertEquals(-536870912, Tosa.applyScale32(-2, HALF, 2, false));
  }

  @Test
  void applyScale32Requires() {
    assertThrows(IllegalArgumentException.class, () -> Tosa.applyScale32(1, -1, 31, false)); // multiplier < 0
    assertThrows(IllegalArgumentException.class, () -> Tosa.applyScale32(1, HALF, 1, false)); // shift < 2
    assertThrows(IllegalArgumentException.class, () -> Tosa.applyScale32(1, HALF, 63, false)); // shift > 62
    // shift 2 allows values in [-2, 1]
    assertThrows(IllegalArgumentException.class, () -> Tosa.applyScale32(2, HALF, 2, false));
    assertThrows(IllegalArgumentException.class, () -> Tosa.applyScale32(-3, HALF, 2, false));
    // shift 31 allows [-2^30, 2^30 - 1]
    assertThrows(IllegalArgumentException.class, () -> Tosa.applyScale32(HALF, HALF, 31, false));
    assertEquals(-HALF / 2, Tosa.applyScale32(-HALF, HALF, 31, false)); // -2^30 * 2^30 / 2^31
  }

  @Test
  void applyScale16() {
    // 3 * 2^14 / 2^15 = 1.5 -> (3 * 2^14 + 2^14) >> 15 = 2; -1.5 -> -1 (half up)
    assertEquals(2, Tosa.applyScale16(3, 1 << 14, 15));
    assertEquals(-1, Tosa.applyScale16(-3, 1 << 14, 15));
    // int48 extreme: (2^47 - 1) * 2^14 / 2^62 -> (2^61 - 2^14 + 2^61) >> 62 = 0
    assertEquals(0, Tosa.applyScale16((1L << 47) - 1, 1 << 14, 62));
    // 2^40 * 2^14 / 2^15 = 2^39 does not fit int32
    assertThrows(IllegalArgumentException.class, () -> Tosa.applyScale16(1L << 40, 1 << 14, 15));
    assertThrows(IllegalArgumentException.class, () -> Tosa.applyScale16(1L << 47, 1, 15));
    assertThrows(IllegalArgumentException.class, () -> Tosa.applyScale16(1, 1 << 15, 15));
  }

  @Test
  void computeMultiplierAndShift32() {
    assertEquals(ms(HALF, 31), Tosa.computeMultiplierAndShift32(0.5)); // frexp (0.5, 0): 31 - 0
    assertEquals(ms(HALF, 30), Tosa.computeMultiplierAndShift32(1.0)); // (0.5, 1)
    assertEquals(ms(1610612736, 29), Tosa.computeMultiplierAndShift32(3.0)); // (0.75, 2)
    // 1 - 2^-33 rounds the mantissa to 2^31: fix-up to (2^30, e = 1)
    assertEquals(ms(HALF, 30), Tosa.computeMultiplierAndShift32(1.0 - 0x1p-33));
    // 2^-31 = 0.5 * 2^-30: shift 61
    assertEquals(ms(HALF, 61), Tosa.computeMultiplierAndShift32(0x1p-31));
    // 2^-40 = 0.5 * 2^-39: shift 70 > 62 -> multiplier 2^30 >> 8 = 2^22, shift 62 (still exact)
    assertEquals(ms(1 << 22, 62), Tosa.computeMultiplierAndShift32(0x1p-40));
    // 2^-80: shift 110 -> 2^30 >> min(31, 48) = 0
    assertEquals(ms(0, 62), Tosa.computeMultiplierAndShift32(0x1p-80));
    // 2^30 = 0.5 * 2^31: shift 0, below the spec's minimum (not clamped by MLIR)
    assertEquals(ms(HALF, 0), Tosa.computeMultiplierAndShift32(0x1p30));
    assertEquals(ms(0, 31), Tosa.computeMultiplierAndShift32(0.0));
    assertThrows(IllegalArgumentException.class, () -> Tosa.computeMultiplierAndShift32(Double.NaN));
  }

  @Test
  void computeMultiplierAndShift16() {
    assertEquals(ms(1 << 14, 15), Tosa.computeMultiplierAndShift16(0.5)); // 0.5 * 2^15, 15 - 0
    // 1 - 2^-17: mantissa * 2^15 = 2^15 - 2^-2 -> 2^15 -> fix-up (2^14, e = 1), shift 14
    assertEquals(ms(1 << 14, 14), Tosa.computeMultiplierAndShift16(1.0 - 0x1p-17));
    // 0.75 * 2^15 = 24576
    assertEquals(ms(24576, 15), Tosa.computeMultiplierAndShift16(0.75));
    // tie: (0.5 + 2^-16) * 2^15 = 2^14 + 0.5 -> HAZ 16385
    assertEquals(ms(16385, 15), Tosa.computeMultiplierAndShift16(0.5 + 0x1p-16));
    // 2^-60 = 0.5 * 2^-59: shift 74 -> 2^14 >> 12 = 4, shift 62
    assertEquals(ms(4, 62), Tosa.computeMultiplierAndShift16(0x1p-60));
  }

  /**
   * NUMERICS.md: TOSA DOUBLE_ROUND equals TFLite's default double rounding and SINGLE_ROUND equals
   * TFLITE_SINGLE_ROUNDING, wherever both are defined (the class Javadoc of {@link Tosa} has the
   * proof). Seeded random scales (log-uniform, above and below 1, near ties of the mantissa) and
   * accumulators (uniform int32, small, and the extremes), 3M cases.
   */
  @Test
  void tosaEqualsTfliteOnRandomCases() {
    SplittableRandom random = new SplittableRandom(20240607);
    int compared = 0;
    for (int i = 0; i < 3_000_000; i++) {
      double scale = Math.scalb(1.0 + random.nextDouble(), random.nextInt(-34, 30));
      QuantizedMultiplier tfl = FixedPoint.quantizeMultiplier(scale);
      int tosaShift = 31 - tfl.shift();
      if (tfl.multiplier() == 0 || tosaShift < 2 || tosaShift > 62) {
        continue;
      }
      assertEquals(
          new Tosa.MultiplierAndShift(tfl.multiplier(), tosaShift), Tosa.computeMultiplierAndShift32(scale));
      int drawn = randomAccumulator(random, i);
      // meet the value REQUIRE, value in [-2^(s-1), 2^(s-1))
      int x = tosaShift <= 31 ? (int) (drawn % (1L << (tosaShift - 1))) : drawn;
      int m = tfl.multiplier();
      assertEquals(
          FixedPoint.multiplyByQuantizedMultiplier(x, m, tfl.shift()),
          Tosa.applyScale32(x, m, tosaShift, true),
          () -> "double rounding x=" + x + " M=" + m + " s=" + tosaShift);
      assertEquals(
          FixedPoint.multiplyByQuantizedMultiplierSingleRounding(x, m, tfl.shift()),
          Tosa.applyScale32(x, m, tosaShift, false),
          () -> "single rounding x=" + x + " M=" + m + " s=" + tosaShift);
      compared++;
    }
    assertTrue(compared > 2_500_000, "compared " + compared);
  }

  /** Exact ties of the first rounding: x * M a multiple of 2^30, the case where SRDHM rounds up. */
  @Test
  void tosaEqualsTfliteOnTies() {
    for (int k = -4096; k <= 4096; k++) {
      for (int shift = 31; shift <= 40; shift++) {
        int x = k;
        assertEquals(
            FixedPoint.multiplyByQuantizedMultiplier(x, HALF, 31 - shift),
            Tosa.applyScale32(x, HALF, shift, true),
            "x=" + x + " shift=" + shift);
        assertEquals(
            FixedPoint.multiplyByQuantizedMultiplier(x << 16, HALF + (1 << 29), 31 - shift),
            Tosa.applyScale32(x << 16, HALF + (1 << 29), shift, true),
            "x=" + (x << 16) + " shift=" + shift);
      }
    }
  }

  static int randomAccumulator(SplittableRandom random, int i) {
    return switch (i % 6) {
      case 0 -> random.nextInt();
      case 1 -> random.nextInt(-70000, 70000);
      case 2 -> random.nextInt(-300, 300);
      case 3 -> random.nextBoolean() ? INT_MIN + random.nextInt(3) : INT_MAX - random.nextInt(3);
      case 4 -> (random.nextInt(-4096, 4096)) << random.nextInt(0, 19); // many trailing zeros: ties
      default -> random.nextInt() >> random.nextInt(0, 31);
    };
  }
}
