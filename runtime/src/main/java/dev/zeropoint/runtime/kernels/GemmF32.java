package dev.zeropoint.runtime.kernels;

/**
 * {@link Gemm#conv2d}'s integer product computed with float32 multiply-adds where that is exact: the
 * same blocking, packing and tiles ({@link Gemm#product}), the packed weights and input panel held
 * as {@code float}, and a micro-kernel that accumulates each tile in float32 and adds the sums,
 * converted to int, to the int32 accumulators. Its tiles are {@link #MR} x 16: one 512-bit register
 * of float32 accumulators per row where the CPU has AVX-512, four 4-row quarters of eight 256-bit
 * registers each where it has AVX2 ({@link VectorF32MicroKernel}). The packed weights do not depend
 * on the CPU: a compiled model runs on either.
 *
 * <p><b>Why it is exact.</b> Every integer {@code v} with {@code |v| <= 2^24} is a float32, and a
 * float32 multiply, add or fused multiply-add whose exact result is such an integer returns it
 * unrounded. The micro-kernel sums the products of one block of at most {@code kc <= }{@link
 * Gemm#KC}{@code  = 256} packed rows, starting from zero; if every packed weight has {@code |a| <=
 * maxWeight} and every packed input {@code |b| <= maxInput}, every product and every partial sum is
 * an integer of magnitude at most {@code kc * maxWeight * maxInput}. So when that bound is at most
 * 2^24 ({@link #exact}), each operation is exact, the block's float sum is the block's integer sum,
 * and its conversion to int (also exact) is what {@link Gemm}'s int32 micro-kernel adds for the same
 * block. The int32 accumulators then take the same blocks in the same order: the result is {@link
 * Gemm#conv2d}'s to the bit, wrap-around of int32 included. For 8-bit operands (weights minus their
 * zero points and inputs minus theirs, each at most 255 in magnitude; padding is zero) the bound is
 * {@code 256 * 255 * 255 = 16,646,400 < 2^24 = 16,777,216}.
 *
 * <p>The gain: the vector micro-kernel's fused multiply-add retires 16 products per cycle on two
 * FMA ports, where {@code vpmulld} retires 8. The compiler chooses this path only when it can prove
 * the bound from the constant weights and the input's element type and zero point, and only when
 * the model is not integer-only (an integer-only model computes with integers only).
 */
public final class GemmF32 {
  private GemmF32() {}

  /** Rows (output channels) of one micro-kernel tile; the columns are {@link Gemm#NR}. */
  public static final int MR = 16;

  /** The largest magnitude of a partial sum that float32 holds exactly: 2^24. */
  public static final long EXACT_LIMIT = 1L << 24;

  /**
   * Accumulates one tile in float32: {@code c[r][l] += (int) sum_k a[k][r] * b[k][l]} for the rows
   * and columns given, the sum taken in float32. Exact, and then equal to {@link
   * Gemm.MicroKernel#accumulate}'s, when {@code kc * max|a| * max|b| <= 2^24} (see the class).
   */
  public interface MicroKernel {
    /**
     * @param a packed weights, {@code a[aOff + k * GemmF32.MR + r]}
     * @param b packed input, {@code b[bOff + k * NR + l]}
     * @param c int32 accumulators, row {@code r} at {@code cOff + r * ldc}
     */
    void accumulate(int kc, float[] a, int aOff, float[] b, int bOff, int[] c, int cOff, int ldc, int rows,
        int cols);
  }

  private static volatile MicroKernel kernel = defaultKernel();

  private static MicroKernel defaultKernel() {
    if (Gemm.vectorModule()) {
      try {
        return new VectorF32MicroKernel();
      } catch (LinkageError e) {
        // The module is there but unusable (another JDK's API): fall back to plain loops.
      }
    }
    return new ScalarF32MicroKernel();
  }

  /** The micro-kernel in use. */
  public static MicroKernel kernel() {
    return kernel;
  }

  /** Chooses the micro-kernel (tests compare them); every kernel computes the same integers. */
  public static void useKernel(MicroKernel k) {
    kernel = java.util.Objects.requireNonNull(k);
  }

  /** Whether the vector micro-kernel is in use. */
  public static boolean vectorized() {
    return kernel instanceof VectorF32MicroKernel;
  }

  /**
   * Whether this path computes {@link Gemm#conv2d}'s integers for a product of depth {@code k}
   * whose packed weights have magnitude at most {@code maxWeight} and packed inputs at most {@code
   * maxInput}: {@code min(k, KC) * maxWeight * maxInput <= 2^24}.
   */
  public static boolean exact(long maxWeight, long maxInput, int k) {
    if (maxWeight < 0 || maxInput < 0) {
      throw new IllegalArgumentException("magnitudes must be >= 0");
    }
    if (maxWeight > EXACT_LIMIT || maxInput > EXACT_LIMIT) { // keeps the product below 2^63
      return maxWeight == 0 || maxInput == 0;
    }
    return Math.min(k, Gemm.KC) * maxWeight * maxInput <= EXACT_LIMIT;
  }

  /**
   * {@link Gemm#packWeights}' layout, in blocks of {@link #MR} channels, and values, as float32
   * (exact: see {@link #exact}).
   */
  public static float[] packWeights(int[] wc, int groups, int outPerGroup, int k) {
    int blocks = Gemm.blocks(outPerGroup, MR);
    float[] packed = new float[groups * blocks * k * MR];
    int dst = 0;
    for (int gr = 0; gr < groups; gr++) {
      for (int b = 0; b < blocks; b++) {
        int rows = Math.min(MR, outPerGroup - b * MR);
        int src = (gr * outPerGroup + b * MR) * k;
        for (int i = 0; i < k; i++, dst += MR) { // written in order; the rows past the last stay 0
          for (int r = 0; r < rows; r++) {
            packed[dst + r] = wc[src + r * k + i];
          }
        }
      }
    }
    return packed;
  }

  /** Whether the input is packed on the vector API ({@link VectorPack}). */
  private static final boolean VECTOR_PACK = Gemm.vectorWorks(
      () -> VectorPack.pack(new float[16], 0, new int[32], 0, 16, 2, 0));

  /** The calling thread's packed inputs ({@link Gemm.Operands#panel}), grown as needed. */
  private static final ThreadLocal<float[][]> PACKED_INPUT = ThreadLocal.withInitial(() -> new float[3][0]);

  /**
   * {@link Gemm#conv2d} with weights from {@link #packWeights}, for which the compiler has proven
   * {@link #exact}: the same int32 results.
   */
  public static void conv2d(int[] out, int[] x, float[] packed, int[] bias, int[] g, int inputZeroPoint) {
    Gemm.product(out, x, bias, g, inputZeroPoint, new Floats(packed, kernel), null);
  }

  /**
   * {@link #conv2d} followed by {@link Requantize#requantize} in scheme FLOAT (u8, per output channel
   * when {@code scales} has one per channel, else one for all), in one pass: each task requantizes
   * its rows of sums as soon as they are complete, while they are in cache, with the same definition
   * ({@link Requantize#requantizeFloat}). Each task's sums go to a scratch array of its thread.
   *
   * @param out the requantized output, as many elements as the convolution's sums
   */
  public static void conv2dRequantize(int[] out, int[] x, float[] packed, int[] bias, int[] g, int inputZeroPoint,
      float[] scales, int outputZeroPoint, int min, int max) {
    Gemm.product(out, x, bias, g, inputZeroPoint, new Floats(packed, kernel),
        new Gemm.Requantization(out, scales, outputZeroPoint, min, max));
  }

  /** The float32 operands: the panel holds {@code x - zp} as float (exact below 2^24). */
  private static final class Floats extends Gemm.Operands {
    private final float[] packed;
    private final MicroKernel mk;

    Floats(float[] packed, MicroKernel mk) {
      super(MR);
      this.packed = packed;
      this.mk = mk;
    }

    @Override
    Object panel(int which, int size) {
      float[][] panels = PACKED_INPUT.get();
      if (panels[which].length < size) {
        panels[which] = new float[size];
      }
      return panels[which];
    }

    @Override
    void pack(Object panel, int dst, int[] x, int src, int run, int strideW, int zp) {
      float[] p = (float[]) panel;
      if (VECTOR_PACK) {
        VectorPack.pack(p, dst, x, src, run, strideW, zp);
      } else if (strideW == 1) {
        for (int l = 0; l < run; l++) {
          p[dst + l] = x[src + l] - zp;
        }
      } else {
        for (int l = 0; l < run; l++) {
          p[dst + l] = x[src + l * strideW] - zp;
        }
      }
    }

    @Override
    void zero(Object panel, int dst, int run) {
      java.util.Arrays.fill((float[]) panel, dst, dst + run, 0f);
    }

    @Override
    void copy(Object panel, int dst, Object from, int src, int run, int strideW) {
      float[] p = (float[]) panel;
      float[] f = (float[]) from;
      if (VECTOR_PACK) {
        VectorPack.copy(p, dst, f, src, run, strideW);
      } else if (strideW == 1) {
        System.arraycopy(f, src, p, dst, run);
      } else {
        for (int l = 0; l < run; l++) {
          p[dst + l] = f[src + l * strideW];
        }
      }
    }

    @Override
    void accumulate(Object panel, int kc, int aOff, int bOff, int[] c, int cOff, int ldc, int rows, int cols) {
      mk.accumulate(kc, packed, aOff, (float[]) panel, bOff, c, cOff, ldc, rows, cols);
    }

    @Override
    boolean requantizesTiles() {
      return mk instanceof VectorF32MicroKernel;
    }

    @Override
    void requantizeTile(Object panel, int kc, int aOff, int bOff, Gemm.Requantization rq, int outOff, int ldo,
        int channel, int[] bias) {
      ((VectorF32MicroKernel) mk).requantizeTile(kc, packed, aOff, (float[]) panel, bOff, rq, outOff, ldo, channel,
          bias);
    }
  }
}
