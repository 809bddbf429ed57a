package dev.zeropoint.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Floats print so that they read back to the same bits, NaN payloads included. */
class NumbersTest {
  @Test
  void everyFloatBitPatternRoundTrips() {
    Random r = new Random(42);
    int[] special = {0, 0x80000000, 1, 0x007fffff, 0x00800000, 0x7f7fffff, 0xff800000, 0x7f800000, 0x7fc00000,
        0xffc00000, 0x7f800001, 0x7fbfffff, 0xffffffff, 0x3f800000, 0x3dcccccd};
    for (int bits : special) {
      assertEquals(bits, Numbers.parseFloatBits(Numbers.formatFloatBits(bits)), Integer.toHexString(bits));
    }
    for (int i = 0; i < 200_000; i++) {
      int bits = r.nextInt();
      assertEquals(bits, Numbers.parseFloatBits(Numbers.formatFloatBits(bits)), Integer.toHexString(bits));
    }
  }

  @Test
  void everyDoubleBitPatternRoundTrips() {
    Random r = new Random(43);
    long[] special = {0L, Long.MIN_VALUE, 1L, 0x000fffffffffffffL, 0x7fefffffffffffffL, 0x7ff8000000000000L,
        0xfff8000000000000L, 0x7ff0000000000001L, -1L, Double.doubleToRawLongBits(0.1)};
    for (long bits : special) {
      assertEquals(bits, Numbers.parseDoubleBits(Numbers.formatDoubleBits(bits)), Long.toHexString(bits));
    }
    for (int i = 0; i < 200_000; i++) {
      long bits = r.nextLong();
      assertEquals(bits, Numbers.parseDoubleBits(Numbers.formatDoubleBits(bits)), Long.toHexString(bits));
    }
  }

  @Test
  void readableFormsForCommonValues() {
    assertEquals("0.0865", Numbers.formatDouble(0.0865));
    assertEquals("-0.0", Numbers.formatFloat(-0.0f));
    assertEquals("inf", Numbers.formatFloat(Float.POSITIVE_INFINITY));
    assertEquals("-inf", Numbers.formatDouble(Double.NEGATIVE_INFINITY));
    assertEquals("nan", Numbers.formatFloat(Float.NaN));
    assertEquals("nan(0x7fa00001)", Numbers.formatFloatBits(0x7fa00001));
    // A float literal is parsed straight to float: 0.1 as float is 0x3dcccccd.
    assertEquals(0x3dcccccd, Numbers.parseFloatBits("0.1"));
  }
}
