package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeropoint.ir.ElementType;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link OnnxRuntimeQLinear} on values computed by hand (exact binary fractions); the comparison with
 * ONNX Runtime itself on every input pair is {@code OnnxRuntimeQLinearTest} in the tests module.
 */
class OnnxRuntimeQLinearTest {
  @Test
  void addOfExactRatiosRoundsHalfToEven() {
    // rA = 0.5, rB = 0.25, fixed = 3 - (0.5 * 1 + 0.25 * 2) = 2: v = a / 2 + b / 4 + 2.
    OnnxRuntimeQLinear.AddParams p = OnnxRuntimeQLinear.addParams(0.5, 1, 0.25, 2, 1.0, 3, ElementType.U8);
    assertEquals(new OnnxRuntimeQLinear.AddParams(0.5f, 0.25f, 2f, ElementType.U8), p);
    assertEquals(4, OnnxRuntimeQLinear.add(3, 2, p));    // 4.0
    assertEquals(4, OnnxRuntimeQLinear.add(2, 2, p));    // 3.5 -> 4
    assertEquals(4, OnnxRuntimeQLinear.add(4, 2, p));    // 4.5 -> 4
    assertEquals(6, OnnxRuntimeQLinear.add(6, 3, p));    // 5.75 -> 6
    assertEquals(2, OnnxRuntimeQLinear.add(0, 0, p));
    assertEquals(193, OnnxRuntimeQLinear.add(255, 255, p));  // 127.5 + 63.75 + 2 = 193.25
  }

  @Test
  void addSaturatesToTheStorage() {
    OnnxRuntimeQLinear.AddParams u8 = OnnxRuntimeQLinear.addParams(1.0, 0, 0.5, 0, 0.0078125, 0, ElementType.U8);
    assertEquals(255, OnnxRuntimeQLinear.add(255, 255, u8));  // 32640 + 16320
    assertEquals(128, OnnxRuntimeQLinear.add(1, 0, u8));
    OnnxRuntimeQLinear.AddParams i8 = OnnxRuntimeQLinear.addParams(1.0, 0, 1.0, 0, 0.001, 0, ElementType.I8);
    assertEquals(-128, OnnxRuntimeQLinear.add(-128, 0, i8));
    assertEquals(127, OnnxRuntimeQLinear.add(1, 1, i8));
    OnnxRuntimeQLinear.AddParams small = OnnxRuntimeQLinear.addParams(0.5, -4, 0.25, 8, 1.0, -1, ElementType.I8);
    // fixed = -1 - (0.5 * -4 + 0.25 * 8) = -1; v = -64 - 32 - 1
    assertEquals(-97, OnnxRuntimeQLinear.add(-128, -128, small));
    assertThrows(IllegalArgumentException.class,
        () -> OnnxRuntimeQLinear.addParams(1, 0, 1, 0, 1, 0, ElementType.I32));
  }

  @Test
  void addFusesEachProductWithItsSum() {
    // rA = 1 + 2^-23, a = 255: the exact product 255 + 255 * 2^-23 rounds alone to 255 + 2^-15. With
    // fixed = -253.5 - 2^-15 the fused sum is 1.5 - 2^-23 (-> 1); the separate one 1.5 (-> 2).
    OnnxRuntimeQLinear.AddParams p = new OnnxRuntimeQLinear.AddParams(1f + 0x1p-23f, 0f, -253.5f - 0x1p-15f,
        ElementType.U8);
    assertEquals(1, OnnxRuntimeQLinear.add(255, 0, p));
  }

  @Test
  void globalAveragePoolScaleDividesOnceByTheRoundedProduct() {
    assertEquals(Optional.of(0.25f), OnnxRuntimeQLinear.globalAveragePoolScale(0.03, 0.03, 4));
    assertEquals(Optional.of(0.5f), OnnxRuntimeQLinear.globalAveragePoolScale(0.5, 0.25, 4));
    assertEquals(Optional.of(Float.intBitsToFloat(0x3eaaaaab)), OnnxRuntimeQLinear.globalAveragePoolScale(1, 1, 3));
    // ONNX Runtime refuses planes of 2^24 or more and multipliers outside [2^-32, 256).
    assertEquals(Optional.empty(), OnnxRuntimeQLinear.globalAveragePoolScale(1, 1, 1 << 24));
    assertEquals(Optional.empty(), OnnxRuntimeQLinear.globalAveragePoolScale(1, 1, 0));
    assertEquals(Optional.empty(), OnnxRuntimeQLinear.globalAveragePoolScale(256, 1, 1));
    assertEquals(Optional.of(255f), OnnxRuntimeQLinear.globalAveragePoolScale(255, 1, 1));
    assertEquals(Optional.empty(), OnnxRuntimeQLinear.globalAveragePoolScale(0x1p-33, 1, 1));
  }
}
