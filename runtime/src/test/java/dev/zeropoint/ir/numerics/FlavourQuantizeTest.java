package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeropoint.ir.ElementType;
import org.junit.jupiter.api.Test;

/** Hand-computed cases: where ONNX (half to even) and TFLite (half away from zero) part ways. */
class FlavourQuantizeTest {
  @Test
  void tiesRoundToEvenInOnnxAndAwayFromZeroInTflite() {
    // 2.5 / 1.0 = 2.5 exactly: ONNX rint -> 2, TFLite round -> 3; zero point 10 added after.
    assertEquals(12, FlavourQuantize.onnxQuantize(2.5f, 1.0, 10, ElementType.U8));
    assertEquals(13, FlavourQuantize.tfliteQuantize(2.5f, 1.0, 10, ElementType.U8));
    // -0.5 / 0.25 = -2 exactly (no tie); -0.375 / 0.25 = -1.5: ONNX -> -2, TFLite -> -2 (away from zero).
    assertEquals(-2 + 5, FlavourQuantize.onnxQuantize(-0.375f, 0.25, 5, ElementType.I8));
    assertEquals(-2 + 5, FlavourQuantize.tfliteQuantize(-0.375f, 0.25, 5, ElementType.I8));
    // -0.125 / 0.25 = -0.5: ONNX -> -0 = 0, TFLite -> -1.
    assertEquals(5, FlavourQuantize.onnxQuantize(-0.125f, 0.25, 5, ElementType.I8));
    assertEquals(4, FlavourQuantize.tfliteQuantize(-0.125f, 0.25, 5, ElementType.I8));
  }

  @Test
  void divisionDiffersFromMultiplyingByTheReciprocal() {
    // x = 0.273939937f, s = f32(0.00214854861): x / s in float32 is just below 127.5 and rounds to 127,
    // while PyTorch's x * f32(1/s) rounds to 128 (docs/numerics.md).
    float x = 0.273939937f;
    double s = (float) 0.00214854861;
    assertEquals(127, FlavourQuantize.onnxQuantize(x, s, 0, ElementType.U8));
    assertEquals(127, FlavourQuantize.tfliteQuantize(x, s, 0, ElementType.U8));
    assertEquals(128, PyTorchQnnpack.quantize(x, s, 0, ElementType.U8));
  }

  @Test
  void saturationAtBothEnds() {
    assertEquals(255, FlavourQuantize.onnxQuantize(1e6f, 0.1, 3, ElementType.U8));
    assertEquals(0, FlavourQuantize.onnxQuantize(-1e6f, 0.1, 3, ElementType.U8));
    assertEquals(-128, FlavourQuantize.tfliteQuantize(-1e6f, 0.1, 0, ElementType.I8));
    assertEquals(127, FlavourQuantize.tfliteQuantize(1e6f, 0.1, 0, ElementType.I8));
    // Beyond int32 TFLite's cast gives INT_MIN (x86), which clamps to qmin even for a huge positive value.
    assertEquals(-128, FlavourQuantize.tfliteQuantize(1e30f, 1.0, 0, ElementType.I8));
    assertEquals(127, FlavourQuantize.onnxQuantize(1e30f, 1.0, 0, ElementType.I8));
  }

  @Test
  void dequantizeRoundsOnceOrTwice() {
    // ONNX: f32(q - zp) * f32(scale): (7 - 2) * f32(0.1) = 5 * 0.100000001490116 = 0.50000000745 -> f32 0.5.
    assertEquals(0.5f, FlavourQuantize.onnxDequantize(7, 0.1, 2));
    // TFLite: double 0.1 * 5 = 0.5 exactly in double arithmetic (0.5000000000000000277 rounds to 0.5).
    assertEquals(0.5f, FlavourQuantize.tfliteDequantize(7, 0.1, 2));
  }
}
