package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PyTorchAtenFloatTest {

  @Test
  void batchNormFoldsIntoScaleAndShift() {
    // var 0.25, eps 0 -> invstd 1 / 0.5 = 2; scale = 2 * weight 2 = 4; shift = 1 - 0.5 * 4 = -1
    var c = PyTorchAtenFloat.batchNormChannel(2f, 1f, 0.5f, 0.25f, 0.0);
    assertEquals(4f, c.scale());
    assertEquals(-1f, c.shift());
    assertEquals(3f, c.apply(1f));
    // eps is added in float: f32(1e-5) = 9.99999974737875e-06; 1 + that = 1.00001 (f32 1.0000100135803223);
    // sqrt -> 1.000005006790161 (f32); 1 / that = 0.9999949932098389 (f32)
    assertEquals(0.9999949932098389f, PyTorchAtenFloat.batchNormChannel(1f, 0f, 0f, 1f, 1e-5).scale());
  }

  @Test
  void batchNormRoundsOnceWithAFusedMultiplyAdd() {
    // scale = 0.5 + 2^-24 (weight, with var 1 and eps 0), shift = bias = -(1 + 3 * 2^-23), x = 5:
    // exact 5 * scale + shift = 2.5 + 5 * 2^-24 - 1 - 6 * 2^-24 = 1.5 - 2^-24, a tie between
    // 1.5 - 2^-23 (odd significand) and 1.5 (even) -> 1.5. Unfused it would be
    // f32(2.5 + 1.25 * 2^-22) = 2.5 + 2^-22, then + shift = 1.5 - 2^-23.
    var c = PyTorchAtenFloat.batchNormChannel(0.5f + 0x1p-24f, -(1f + 3 * 0x1p-23f), 0f, 1f, 0.0);
    assertEquals(-(1f + 3 * 0x1p-23f), c.shift());
    assertEquals(1.5f, c.apply(5f));
    assertEquals(1.5f - 0x1p-23f, c.scale() * 5f + c.shift());
  }
}
