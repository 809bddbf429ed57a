package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class XnnpackTest {

  @Test
  void qs8AddRoundsHalfUp() {
    // scales 0.5 and 0.25 into 1.0: ratios 0.5 (exponent -1) and 0.25 -> shift 20 - (-1) = 21,
    // M_a = 0.5 * 2^21 = 1048576, M_b = 0.25 * 2^21 = 524288;
    // bias = 2^20 - 1048576 * 3 - 524288 * (-100) = 1048576 - 3145728 + 52428800 = 50331648
    var p = Xnnpack.qs8AddParams(0.5, 3, 0.25, -100, 1.0, 7);
    assertEquals(new Xnnpack.Qs8AddParams(1048576, 524288, 21, 50331648, 7), p);
    // a 4 (+0.5), b -100 (0): acc = 50331648 + 4194304 - 52428800 = 2^21 -> >> 21 = 1 -> 8 (half up)
    assertEquals(8, Xnnpack.qs8Add(4, -100, p));
    // a 2 (-0.5), b -100: acc = 50331648 + 2097152 - 52428800 = 0 -> 0 -> 7 (half up: -0.5 -> 0;
    // QNNPACK's quint8 add would round away from zero to -1). torch 1.13.1 gives 7 and 8.
    assertEquals(7, Xnnpack.qs8Add(2, -100, p));
    // a 4, b -98 (+0.5): 1.0 -> 8; a 127 -> 62, b 127 -> 56.75: 118.75 -> 119 -> 126
    assertEquals(8, Xnnpack.qs8Add(4, -98, p));
    assertEquals(126, Xnnpack.qs8Add(127, 127, p));
    // saturation: (-128 - 127) * 2 = -510 -> -128; (127 + 128) * 2 = 510 -> 127
    assertEquals(-128, Xnnpack.qs8Add(-128, -128, Xnnpack.qs8AddParams(1.0, 127, 1.0, 127, 1.0, 0)));
    assertEquals(127, Xnnpack.qs8Add(127, 127, Xnnpack.qs8AddParams(1.0, -128, 1.0, -128, 1.0, 0)));
  }

  @Test
  void qs8AddMultipliersRoundToNearest() {
    // scale ratio 0.3f / 1 = 0.300000011920928955078125 = 10066330 * 2^-25; exponent -2 -> shift 22;
    // M = 10066330 * 2^-3 = 1258291.25 -> 1258291; ratio 0.1f = 13421773 * 2^-27 -> * 2^22 =
    // 13421773 / 32 = 419430.40625 -> 419430
    var p = Xnnpack.qs8AddParams(0.3, 0, 0.1, 0, 1.0, 0);
    assertEquals(1258291, p.aMultiplier());
    assertEquals(419430, p.bMultiplier());
    assertEquals(22, p.shift());
    // 10 * 0.3 + 10 * 0.1 = 4: acc = 2^21 + 12582910 + 4194300 = 18874362, just below 4.5 * 2^22 =
    // 18874368 (the multipliers were rounded down) -> >> 22 = 4
    assertEquals(4, Xnnpack.qs8Add(10, 10, p));
  }

  @Test
  void ratiosOutsideTheSupportedRangeAreRefused() {
    // torch: "xnnp_add(): xnn create operator failed(4)" for 2^-11 and 256, accepted for 2^-10, 255.99
    assertThrows(IllegalArgumentException.class, () -> Xnnpack.qs8AddParams(0x1p-11, 0, 1.0, 0, 1.0, 0));
    assertThrows(IllegalArgumentException.class, () -> Xnnpack.qs8AddParams(256.0, 0, 1.0, 0, 1.0, 0));
    assertEquals(30, Xnnpack.qs8AddParams(0x1p-10, 0, 0x1p-10, 0, 1.0, 0).shift());
    assertEquals(13, Xnnpack.qs8AddParams(255.99, 0, 1.0, 0, 1.0, 0).shift());
  }
}
