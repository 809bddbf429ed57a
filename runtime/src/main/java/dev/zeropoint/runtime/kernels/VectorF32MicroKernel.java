package dev.zeropoint.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmF32}'s micro-kernel on the JDK's vector API: a {@link GemmF32#MR} x 16 tile of float32
 * accumulators, each step one broadcast weight times a row of input, fused multiply-added ({@code
 * vfmadd231ps}: two per cycle, against one {@code vpmulld} for {@link VectorMicroKernel}). At the end
 * of the block the sums, integers of at most 2^24, are converted to int exactly and added to the
 * int32 accumulators as {@link VectorMicroKernel} adds its own.
 *
 * <p>Two shapes of the same tile, chosen by the vector width of the CPU ({@link #wide}), computing
 * the same integers (each sum is exact, so the order of the additions does not matter):
 *
 * <ul>
 *   <li><b>512-bit</b> (AVX-512): one register per row of 16 columns, 16 accumulators of the 32
 *       registers, one load of input per step for 16 multiply-adds; a tile of at most {@link
 *       #NARROW} columns one column at a time, the rows on the lanes ({@link #sumsColumn}).
 *   <li><b>256-bit</b> (AVX2): the tile in quarters of 4 rows, each in eight of the 16 registers (two
 *       per row), the packed input read again by each quarter from the first-level cache (more
 *       accumulators would not fit the 16 registers: C2 would spill them, and the store-load chain on
 *       every step halves the speed); the first 8 columns only for a tile of at most 8.
 * </ul>
 */
final class VectorF32MicroKernel implements GemmF32.MicroKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final VectorSpecies<Float> W = FloatVector.SPECIES_512;
  private static final int MR = 16;

  /**
   * Whether the CPU's vectors are 512-bit ({@code FloatVector.SPECIES_PREFERRED}), unless {@code
   * -Dzeropoint.wide=false} (for comparisons): C2 emulates a wider species than the CPU has, slowly.
   */
  static final boolean WIDE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
      && !"false".equals(System.getProperty("zeropoint.wide"));

  /**
   * The most columns for which the 512-bit shape puts the rows on the lanes ({@link #sumsColumn}):
   * the 16 x 16 tile spends 16 multiply-adds a step whatever the columns, this one as many as the
   * columns (the last panel of a 7 x 7 layer's 49 pixels has one).
   */
  static final int NARROW = 8;

  /** The calling thread's float sums of one tile. */
  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * 16]);

  /** Which shape this kernel uses: 512-bit registers, or 256-bit ones in quarters. */
  private final boolean wide;

  /** The shape that suits this CPU ({@link #WIDE}). */
  VectorF32MicroKernel() {
    this(WIDE);
  }

  /** A chosen shape (tests run both on any CPU). */
  VectorF32MicroKernel(boolean wide) {
    if (GemmF32.MR != MR || Gemm.NR != 2 * S.length() || Gemm.NR != W.length()) {
      throw new IllegalStateException("the vector float32 micro-kernel is written for 16 x 16 tiles");
    }
    this.wide = wide;
  }

  @Override
  public String toString() {
    return wide ? "512-bit" : "256-bit";
  }

  @Override
  public void accumulate(int kc, float[] a, int aOff, float[] b, int bOff, int[] c, int cOff, int ldc, int rows,
      int cols) {
    float[] t = TILE.get();
    if (wide && cols <= NARROW) {
      // Column l's 16 row sums at t[16 l ..]: added to the accumulators as they lie, no transposition.
      for (int l = 0; l < cols; l++) {
        sumsColumn(kc, a, aOff, b, bOff + l, t, 16 * l);
      }
      for (int r = 0; r < rows; r++) {
        for (int l = 0, off = cOff + r * ldc; l < cols; l++) {
          c[off + l] += (int) t[16 * l + r];
        }
      }
      return;
    }
    sums(kc, a, aOff, b, bOff, t, rows, cols);
    for (int r = 0; r < rows; r++) {
      int at = 16 * r;
      int off = cOff + r * ldc;
      if (cols == 16) {
        VectorMicroKernel.add(ints(FloatVector.fromArray(S, t, at)), c, off);
        VectorMicroKernel.add(ints(FloatVector.fromArray(S, t, at + 8)), c, off + 8);
      } else {
        for (int l = 0; l < cols; l++) {
          c[off + l] += (int) t[at + l];
        }
      }
    }
  }

  /**
   * The float sums of the tile's first {@code rows} rows and {@code cols} columns, row {@code r} to
   * {@code t[16 r ..]}. Each shape's loop is a method of its own, which only stores its registers:
   * with the additions to the int32 accumulators in the same method as the loop, C2 compiled the
   * 512-bit loop at half the speed (50 against 92 GMAC/s, alone).
   */
  private void sums(int kc, float[] a, int aOff, float[] b, int bOff, float[] t, int rows, int cols) {
    if (wide) {
      sums16(kc, a, aOff, b, bOff, t); // a block's rows past the last channel have zero weights
      return;
    }
    for (int q = 0; q < rows; q += 4) {
      if (cols <= 8) {
        sumsHalf(kc, a, aOff + q, b, bOff, t, 16 * q);
      } else {
        sumsQuarter(kc, a, aOff + q, b, bOff, t, 16 * q);
      }
    }
  }

  /**
   * One column of the tile with the rows on the lanes: the sum over {@code k} of the block's 16
   * weights of step {@code k} (one vector) times the column's input of step {@code k} (broadcast),
   * in eight chains of multiply-adds (steps {@code k mod 8}, so that two ports are busy despite the
   * latency), added at the end. Each chain, and each sum of chains, sums a subset of the products, so
   * its magnitude is within the same bound ({@code kc * max|a| * max|b| <= 2^24}) and it is exact.
   * Row {@code r}'s sum to {@code t[at + r]}.
   */
  private static void sumsColumn(int kc, float[] a, int aOff, float[] b, int bOff, float[] t, int at) {
    FloatVector s0 = FloatVector.zero(W), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    int k = 0;
    for (; k + 8 <= kc; k += 8) {
      int ak = aOff + k * MR;
      int bk = bOff + k * 16;
      s0 = FloatVector.fromArray(W, a, ak).fma(FloatVector.broadcast(W, b[bk]), s0);
      s1 = FloatVector.fromArray(W, a, ak + MR).fma(FloatVector.broadcast(W, b[bk + 16]), s1);
      s2 = FloatVector.fromArray(W, a, ak + 2 * MR).fma(FloatVector.broadcast(W, b[bk + 32]), s2);
      s3 = FloatVector.fromArray(W, a, ak + 3 * MR).fma(FloatVector.broadcast(W, b[bk + 48]), s3);
      s4 = FloatVector.fromArray(W, a, ak + 4 * MR).fma(FloatVector.broadcast(W, b[bk + 64]), s4);
      s5 = FloatVector.fromArray(W, a, ak + 5 * MR).fma(FloatVector.broadcast(W, b[bk + 80]), s5);
      s6 = FloatVector.fromArray(W, a, ak + 6 * MR).fma(FloatVector.broadcast(W, b[bk + 96]), s6);
      s7 = FloatVector.fromArray(W, a, ak + 7 * MR).fma(FloatVector.broadcast(W, b[bk + 112]), s7);
    }
    for (; k < kc; k++) {
      s0 = FloatVector.fromArray(W, a, aOff + k * MR).fma(FloatVector.broadcast(W, b[bOff + k * 16]), s0);
    }
    s0.add(s1).add(s2.add(s3)).add(s4.add(s5).add(s6.add(s7))).intoArray(t, at);
  }

  /** The 512-bit tile's float sums, row {@code r} (of 16) to {@code t[16 r ..]}. */
  private static void sums16(int kc, float[] a, int aOff, float[] b, int bOff, float[] t) {
    FloatVector c0 = FloatVector.zero(W), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0,
        c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
    for (int k = 0; k < kc; k++) {
      FloatVector v = FloatVector.fromArray(W, b, bOff + k * 16);
      int ak = aOff + k * MR;
      c0 = v.fma(FloatVector.broadcast(W, a[ak]), c0);
      c1 = v.fma(FloatVector.broadcast(W, a[ak + 1]), c1);
      c2 = v.fma(FloatVector.broadcast(W, a[ak + 2]), c2);
      c3 = v.fma(FloatVector.broadcast(W, a[ak + 3]), c3);
      c4 = v.fma(FloatVector.broadcast(W, a[ak + 4]), c4);
      c5 = v.fma(FloatVector.broadcast(W, a[ak + 5]), c5);
      c6 = v.fma(FloatVector.broadcast(W, a[ak + 6]), c6);
      c7 = v.fma(FloatVector.broadcast(W, a[ak + 7]), c7);
      c8 = v.fma(FloatVector.broadcast(W, a[ak + 8]), c8);
      c9 = v.fma(FloatVector.broadcast(W, a[ak + 9]), c9);
      c10 = v.fma(FloatVector.broadcast(W, a[ak + 10]), c10);
      c11 = v.fma(FloatVector.broadcast(W, a[ak + 11]), c11);
      c12 = v.fma(FloatVector.broadcast(W, a[ak + 12]), c12);
      c13 = v.fma(FloatVector.broadcast(W, a[ak + 13]), c13);
      c14 = v.fma(FloatVector.broadcast(W, a[ak + 14]), c14);
      c15 = v.fma(FloatVector.broadcast(W, a[ak + 15]), c15);
    }
    c0.intoArray(t, 0);
    c1.intoArray(t, 16);
    c2.intoArray(t, 32);
    c3.intoArray(t, 48);
    c4.intoArray(t, 64);
    c5.intoArray(t, 80);
    c6.intoArray(t, 96);
    c7.intoArray(t, 112);
    c8.intoArray(t, 128);
    c9.intoArray(t, 144);
    c10.intoArray(t, 160);
    c11.intoArray(t, 176);
    c12.intoArray(t, 192);
    c13.intoArray(t, 208);
    c14.intoArray(t, 224);
    c15.intoArray(t, 240);
  }

  /**
   * A whole 16 x 16 tile whose {@code kc} products are the whole sum: each row's float sums plus its
   * bias (a float-exact integer, so the float sum is {@code f32(acc)}: one rounding of the exact
   * integer) requantized by {@code rq} ({@link VectorRequantize#applyFloat}) into {@code rq.out()}
   * from {@code outOff}, rows {@code ldo} apart; the rows are channels {@code channel ..}. The
   * products are {@link #accumulate}'s loops; the sums pass through a float scratch tile (in the
   * first-level cache), which keeps each method small enough for the JIT to keep its vectors in
   * registers.
   */
  void requantizeTile(int kc, float[] a, int aOff, float[] b, int bOff, Gemm.Requantization rq, int outOff, int ldo,
      int channel, int[] bias) {
    float[] t = TILE.get();
    sums(kc, a, aOff, b, bOff, t, MR, 16);
    int[] out = rq.out();
    for (int r = 0; r < MR; r++) {
      requantizeRow(t, 16 * r, rq, channel + r, bias[channel + r], out, outOff + r * ldo);
    }
  }

  /** Four rows of the 256-bit shape's float sums, row {@code r} to {@code t[at + 16 r ..]}. */
  private static void sumsQuarter(int kc, float[] a, int aOff, float[] b, int bOff, float[] t, int at) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
        c31 = c00;
    for (int k = 0; k < kc; k++) {
      int bk = bOff + k * 16;
      FloatVector b0 = FloatVector.fromArray(S, b, bk);
      FloatVector b1 = FloatVector.fromArray(S, b, bk + 8);
      int ak = aOff + k * MR;
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
    c00.intoArray(t, at);
    c01.intoArray(t, at + 8);
    c10.intoArray(t, at + 16);
    c11.intoArray(t, at + 24);
    c20.intoArray(t, at + 32);
    c21.intoArray(t, at + 40);
    c30.intoArray(t, at + 48);
    c31.intoArray(t, at + 56);
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
  private static void sumsHalf(int kc, float[] a, int aOff, float[] b, int bOff, float[] t, int at) {
    // Even and odd k in separate accumulators: eight independent chains of multiply-adds, as the
    // full tile has (four would wait on the FMA latency). Their float sums are exact integers, so
    // adding the two halves at the end gives the same integers as one chain.
    FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, e0 = c0, e1 = c0, e2 = c0, e3 = c0;
    int k = 0;
    for (; k + 1 < kc; k += 2) {
      int bk = bOff + k * 16;
      FloatVector b0 = FloatVector.fromArray(S, b, bk);
      FloatVector b1 = FloatVector.fromArray(S, b, bk + 16);
      int ak = aOff + k * MR;
      c0 = b0.fma(FloatVector.broadcast(S, a[ak]), c0);
      c1 = b0.fma(FloatVector.broadcast(S, a[ak + 1]), c1);
      c2 = b0.fma(FloatVector.broadcast(S, a[ak + 2]), c2);
      c3 = b0.fma(FloatVector.broadcast(S, a[ak + 3]), c3);
      e0 = b1.fma(FloatVector.broadcast(S, a[ak + MR + 0]), e0);
      e1 = b1.fma(FloatVector.broadcast(S, a[ak + MR + 1]), e1);
      e2 = b1.fma(FloatVector.broadcast(S, a[ak + MR + 2]), e2);
      e3 = b1.fma(FloatVector.broadcast(S, a[ak + MR + 3]), e3);
    }
    if (k < kc) {
      FloatVector b0 = FloatVector.fromArray(S, b, bOff + k * 16);
      int ak = aOff + k * MR;
      c0 = b0.fma(FloatVector.broadcast(S, a[ak]), c0);
      c1 = b0.fma(FloatVector.broadcast(S, a[ak + 1]), c1);
      c2 = b0.fma(FloatVector.broadcast(S, a[ak + 2]), c2);
      c3 = b0.fma(FloatVector.broadcast(S, a[ak + 3]), c3);
    }
    c0 = c0.add(e0);
    c1 = c1.add(e1);
    c2 = c2.add(e2);
    c3 = c3.add(e3);
    c0.intoArray(t, at);
    c1.intoArray(t, at + 16);
    c2.intoArray(t, at + 32);
    c3.intoArray(t, at + 48);
  }

  /** The lanes as int32: exact, since they are integers of at most 2^24. */
  private static IntVector ints(FloatVector v) {
    return (IntVector) v.convert(VectorOperators.F2I, 0);
  }
}
