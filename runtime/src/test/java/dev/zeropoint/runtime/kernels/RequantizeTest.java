package dev.zeropoint.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Requantize#floatClampIsFloat}: where it holds, the two schemes agree on every accumulator tried. */
class RequantizeTest {
  private static int floatScheme(int acc, float m, int zp, int min, int max) {
    return PyTorchQnnpack.finishRequantization(PyTorchQnnpack.scaleAndRound(acc, m), zp, min, max);
  }

  @Test
  void floatClampEqualsFloatBelowScaleOne() {
    Random rnd = new Random(20261123);
    int[] edges = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -1, 0, 1, Integer.MAX_VALUE, Integer.MAX_VALUE - 1,
        1 << 30, -(1 << 30), 32767, -32768, 65535, -65536};
    long compared = 0;
    for (int t = 0; t < 2000; t++) {
      float m = switch (t % 4) {
        case 0 -> Math.nextDown(1f);
        case 1 -> (float) Math.scalb(1.0 + rnd.nextDouble(), -1 - rnd.nextInt(20)); // 2^-20 .. 1
        case 2 -> -(float) Math.scalb(1.0 + rnd.nextDouble(), -1 - rnd.nextInt(20));
        default -> rnd.nextFloat();
      };
      int zp = rnd.nextInt(256);
      int min = rnd.nextInt(3) == 0 ? zp : rnd.nextInt(128);
      int max = Math.max(min, 255 - rnd.nextInt(3) * rnd.nextInt(128));
      assertTrue(Requantize.floatClampIsFloat(new float[] {m}, zp, min, max, ElementType.U8));
      for (int k = 0; k < 600; k++) {
        int acc;
        if (k < edges.length) {
          acc = edges[k];
        } else if (k % 3 == 0) {
          // near a tie: (j + 1/2) / m
          acc = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.rint((rnd.nextInt(600) - 300 + 0.5) / m)));
        } else if (k % 3 == 1) {
          acc = rnd.nextInt();
        } else {
          acc = rnd.nextInt(1 << 16) - (1 << 15);
        }
        assertEquals(floatScheme(acc, m, zp, min, max), Requantize.floatClamp(acc, m, zp, min, max, ElementType.U8),
            "acc " + acc + " m " + m + " zp " + zp + " [" + min + ", " + max + "]");
        compared++;
      }
    }
    assertTrue(compared > 1_000_000);
  }

  @Test
  void outsideItsConditionsTheSchemesDiffer() {
    // A product past 2^31: x86's conversion gives INT32_MIN (the float scheme's minimum), ONNX
    // Runtime's saturates to the maximum.
    float m = 1.5f;
    assertFalse(Requantize.floatClampIsFloat(new float[] {0.5f, m}, 0, 0, 255, ElementType.U8));
    assertNotEquals(floatScheme(Integer.MAX_VALUE, m, 0, 0, 255),
        Requantize.floatClamp(Integer.MAX_VALUE, m, 0, 0, 255, ElementType.U8));
    assertEquals(255, Requantize.floatClamp(Integer.MAX_VALUE, m, 0, 0, 255, ElementType.U8));
    assertFalse(Requantize.floatClampIsFloat(new float[] {0.5f}, 0, -128, 127, ElementType.I8));
    assertFalse(Requantize.floatClampIsFloat(new float[] {1f}, 0, 0, 255, ElementType.U8));
    assertFalse(Requantize.floatClampIsFloat(new float[] {Float.NaN}, 0, 0, 255, ElementType.U8));
  }
}
