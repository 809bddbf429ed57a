package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeropoint.ir.ElementType;
import org.junit.jupiter.api.Test;

class PyTorchQnnpackTablesTest {

  @Test
  void qnnpackSigmoid() {
    int[] t = PyTorchQnnpackTables.qnnpackSigmoid(1.0, 128);
    // x = 0: 256 / (1 + 1) = 128
    assertEquals(128, t[128]);
    // x = 1: expf(-1) = 0.36787945 (0x3EBC5AB2), 1 + that = 1.3678794, 256 / 1.3678794 = 187.151,
    // far from a tie: 187
    assertEquals(187, t[129]);
    // x = -1: expf(1) = 2.7182817, 256 / 3.7182817 = 68.85 -> 69
    assertEquals(69, t[127]);
    // x = 127: expf(-127) underflows to 0 in float, 256 / 1 = 256, clamped to 255 before rounding
    assertEquals(255, t[255]);
    // x = -128: expf(128) overflows to infinity, 256 / inf = 0
    assertEquals(0, t[0]);
  }

  @Test
  void qnnpackHardsigmoidTiesRoundToEven() {
    // s = 3/256 (exact), zp 0: x = 3i/256, (x + 3) / 6 = (i + 256) / 512 exactly, times 256 =
    // (i + 256) / 2: a tie for every odd i.
    int[] t = PyTorchQnnpackTables.qnnpackHardsigmoid(3.0 / 256, 0);
    assertEquals(128, t[0]); // 128
    assertEquals(128, t[1]); // 128.5 -> 128
    assertEquals(130, t[3]); // 129.5 -> 130
    assertEquals(129, t[2]); // 129
    assertEquals(255, t[255]); // 255.5 is clamped to 255 before rounding
    // zp 128, s = 0.5: i = 122 gives x = -3 -> 0; i = 134 gives x = 3 -> 6 / 6 * 256 = 256 -> 255
    int[] u = PyTorchQnnpackTables.qnnpackHardsigmoid(0.5, 128);
    assertEquals(0, u[122]);
    assertEquals(0, u[0]);
    assertEquals(255, u[134]);
  }

  @Test
  void qnnpackHardswishAddsTheZeroPointBeforeRoundingAtenAfter() {
    // s_in 0.5, zp_in 128, s_out 0.25, zp_out 11. i = 125: x = -1.5, x + 3 = 1.5,
    // x * 1.5 / 6 = -0.375, times 1 / 0.25 = -1.5.
    // QNNPACK: -1.5 + 11 = 9.5 -> 10 (even). ATen's quantize_val: RNE(-1.5) = -2, -2 + 11 = 9.
    int[] qnnpack = PyTorchQnnpackTables.qnnpackHardswish(0.5, 128, 0.25, 11);
    int[] aten = PyTorchQnnpackTables.atenHardswish(0.5, 128, 0.25, 11, ElementType.U8);
    assertEquals(10, qnnpack[125]);
    assertEquals(9, aten[125]);
    // x = 0 and x = -3 give (+-)0: the zero point
    assertEquals(11, qnnpack[128]);
    assertEquals(11, qnnpack[122]);
    // x = 1: 1 * 4 / 6 = 0.6666667, times 4 = 2.6666667, + 11 = 13.67 -> 14
    assertEquals(14, qnnpack[130]);
    // x = 10: 10 * 6 / 6 = 10, times 4 = 40, + 11 = 51
    assertEquals(51, qnnpack[148]);
    // x = 63.5: 63.5 * 4 + 11 = 265, clamped to 255
    assertEquals(255, qnnpack[255]);
  }

  @Test
  void atenTablesForQint8() {
    // Sigmoid: s 1, zp 0, output 1/256 and -128. q = 0: 1 / (1 + 1) = 0.5, 0.5 * 256 = 128,
    // -128 + 128 = 0. q = 127: the double 1 / (1 + expf(-127)) is 1.0 -> 256 - 128 = 128 -> 127.
    // q = -128: expf(128) is infinite, 1 / inf = 0 -> -128.
    int[] sigmoid = PyTorchQnnpackTables.atenSigmoid(1.0, 0, 1.0 / 256, -128, ElementType.I8);
    assertEquals(0, sigmoid[128]);
    assertEquals(127, sigmoid[255]);
    assertEquals(-128, sigmoid[0]);
    // Hardsigmoid with s = 3/256, zp 0: q = 1 gives 257 / 512 * 256 = 128.5 -> 128, - 128 = 0;
    // q = 3 gives 129.5 -> 130, -128 + 130 = 2 (ties to even, the zero point added after).
    int[] hardsigmoid = PyTorchQnnpackTables.atenHardsigmoid(3.0 / 256, 0, 1.0 / 256, -128, ElementType.I8);
    assertEquals(0, hardsigmoid[128 + 1]);
    assertEquals(2, hardsigmoid[128 + 3]);
    // q = -128: x = -1.5, (x + 3) / 6 = 0.25, times 256 = 64, -128 + 64 = -64
    assertEquals(-64, hardsigmoid[0]);
  }

  @Test
  void refusals() {
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpackTables.qnnpackSigmoid(0.0, 0));
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpackTables.qnnpackSigmoid(0.1, 256));
    assertThrows(IllegalArgumentException.class, () -> PyTorchQnnpackTables.qnnpackHardswish(0.1, 0, 0.1, -1));
    assertThrows(IllegalArgumentException.class,
        () -> PyTorchQnnpackTables.atenSigmoid(0.1, 0, 1.0 / 256, 0, ElementType.I32));
  }
}
