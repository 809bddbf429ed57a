package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IntegerOnlyRequantTest {

  /** The float computation being reproduced: {@code RNE(f32(f32(acc) * m))}. */
  private static long floatReference(int acc, float m) {
    return (long) Math.rint((float) acc * m);
  }

  @Test
  void decomposition() {
    // 0.5 = 2^23 * 2^-24; 1 = 2^23 * 2^-23; 1.5 = 3 * 2^22 * 2^-23
    assertEquals(new IntegerOnlyRequant(1 << 23, -24), IntegerOnlyRequant.of(0.5f));
    assertEquals(new IntegerOnlyRequant(1 << 23, -23), IntegerOnlyRequant.of(1.0f));
    assertEquals(new IntegerOnlyRequant(3 << 22, -23), IntegerOnlyRequant.of(1.5f));
    // m <= 2^-32 always gives 0: stored as the zero record
    assertEquals(new IntegerOnlyRequant(0, 0), IntegerOnlyRequant.of(0x1p-32f));
    assertEquals(new IntegerOnlyRequant(0, 0), IntegerOnlyRequant.of(Float.MIN_VALUE));
    // next float above 2^-32 = (2^23 + 1) * 2^-55
    assertEquals(new IntegerOnlyRequant((1 << 23) + 1, -55), IntegerOnlyRequant.of(Math.nextUp(0x1p-32f)));
    // largest accepted: (2^24 - 1) * 2^8 = 2^32 - 256
    assertEquals(new IntegerOnlyRequant((1 << 24) - 1, 8), IntegerOnlyRequant.of(Math.nextDown(0x1p32f)));
    assertEquals(1.5f, IntegerOnlyRequant.of(1.5f).multiplier());
    for (float bad : new float[] {0f, -0f, -1f, 0x1p32f, Float.NaN, Float.POSITIVE_INFINITY}) {
      assertThrows(IllegalArgumentException.class, () -> IntegerOnlyRequant.of(bad), "m=" + bad);
    }
    assertThrows(IllegalArgumentException.class, () -> new IntegerOnlyRequant(5, -30)); // not normalized
  }

  @Test
  void handComputedValues() {
    IntegerOnlyRequant half = IntegerOnlyRequant.of(0.5f);
    assertEquals(2, half.apply(5)); // 2.5 -> 2 (RNE)
    assertEquals(4, half.apply(7)); // 3.5 -> 4
    assertEquals(-2, half.apply(-5));
    assertEquals(0, half.apply(-1)); // -0.5 -> -0 -> 0
    IntegerOnlyRequant one = IntegerOnlyRequant.of(1.0f);
    assertEquals(Integer.MIN_VALUE, one.apply(Integer.MIN_VALUE)); // -2^31 is a float
    assertEquals(1L << 31, one.apply(Integer.MAX_VALUE)); // f32(2^31 - 1) = 2^31
    assertEquals(16777216, one.apply(16777217)); // 2^24 + 1 is a tie -> even 2^24
    // f32(2^24 + 1) = 2^24, times 1.5 = 25165824 exactly (real arithmetic: 25165825.5 -> 25165826)
    assertEquals(25165824, IntegerOnlyRequant.of(1.5f).apply(16777217));
    // (2^24 - 1)(1 + 2^-23) = 2^24 + 1 - 2^-23: float spacing is 2 above 2^24, below the midpoint
    // 2^24 + 1 -> f32 product 2^24 (real arithmetic would round to 2^24 + 1)
    assertEquals(16777216, IntegerOnlyRequant.of(1.0f + 0x1p-23f).apply(16777215));
    // smallest non-zero m > 2^-32 with acc = -2^31: product -(1 + 2^-23) / 2 -> -1
    assertEquals(-1, IntegerOnlyRequant.of(Math.nextUp(0x1p-32f)).apply(Integer.MIN_VALUE));
    assertEquals(0, IntegerOnlyRequant.of(0x1p-32f).apply(Integer.MIN_VALUE)); // -0.5 -> 0
    // largest m: -2^31 * (2^32 - 256) = -(2^63 - 2^39), exact in float
    assertEquals(-((1L << 63) - (1L << 39)), IntegerOnlyRequant.of(Math.nextDown(0x1p32f)).apply(Integer.MIN_VALUE));
    assertEquals(0, IntegerOnlyRequant.of(123.0f).apply(0));
  }

  /**
   * The selling point: equal to the float computation for every (acc, m). 12M seeded random pairs
   * over the whole domain (m log-uniform over (2^-34, 2^32), also concentrated on realistic
   * requantization scales; acc uniform, small, near powers of two and at the extremes).
   */
  @Test
  void equalsFloatComputationOnRandomPairs() {
    SplittableRandom random = new SplittableRandom(0x5EED);
    long mismatches = 0;
    String first = null;
    for (int i = 0; i < 12_000_000; i++) {
      float m = randomMultiplier(random, i);
      int acc = randomAccumulator(random, i >>> 2);
      long expected = floatReference(acc, m);
      long actual = IntegerOnlyRequant.of(m).apply(acc);
      if (expected != actual) {
        mismatches++;
        if (first == null) {
          first = "acc=" + acc + " m=" + m + " expected " + expected + " got " + actual;
        }
      }
    }
    assertEquals(0, mismatches, first);
  }

  /**
   * Near-ties: for random m, accumulators chosen so that acc * m lies within a few float ulps of n +
   * 1/2, where the two float roundings and the final RNE all matter. 3M cases.
   */
  @Test
  void equalsFloatComputationNearTies() {
    SplittableRandom random = new SplittableRandom(42);
    long mismatches = 0;
    String first = null;
    for (int i = 0; i < 1_000_000; i++) {
      float m = randomMultiplier(random, i);
      IntegerOnlyRequant requant = IntegerOnlyRequant.of(m);
      double target = random.nextInt(-100000, 100000) + 0.5;
      double center = target / m;
      if (Math.abs(center) > 2.0e9) {
        continue;
      }
      for (int delta = -1; delta <= 1; delta++) {
        int acc = (int) Math.round(center) + delta;
        long expected = floatReference(acc, m);
        long actual = requant.apply(acc);
        if (expected != actual) {
          mismatches++;
          if (first == null) {
            first = "acc=" + acc + " m=" + m + " expected " + expected + " got " + actual;
          }
        }
      }
    }
    assertEquals(0, mismatches, first);
  }

  /** Exact ties by construction: m = 2^-k, acc odd, so acc * m = odd / 2^k ends in exactly 1/2 when k = 1. */
  @Test
  void equalsFloatComputationOnExactTiesAndPowersOfTwo() {
    for (int k = -8; k <= 31; k++) {
      IntegerOnlyRequant requant = IntegerOnlyRequant.of(Math.scalb(1.0f, -k));
      for (int acc = -5000; acc <= 5000; acc++) {
        assertEquals(floatReference(acc, Math.scalb(1.0f, -k)), requant.apply(acc), "acc=" + acc + " k=" + k);
      }
      for (int j = 0; j < 31; j++) {
        for (int acc : new int[] {1 << j, (1 << j) + 1, (1 << j) - 1, -(1 << j), -(1 << j) - 1, -(1 << j) + 1}) {
          assertEquals(floatReference(acc, Math.scalb(1.0f, -k)), requant.apply(acc), "acc=" + acc + " k=" + k);
        }
      }
    }
  }

  private static float randomMultiplier(SplittableRandom random, int i) {
    return switch (i % 4) {
      // realistic requantization scales, about 2^-20 to 2^2
      case 0, 1 -> Math.scalb(1.0f + random.nextFloat(), random.nextInt(-20, 2));
      // the whole accepted range, plus the zero band below 2^-32
      case 2 -> {
        float m = Math.scalb(1.0f + random.nextFloat(), random.nextInt(-34, 32));
        yield m > 0 && m < 0x1p32f ? m : 0.5f;
      }
      // random bit patterns: short mantissas and the extreme significands
      default -> {
        int mantissaBits = random.nextBoolean() ? random.nextInt(0x800000) : (random.nextBoolean() ? 0 : 0x7FFFFF);
        yield Float.intBitsToFloat(((random.nextInt(-30, 31) + 127) << 23) | mantissaBits);
      }
    };
  }

  private static int randomAccumulator(SplittableRandom random, int i) {
    return switch (i % 5) {
      case 0 -> random.nextInt();
      case 1 -> random.nextInt(-100000, 100000);
      case 2 -> {
        // around 2^j, where int-to-float conversion starts to round (j >= 24)
        int j = random.nextInt(20, 31);
        int base = random.nextBoolean() ? (1 << j) : -(1 << j);
        yield base + random.nextInt(-300, 300);
      }
      case 3 -> random.nextInt() >> random.nextInt(0, 31);
      default -> TosaTest.randomAccumulator(random, random.nextInt(6));
    };
  }
}
