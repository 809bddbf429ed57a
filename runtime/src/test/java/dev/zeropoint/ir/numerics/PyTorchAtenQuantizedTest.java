package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.ElementType;
import org.junit.jupiter.api.Test;

class PyTorchAtenQuantizedTest {

  @Test
  void floatAddIsExactOnBinaryScales() {
    // a: scale 0.5, zp 3, q 4 -> 0.5; b: scale 0.25, zp 100, q 104 -> 1.0; every step exact in both
    // lambdas: c = 1.5, times 1 / 1.0 = 1.5, RNE 2, plus zp 7 = 9. And q_a 2 -> -0.5, q_b 100 -> 0:
    // c = -0.5, RNE -0 -> 7 (QNNPACK's fixed-point add rounds half away from zero and gives 6).
    var p = PyTorchAtenQuantized.floatAddParams(0.5, 3, 0.25, 100, 1.0, 7, ElementType.U8);
    assertEquals(9, PyTorchAtenQuantized.floatAddScalar(4, 104, p));
    assertEquals(9, PyTorchAtenQuantized.floatAddVectorized(4, 104, p));
    assertEquals(7, PyTorchAtenQuantized.floatAddScalar(2, 100, p));
    assertEquals(7, PyTorchAtenQuantized.floatAddVectorized(2, 100, p));
  }

  @Test
  void floatAddLambdasDisagreeWhereTheFmaDequantizeShiftsATie() {
    // Parameters found by searching all 65,536 (a, b) pairs; torch 1.13.1 on [4, 100] + [4, 1] of
    // a = 30, b = 117 gives 84 for row elements 0..63 (vectorized) and 85 for 64..99 (scalar).
    // Floats as integer * power of two (exact):
    //   s_a = f32(0.020498367060933543) = 11004977 * 2^-29, z_a = 202
    //   s_b = f32(0.03109429141691874)  = 16693621 * 2^-29, z_b = 86
    //   inv = f32(1 / f32(0.02361102353217613)) = 11102610 * 2^-18, z_out = 193
    // Scalar lambda:
    //   da = f32(s_a * (30 - 202)) = -(11004977 * 172 = 1892856044) * 2^-29, to 24 bits:
    //        1892856044 / 2^7 = 14787937.84 -> -14787938 * 2^-22
    //   db = f32(s_b * 31) = 517502251 * 2^-29; / 2^5 = 16171945.34 -> 16171945 * 2^-24
    //   c  = (-59151752 + 16171945) * 2^-24 = -42979807 * 2^-24; / 4 = -10744951.75 -> -10744952 * 2^-22
    //   c * inv = -10744952 * 11102610 * 2^-40 = -108.49999992 -> f32 -108.5 (spacing 2^-17) -> RNE -108
    //   -> 193 - 108 = 85
    // Vectorized lambda (fma with the rounded premultiplied zero points):
    //   f32(s_a * -202) = -(2223005354 * 2^-29): / 2^8 = 8683614.66 -> -8683615 * 2^-21
    //   da = fma: (11004977 * 30 - 8683615 * 2^8) * 2^-29 = -1892856130 * 2^-29; / 2^7 = -14787938.52
    //        -> -14787939 * 2^-22 (one ulp below the scalar da)
    //   f32(s_b * -86) = -(1435651406 * 2^-29): / 2^7 = 11216026.6 -> -11216027 * 2^-22
    //   db = fma: (16693621 * 117 - 11216027 * 2^7) * 2^-29 = 517502201 * 2^-29; / 2^5 = 16171943.78
    //        -> 16171944 * 2^-24
    //   c  = (-59151756 + 16171944) * 2^-24 = -10744953 * 2^-22 (exact)
    //   c * inv = -108.49999992 - 11102610 * 2^-40 = -108.50001002 -> f32 -108.50000763 -> RNE -109
    //   -> 193 - 109 = 84
    var p = PyTorchAtenQuantized.floatAddParams(0.020498367060933543, 202, 0.03109429141691874, 86,
        0.02361102353217613, 193, ElementType.U8);
    assertEquals(85, PyTorchAtenQuantized.floatAddScalar(30, 117, p));
    assertEquals(84, PyTorchAtenQuantized.floatAddVectorized(30, 117, p));
  }

  @Test
  void vectorQuantizeClipsThenWrapsTheZeroPoint() {
    // QuantizeAvx2: min(x * inv, 2147483520) (NaN -> 2147483520), cvtps2dq, + zp in int32.
    // 1e10 -> 2147483520 + 10 = 2147483530 < 2^31 - 1 -> saturates to 255.
    assertEquals(255, PyTorchAtenQuantized.quantizeAvx2(1e10f, 1f, 10, ElementType.U8));
    // + 200 = 2147483720 wraps to -2147483576 -> 0 (quantize_val would give 255).
    assertEquals(0, PyTorchAtenQuantized.quantizeAvx2(1e10f, 1f, 200, ElementType.U8));
    assertEquals(255, PyTorchQnnpack.quantize(1e10f, 1.0, 200, ElementType.U8));
    // NaN becomes 2147483520 too (quantize_val gives qmin for NaN)
    assertEquals(127, PyTorchAtenQuantized.quantizeAvx2(Float.NaN, 1f, 0, ElementType.I8));
    assertEquals(-128, PyTorchQnnpack.quantize(Float.NaN, 1.0, 0, ElementType.I8));
    // -inf stays below the clip; cvtps2dq gives INT32_MIN; + 5 -> still negative -> 0
    assertEquals(0, PyTorchAtenQuantized.quantizeAvx2(Float.NEGATIVE_INFINITY, 1f, 5, ElementType.U8));
    // ordinary values: RNE then zero point: 2.5 -> 2, -2.5 -> -2
    assertEquals(12, PyTorchAtenQuantized.quantizeAvx2(2.5f, 1f, 10, ElementType.U8));
    assertEquals(8, PyTorchAtenQuantized.quantizeAvx2(-2.5f, 1f, 10, ElementType.I8));
  }

  @Test
  void mulRoundsTheProductOnce() {
    // mul_ties' parameters: 0.5 * 0.5 = 0.25, 1 / 0.5 = 2 -> multiplier 0.5 exactly.
    float m = PyTorchAtenQuantized.mulMultiplier(0.5, 0.5, 0.5);
    assertEquals(0.5f, m);
    // (121 - 120) * (134 - 131) = 3 -> 1.5 -> RNE 2 -> 77 + 2 = 79; (121 - 120) * (136 - 131) = 5 -> 2.5 -> 2
    // -> 79; (119 - 120) * (134 - 131) = -3 -> -1.5 -> -2 -> 75
    for (boolean vector : new boolean[] {false, true}) {
      assertEquals(79, mul(vector, 121, 120, 134, 131, m, 77, ElementType.U8));
      assertEquals(79, mul(vector, 121, 120, 136, 131, m, 77, ElementType.U8));
      assertEquals(75, mul(vector, 119, 120, 134, 131, m, 77, ElementType.U8));
    }
    // 0.75 * 0.5 = 0.375; 1 / 3.0f = 0.3333333432674407958984375; product 0.12500000372529 rounds to
    // 0.125 (spacing 2^-26 = 1.49e-8 around it)
    assertEquals(0.125f, PyTorchAtenQuantized.mulMultiplier(0.75, 0.5, 3.0));
  }

  @Test
  void mulLambdasDisagreeOnlyBeyondInt32() {
    // multiplier 2^24; (255 - 0) * (255 - 0) = 65025 -> 65025 * 2^24 = 1.09e12: lrintf keeps it
    // (int64) and the scalar lambda saturates to 255; cvtps2dq gives INT32_MIN, plus zp 0 -> 0.
    float m = 0x1p24f;
    assertEquals(255, PyTorchAtenQuantized.mulScalar(255, 0, 255, 0, m, 0, ElementType.U8));
    assertEquals(0, PyTorchAtenQuantized.mulVectorized(255, 0, 255, 0, m, 0, ElementType.U8));
  }

  private static int mul(boolean vector, int a, int za, int b, int zb, float m, int zo, ElementType e) {
    return vector
        ? PyTorchAtenQuantized.mulVectorized(a, za, b, zb, m, zo, e)
        : PyTorchAtenQuantized.mulScalar(a, za, b, zb, m, zo, e);
  }

  @Test
  void requantizeDequantizesThenQuantizes() {
    // cat_ties: input scale 0.5, zp 10 into scale 1.0, zp 11: q 11 -> 0.5 -> RNE 0 -> 11; q 13 -> 1.5
    // -> 2 -> 13; q 7 -> -1.5 -> -2 -> 9
    assertEquals(11, PyTorchAtenQuantized.requantize(11, 0.5, 10, 1.0, 11, ElementType.U8));
    assertEquals(13, PyTorchAtenQuantized.requantize(13, 0.5, 10, 1.0, 11, ElementType.U8));
    assertEquals(9, PyTorchAtenQuantized.requantize(7, 0.5, 10, 1.0, 11, ElementType.U8));
    // to qint8 with saturation: 200 - 0 = 200 steps of 1.0 -> 127
    assertEquals(127, PyTorchAtenQuantized.requantize(200, 1.0, 0, 1.0, 0, ElementType.I8));
    // same parameters: every value comes back (the float error stays far below 1/2)
    for (int q = 0; q < 256; q++) {
      assertEquals(q, PyTorchAtenQuantized.requantize(q, 0.0123, 77, 0.0123, 77, ElementType.U8));
    }
  }

  @Test
  void batchNormFusedParameters() {
    // var 0.25, eps 0: sigma 0.5, inv_sigma 2; weight 2, s_in / s_out = 0.5 / 0.25 = 2:
    // alpha = 2 * 2 * 2 = 8; beta = (1 - 0.5 * 2 * 2) / 0.25 = -4 (all exact)
    var c = PyTorchAtenQuantized.batchNormChannel(2f, 1f, 0.5f, 0.25f, 0.0, 0.5, 0.25);
    assertEquals(8f, c.alpha());
    assertEquals(-4f, c.beta());
    // q - zp = 1 -> 8 - 4 = 4 -> zp_out 100 + 4
    assertEquals(104, PyTorchAtenQuantized.batchNormScalar(11, 10, c, 100, ElementType.U8));
    assertEquals(104, PyTorchAtenQuantized.batchNormVectorized(11, 10, c, 100, ElementType.U8));
  }

  @Test
  void batchNormUsesOneFusedMultiplyAdd() {
    // alpha = 0.5 + 2^-24 (a float), beta = -(1 + 3 * 2^-23) (a float), q - zp = 5:
    // exact alpha * 5 + beta = 2.5 + 5 * 2^-24 - 1 - 6 * 2^-24 = 1.5 - 2^-24, halfway between the
    // floats 1.5 - 2^-23 (odd) and 1.5 (even) -> 1.5 -> RNE 2.
    // Unfused: f32(alpha * 5) = 2.5 + 1.25 * 2^-22 -> 2.5 + 2^-22; plus beta = 1.5 - 2^-23 -> RNE 1.
    var c = new PyTorchAtenQuantized.BatchNormChannel(0.5f + 0x1p-24f, -(1f + 3 * 0x1p-23f));
    assertEquals(2, PyTorchAtenQuantized.batchNormScalar(5, 0, c, 0, ElementType.U8));
    assertEquals(2, PyTorchAtenQuantized.batchNormVectorized(5, 0, c, 0, ElementType.U8));
    float unfused = c.alpha() * 5f + c.beta();
    assertEquals(1.0, Math.rint(unfused));
  }

  @Test
  void batchNormLambdasDisagreeBeyondInt32() {
    // torch 1.13.1, 13 channels, every value 3.16e9 output steps, zero point 200: channels 0..7
    // (vector block) give 0 (2147483520 + 200 wraps), channels 8..12 (scalar) give 255.
    var c = new PyTorchAtenQuantized.BatchNormChannel(3.16e7f, 0f);
    assertEquals(0, PyTorchAtenQuantized.batchNormVectorized(200, 100, c, 200, ElementType.U8));
    assertEquals(255, PyTorchAtenQuantized.batchNormScalar(200, 100, c, 200, ElementType.U8));
  }

  @Test
  void batchNormChannelBlocks() {
    // 32-channel blocks, then one padded block of the largest multiple of 8 if 8 or more remain
    assertFalse(PyTorchAtenQuantized.batchNormIsVectorized(0, 3));
    assertTrue(PyTorchAtenQuantized.batchNormIsVectorized(7, 8));
    assertTrue(PyTorchAtenQuantized.batchNormIsVectorized(7, 13));
    assertFalse(PyTorchAtenQuantized.batchNormIsVectorized(8, 13));
    assertTrue(PyTorchAtenQuantized.batchNormIsVectorized(39, 40)); // 32 + 8
    assertTrue(PyTorchAtenQuantized.batchNormIsVectorized(39, 47)); // 32 + 8 of 15
    assertFalse(PyTorchAtenQuantized.batchNormIsVectorized(40, 47));
    assertTrue(PyTorchAtenQuantized.batchNormIsVectorized(63, 70)); // 64, then 6 < 8
    assertFalse(PyTorchAtenQuantized.batchNormIsVectorized(64, 70));
  }
}
