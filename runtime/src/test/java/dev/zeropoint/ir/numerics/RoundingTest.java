package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeropoint.ir.ElementType;
import org.junit.jupiter.api.Test;

class RoundingTest {

  // 0.49999999999999994 = 0.5 - 2^-54, the largest double below 1/2. Naive floor(x + 0.5) gives 1
  // because 0.5 - 2^-54 + 0.5 rounds to 1.0 in double.
  private static final double JUST_BELOW_HALF = 0.49999999999999994;
  // 2^52 - 0.5 = 4503599627370495.5: a tie at the last binade where doubles have a fraction bit.
  private static final double BIG_TIE = 4503599627370495.5;

  @Test
  void roundHalfToEvenTies() {
    assertEquals(0, Rounding.roundHalfToEven(0.5)); // 0.5 between 0 and 1 -> even 0
    assertEquals(2, Rounding.roundHalfToEven(1.5)); // between 1 and 2 -> even 2
    assertEquals(2, Rounding.roundHalfToEven(2.5)); // between 2 and 3 -> even 2
    assertEquals(0, Rounding.roundHalfToEven(-0.5)); // -0 -> 0
    assertEquals(-2, Rounding.roundHalfToEven(-1.5));
    assertEquals(-2, Rounding.roundHalfToEven(-2.5));
    assertEquals(-4, Rounding.roundHalfToEven(-3.5)); // between -4 and -3 -> even -4
    assertEquals(0, Rounding.roundHalfToEven(JUST_BELOW_HALF));
    // 2^52 - 0.5: neighbours 2^52 - 1 (odd) and 2^52 (even)
    assertEquals(4503599627370496L, Rounding.roundHalfToEven(BIG_TIE));
    assertEquals(-4503599627370496L, Rounding.roundHalfToEven(-BIG_TIE));
  }

  @Test
  void roundHalfToEvenExtremes() {
    assertEquals(0, Rounding.roundHalfToEven(-0.0));
    assertEquals(1L << 62, Rounding.roundHalfToEven(0x1p62)); // already an integer
    assertEquals(Long.MAX_VALUE, Rounding.roundHalfToEven(1e300)); // saturates
    assertEquals(Long.MIN_VALUE, Rounding.roundHalfToEven(-1e300));
    assertEquals(Long.MAX_VALUE, Rounding.roundHalfToEven(Double.POSITIVE_INFINITY));
    assertEquals(Long.MIN_VALUE, Rounding.roundHalfToEven(Double.NEGATIVE_INFINITY));
    assertEquals(0, Rounding.roundHalfToEven(Double.NaN));
  }

  @Test
  void roundHalfAwayFromZero() {
    assertEquals(1, Rounding.roundHalfAwayFromZero(0.5));
    assertEquals(-1, Rounding.roundHalfAwayFromZero(-0.5));
    assertEquals(3, Rounding.roundHalfAwayFromZero(2.5));
    assertEquals(-3, Rounding.roundHalfAwayFromZero(-2.5));
    assertEquals(2, Rounding.roundHalfAwayFromZero(2.4999999999999996)); // 2.5 - 2^-51 -> 2
    assertEquals(0, Rounding.roundHalfAwayFromZero(JUST_BELOW_HALF));
    assertEquals(0, Rounding.roundHalfAwayFromZero(-JUST_BELOW_HALF));
    assertEquals(4503599627370496L, Rounding.roundHalfAwayFromZero(BIG_TIE)); // up, away from 0
    assertEquals(-4503599627370496L, Rounding.roundHalfAwayFromZero(-BIG_TIE));
    assertEquals(0, Rounding.roundHalfAwayFromZero(Double.NaN));
    assertEquals(Long.MAX_VALUE, Rounding.roundHalfAwayFromZero(Double.POSITIVE_INFINITY));
    assertEquals(Long.MIN_VALUE, Rounding.roundHalfAwayFromZero(Double.NEGATIVE_INFINITY));
  }

  @Test
  void roundHalfUp() {
    assertEquals(1, Rounding.roundHalfUp(0.5)); // floor(1.0)
    assertEquals(0, Rounding.roundHalfUp(-0.5)); // floor(0.0)
    assertEquals(3, Rounding.roundHalfUp(2.5));
    assertEquals(-2, Rounding.roundHalfUp(-2.5)); // floor(-2.0)
    assertEquals(-1, Rounding.roundHalfUp(-1.5)); // floor(-1.0)
    assertEquals(0, Rounding.roundHalfUp(JUST_BELOW_HALF));
    // -(0.5 + 2^-53): floor(-2^-53) = -1
    assertEquals(-1, Rounding.roundHalfUp(-0.5000000000000001));
    // -2^-60: floor(0.5 - 2^-60) = 0
    assertEquals(0, Rounding.roundHalfUp(-0x1p-60));
    assertEquals(4503599627370496L, Rounding.roundHalfUp(BIG_TIE));
    assertEquals(-4503599627370495L, Rounding.roundHalfUp(-BIG_TIE)); // floor(-2^52 + 1)
  }

  @Test
  void lrintfFollowsX86() {
    assertEquals(2, Rounding.lrintf(2.5f));
    assertEquals(4, Rounding.lrintf(3.5f));
    assertEquals(-2, Rounding.lrintf(-2.5f));
    // 8388607.5 = 2^23 - 0.5 is a float; neighbours 8388607 (odd) and 8388608 (even)
    assertEquals(8388608, Rounding.lrintf(8388607.5f));
    assertEquals(Long.MIN_VALUE, Rounding.lrintf(Float.NaN)); // cvtss2si integer indefinite
    assertEquals(Long.MIN_VALUE, Rounding.lrintf(0x1p63f)); // 2^63 does not fit int64
    assertEquals(Long.MIN_VALUE, Rounding.lrintf(-0x1p63f)); // -2^63 fits: genuinely INT64_MIN
    assertEquals(1L << 62, Rounding.lrintf(0x1p62f));
  }

  @Test
  void x86FloatToInt32() {
    assertEquals(-2, Rounding.x86FloatToInt32RoundHalfEven(-2.5f));
    assertEquals(2147483520, Rounding.x86FloatToInt32RoundHalfEven(2147483520f)); // 2^31 - 128
    // (float) Integer.MAX_VALUE is 2^31 (2^31 - 1 rounds to the even neighbour 2^31): out of range
    assertEquals(Integer.MIN_VALUE, Rounding.x86FloatToInt32RoundHalfEven((float) Integer.MAX_VALUE));
    assertEquals(Integer.MIN_VALUE, Rounding.x86FloatToInt32RoundHalfEven(-0x1p31f)); // in range
    assertEquals(Integer.MIN_VALUE, Rounding.x86FloatToInt32RoundHalfEven(Float.NaN));
    assertEquals(Integer.MIN_VALUE, Rounding.x86FloatToInt32RoundHalfEven(Float.NEGATIVE_INFINITY));
  }

  @Test
  void x86TruncateFloatToInt64() {
    assertEquals(-1, Rounding.x86TruncateFloatToInt64(-1.9f)); // toward zero
    assertEquals(1, Rounding.x86TruncateFloatToInt64(1.9f));
    assertEquals(1L << 62, Rounding.x86TruncateFloatToInt64(0x1p62f));
    assertEquals(Long.MIN_VALUE, Rounding.x86TruncateFloatToInt64(0x1p63f)); // out of range
    assertEquals(Long.MIN_VALUE, Rounding.x86TruncateFloatToInt64(1e19f));
    assertEquals(Long.MIN_VALUE, Rounding.x86TruncateFloatToInt64(Float.POSITIVE_INFINITY));
    assertEquals(Long.MIN_VALUE, Rounding.x86TruncateFloatToInt64(Float.NaN));
  }

  @Test
  void shiftsRoundEachWay() {
    // 5/2 = 2.5, 7/2 = 3.5, -5/2 = -2.5, -7/2 = -3.5, 6/4 = 1.5, -6/4 = -1.5, -7/4 = -1.75
    assertEquals(2, Rounding.shiftRightRoundHalfEven(5, 1));
    assertEquals(4, Rounding.shiftRightRoundHalfEven(7, 1));
    assertEquals(-2, Rounding.shiftRightRoundHalfEven(-5, 1));
    assertEquals(-4, Rounding.shiftRightRoundHalfEven(-7, 1));
    assertEquals(-2, Rounding.shiftRightRoundHalfEven(-7, 2));
    assertEquals(3, Rounding.shiftRightRoundHalfAwayFromZero(5, 1));
    assertEquals(-3, Rounding.shiftRightRoundHalfAwayFromZero(-5, 1));
    assertEquals(-2, Rounding.shiftRightRoundHalfAwayFromZero(-6, 2));
    assertEquals(-1, Rounding.shiftRightRoundHalfAwayFromZero(-5, 2)); // -1.25
    assertEquals(3, Rounding.shiftRightRoundHalfUp(5, 1));
    assertEquals(-2, Rounding.shiftRightRoundHalfUp(-5, 1));
    assertEquals(-1, Rounding.shiftRightRoundHalfUp(-6, 2));
    assertEquals(17, Rounding.shiftRightRoundHalfEven(17, 0));
    // Long.MIN_VALUE / 2^63 = -1 exactly; Long.MAX_VALUE / 2^63 = 1 - 2^-63 -> 1
    assertEquals(-1, Rounding.shiftRightRoundHalfEven(Long.MIN_VALUE, 63));
    assertEquals(1, Rounding.shiftRightRoundHalfEven(Long.MAX_VALUE, 63));
    // 2^62 / 2^63 = 0.5: RNE 0, HAZ 1, HU 1; -2^62 / 2^63 = -0.5: RNE 0, HAZ -1, HU 0
    assertEquals(0, Rounding.shiftRightRoundHalfEven(1L << 62, 63));
    assertEquals(1, Rounding.shiftRightRoundHalfAwayFromZero(1L << 62, 63));
    assertEquals(-1, Rounding.shiftRightRoundHalfAwayFromZero(-(1L << 62), 63));
    assertEquals(0, Rounding.shiftRightRoundHalfUp(-(1L << 62), 63));
    assertThrows(IllegalArgumentException.class, () -> Rounding.shiftRightRoundHalfEven(1, 64));
    assertThrows(IllegalArgumentException.class, () -> Rounding.shiftRightRoundHalfEven(1, -1));
  }

  @Test
  void saturation() {
    assertEquals(255, Rounding.saturate(300, ElementType.U8));
    assertEquals(0, Rounding.saturate(-1, ElementType.U8));
    assertEquals(127, Rounding.saturate(128, ElementType.I8));
    assertEquals(-128, Rounding.saturate(-129, ElementType.I8));
    assertEquals(32767, Rounding.saturate(40000, ElementType.I16));
    assertEquals(Integer.MIN_VALUE, Rounding.saturate(Long.MIN_VALUE, ElementType.I32));
    assertEquals(Integer.MAX_VALUE, Rounding.saturateToInt32(1L << 40));
    assertEquals(-32768, Rounding.saturateToInt16(Integer.MIN_VALUE));
    assertEquals(127, Rounding.saturateToInt8(1000));
    assertEquals(0, Rounding.saturateToUint8(-5));
    assertEquals(255, Rounding.saturateToUint8(256));
    assertEquals(7, Rounding.clamp(3, 7, 9));
    assertThrows(IllegalArgumentException.class, () -> Rounding.clamp(3, 9, 7));
    assertThrows(IllegalArgumentException.class, () -> Rounding.saturate(1, ElementType.F32));
  }

  @Test
  void frexpIsExact() {
    // 0.75 = 0.75 * 2^0; 3 = 0.75 * 2^2; 1 = 0.5 * 2^1; -0.5 = -0.5 * 2^0
    assertEquals(new Frexp(0.75, 0), Frexp.of(0.75));
    assertEquals(new Frexp(0.75, 2), Frexp.of(3.0));
    assertEquals(new Frexp(0.5, 1), Frexp.of(1.0));
    assertEquals(new Frexp(-0.5, 0), Frexp.of(-0.5));
    // Double.MIN_VALUE = 2^-1074 = 0.5 * 2^-1073 (subnormal input)
    assertEquals(new Frexp(0.5, -1073), Frexp.of(Double.MIN_VALUE));
    // 3 * 2^-1074 = 0.75 * 2^-1072
    assertEquals(new Frexp(0.75, -1072), Frexp.of(3 * Double.MIN_VALUE));
    assertEquals(new Frexp(0.0, 0), Frexp.of(0.0));
    assertThrows(IllegalArgumentException.class, () -> Frexp.of(Double.NaN));
  }
}
