package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FixedPointTest {
  private static final int INT_MIN = Integer.MIN_VALUE;
  private static final int INT_MAX = Integer.MAX_VALUE;
  private static final int HALF = 1 << 30; // 0.5 in Q0.31

  private static QuantizedMultiplier qm(int multiplier, int shift) {
    return new QuantizedMultiplier(multiplier, shift);
  }

  @Test
  void quantizeMultiplierExactPowersAndFractions() {
    assertEquals(qm(HALF, 0), FixedPoint.quantizeMultiplier(0.5)); // frexp(0.5) = (0.5, 0)
    assertEquals(qm(HALF, 1), FixedPoint.quantizeMultiplier(1.0)); // (0.5, 1)
    assertEquals(qm(1610612736, 0), FixedPoint.quantizeMultiplier(0.75)); // 0.75 * 2^31
    assertEquals(qm(1610612736, 2), FixedPoint.quantizeMultiplier(3.0)); // (0.75, 2): ratio > 1
    assertEquals(qm(HALF, -30), FixedPoint.quantizeMultiplier(0x1p-31)); // (0.5, -30)
    assertEquals(qm(HALF, -31), FixedPoint.quantizeMultiplier(0x1p-32)); // (0.5, -31): last kept
    assertEquals(qm(0, 0), FixedPoint.quantizeMultiplier(0x1p-33)); // (0.5, -32): e < -31 -> 0
    assertEquals(qm(0, 0), FixedPoint.quantizeMultiplier(Double.MIN_VALUE)); // subnormal -> 0
    assertEquals(qm(0, 0), FixedPoint.quantizeMultiplier(0.0));
    assertEquals(qm(0, 0), FixedPoint.quantizeMultiplier(-0.0));
  }

  @Test
  void quantizeMultiplierRoundsHalfAwayFromZeroAndFixesUp() {
    // d = 0.5 + 2^-32: q * 2^31 = 2^30 + 0.5, a tie; std::round -> 2^30 + 1 (RNE would give 2^30)
    assertEquals(qm(1073741825, 0), FixedPoint.quantizeMultiplier(0.5 + 0x1p-32));
    // d = 1 - 2^-33: frexp = (1 - 2^-33, 0); q * 2^31 = 2^31 - 0.25 -> 2^31, so M = 2^30, e = 1
    assertEquals(qm(HALF, 1), FixedPoint.quantizeMultiplier(1.0 - 0x1p-33));
    // d = 2^-32 - 2^-66 = (1 - 2^-34) * 2^-32: frexp exponent -32, rounds up to 2^31 -> (2^30, -31)
    assertEquals(qm(HALF, -31), FixedPoint.quantizeMultiplier(0x1p-32 - 0x1p-66));
  }

  @Test
  void quantizeMultiplierNegativeAsTfliteDoes() {
    assertEquals(qm(-1610612736, 0), FixedPoint.quantizeMultiplier(-0.75)); // frexp(-0.75) = (-0.75, 0)
    // -(0.5 + 2^-32): -(2^30 + 0.5) -> HAZ -> -(2^30 + 1)
    assertEquals(qm(-1073741825, 0), FixedPoint.quantizeMultiplier(-0.5 - 0x1p-32));
    // -(1 - 2^-33): q * 2^31 = -(2^31 - 0.25) -> -2^31; the fix-up tests only +2^31
    assertEquals(qm(INT_MIN, 0), FixedPoint.quantizeMultiplier(-1.0 + 0x1p-33));
  }

  @Test
  void quantizeMultiplierRejectsNonFinite() {
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.quantizeMultiplier(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.quantizeMultiplier(Double.POSITIVE_INFINITY));
  }

  @Test
  void singleRoundingMultiplierSaturatesLargeShifts() {
    assertEquals(qm(HALF, 30), FixedPoint.quantizeMultiplierSingleRounding(0x1p29)); // (0.5, 30)
    assertEquals(qm(INT_MAX, 30), FixedPoint.quantizeMultiplierSingleRounding(0x1p30)); // shift 31
    assertEquals(qm(INT_MAX, 30), FixedPoint.quantizeMultiplierSingleRounding(0x1p31)); // shift 32
    assertEquals(qm(HALF, 32), FixedPoint.quantizeMultiplier(0x1p31)); // default build keeps it
  }

  @Test
  void saturatingRoundingDoublingHighMul() {
    assertEquals(INT_MAX, FixedPoint.saturatingRoundingDoublingHighMul(INT_MIN, INT_MIN)); // 2^62/2^31 = 2^31
    // 2^30 * 2^30 / 2^31 = 2^29 exactly
    assertEquals(536870912, FixedPoint.saturatingRoundingDoublingHighMul(HALF, HALF));
    // (2^31-1)^2 / 2^31 = 2^31 - 2 + 2^-31 -> 2^31 - 2
    assertEquals(2147483646, FixedPoint.saturatingRoundingDoublingHighMul(INT_MAX, INT_MAX));
    // -2^31 (2^31 - 1) / 2^31 = -(2^31 - 1) exactly
    assertEquals(-2147483647, FixedPoint.saturatingRoundingDoublingHighMul(INT_MIN, INT_MAX));
    // -2^31 * 2^30 / 2^31 = -2^30
    assertEquals(-HALF, FixedPoint.saturatingRoundingDoublingHighMul(INT_MIN, HALF));
    // ties go up (toward +infinity) for both signs: x * 2^30 / 2^31 = x / 2
    assertEquals(1, FixedPoint.saturatingRoundingDoublingHighMul(1, HALF)); // 0.5 -> 1
    assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(-1, HALF)); // -0.5 -> 0
    assertEquals(2, FixedPoint.saturatingRoundingDoublingHighMul(3, HALF)); // 1.5 -> 2
    assertEquals(-1, FixedPoint.saturatingRoundingDoublingHighMul(-3, HALF)); // -1.5 -> -1
    // -(2^30 + 1) / 2^31 = -0.5 - 2^-31 -> -1 (not a tie)
    assertEquals(-1, FixedPoint.saturatingRoundingDoublingHighMul(-1, HALF + 1));
    assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(0, INT_MIN));
  }

  @Test
  void saturatingRoundingDoublingHighMulMatchesGemmlowpDefinition() {
    // Cross-check of the floor form against gemmlowp's definition with C's truncating division
    // (Java's / truncates like C99).
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 1_000_000; i++) {
      int a = i % 7 == 0 ? random.nextInt(-4, 4) << 29 : random.nextInt();
      int b = i % 5 == 0 ? HALF * random.nextInt(-2, 2) : random.nextInt();
      if (a == INT_MIN && b == INT_MIN) {
        continue;
      }
      long ab = (long) a * b;
      long nudge = ab >= 0 ? (1L << 30) : 1 - (1L << 30);
      int expected = (int) ((ab + nudge) / (1L << 31));
      assertEquals(expected, FixedPoint.saturatingRoundingDoublingHighMul(a, b), a + " * " + b);
    }
  }

  @Test
  void roundingDivideByPOTRoundsHalfAwayFromZero() {
    assertEquals(3, FixedPoint.roundingDivideByPOT(5, 1)); // 2.5 -> 3
    assertEquals(-3, FixedPoint.roundingDivideByPOT(-5, 1)); // -2.5 -> -3
    assertEquals(2, FixedPoint.roundingDivideByPOT(4, 1));
    assertEquals(-2, FixedPoint.roundingDivideByPOT(-4, 1));
    assertEquals(2, FixedPoint.roundingDivideByPOT(6, 2)); // 1.5 -> 2
    assertEquals(-2, FixedPoint.roundingDivideByPOT(-6, 2)); // -1.5 -> -2
    assertEquals(-2, FixedPoint.roundingDivideByPOT(-7, 2)); // -1.75 -> -2
    assertEquals(-1, FixedPoint.roundingDivideByPOT(-5, 2)); // -1.25 -> -1
    assertEquals(INT_MIN, FixedPoint.roundingDivideByPOT(INT_MIN, 0));
    assertEquals(INT_MAX, FixedPoint.roundingDivideByPOT(INT_MAX, 0));
    assertEquals(1, FixedPoint.roundingDivideByPOT(INT_MAX, 31)); // 1 - 2^-31 -> 1
    assertEquals(-1, FixedPoint.roundingDivideByPOT(INT_MIN, 31)); // -1 exactly
    assertEquals(1, FixedPoint.roundingDivideByPOT(HALF, 31)); // 0.5 -> 1
    assertEquals(-1, FixedPoint.roundingDivideByPOT(-HALF, 31)); // -0.5 -> -1
    assertEquals(0, FixedPoint.roundingDivideByPOT(HALF - 1, 31)); // just below 0.5 -> 0
    assertEquals(0, FixedPoint.roundingDivideByPOT(-HALF + 1, 31));
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.roundingDivideByPOT(1, 32));
  }

  @Test
  void doubleRounding() {
    // x * 0.5 for x = 2^31 - 1: SRDHM = 2^30 - 0.5 -> 2^30 (half up)
    assertEquals(1073741824, FixedPoint.multiplyByQuantizedMultiplier(INT_MAX, HALF, 0));
    assertEquals(-1073741824, FixedPoint.multiplyByQuantizedMultiplier(INT_MIN, HALF, 0)); // exact
    // 5 * 0.5 * 2^-1 = 1.25: SRDHM(5, 2^30) = 2.5 -> 3, RDBPOT(3, 1) = 1.5 -> 2. Double rounding: 2.
    assertEquals(2, FixedPoint.multiplyByQuantizedMultiplier(5, HALF, -1));
    // -1.25: SRDHM = -2.5 -> -2 (half up), RDBPOT(-2, 1) = -1 exactly
    assertEquals(-1, FixedPoint.multiplyByQuantizedMultiplier(-5, HALF, -1));
    // left shift (ratio above 1): 3 * 4 = 12, SRDHM(12, 2^30) = 6
    assertEquals(6, FixedPoint.multiplyByQuantizedMultiplier(3, HALF, 2));
    // d = 3.0 -> (0.75 * 2^31, 2): 100 * 4 = 400, * 0.75 = 300
    assertEquals(300, FixedPoint.multiplyByQuantizedMultiplier(100, 1610612736, 2));
    // 2^29 * 2^3 = 2^32 wraps to 0 in int32, as TFLite's x * (1 << left_shift) does on real targets
    assertEquals(0, FixedPoint.multiplyByQuantizedMultiplier(1 << 29, HALF, 3));
    // ratio below 2^-31 quantizes to M = 0: everything becomes 0
    QuantizedMultiplier tiny = FixedPoint.quantizeMultiplier(0x1p-33);
    assertEquals(0, FixedPoint.multiplyByQuantizedMultiplier(INT_MAX, tiny.multiplier(), tiny.shift()));
    // shift -31 with M = 2^31 - 1 and x = INT_MIN: SRDHM = -(2^31 - 1), RDBPOT(., 31):
    // -(1 - 2^-31) -> -1
    assertEquals(-1, FixedPoint.multiplyByQuantizedMultiplier(INT_MIN, INT_MAX, -31));
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.multiplyByQuantizedMultiplier(1, HALF, 31));
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.multiplyByQuantizedMultiplier(1, HALF, -32));
  }

  @Test
  void singleRounding() {
    // (5 * 2^30 + 2^31) >> 32 = floor(1.75) = 1: the correctly rounded 1.25
    assertEquals(1, FixedPoint.multiplyByQuantizedMultiplierSingleRounding(5, HALF, -1));
    // 0.75: (3 * 2^30 + 2^31) >> 32 = floor(1.25) = 1
    assertEquals(1, FixedPoint.multiplyByQuantizedMultiplierSingleRounding(3, HALF, -1));
    // ties half up: 1.5 -> 2, -1.5 -> -1
    assertEquals(2, FixedPoint.multiplyByQuantizedMultiplierSingleRounding(6, HALF, -1));
    assertEquals(-1, FixedPoint.multiplyByQuantizedMultiplierSingleRounding(-6, HALF, -1));
    // shift 30 (total shift 1): (2^31 - 1 + 1) >> 1 = 2^30
    assertEquals(HALF, FixedPoint.multiplyByQuantizedMultiplierSingleRounding(1, INT_MAX, 30));
    // shift -31 (total 62): -2^31 * 2^30 = -2^61; (-2^61 + 2^61) >> 62 = 0 (-0.5 -> 0)
    assertEquals(0, FixedPoint.multiplyByQuantizedMultiplierSingleRounding(INT_MIN, HALF, -31));
    // (2^61 - 2^30 + 2^61) >> 62 = 0 (0.4999999995 -> 0)
    assertEquals(0, FixedPoint.multiplyByQuantizedMultiplierSingleRounding(INT_MAX, HALF, -31));
    // -2^31 (2^31 - 1) = -2^62 + 2^31; (-2^62 + 2^31 + 2^61) >> 62 = floor(-0.5 + 2^-31) = -1
    assertEquals(-1, FixedPoint.multiplyByQuantizedMultiplierSingleRounding(INT_MIN, INT_MAX, -31));
    assertThrows(IllegalArgumentException.class,
        () -> FixedPoint.multiplyByQuantizedMultiplierSingleRounding(1, -1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> FixedPoint.multiplyByQuantizedMultiplierSingleRounding(1, HALF, 31));
  }

  @Test
  void int64Input() {
    // M = 2^30 reduces to (2^30 + 2^15) >> 16 = 2^14; shift 0: (x * 2^14 + 2^14) >> 15 = half up of x/2
    assertEquals(3, FixedPoint.multiplyByQuantizedMultiplierInt64(5L, HALF, 0)); // 2.5 -> 3
    assertEquals(-2, FixedPoint.multiplyByQuantizedMultiplierInt64(-5L, HALF, 0)); // -2.5 -> -2
    // M >= 0x7FFF0000 reduces to 0x7FFF: x = 2^16, shift 0 -> (2^16 * 32767 + 2^14) >> 15 = 65534
    assertEquals(65534, FixedPoint.multiplyByQuantizedMultiplierInt64(1L << 16, INT_MAX, 0));
    // x = -2^47 (the lowest allowed), M = 2^30, shift -31: (-2^61 + 2^45) >> 46 = -2^15
    assertEquals(-32768, FixedPoint.multiplyByQuantizedMultiplierInt64(-(1L << 47), HALF, -31));
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.multiplyByQuantizedMultiplierInt64(1L << 47, HALF, 0));
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.multiplyByQuantizedMultiplierInt64(1L, HALF, 8));
  }
}
