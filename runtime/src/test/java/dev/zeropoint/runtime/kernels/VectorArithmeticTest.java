package dev.zeropoint.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorArithmetic#addQnnpack} (which {@link Arithmetic#addQnnpack} runs) gives {@link
 * PyTorchQnnpack#add}'s integers element by element: parameters as PyTorch makes them from seeded
 * random scales and zero points (every shift QNNPACK accepts, with and without ReLU), operands over
 * the whole u8 range and at rounding ties, lengths that leave a scalar tail.
 */
class VectorArithmeticTest {
  @Test
  void qnnpackAddEqualsTheDefinition() {
    Random rnd = new Random(20261123);
    long compared = 0;
    java.util.Set<Integer> shifts = new java.util.TreeSet<>();
    for (int t = 0; t < 4000; t++) {
      double outScale = Math.scalb(1.0 + rnd.nextDouble(), -rnd.nextInt(8));
      double aScale = outScale * Math.scalb(1.0 + rnd.nextDouble(), rnd.nextInt(17) - 10);
      double bScale = outScale * Math.scalb(1.0 + rnd.nextDouble(), rnd.nextInt(17) - 10);
      PyTorchQnnpack.AddParams p;
      try {
        p = PyTorchQnnpack.addParams(aScale, rnd.nextInt(256), bScale, rnd.nextInt(256), outScale,
            rnd.nextInt(255), rnd.nextBoolean());
      } catch (IllegalArgumentException e) {
        continue; // a combination PyTorch refuses
      }
      shifts.add(p.shift());
      int n = 1 + rnd.nextInt(80);
      int[] a = new int[n];
      int[] b = new int[n];
      for (int i = 0; i < n; i++) {
        a[i] = rnd.nextInt(8) == 0 ? (rnd.nextBoolean() ? 0 : 255) : rnd.nextInt(256);
        b[i] = rnd.nextInt(8) == 0 ? (rnd.nextBoolean() ? 0 : 255) : rnd.nextInt(256);
      }
      int[] vector = new int[n];
      int[] viaArithmetic = new int[n];
      VectorArithmetic.addQnnpack(vector, a, b, p);
      Arithmetic.addQnnpack(viaArithmetic, a, b, p.aMultiplier(), p.bMultiplier(), p.shift(), p.zeroPointProduct(),
          p.outputZeroPoint(), p.outputMin(), p.outputMax());
      for (int i = 0; i < n; i++) {
        int want = PyTorchQnnpack.add(a[i], b[i], p);
        assertEquals(want, vector[i], "a " + a[i] + " b " + b[i] + " " + p);
        assertEquals(want, viaArithmetic[i], "a " + a[i] + " b " + b[i] + " " + p);
        compared++;
      }
    }
    assertTrue(compared > 50_000);
    assertTrue(shifts.size() > 12, "shifts tried: " + shifts);
  }

  /** Ties of the rounding shift, both signs: half away from zero. */
  @Test
  void tiesRoundAwayFromZero() {
    // acc = zpp + a * 2^13 with shift 14: a odd gives a remainder of exactly one half.
    PyTorchQnnpack.AddParams p = new PyTorchQnnpack.AddParams(1 << 13, 0, 14, -(101 << 13), 100, 0, 255);
    int[] a = {0, 1, 2, 3, 99, 100, 101, 102, 103, 255, 201, 0};
    int[] out = new int[a.length];
    VectorArithmetic.addQnnpack(out, a, new int[a.length], p);
    // (a - 101) / 2 rounded half away from zero, plus 100: a = 0 gives -50.5, so -51, so 49
    int[] want = {49, 50, 50, 51, 99, 99, 100, 101, 101, 177, 150, 49};
    assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(out));
  }

  /**
   * Sums at the int32 bounds with zero points at and past the ends of [-2^30, 2^30): the rounded sum
   * plus the zero point leaves int32 past them, and {@link Arithmetic#addQnnpack} still gives the
   * definition's clamp of the exact sum (the case a C test found: 2^30 + 2^30 is not negative).
   */
  @Test
  void zeroPointsPastTheInt32RangeClampTheExactSum() {
    Random rnd = new Random(7);
    for (int zeroPointProduct : new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 0}) {
      for (int shift : new int[] {1, 2, 31}) {
        for (int zp : new int[] {(1 << 30) - 1, 1 << 30, -(1 << 30), -(1 << 30) - 1, Integer.MAX_VALUE,
            Integer.MIN_VALUE}) {
          for (int m = 0; m < 3; m++) {
            PyTorchQnnpack.AddParams p = new PyTorchQnnpack.AddParams(m, -m, shift, zeroPointProduct, zp,
                m == 2 ? Integer.MIN_VALUE : 0, m == 2 ? Integer.MAX_VALUE : 255);
            int[] a = new int[19];
            int[] b = new int[19];
            for (int i = 0; i < a.length; i++) {
              a[i] = rnd.nextInt(256);
              b[i] = rnd.nextInt(256);
            }
            int[] out = new int[a.length];
            Arithmetic.addQnnpack(out, a, b, p.aMultiplier(), p.bMultiplier(), shift, zeroPointProduct, zp,
                p.outputMin(), p.outputMax());
            for (int i = 0; i < a.length; i++) {
              long acc = (int) (zeroPointProduct + (long) a[i] * m - (long) b[i] * m);
              long q = Math.floorDiv(Math.abs(acc) + (1L << (shift - 1)), 1L << shift) * Long.signum(acc);
              long want = Math.max(p.outputMin(), Math.min(p.outputMax(), q + zp));
              assertEquals(want, out[i], "zpp " + zeroPointProduct + " shift " + shift + " zp " + zp + " m " + m);
            }
          }
        }
      }
    }
  }
}
