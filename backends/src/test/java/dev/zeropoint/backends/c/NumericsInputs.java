package dev.zeropoint.backends.c;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Edge cases and random inputs for the numerics ports' tests ({@link NumericsCheck}). */
final class NumericsInputs {
  private NumericsInputs() {}

  /** Edge-case ints: 0, ±1, the int range's ends, powers of two and their neighbours. */
  static List<Integer> edgeInts() {
    List<Integer> v = new ArrayList<>(List.of(0, 1, -1, 2, -2, 3, -3, 127, 128, -128, -129, 255, 256, 32767, -32768,
        32768, -32769, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1));
    for (int k = 2; k < 31; k += 3) {
      v.add(1 << k);
      v.add((1 << k) - 1);
      v.add(-(1 << k));
      v.add(-(1 << k) + 1);
      v.add(-(1 << k) - 1);
    }
    return v;
  }

  /** Edge-case longs: the edge ints, the long range's ends, powers of two around 2^31, 2^47, 2^63. */
  static List<Long> edgeLongs() {
    List<Long> v = new ArrayList<>();
    for (int i : edgeInts()) {
      v.add((long) i);
    }
    v.addAll(List.of(Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, 1L << 31, -(1L << 31) - 1,
        (1L << 32) - 1, 1L << 32, -(1L << 32)));
    for (int k = 33; k < 63; k += 3) {
      v.add(1L << k);
      v.add((1L << k) - 1);
      v.add(-(1L << k));
      v.add(-(1L << k) + 1);
      v.add(-(1L << k) - 1);
    }
    return v;
  }

  /**
   * Edge-case floats: ±0, ±1, halves, subnormals, the neighbours of 2^23, 2^24, 2^31, 2^63 and
   * 2147483520, the largest float, infinities and NaN.
   */
  static List<Float> edgeFloats() {
    List<Float> v = new ArrayList<>();
    float[] base = {0.0f, 1.0f, 0.5f, 1.5f, 2.5f, 3.5f, 0.49999997f, 0.50000006f, 1.4999999f, 2.4999998f,
        Float.MIN_VALUE, Float.MIN_NORMAL, Math.nextDown(Float.MIN_NORMAL), 3 * Float.MIN_VALUE, 1e-30f, 1e-10f,
        0x1p22f + 0.5f, 0x1p23f - 0.5f, 0x1p23f, 0x1p23f + 1, 0x1p24f, 0x1p24f - 1, 0x1p24f + 2, 0x1p31f,
        Math.nextDown(0x1p31f), Math.nextUp(0x1p31f), 2147483520f, 0x1p32f, 0x1p63f, Math.nextDown(0x1p63f),
        Math.nextUp(0x1p63f), 0x1p64f, 1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY, 255.5f, 127.5f, 128.5f,
        -0.0f};
    for (float f : base) {
      v.add(f);
      v.add(-f);
    }
    v.add(Float.NaN);
    v.add(Float.intBitsToFloat(0xFFC00000)); // a negative NaN
    return v;
  }

  /** Edge-case doubles: the edge floats, halves just below a tie, and neighbours of 2^52, 2^53, 2^63. */
  static List<Double> edgeDoubles() {
    List<Double> v = new ArrayList<>();
    for (float f : edgeFloats()) {
      v.add((double) f);
    }
    double[] base = {0.49999999999999994, 0.5000000000000001, 2.5000000000000004, 0x1p52, 0x1p52 - 0.5,
        0x1p52 + 1, 0x1p53, 0x1p53 - 1, 0x1p53 + 2, Math.nextDown(0x1p63), 0x1p63, Math.nextUp(0x1p63), 0x1p31 - 0.5,
        0x1p31 + 0.5, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 4503599627370495.5, 1e300};
    for (double d : base) {
      v.add(d);
      v.add(-d);
    }
    return v;
  }

  /** A random int: uniform, of random bit length, small, or an edge case. */
  static int anyInt(Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> r.nextInt();
      case 1 -> r.nextInt() >> r.nextInt(32);
      case 2 -> r.nextInt(1025) - 512;
      case 3 -> (r.nextBoolean() ? 1 : -1) * ((1 << r.nextInt(31)) + r.nextInt(5) - 2);
      default -> pick(r, edgeInts());
    };
  }

  /** A random long: uniform, of random bit length, an int, or an edge case. */
  static long anyLong(Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> r.nextLong();
      case 1 -> r.nextLong() >> r.nextInt(64);
      case 2 -> anyInt(r);
      case 3 -> (r.nextBoolean() ? 1 : -1) * ((1L << r.nextInt(63)) + r.nextInt(5) - 2);
      default -> pick(r, edgeLongs());
    };
  }

  /**
   * A random float: any bit pattern (NaNs, infinities, subnormals included), a value of random
   * magnitude, a half-integer, a near-tie, or an edge case.
   */
  static float anyFloat(Random r) {
    float sign = r.nextBoolean() ? 1 : -1;
    return switch (r.nextInt(6)) {
      case 0 -> Float.intBitsToFloat(r.nextInt());
      case 1 -> sign * Math.scalb(1 + r.nextFloat(), r.nextInt(80) - 30);
      case 2 -> sign * ((1 << r.nextInt(24)) + r.nextInt(1 << r.nextInt(23)) + 0.5f);
      case 3 -> {
        float tie = sign * (r.nextInt(1 << r.nextInt(24)) + 0.5f);
        int steps = r.nextInt(5) - 2;
        for (int s = 0; s < Math.abs(steps); s++) {
          tie = steps > 0 ? Math.nextUp(tie) : Math.nextDown(tie);
        }
        yield tie;
      }
      case 4 -> sign * r.nextFloat() * 1000;
      default -> pick(r, edgeFloats());
    };
  }

  /** A random double, as {@link #anyFloat} with double's ranges. */
  static double anyDouble(Random r) {
    double sign = r.nextBoolean() ? 1 : -1;
    return switch (r.nextInt(6)) {
      case 0 -> Double.longBitsToDouble(r.nextLong());
      case 1 -> sign * Math.scalb(1 + r.nextDouble(), r.nextInt(140) - 40);
      case 2 -> sign * ((1L << r.nextInt(53)) + (r.nextLong() >>> (r.nextInt(64 - 10) + 12)) + 0.5);
      case 3 -> {
        double tie = sign * ((r.nextLong() >>> (r.nextInt(60) + 12)) + 0.5);
        int steps = r.nextInt(5) - 2;
        for (int s = 0; s < Math.abs(steps); s++) {
          tie = steps > 0 ? Math.nextUp(tie) : Math.nextDown(tie);
        }
        yield tie;
      }
      case 4 -> (double) anyFloat(r);
      default -> pick(r, edgeDoubles());
    };
  }

  /** A random finite positive float scale of moderate size (2^-20 to 2^4). */
  static float anyScale(Random r) {
    return Math.scalb(1 + r.nextFloat(), r.nextInt(24) - 20);
  }

  static <T> T pick(Random r, List<T> values) {
    return values.get(r.nextInt(values.size()));
  }

  static List<Integer> range(int from, int toInclusive) {
    List<Integer> v = new ArrayList<>();
    for (int i = from; i <= toInclusive; i++) {
      v.add(i);
    }
    return v;
  }
}
