package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.ElementType;
import org.junit.jupiter.api.Test;

class PyTorchQnnpackPoolingTest {

  @Test
  void kernelChoice() {
    assertTrue(PyTorchQnnpackPooling.avgPoolUsesQnnpack(ElementType.U8, false));
    assertFalse(PyTorchQnnpackPooling.avgPoolUsesQnnpack(ElementType.U8, true)); // ceil_mode
    assertFalse(PyTorchQnnpackPooling.avgPoolUsesQnnpack(ElementType.I8, false)); // qint8
    assertTrue(PyTorchQnnpackPooling.maxPoolUsesQnnpack(ElementType.U8, false));
    assertFalse(PyTorchQnnpackPooling.maxPoolUsesQnnpack(ElementType.U8, true));
    // 8x8 -> 4x4 and 6x6 -> 1x1 divide; 7x5 -> 3x2 and 3x3 -> 2x2 do not; 5x5 -> 5x5 is the input's size
    assertTrue(PyTorchQnnpackPooling.adaptiveUsesQnnpack(ElementType.U8, 8, 8, 4, 4));
    assertTrue(PyTorchQnnpackPooling.adaptiveUsesQnnpack(ElementType.U8, 6, 6, 1, 1));
    assertFalse(PyTorchQnnpackPooling.adaptiveUsesQnnpack(ElementType.U8, 7, 5, 3, 2));
    assertFalse(PyTorchQnnpackPooling.adaptiveUsesQnnpack(ElementType.U8, 3, 3, 2, 2));
    assertFalse(PyTorchQnnpackPooling.adaptiveUsesQnnpack(ElementType.U8, 5, 5, 5, 5));
    assertFalse(PyTorchQnnpackPooling.adaptiveUsesQnnpack(ElementType.I8, 8, 8, 4, 4));
  }

  @Test
  void qnnpackScaleIsNotOneOverTheWindowSize() {
    // s = f32(0.1) = 13421773 * 2^-27. s * 6 = 80530638 * 2^-27 = 0.600000008940697; floats in
    // [0.5, 1) are 2^-24 apart: 80530638 / 8 = 10066329.75 rounds to 10066330, so f32(s * 6) =
    // 10066330 * 2^-24. s / that = 13421773 / 80530640 = 0.1666666542..., times 2^26 =
    // 11184810.07, rounds to 11184810: the scale is 11184810 * 2^-26 = 0.16666665673 (0x3E2AAAAA),
    // one unit below f32(1/6) = 11184811 * 2^-26 (0x3E2AAAAB).
    assertEquals(Float.intBitsToFloat(0x3E2AAAAA), PyTorchQnnpackPooling.qnnpackScale(0.1, 0.1, 6));
    // s = 0.125: 0.125 * 6 = 0.75 exactly and 0.125 / 0.75 rounds like 1/6.
    assertEquals(Float.intBitsToFloat(0x3E2AAAAB), PyTorchQnnpackPooling.qnnpackScale(0.125, 0.125, 6));
  }

  @Test
  void qnnpackAverageRoundsHalfToEvenThenAddsTheZeroPoint() {
    // acc * 0.25: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> 0, -1.5 -> -2; then + 101
    assertEquals(101, PyTorchQnnpackPooling.qnnpackAverage(2, 0.25f, 101));
    assertEquals(103, PyTorchQnnpackPooling.qnnpackAverage(6, 0.25f, 101));
    assertEquals(103, PyTorchQnnpackPooling.qnnpackAverage(10, 0.25f, 101));
    assertEquals(101, PyTorchQnnpackPooling.qnnpackAverage(-2, 0.25f, 101));
    assertEquals(99, PyTorchQnnpackPooling.qnnpackAverage(-6, 0.25f, 101));
    // saturation: 255 + 1 and 0 - 1
    assertEquals(255, PyTorchQnnpackPooling.qnnpackAverage(4, 0.25f, 255));
    assertEquals(0, PyTorchQnnpackPooling.qnnpackAverage(-4, 0.25f, 0));
  }

  @Test
  void qnnpackNearTieFromTheScale() {
    // A 2x3 window summing to 9 above the zero point, scale 0.1: 9 * 0x3E2AAAAA = 100663290 *
    // 2^-26 = 1.49999991; floats in [1, 2) are 2^-23 apart: 100663290 / 8 = 12582911.25 rounds to
    // 12582911, f32 = 1.4999998808, RNE 1. With scale 0.125 (exactly 1/6 rounded up): 9 * 11184811
    // * 2^-26 = 12582912.375 * 2^-23 rounds to 1.5, RNE 2. torch 1.13.1: avg_pool2d of
    // [[102, 101, 102], [103, 100, 101]] (zp 100) gives 101 at scale 0.1 and 102 at 0.125.
    float tenth = PyTorchQnnpackPooling.qnnpackScale(0.1, 0.1, 6);
    float eighth = PyTorchQnnpackPooling.qnnpackScale(0.125, 0.125, 6);
    assertEquals(101, PyTorchQnnpackPooling.qnnpackAverage(9, tenth, 100));
    assertEquals(102, PyTorchQnnpackPooling.qnnpackAverage(9, eighth, 100));
  }

  @Test
  void qnnpackRefusals() {
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpackPooling.qnnpackScale(0.1, 0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpackPooling.qnnpackScale(0.1, 0.1, 1 << 24));
    // ratio 1 / 256 = 2^-8 is allowed, 2^8 is not
    PyTorchQnnpackPooling.qnnpackScale(1.0, 256.0, 4);
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpackPooling.qnnpackScale(256.0, 1.0, 4));
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpackPooling.qnnpackScale(0.0, 1.0, 4));
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpackPooling.checkQnnpackMaxPool(1));
    PyTorchQnnpackPooling.checkQnnpackMaxPool(2);
  }

  @Test
  void atenNchwAddsTheZeroPointBeforeRoundingNhwcAfter() {
    // divisor 4 with equal scales: m = (float)(1.0 / 4) = 0.25
    float nchw = PyTorchQnnpackPooling.atenNchwMultiplier(0.03, 0.03, 4);
    float nhwc = PyTorchQnnpackPooling.atenNhwcMultiplier(0.03, 0.03, 4);
    assertEquals(0.25f, nchw);
    assertEquals(0.25f, nhwc);
    // acc 2, zp 1: NCHW rounds 0.5 + 1 = 1.5 to 2; NHWC rounds 0.5 to 0 and adds 1
    assertEquals(2, PyTorchQnnpackPooling.atenNchwAverage(2, nchw, 1, ElementType.I8));
    assertEquals(1, PyTorchQnnpackPooling.atenNhwcAverage(2, nhwc, 1, ElementType.I8));
    // acc -6, zp 1: NCHW -1.5 + 1 = -0.5 -> 0 (-0.0); NHWC -1.5 -> -2, -2 + 1 = -1
    assertEquals(0, PyTorchQnnpackPooling.atenNchwAverage(-6, nchw, 1, ElementType.I8));
    assertEquals(-1, PyTorchQnnpackPooling.atenNhwcAverage(-6, nhwc, 1, ElementType.I8));
    // saturation to the storage type
    assertEquals(127, PyTorchQnnpackPooling.atenNchwAverage(400, nchw, 100, ElementType.I8));
    assertEquals(-128, PyTorchQnnpackPooling.atenNhwcAverage(-400, nhwc, -100, ElementType.I8));
    assertEquals(255, PyTorchQnnpackPooling.atenNhwcAverage(400, nhwc, 200, ElementType.U8));
  }

  @Test
  void atenNchwMultiplierIsOneDoubleDivision() {
    // (0.5 / 0.25) / 3 = 2 / 3 in double, then to float: f32(2/3) = 0x3F2AAAAB
    assertEquals(Float.intBitsToFloat(0x3F2AAAAB), PyTorchQnnpackPooling.atenNchwMultiplier(0.5, 0.25, 3));
  }

  @Test
  void atenAdaptiveNchwRoundsTheAverageOfStoredValues() {
    // 2x2 window: r = f32(f32(1 / 2) / 2) = 0.25; sum 6 -> 1.5 -> 2 (no zero point involved)
    float r = PyTorchQnnpackPooling.atenAdaptiveNchwReciprocal(2, 2);
    assertEquals(0.25f, r);
    assertEquals(2, PyTorchQnnpackPooling.atenAdaptiveNchwAverage(6, r));
    assertEquals(2, PyTorchQnnpackPooling.atenAdaptiveNchwAverage(10, r)); // 2.5 -> 2
    assertEquals(-2, PyTorchQnnpackPooling.atenAdaptiveNchwAverage(-6, r)); // qint8 values: -1.5 -> -2
    // 3x3: f32(1/3) = 11184811 * 2^-25; / 3 = 11184811 / (3 * 2^25) = 0.11111111442; floats in
    // [1/16, 1/8) are 2^-27 apart and 11184811 * 4 / 3 = 14913081.33 rounds to 14913081: the
    // reciprocal is 14913081 * 2^-27 (0x3DE38E39), the same float as f32(1/9) (2^27 / 9 = 14913080.9)
    assertEquals(Float.intBitsToFloat(0x3DE38E39), PyTorchQnnpackPooling.atenAdaptiveNchwReciprocal(3, 3));
  }

  @Test
  void nhwcMultiplierSurvivesTheReciprocalRoundTripForEveryPoolSize() {
    // The scalar remainder of ATen's NHWC kernels quantizes with scale 1/m, the vectorized part
    // multiplies by m; they agree iff f32(1 / f32(1 / m)) == m, which holds for every m = f32(1 / d).
    for (int d = 1; d <= 1 << 20; d++) {
      PyTorchQnnpackPooling.atenNhwcMultiplier(0.02, 0.02, d);
    }
  }
}
