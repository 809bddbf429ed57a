package dev.zeropoint.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorRequantize} (and {@link Requantize#requantizeFloat}, which runs it) gives, element by
 * element, the integers of the definition {@link PyTorchQnnpack#requantize}: seeded random scales
 * from 2^-30 to 2^8 (products past 2^22 and past 2^31 included, where x86 turns {@code y} into
 * INT32_MIN), accumulators at the int32 edges and next to rounding ties, every zero point and clamp,
 * and runs of every length and offset (the vector body and its scalar tail).
 */
class VectorRequantizeTest {
  private static final int[] EDGES = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -1, 0, 1, Integer.MAX_VALUE,
      Integer.MAX_VALUE - 1, 1 << 30, -(1 << 30), 32767, -32768, 65535, -65536, 1 << 22, -(1 << 22), (1 << 22) + 1};

  private static int[] accumulators(Random rnd, int n, float m) {
    int[] acc = new int[n];
    for (int i = 0; i < n; i++) {
      acc[i] = switch (rnd.nextInt(5)) {
        case 0 -> EDGES[rnd.nextInt(EDGES.length)];
        case 1 -> (int) Math.max(Integer.MIN_VALUE, // next to a tie: (j + 1/2) / m, and the integer either side
            Math.min(Integer.MAX_VALUE, Math.rint((rnd.nextInt(1200) - 600 + 0.5) / m) + rnd.nextInt(3) - 1));
        case 2 -> rnd.nextInt();
        case 3 -> (int) Math.max(Integer.MIN_VALUE, // around where the product crosses 2^22 and 2^31
            Math.min(Integer.MAX_VALUE, Math.rint((rnd.nextBoolean() ? 4194304.0 : 2147483648.0) / m)
                * (rnd.nextBoolean() ? 1 : -1) + rnd.nextInt(5) - 2));
        default -> rnd.nextInt(1 << 16) - (1 << 15);
      };
    }
    return acc;
  }

  @Test
  void equalsTheDefinition() {
    Random rnd = new Random(20261123);
    long compared = 0;
    for (int t = 0; t < 3000; t++) {
      float m = switch (t % 5) {
        case 0 -> Math.nextDown(1f);
        case 1 -> (float) Math.scalb(1.0 + rnd.nextDouble(), -1 - rnd.nextInt(30)); // 2^-30 .. 1
        case 2 -> (float) Math.scalb(1.0 + rnd.nextDouble(), rnd.nextInt(8)); // 1 .. 2^8
        case 3 -> -(float) Math.scalb(1.0 + rnd.nextDouble(), -1 - rnd.nextInt(20));
        default -> rnd.nextFloat();
      };
      int zp = rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? 0 : 255) : rnd.nextInt(256);
      int min = rnd.nextInt(3) == 0 ? zp : rnd.nextInt(128);
      int max = Math.max(min, 255 - rnd.nextInt(3) * rnd.nextInt(128));
      int n = 1 + rnd.nextInt(70);
      int start = rnd.nextInt(9);
      int[] acc = accumulators(rnd, start + n + rnd.nextInt(9), m);
      int[] vector = new int[acc.length];
      int[] viaRequantize = new int[acc.length];
      java.util.Arrays.fill(vector, -7);
      java.util.Arrays.fill(viaRequantize, -7);
      VectorRequantize.requantizeFloat(vector, acc, start, start + n, m, zp, min, max);
      Requantize.requantizeFloat(viaRequantize, acc, start, start + n, m, zp, min, max);
      for (int i = 0; i < acc.length; i++) {
        int want = i < start || i >= start + n ? -7 : PyTorchQnnpack.requantize(acc[i], m, zp, min, max);
        String what = "acc " + acc[i] + " m " + m + " zp " + zp + " [" + min + ", " + max + "] at " + i;
        assertEquals(want, vector[i], what);
        assertEquals(want, viaRequantize[i], what);
        compared++;
      }
    }
    assertTrue(compared > 100_000);
  }

  /** Past 2^31 the definition gives the minimum (x86's INT32_MIN); just below, the maximum. */
  @Test
  void productsPastInt32GiveTheMinimum() {
    int[] acc = {Integer.MAX_VALUE, 1 << 30, (1 << 30) - 64, -(1 << 30), 3, 2, 1, 0};
    int[] out = new int[8];
    VectorRequantize.requantizeFloat(out, acc, 0, 8, 2f, 10, 5, 200);
    assertEquals(java.util.List.of(5, 5, 200, 5, 16, 14, 12, 10), java.util.Arrays.stream(out).boxed().toList());
  }
}
