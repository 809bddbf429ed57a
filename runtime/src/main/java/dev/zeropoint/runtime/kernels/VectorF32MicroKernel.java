package dev.zeropoint.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmF32}'s micro-kernel on the JDK's vector API: a 4 x 16 tile of float32 accumulators in
 * eight 256-bit registers, each step one broadcast weight times two vectors of input, fused
 * multiply-added ({@code vfmadd231ps}: two per cycle, against one {@code vpmulld} for {@link
 * VectorMicroKernel}). At the end of the block the sums, integers of at most 2^24, are converted to
 * int exactly and added to the int32 accumulators as {@link VectorMicroKernel} adds its own.
 */
final class VectorF32MicroKernel implements GemmF32.MicroKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

  VectorF32MicroKernel() {
    if (GemmF32.MR != 4 || Gemm.NR != 2 * S.length()) {
      throw new IllegalStateException("the vector float32 micro-kernel is written for 4 x 16 tiles");
    }
  }

  @Override
  public void accumulate(int kc, float[] a, int aOff, float[] b, int bOff, int[] c, int cOff, int ldc, int rows,
      int cols) {
    if (cols <= 8) {
      accumulateHalf(kc, a, aOff, b, bOff, c, cOff, ldc, rows, cols);
      return;
    }
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
        c31 = c00;
    for (int k = 0; k < kc; k++) {
      int bk = bOff + k * 16;
      FloatVector b0 = FloatVector.fromArray(S, b, bk);
      FloatVector b1 = FloatVector.fromArray(S, b, bk + 8);
      int ak = aOff + k * 4;
      FloatVector w = FloatVector.broadcast(S, a[ak]);
      c00 = b0.fma(w, c00);
      c01 = b1.fma(w, c01);
      w = FloatVector.broadcast(S, a[ak + 1]);
      c10 = b0.fma(w, c10);
      c11 = b1.fma(w, c11);
      w = FloatVector.broadcast(S, a[ak + 2]);
      c20 = b0.fma(w, c20);
      c21 = b1.fma(w, c21);
      w = FloatVector.broadcast(S, a[ak + 3]);
      c30 = b0.fma(w, c30);
      c31 = b1.fma(w, c31);
    }
    if (rows == 4 && cols == 16) {
      VectorMicroKernel.add(ints(c00), c, cOff);
      VectorMicroKernel.add(ints(c01), c, cOff + 8);
      VectorMicroKernel.add(ints(c10), c, cOff + ldc);
      VectorMicroKernel.add(ints(c11), c, cOff + ldc + 8);
      VectorMicroKernel.add(ints(c20), c, cOff + 2 * ldc);
      VectorMicroKernel.add(ints(c21), c, cOff + 2 * ldc + 8);
      VectorMicroKernel.add(ints(c30), c, cOff + 3 * ldc);
      VectorMicroKernel.add(ints(c31), c, cOff + 3 * ldc + 8);
      return;
    }
    int[] t = new int[64];
    ints(c00).intoArray(t, 0);
    ints(c01).intoArray(t, 8);
    ints(c10).intoArray(t, 16);
    ints(c11).intoArray(t, 24);
    ints(c20).intoArray(t, 32);
    ints(c21).intoArray(t, 40);
    ints(c30).intoArray(t, 48);
    ints(c31).intoArray(t, 56);
    Gemm.addTile(t, c, cOff, ldc, rows, cols);
  }

  /** The calling thread's float sums of one tile, for {@link #requantizeTile}. */
  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[64]);

  /**
   * A whole 4 x 16 tile whose {@code kc} products are the whole sum: each row's float sums plus its
   * bias (a float-exact integer, so the float sum is {@code f32(acc)}: one rounding of the exact
   * integer) requantized by {@code rq} ({@link VectorRequantize#applyFloat}) into {@code rq.out()}
   * from {@code outOff}, rows {@code ldo} apart; the rows are channels {@code channel ..}. The
   * products are {@link #accumulate}'s loop; the sums pass through a float scratch tile (in the
   * first-level cache), which keeps each method small enough for the JIT to keep its vectors in
   * registers.
   */
  static void requantizeTile(int kc, float[] a, int aOff, float[] b, int bOff, Gemm.Requantization rq, int outOff,
      int ldo, int channel, int[] bias) {
    float[] t = TILE.get();
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
        c31 = c00;
    for (int k = 0; k < kc; k++) {
      int bk = bOff + k * 16;
      FloatVector b0 = FloatVector.fromArray(S, b, bk);
      FloatVector b1 = FloatVector.fromArray(S, b, bk + 8);
      int ak = aOff + k * 4;
      FloatVector w = FloatVector.broadcast(S, a[ak]);
      c00 = b0.fma(w, c00);
      c01 = b1.fma(w, c01);
      w = FloatVector.broadcast(S, a[ak + 1]);
      c10 = b0.fma(w, c10);
      c11 = b1.fma(w, c11);
      w = FloatVector.broadcast(S, a[ak + 2]);
      c20 = b0.fma(w, c20);
      c21 = b1.fma(w, c21);
      w = FloatVector.broadcast(S, a[ak + 3]);
      c30 = b0.fma(w, c30);
      c31 = b1.fma(w, c31);
    }
    c00.intoArray(t, 0);
    c01.intoArray(t, 8);
    c10.intoArray(t, 16);
    c11.intoArray(t, 24);
    c20.intoArray(t, 32);
    c21.intoArray(t, 40);
    c30.intoArray(t, 48);
    c31.intoArray(t, 56);
    int[] out = rq.out();
    for (int r = 0; r < 4; r++) {
      requantizeRow(t, 16 * r, rq, channel + r, bias[channel + r], out, outOff + r * ldo);
    }
  }

  /** Sixteen float sums of {@code t} from {@code at} plus the bias, requantized into {@code out}. */
  private static void requantizeRow(float[] t, int at, Gemm.Requantization rq, int channel, int bias, int[] out,
      int to) {
    float[] scales = rq.scales();
    FloatVector scale = FloatVector.broadcast(S, scales[scales.length == 1 ? 0 : channel]);
    IntVector zp = IntVector.broadcast(VectorRequantize.I, rq.outputZeroPoint());
    IntVector min = IntVector.broadcast(VectorRequantize.I, rq.min());
    IntVector max = IntVector.broadcast(VectorRequantize.I, rq.max());
    float b = bias;
    VectorRequantize.applyFloat(FloatVector.fromArray(S, t, at).add(b), scale, zp, min, max).intoArray(out, to);
    VectorRequantize.applyFloat(FloatVector.fromArray(S, t, at + 8).add(b), scale, zp, min, max)
        .intoArray(out, to + 8);
  }

  /**
   * A tile of at most eight columns (the last of a row of pixels whose count is not a multiple of
   * 16): the first eight lanes of each packed row only, half the multiply-adds.
   */
  private static void accumulateHalf(int kc, float[] a, int aOff, float[] b, int bOff, int[] c, int cOff, int ldc,
      int rows, int cols) {
    // Even and odd k in separate accumulators: eight independent chains of multiply-adds, as the
    // full tile has (four would wait on the FMA latency). Their float sums are exact integers, so
    // adding the two halves at the end gives the same integers as one chain.
    FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, e0 = c0, e1 = c0, e2 = c0, e3 = c0;
    int k = 0;
    for (; k + 1 < kc; k += 2) {
      int bk = bOff + k * 16;
      FloatVector b0 = FloatVector.fromArray(S, b, bk);
      FloatVector b1 = FloatVector.fromArray(S, b, bk + 16);
      int ak = aOff + k * 4;
      c0 = b0.fma(FloatVector.broadcast(S, a[ak]), c0);
      c1 = b0.fma(FloatVector.broadcast(S, a[ak + 1]), c1);
      c2 = b0.fma(FloatVector.broadcast(S, a[ak + 2]), c2);
      c3 = b0.fma(FloatVector.broadcast(S, a[ak + 3]), c3);
      e0 = b1.fma(FloatVector.broadcast(S, a[ak + 4]), e0);
      e1 = b1.fma(FloatVector.broadcast(S, a[ak + 5]), e1);
      e2 = b1.fma(FloatVector.broadcast(S, a[ak + 6]), e2);
      e3 = b1.fma(FloatVector.broadcast(S, a[ak + 7]), e3);
    }
    if (k < kc) {
      FloatVector b0 = FloatVector.fromArray(S, b, bOff + k * 16);
      int ak = aOff + k * 4;
      c0 = b0.fma(FloatVector.broadcast(S, a[ak]), c0);
      c1 = b0.fma(FloatVector.broadcast(S, a[ak + 1]), c1);
      c2 = b0.fma(FloatVector.broadcast(S, a[ak + 2]), c2);
      c3 = b0.fma(FloatVector.broadcast(S, a[ak + 3]), c3);
    }
    c0 = c0.add(e0);
    c1 = c1.add(e1);
    c2 = c2.add(e2);
    c3 = c3.add(e3);
    if (rows == 4 && cols == 8) {
      VectorMicroKernel.add(ints(c0), c, cOff);
      VectorMicroKernel.add(ints(c1), c, cOff + ldc);
      VectorMicroKernel.add(ints(c2), c, cOff + 2 * ldc);
      VectorMicroKernel.add(ints(c3), c, cOff + 3 * ldc);
      return;
    }
    int[] t = new int[64];
    ints(c0).intoArray(t, 0);
    ints(c1).intoArray(t, 16);
    ints(c2).intoArray(t, 32);
    ints(c3).intoArray(t, 48);
    Gemm.addTile(t, c, cOff, ldc, rows, cols);
  }

  /** The lanes as int32: exact, since they are integers of at most 2^24. */
  private static IntVector ints(FloatVector v) {
    return (IntVector) v.convert(VectorOperators.F2I, 0);
  }
}
