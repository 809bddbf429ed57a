package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.ClampBounds.Bounds;
import dev.zeropoint.ir.numerics.ClampBounds.TfliteActivation;
import org.junit.jupiter.api.Test;

class ClampBoundsTest {

  @Test
  void tfliteRelu6() {
    // f32(0.05) = 0.0500000007450580596923828125; 6 / that = 119.9999982118607; floats in [64, 128)
    // are 7.6e-6 apart, so f32 quotient = 120.0 -> round 120; q = -128 + 120 = -8
    assertEquals(new Bounds(-128, -8), ClampBounds.tfliteActivation(TfliteActivation.RELU6, 0.05f, -128, ElementType.I8));
    // 6 / 0.01 ~ 600 -> min(127, 600) = 127; lower bound zp + 0 = 0
    assertEquals(new Bounds(0, 127), ClampBounds.tfliteActivation(TfliteActivation.RELU6, 0.01f, 0, ElementType.I8));
  }

  @Test
  void tfliteBoundsRoundHalfAwayFromZero() {
    // f32(0.4) = 0.4000000059604644775390625; 1 / that = 2.49999996274709...; 2.5 is 3.7e-8 away
    // (spacing 2.4e-7): f32 quotient 2.5, std::round -> 3; likewise -1 -> -2.5 -> -3.
    // (RNE would give [-2, 2].)
    assertEquals(new Bounds(-3, 3), ClampBounds.tfliteActivation(TfliteActivation.RELU_N1_TO_1, 0.4f, 0, ElementType.I8));
    assertEquals(3, ClampBounds.tfliteQuantize(1.0f, 0.4f, 0));
  }

  @Test
  void tfliteReluAndNone() {
    assertEquals(new Bounds(5, 255), ClampBounds.tfliteActivation(TfliteActivation.RELU, 0.1f, 5, ElementType.U8));
    assertEquals(new Bounds(-128, 127), ClampBounds.tfliteActivation(TfliteActivation.NONE, 0.1f, 5, ElementType.I8));
    // zero point at the bottom of the range: relu is a no-op, relu6 upper 6 / 0.5 = 12
    assertEquals(new Bounds(-128, -116), ClampBounds.tfliteActivation(TfliteActivation.RELU6, 0.5f, -128, ElementType.I8));
    // zero point at the top: relu6's upper bound 127 + 12 clamps to 127
    assertEquals(new Bounds(127, 127), ClampBounds.tfliteActivation(TfliteActivation.RELU6, 0.5f, 127, ElementType.I8));
  }

  @Test
  void tfliteRejectsBoundsBeyondInt32() {
    // 6 / 1e-12 = 6e12 does not fit int32: TFLite fails the model
    assertThrows(IllegalArgumentException.class,
        () -> ClampBounds.tfliteActivation(TfliteActivation.RELU6, 1e-12f, 0, ElementType.I8));
    assertThrows(IllegalArgumentException.class, () -> ClampBounds.tfliteQuantize(1.0f, 0.0f, 0)); // 1 / 0
  }

  @Test
  void pytorchClampQuantizesBoundsWithInputQparamsAndSaturates() {
    // s = 1/32 (inv 32 exact), zp = 100: 0 -> 100; 6 * 32 = 192 -> 292 -> 255 (that side a no-op)
    assertEquals(new Bounds(100, 255), ClampBounds.pytorchClamp(0f, 6f, 0.03125, 100, ElementType.U8));
    // +-0.5 s -> +-0.5 -> RNE 0 -> [100, 100] (an empty-width clamp, allowed by QNNPACK)
    assertEquals(new Bounds(100, 100), ClampBounds.pytorchClamp(-0.015625f, 0.015625f, 0.03125, 100, ElementType.U8));
    // -1.5 s -> -2 -> 98; 2.5 s -> 2 -> 102
    assertEquals(new Bounds(98, 102), ClampBounds.pytorchClamp(-0.046875f, 0.078125f, 0.03125, 100, ElementType.U8));
    // scale 0.1: inv = f32(1 / f32(0.1)) = 10.0f (see PyTorchQnnpackTest), so +-1 -> +-10:
    // [90, 110] (torch 1.13.1 hardtanh(-1, 1) on quint8 (0.1, 100) clamps 111.. to 110)
    assertEquals(new Bounds(90, 110), ClampBounds.pytorchClamp(-1f, 1f, 0.1, 100, ElementType.U8));
    assertEquals(110, new Bounds(90, 110).apply(200));
    assertEquals(90, new Bounds(90, 110).apply(-5));
  }

  @Test
  void pytorchOutputAndRelu() {
    assertEquals(new Bounds(0, 255), ClampBounds.pytorchQnnpackOutput(false, 37));
    assertEquals(new Bounds(37, 255), ClampBounds.pytorchQnnpackOutput(true, 37));
    assertEquals(new Bounds(-3, 127), ClampBounds.pytorchRelu(-3, ElementType.I8));
    assertThrows(IllegalArgumentException.class, () -> ClampBounds.pytorchQnnpackOutput(true, 256));
  }
}
