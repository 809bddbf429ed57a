package dev.zeropoint.backends.lowering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.ElementType;
import org.junit.jupiter.api.Test;

/**
 * The lowering's proof that a convolution may run in float32 ({@code GemmF32}): from the constant
 * weights' largest magnitude and the input's element type and zero point, with the int32 kernel
 * kept whenever the bound fails.
 */
class LoweringGemmF32Test {
  private static int[] weights(int... values) {
    return values;
  }

  @Test
  void eightBitOperandsAreExact() {
    // u8 input, zero point at either end: |x - zp| reaches 255; weights at +-255 (u8 weights minus zp).
    assertEquals(255, Lowering.maxCentered(ElementType.U8, 0));
    assertEquals(255, Lowering.maxCentered(ElementType.U8, 255));
    assertEquals(128, Lowering.maxCentered(ElementType.U8, 128));
    assertEquals(255, Lowering.maxCentered(ElementType.I8, 127));
    assertTrue(Lowering.f32Exact(weights(255, -255, 3), ElementType.U8, 0, 3 * 3 * 512));
    assertTrue(Lowering.f32Exact(weights(-128, 127), ElementType.I8, -128, 9));
  }

  @Test
  void widerOperandsKeepTheInt32Kernel() {
    // 16-bit inputs: |x - zp| up to 65,535: 256 * 2 * 65,535 > 2^24, but 9 * 2 * 65,535 is below.
    assertEquals(65_535, Lowering.maxCentered(ElementType.I16, -32_768));
    assertFalse(Lowering.f32Exact(weights(2, -1), ElementType.I16, -32_768, 3 * 3 * 64));
    assertTrue(Lowering.f32Exact(weights(2, -1), ElementType.I16, -32_768, 9));
    assertFalse(Lowering.f32Exact(weights(200, -1), ElementType.I16, 0, 9));
    assertFalse(Lowering.f32Exact(weights(1), ElementType.I32, 0, 1));
    assertEquals(Long.MAX_VALUE, Lowering.maxCentered(ElementType.I64, 0));
    // Weights too wide for the depth: 300 * 255 * 256 > 2^24, but fine at depth 200.
    assertFalse(Lowering.f32Exact(weights(300, 0), ElementType.U8, 0, 256));
    assertTrue(Lowering.f32Exact(weights(300, 0), ElementType.U8, 0, 200));
    // The actual weights count, not their type: all-zero weights are exact with any input.
    assertTrue(Lowering.f32Exact(weights(0, 0), ElementType.I32, 0, 256));
  }
}
