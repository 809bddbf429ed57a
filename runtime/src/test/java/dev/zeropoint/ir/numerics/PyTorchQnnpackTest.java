package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeropoint.ir.ElementType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PyTorchQnnpackTest {

  @Test
  void quantizeMultipliesByTheFloatReciprocal() {
    // NUMERICS.md's example. f32(0.00214854861) = 0.0021485486067831516265869140625 (0x3B0CCEAA);
    // inv = f32(1 / that) = 465.43048095703125 (0x43E8B71A); x = f32(0.273939937) =
    // 0.2739399373531341552734375 (0x3E8C41DB). Exact x * inv = 127.49999679560824...; floats in
    // [64, 128) are 2^-17 = 7.63e-6 apart and 127.5 - 127.4999968 = 3.2e-6 < 3.8e-6, so
    // f32(x * inv) = 127.5 and RNE gives 128. (Division, x / f32(s) = 127.49999 in float, gives 127.)
    // Intermediate values printed with numpy; 128 is what torch 1.13.1 returns.
    assertEquals(128, PyTorchQnnpack.quantize(0.273939937f, 0.00214854861, 0, ElementType.U8));
    // f32(0.1) = 0.100000001490116...; 1 / that = 9.99999985..., within 1.5e-7 of 10 (spacing
    // 9.5e-7): inv = 10.0f. x = f32(0.35) = 0.3499999940395355; x * 10 = 3.499999940395355 is
    // 6e-8 from 3.5 (spacing 2.4e-7): f32 product 3.5, RNE -> 4. The real quotient 3.49999994
    // would give 3. torch 1.13.1 returns 4.
    assertEquals(4, PyTorchQnnpack.quantize(0.35f, 0.1, 0, ElementType.U8));
  }

  @Test
  void quantizeTiesAndSaturation() {
    assertEquals(0, PyTorchQnnpack.quantize(0.5f, 1.0, 0, ElementType.U8)); // 0.5 -> 0
    assertEquals(2, PyTorchQnnpack.quantize(1.5f, 1.0, 0, ElementType.U8)); // 1.5 -> 2
    assertEquals(12, PyTorchQnnpack.quantize(2.5f, 1.0, 10, ElementType.U8)); // 10 + 2
    assertEquals(0, PyTorchQnnpack.quantize(-0.5f, 1.0, 0, ElementType.I8)); // -0 -> 0
    assertEquals(-2, PyTorchQnnpack.quantize(-1.5f, 1.0, 0, ElementType.I8));
    assertEquals(255, PyTorchQnnpack.quantize(0f, 1.0, 255, ElementType.U8)); // zp at the top
    assertEquals(255, PyTorchQnnpack.quantize(1f, 1.0, 255, ElementType.U8)); // 256 -> 255
    assertEquals(0, PyTorchQnnpack.quantize(-1f, 1.0, 0, ElementType.U8)); // -1 -> 0
    assertEquals(-128, PyTorchQnnpack.quantize(-200f, 1.0, -128, ElementType.I8)); // -328 -> -128
    assertEquals(127, PyTorchQnnpack.quantize(0.5f, 0.001, 127, ElementType.I8)); // 627 -> 127
    assertEquals(Integer.MAX_VALUE, PyTorchQnnpack.quantize(3e9f, 1.0, 0, ElementType.I32));
  }

  @Test
  void quantizeOutOfInt64RangeGivesTheMinimumLikeX86() {
    // (int64) of a float >= 2^63 or NaN is INT64_MIN on x86, which then clamps to qmin.
    // torch 1.13.1 on x86-64 returns exactly these.
    assertEquals(0, PyTorchQnnpack.quantize(1e30f, 1.0, 10, ElementType.U8));
    assertEquals(0, PyTorchQnnpack.quantize(Float.POSITIVE_INFINITY, 1.0, 10, ElementType.U8));
    assertEquals(0, PyTorchQnnpack.quantize(Float.NaN, 1.0, 10, ElementType.U8));
    assertEquals(-128, PyTorchQnnpack.quantize(Float.NaN, 1.0, 0, ElementType.I8));
    assertEquals(Integer.MIN_VALUE, PyTorchQnnpack.quantize(1e19f, 1.0, 0, ElementType.I32));
    assertEquals(255, PyTorchQnnpack.quantize(9e18f, 1.0, 0, ElementType.U8)); // below 2^63: fine
  }

  @Test
  void dequantize() {
    // f32(0.1) * 127: 0.100000001490116 * 127 = 12.70000018924 -> nearest float 12.6999998 (spacing
    // 9.5e-7: candidates 12.69999980926513671875 and 12.70000076293945; the first is 3.8e-7 away)
    assertEquals(12.699999809265137f, PyTorchQnnpack.dequantize(255, 0.1, 128));
    // f32(0.1) * -128 = -13421773 * 2^-27 * 2^7, exact: -12.80000019073486328125
    assertEquals(-12.800000190734863f, PyTorchQnnpack.dequantize(0, 0.1, 128));
    assertEquals(0.0f, PyTorchQnnpack.dequantize(128, 0.1, 128));
  }

  @Test
  void requantizationScaleIsAllFloat() {
    // (2^-3 * 2^-2) * (1 / 2^-4) = 0.5 exactly
    assertEquals(0.5f, PyTorchQnnpack.requantizationScale(0.25, 0.125, 0.0625));
    // 0.75 * 0.5 = 0.375; 1 / 3.0f = 0.3333333432674407958984375 (0x3EAAAAAB); 0.375 times that
    // = 0.1250000037252902984619140625 = 0.125 + 2^-28: 0.125's float spacing is 2^-26, so the
    // product rounds to 0.125 (real arithmetic: 0.125 exactly as well, but via 1/3 rounded up)
    assertEquals(0.125f, PyTorchQnnpack.requantizationScale(0.75, 0.5, 3.0));
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpack.requantizationScale(1e-30, 1e-30, 1.0));
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpack.requantizationScale(1.0, 1.0, 0.0));
  }

  @Test
  void biasRoundsAtTheDoubleProductScale() {
    // exact scales: 0.5 * 0.25 = 0.125, 1 / 0.125 = 8; 0.0625 * 8 = 0.5 -> 0; 0.1875 * 8 = 1.5 -> 2
    assertEquals(0, PyTorchQnnpack.quantizeBias(0.0625f, 0.5, 0.25));
    assertEquals(2, PyTorchQnnpack.quantizeBias(0.1875f, 0.5, 0.25));
    assertEquals(-2, PyTorchQnnpack.quantizeBias(-0.1875f, 0.5, 0.25));
    assertEquals(Integer.MAX_VALUE, PyTorchQnnpack.quantizeBias(1e10f, 0.5, 0.25)); // saturates
    // Produced by torch 1.13.1 (engine qnnpack): a 1x1 quantized Conv2d, s_in = 0.3, s_w = 0.1
    // (weights 1), input at its zero point so acc = 0, output scale f32(f32(0.1) * f32(0.3)) so the
    // requantization scale is 1.0; qb = output - 128. Biases are the floats nearest (k + 1/2) *
    // f32(0.1 * 0.3), given as bits. The same table holds for linear and per-channel weights.
    int[][] table = {
      {0xbe28f5c2, -6}, {0xbe0a3d70, -4}, {0xbdd70a3d, -4}, {0xbd999999, -2}, {0xbd3851eb, -2},
      {0xbc75c28f, 0}, {0x3c75c28f, 0}, {0x3d3851eb, 2}, {0x3d999999, 2}, {0x3dd70a3d, 4},
      {0x3e0a3d70, 4}, {0x3e28f5c2, 6}, {0x3e47ae14, 7},
    };
    int differFromFloatProduct = 0;
    for (int[] row : table) {
      float bias = Float.intBitsToFloat(row[0]);
      assertEquals(row[1], PyTorchQnnpack.quantizeBias(bias, 0.3, 0.1), "bias " + bias);
      long withFloatScale = Math.round(Math.rint(bias * (1.0f / (0.1f * 0.3f))));
      if (withFloatScale != row[1]) {
        differFromFloatProduct++;
      }
    }
    // The float product f32(f32(0.1) * f32(0.3)) would get 7 of the 13 wrong.
    assertEquals(7, differFromFloatProduct);
  }

  @Test
  void requantizeRoundsClampsAndAddsZeroPoint() {
    assertEquals(2, PyTorchQnnpack.requantize(5, 0.5f, 0, 0, 255)); // 2.5 -> 2
    assertEquals(4, PyTorchQnnpack.requantize(7, 0.5f, 0, 0, 255)); // 3.5 -> 4
    assertEquals(8, PyTorchQnnpack.requantize(-5, 0.5f, 10, 0, 255)); // -2.5 -> -2, + 10
    assertEquals(10, PyTorchQnnpack.requantize(-5, 0.5f, 10, 10, 255)); // fused ReLU: lo = zp
    assertEquals(0, PyTorchQnnpack.requantize(-30, 0.5f, 0, 0, 255)); // -15 saturates to 0
    assertEquals(255, PyTorchQnnpack.requantize(1000, 1.0f, 0, 0, 255));
    assertEquals(255, PyTorchQnnpack.requantize(1 << 18, 4096.0f, 0, 0, 255)); // 2^30 fits int32
    // 2^20 * 2^12 = 2^32: cvtps2dq gives INT32_MIN -> -32768 -> 0. torch 1.13.1 shows the same
    // (input 200, scales 1, output scale 1e-8: output 0, not 255).
    assertEquals(0, PyTorchQnnpack.requantize(1 << 20, 4096.0f, 0, 0, 255));
    // f32(2^31 - 1) = 2^31 is out of int32 range too: INT_MAX with m = 1 gives 0
    assertEquals(0, PyTorchQnnpack.requantize(Integer.MAX_VALUE, 1.0f, 0, 0, 255));
    assertEquals(255, PyTorchQnnpack.requantize(Integer.MAX_VALUE, 0.5f, 0, 0, 255)); // 2^30
    assertEquals(0, PyTorchQnnpack.requantize(Integer.MIN_VALUE, 1.0f, 255, 0, 255)); // -2^31 fits
    assertEquals(200, PyTorchQnnpack.requantize(300, 1.0f, 0, 0, 200)); // explicit upper clamp
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpack.requantize(0, 1.0f, 256, 0, 255));
  }

  @Test
  void integerOnlyRequantFinishesIdentically() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      float m = Math.scalb(1.0f + random.nextFloat(), random.nextInt(-24, 14));
      int acc = i % 2 == 0 ? random.nextInt() : random.nextInt(-50000, 50000);
      int zp = random.nextInt(256);
      long y = IntegerOnlyRequant.of(m).apply(acc);
      assertEquals(PyTorchQnnpack.requantize(acc, m, zp, 0, 255), PyTorchQnnpack.finishRequantization(y, zp, 0, 255));
    }
  }

  @Test
  void addWithExactScales() {
    // s_a / s_o = 0.5, s_b / s_o = 0.25: max exponent -1, shift 22; M_a = 2^21, M_b = 2^20.
    // zero point product -(2^21 * 128 + 2^20 * 0) = -268435456
    PyTorchQnnpack.AddParams p = PyTorchQnnpack.addParams(0.5, 128, 0.25, 0, 1.0, 10, false);
    assertEquals(new PyTorchQnnpack.AddParams(2097152, 1048576, 22, -268435456, 10, 0, 255), p);
    assertEquals(11, PyTorchQnnpack.add(129, 2, p)); // 0.5 * 1 + 0.25 * 2 = 1 -> 11
    assertEquals(11, PyTorchQnnpack.add(129, 0, p)); // 0.5 -> 1 (half away from zero) -> 11
    assertEquals(9, PyTorchQnnpack.add(127, 0, p)); // -0.5 -> -1 -> 9
    assertEquals(10, PyTorchQnnpack.add(127, 1, p)); // -0.25 -> 0 -> 10
    assertEquals(0, PyTorchQnnpack.add(0, 0, p)); // -64 + 10 -> 0
    assertEquals(137, PyTorchQnnpack.add(255, 255, p)); // 63.5 + 63.75 = 127.25 -> 127, + 10
    PyTorchQnnpack.AddParams relu = PyTorchQnnpack.addParams(0.5, 128, 0.25, 0, 1.0, 10, true);
    assertEquals(10, relu.outputMin());
    assertEquals(10, PyTorchQnnpack.add(127, 0, relu)); // 9 clamped up to the zero point
  }

  @Test
  void addMatchesTorch() {
    // Produced by torch 1.13.1 (engine qnnpack): quantized::add and add_relu of quint8 tensors,
    // s_a = 0.3, zp_a = 120, s_b = 0.7, zp_b = 7, s_o = 0.45, zp_o = 131.
    // Hand check of rows 3 and 4: ratios f32(0.3f / 0.45f) ~ 0.6667 and f32(0.7f / 0.45f) ~ 1.5556,
    // exponent 0, shift 21; (121, 8) is (1, 1) above the zero points: 0.6667 + 1.5556 = 2.22 -> 2,
    // 133; (119, 6) gives -2.22 -> -2, 129, and 131 with ReLU.
    int[] a = {0, 255, 120, 121, 119, 7, 200, 50, 133, 1};
    int[] b = {255, 0, 7, 8, 6, 7, 30, 250, 9, 77};
    int[] sum = {255, 210, 131, 133, 129, 56, 220, 255, 143, 161};
    int[] sumRelu = {255, 210, 131, 133, 131, 131, 220, 255, 143, 161};
    PyTorchQnnpack.AddParams p = PyTorchQnnpack.addParams(0.3, 120, 0.7, 7, 0.45, 131, false);
    PyTorchQnnpack.AddParams pr = PyTorchQnnpack.addParams(0.3, 120, 0.7, 7, 0.45, 131, true);
    assertEquals(21, p.shift());
    for (int i = 0; i < a.length; i++) {
      assertEquals(sum[i], PyTorchQnnpack.add(a[i], b[i], p), "add row " + i);
      assertEquals(sumRelu[i], PyTorchQnnpack.add(a[i], b[i], pr), "add_relu row " + i);
    }
  }

  @Test
  void addRefusesWhatQnnpackRefuses() {
    // ratio 2^8 and 2^-15 are outside [2^-14, 2^8)
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpack.addParams(256.0, 0, 1.0, 0, 1.0, 0, false));
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpack.addParams(0x1p-15, 0, 1.0, 0, 1.0, 0, false));
    // both ratios below 2^-10: shift would exceed 31
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpack.addParams(0x1p-11, 0, 0x1p-12, 0, 1.0, 0, false));
    // ratio 2^-10 is fine: exponent -10, shift 31
    assertEquals(31, PyTorchQnnpack.addParams(0x1p-10, 0, 0x1p-12, 0, 1.0, 0, false).shift());
    // add_relu with output zero point 255: range [255, 255] refused by QNNPACK (and by torch)
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpack.addParams(1.0, 0, 1.0, 0, 1.0, 255, true));
    assertEquals(0, PyTorchQnnpack.addParams(1.0, 0, 1.0, 0, 1.0, 255, false).outputMin());
  }
}
