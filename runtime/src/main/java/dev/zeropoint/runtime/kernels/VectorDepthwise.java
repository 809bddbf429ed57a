package dev.zeropoint.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Depthwise}'s kernel on the JDK's vector API: the run of sums in 8-float vectors, each tap
 * one fused multiply-add ({@code vfmadd231ps}) of a contiguous load of the padded input with the
 * tap's weight broadcast, several vectors in flight to keep both FMA ports busy. The sums,
 * integers of at most 2^24, are converted to int exactly and the bias added in int32. A run ends
 * on a whole vector (the buffers have room: {@link Depthwise#LANES}).
 *
 * <p>In int32 the same loops multiply and add lane by lane ({@code vpmulld}, {@code vpaddd}),
 * wrapping as every int32 sum here.
 *
 * <p>The methods are kept short: C2 inlines the vector API's methods into the loops within a budget,
 * and an operation left outside allocates its vector.
 */
final class VectorDepthwise implements Depthwise.Kernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

  VectorDepthwise() {
    if (S.length() != Depthwise.LANES) {
      throw new IllegalStateException("the vector depthwise kernel is written for vectors of 8 floats");
    }
  }

  @Override
  public void sums(float[] in, int[] taps, float[] w, int wOff, int[] acc, int q0, int q1, int bias) {
    int end = q0 + (q1 - q0 + 7) / 8 * 8;
    int q = taps.length == 9 ? sums9(in, taps, w, wOff, acc, q0, end, bias) : sums4(in, taps, w, wOff, acc, q0, end,
        bias);
    for (; q < end; q += 8) {
      one(in, taps, w, wOff, acc, q, bias);
    }
  }

  /**
   * Nine taps (3 x 3, but also 1 x 9 or 9 x 1), 16 sums a step: the weights broadcast once and
   * held in registers with the offsets. Returns where it stopped.
   */
  private static int sums9(float[] in, int[] taps, float[] w, int wOff, int[] acc, int q0, int end, int bias) {
    FloatVector w0 = FloatVector.broadcast(S, w[wOff]), w1 = FloatVector.broadcast(S, w[wOff + 1]),
        w2 = FloatVector.broadcast(S, w[wOff + 2]), w3 = FloatVector.broadcast(S, w[wOff + 3]),
        w4 = FloatVector.broadcast(S, w[wOff + 4]), w5 = FloatVector.broadcast(S, w[wOff + 5]),
        w6 = FloatVector.broadcast(S, w[wOff + 6]), w7 = FloatVector.broadcast(S, w[wOff + 7]),
        w8 = FloatVector.broadcast(S, w[wOff + 8]);
    int t0 = taps[0], t1 = taps[1], t2 = taps[2], t3 = taps[3], t4 = taps[4], t5 = taps[5], t6 = taps[6],
        t7 = taps[7], t8 = taps[8];
    int q = q0;
    for (; q + 16 <= end; q += 16) {
      int r = q + 8;
      FloatVector a = FloatVector.fromArray(S, in, q + t0).mul(w0);
      FloatVector c = FloatVector.fromArray(S, in, r + t0).mul(w0);
      a = FloatVector.fromArray(S, in, q + t1).fma(w1, a);
      c = FloatVector.fromArray(S, in, r + t1).fma(w1, c);
      a = FloatVector.fromArray(S, in, q + t2).fma(w2, a);
      c = FloatVector.fromArray(S, in, r + t2).fma(w2, c);
      a = FloatVector.fromArray(S, in, q + t3).fma(w3, a);
      c = FloatVector.fromArray(S, in, r + t3).fma(w3, c);
      a = FloatVector.fromArray(S, in, q + t4).fma(w4, a);
      c = FloatVector.fromArray(S, in, r + t4).fma(w4, c);
      a = FloatVector.fromArray(S, in, q + t5).fma(w5, a);
      c = FloatVector.fromArray(S, in, r + t5).fma(w5, c);
      a = FloatVector.fromArray(S, in, q + t6).fma(w6, a);
      c = FloatVector.fromArray(S, in, r + t6).fma(w6, c);
      a = FloatVector.fromArray(S, in, q + t7).fma(w7, a);
      c = FloatVector.fromArray(S, in, r + t7).fma(w7, c);
      a = FloatVector.fromArray(S, in, q + t8).fma(w8, a);
      c = FloatVector.fromArray(S, in, r + t8).fma(w8, c);
      ints(a).add(bias).intoArray(acc, q);
      ints(c).add(bias).intoArray(acc, r);
    }
    return q;
  }

  /** Any number of taps, 32 sums a step in four accumulators. Returns where it stopped. */
  private static int sums4(float[] in, int[] taps, float[] w, int wOff, int[] acc, int q0, int end, int bias) {
    int q = q0;
    for (; q + 32 <= end; q += 32) {
      FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
      for (int t = 0; t < taps.length; t++) {
        FloatVector wv = FloatVector.broadcast(S, w[wOff + t]);
        int s = q + taps[t];
        a0 = FloatVector.fromArray(S, in, s).fma(wv, a0);
        a1 = FloatVector.fromArray(S, in, s + 8).fma(wv, a1);
        a2 = FloatVector.fromArray(S, in, s + 16).fma(wv, a2);
        a3 = FloatVector.fromArray(S, in, s + 24).fma(wv, a3);
      }
      ints(a0).add(bias).intoArray(acc, q);
      ints(a1).add(bias).intoArray(acc, q + 8);
      ints(a2).add(bias).intoArray(acc, q + 16);
      ints(a3).add(bias).intoArray(acc, q + 24);
    }
    return q;
  }

  /** The eight sums from {@code q}. */
  private static void one(float[] in, int[] taps, float[] w, int wOff, int[] acc, int q, int bias) {
    FloatVector a = FloatVector.zero(S);
    for (int t = 0; t < taps.length; t++) {
      a = FloatVector.fromArray(S, in, q + taps[t]).fma(FloatVector.broadcast(S, w[wOff + t]), a);
    }
    ints(a).add(bias).intoArray(acc, q);
  }

  @Override
  public void center(float[] dst, int d, int[] x, int src, int run, int zp) {
    int l = 0;
    for (; l + 8 <= run; l += 8) {
      ((FloatVector) IntVector.fromArray(I, x, src + l).sub(zp).convert(VectorOperators.I2F, 0)).intoArray(dst, d + l);
    }
    for (; l < run; l++) {
      dst[d + l] = x[src + l] - zp;
    }
  }

  @Override
  public void sums(int[] in, int[] taps, int[] w, int wOff, int[] acc, int q0, int q1, int bias) {
    int end = q0 + (q1 - q0 + 7) / 8 * 8;
    int q = taps.length == 9 ? sums9(in, taps, w, wOff, acc, q0, end, bias) : sums4(in, taps, w, wOff, acc, q0, end,
        bias);
    for (; q < end; q += 8) {
      one(in, taps, w, wOff, acc, q, bias);
    }
  }

  /** {@link #sums9(float[], int[], float[], int, int[], int, int, int)} in int32. */
  private static int sums9(int[] in, int[] taps, int[] w, int wOff, int[] acc, int q0, int end, int bias) {
    IntVector w0 = IntVector.broadcast(I, w[wOff]), w1 = IntVector.broadcast(I, w[wOff + 1]),
        w2 = IntVector.broadcast(I, w[wOff + 2]), w3 = IntVector.broadcast(I, w[wOff + 3]),
        w4 = IntVector.broadcast(I, w[wOff + 4]), w5 = IntVector.broadcast(I, w[wOff + 5]),
        w6 = IntVector.broadcast(I, w[wOff + 6]), w7 = IntVector.broadcast(I, w[wOff + 7]),
        w8 = IntVector.broadcast(I, w[wOff + 8]);
    int t0 = taps[0], t1 = taps[1], t2 = taps[2], t3 = taps[3], t4 = taps[4], t5 = taps[5], t6 = taps[6],
        t7 = taps[7], t8 = taps[8];
    int q = q0;
    for (; q + 16 <= end; q += 16) {
      int r = q + 8;
      IntVector a = IntVector.fromArray(I, in, q + t0).mul(w0).add(bias);
      IntVector c = IntVector.fromArray(I, in, r + t0).mul(w0).add(bias);
      a = a.add(IntVector.fromArray(I, in, q + t1).mul(w1));
      c = c.add(IntVector.fromArray(I, in, r + t1).mul(w1));
      a = a.add(IntVector.fromArray(I, in, q + t2).mul(w2));
      c = c.add(IntVector.fromArray(I, in, r + t2).mul(w2));
      a = a.add(IntVector.fromArray(I, in, q + t3).mul(w3));
      c = c.add(IntVector.fromArray(I, in, r + t3).mul(w3));
      a = a.add(IntVector.fromArray(I, in, q + t4).mul(w4));
      c = c.add(IntVector.fromArray(I, in, r + t4).mul(w4));
      a = a.add(IntVector.fromArray(I, in, q + t5).mul(w5));
      c = c.add(IntVector.fromArray(I, in, r + t5).mul(w5));
      a = a.add(IntVector.fromArray(I, in, q + t6).mul(w6));
      c = c.add(IntVector.fromArray(I, in, r + t6).mul(w6));
      a = a.add(IntVector.fromArray(I, in, q + t7).mul(w7));
      c = c.add(IntVector.fromArray(I, in, r + t7).mul(w7));
      a = a.add(IntVector.fromArray(I, in, q + t8).mul(w8));
      c = c.add(IntVector.fromArray(I, in, r + t8).mul(w8));
      a.intoArray(acc, q);
      c.intoArray(acc, r);
    }
    return q;
  }

  /** {@link #sums4(float[], int[], float[], int, int[], int, int, int)} in int32. */
  private static int sums4(int[] in, int[] taps, int[] w, int wOff, int[] acc, int q0, int end, int bias) {
    int q = q0;
    for (; q + 32 <= end; q += 32) {
      IntVector a0 = IntVector.broadcast(I, bias), a1 = a0, a2 = a0, a3 = a0;
      for (int t = 0; t < taps.length; t++) {
        IntVector wv = IntVector.broadcast(I, w[wOff + t]);
        int s = q + taps[t];
        a0 = a0.add(IntVector.fromArray(I, in, s).mul(wv));
        a1 = a1.add(IntVector.fromArray(I, in, s + 8).mul(wv));
        a2 = a2.add(IntVector.fromArray(I, in, s + 16).mul(wv));
        a3 = a3.add(IntVector.fromArray(I, in, s + 24).mul(wv));
      }
      a0.intoArray(acc, q);
      a1.intoArray(acc, q + 8);
      a2.intoArray(acc, q + 16);
      a3.intoArray(acc, q + 24);
    }
    return q;
  }

  /** The eight int32 sums from {@code q}. */
  private static void one(int[] in, int[] taps, int[] w, int wOff, int[] acc, int q, int bias) {
    IntVector a = IntVector.broadcast(I, bias);
    for (int t = 0; t < taps.length; t++) {
      a = a.add(IntVector.fromArray(I, in, q + taps[t]).mul(w[wOff + t]));
    }
    a.intoArray(acc, q);
  }

  @Override
  public void center(int[] dst, int d, int[] x, int src, int run, int zp) {
    int l = 0;
    for (; l + 8 <= run; l += 8) {
      IntVector.fromArray(I, x, src + l).sub(zp).intoArray(dst, d + l);
    }
    for (; l < run; l++) {
      dst[d + l] = x[src + l] - zp;
    }
  }

  /** The lanes as int32: exact, since they are integers of at most 2^24. */
  private static IntVector ints(FloatVector v) {
    return (IntVector) v.convert(VectorOperators.F2I, 0);
  }
}
