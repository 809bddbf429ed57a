package dev.zeropoint.backends.c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/** Random inputs and exact comparisons for the tests of the C kernel ports. */
final class CTestSupport {
  private CTestSupport() {}

  /** The storage range of an integer CType. */
  static long min(CType t) {
    return switch (t) {
      case U8 -> 0;
      case I8 -> Byte.MIN_VALUE;
      case I16 -> Short.MIN_VALUE;
      case I32 -> Integer.MIN_VALUE;
      default -> Long.MIN_VALUE;
    };
  }

  static long max(CType t) {
    return switch (t) {
      case U8 -> 255;
      case I8 -> Byte.MAX_VALUE;
      case I16 -> Short.MAX_VALUE;
      case I32 -> Integer.MAX_VALUE;
      default -> Long.MAX_VALUE;
    };
  }

  /** n values uniform in the range of t, with its bounds now and then. */
  static int[] ints(Random r, int n, CType t) {
    return ints(r, n, (int) min(t), (int) max(t));
  }

  /** n values uniform in [lo, hi], with the bounds now and then. */
  static int[] ints(Random r, int n, int lo, int hi) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      int pick = r.nextInt(16);
      v[i] = pick == 0 ? lo : pick == 1 ? hi : (int) (lo + (long) (r.nextDouble() * ((long) hi - lo + 1)));
    }
    return v;
  }

  /** n floats: mostly normal-ish values of magnitude around scale, with some zeros and signed zeros. */
  static float[] floats(Random r, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      int pick = r.nextInt(40);
      v[i] = switch (pick) {
        case 0 -> 0f;
        case 1 -> -0f;
        case 2 -> (float) r.nextInt(7) - 3;
        default -> (float) (r.nextGaussian() * scale);
      };
    }
    return v;
  }

  /** Floats with the special values too: NaN, infinities, huge and tiny values. */
  static float[] floatsWithSpecials(Random r, int n, float scale) {
    float[] v = floats(r, n, scale);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(30)) {
        case 0 -> v[i] = Float.NaN;
        case 1 -> v[i] = Float.POSITIVE_INFINITY;
        case 2 -> v[i] = Float.NEGATIVE_INFINITY;
        case 3 -> v[i] = (r.nextBoolean() ? 1 : -1) * (float) Math.scalb(1.0 + r.nextDouble(), 20 + r.nextInt(110));
        case 4 -> v[i] = Float.MIN_VALUE * r.nextInt(100);
        default -> { }
      }
    }
    return v;
  }

  /** Float arrays equal bit for bit (any NaN equals any NaN: Java does not fix NaN payloads). */
  static void assertBits(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what + ": length");
    for (int i = 0; i < want.length; i++) {
      if (Float.isNaN(want[i]) && Float.isNaN(got[i])) {
        continue;
      }
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        fail(what + ": element " + i + " is " + got[i] + " (" + Integer.toHexString(Float.floatToRawIntBits(got[i]))
            + "), Java gives " + want[i] + " (" + Integer.toHexString(Float.floatToRawIntBits(want[i])) + ")");
      }
    }
  }

  static void assertBits(Object[] want, Object[] got, String what) {
    assertEquals(want.length, got.length, what + ": count");
    for (int k = 0; k < want.length; k++) {
      assertBits((float[]) want[k], (float[]) got[k], what + ", array " + k);
    }
  }

  /** An int array as a constant of the narrowest type that holds it, or of a wider one at random. */
  static KernelHarness.In constant(Random r, int[] v) {
    CType t = CType.narrowest(v);
    if (r.nextInt(4) == 0) {
      t = t == CType.I8 ? CType.I16 : CType.I32;
    }
    return KernelHarness.in(t, v);
  }
}
