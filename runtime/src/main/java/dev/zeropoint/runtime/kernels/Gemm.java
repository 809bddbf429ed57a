package dev.zeropoint.runtime.kernels;

import dev.zeropoint.runtime.Parallel;

/**
 * Convolution as a blocked integer matrix product: {@code acc[o, j] = bias[o] + sum_k wc[o, k] *
 * xc[k, j]}, where {@code k} runs over (input channel, kernel row, kernel column) of a group and
 * {@code j} over output pixels. It computes the same int32 (wrapping) sums as {@link
 * Conv#conv2dAcc}; since int32 addition is associative modulo 2^32, the order of the terms does not
 * change a bit.
 *
 * <p>The compiler packs the weights once ({@link #packWeights}): per group, blocks of {@link #MR}
 * output channels (another micro-kernel's {@code mr}: {@link GemmF32#MR}), each stored k-major with
 * the block's {@code MR} weights side by side, zero rows
 * past the group's last channel. At run time each task packs a block of the input the same way
 * (im2col, minus the input zero point, zero for taps outside the input), {@link #NR} pixels side by
 * side, and hands (MR x kc) by (kc x NR) tiles to the {@link MicroKernel}: the JDK's vector API
 * when the module {@code jdk.incubator.vector} is present, plain loops otherwise.
 *
 * <p>The blocking, the packing of the input and the loop over tiles ({@link #product}) are shared
 * with {@link GemmF32}, which runs the same product on the same layout in float32 where that is
 * exact; {@link Operands} is what differs: the element type of the packed arrays and the
 * micro-kernel.
 */
public final class Gemm {
  private Gemm() {}

  /** Rows (output channels) and columns (output pixels) of one micro-kernel tile. */
  public static final int MR = 6, NR = 16;
  /** Pixels per task, and the depth of one packed input block (64 KiB of ints). */
  static final int NC = 64, KC = 256;
  /** Output channels per task: a multiple of every micro-kernel's rows (6 here, 4 in GemmF32). */
  static final int MC = 48;

  /** Accumulates one tile: {@code c[r][l] += sum_k a[k][r] * b[k][l]} for the rows and columns given. */
  public interface MicroKernel {
    /**
     * @param a packed weights, {@code a[aOff + k * MR + r]}
     * @param b packed input, {@code b[bOff + k * NR + l]}
     * @param c accumulators, row {@code r} at {@code cOff + r * ldc}
     */
    void accumulate(int kc, int[] a, int aOff, int[] b, int bOff, int[] c, int cOff, int ldc, int rows, int cols);
  }

  private static volatile MicroKernel kernel = defaultKernel();

  /**
   * Whether to try the vector micro-kernels: the module {@code jdk.incubator.vector} is present and
   * not turned off ({@code -Dzeropoint.vector=false}).
   */
  static boolean vectorModule() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
        && !"false".equals(System.getProperty("zeropoint.vector"));
  }

  private static MicroKernel defaultKernel() {
    if (vectorModule()) {
      try {
        return new VectorMicroKernel();
      } catch (LinkageError e) {
        // The module is there but unusable (another JDK's API): fall back to plain loops.
      }
    }
    return new ScalarMicroKernel();
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
    return kernel instanceof VectorMicroKernel;
  }

  /**
   * Lays out convolution weights for {@link #conv2d}.
   *
   * @param wc weights minus their zero points, [groups * outPerGroup, k]
   * @return per group, per block of {@link #MR} channels, {@code k} rows of {@code MR} weights
   */
  public static int[] packWeights(int[] wc, int groups, int outPerGroup, int k) {
    return packWeights(wc, groups, outPerGroup, k, MR);
  }

  /** {@link #packWeights} for a micro-kernel of {@code mr} rows. */
  static int[] packWeights(int[] wc, int groups, int outPerGroup, int k, int mr) {
    int blocks = blocks(outPerGroup, mr);
    int[] packed = new int[groups * blocks * k * mr];
    for (int gr = 0; gr < groups; gr++) {
      for (int o = 0; o < outPerGroup; o++) {
        int base = ((gr * blocks + o / mr) * k) * mr + o % mr;
        int src = (gr * outPerGroup + o) * k;
        for (int i = 0; i < k; i++) {
          packed[base + i * mr] = wc[src + i];
        }
      }
    }
    return packed;
  }

  /**
   * Adds the first {@code rows} x {@code cols} of a tile {@code t} (rows of {@link #NR})
   * to the accumulators {@code c}, row {@code r} at {@code cOff + r * ldc}: how micro-kernels store
   * a partial tile.
   */
  static void addTile(int[] t, int[] c, int cOff, int ldc, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      int row = cOff + r * ldc;
      for (int l = 0; l < cols; l++) {
        c[row + l] += t[r * NR + l];
      }
    }
  }

  static int blocks(int rows, int mr) {
    return (rows + mr - 1) / mr;
  }

  /** The packed input of the calling thread's convolutions, grown as needed. */
  private static final ThreadLocal<int[]> PACKED_INPUT = ThreadLocal.withInitial(() -> new int[0]);

  /**
   * One precision of the product: the weights as the compiler packed them, the input panel the
   * calling thread packs into (same layout, same values), and the micro-kernel over both.
   */
  abstract static class Operands {
    /** The micro-kernel's rows: the weights are packed in blocks of {@code mr} output channels. */
    final int mr;

    Operands(int mr) {
      this.mr = mr;
    }

    /** Makes the calling thread's panel hold at least {@code size} elements. */
    abstract void panel(int size);

    /** {@code panel[dst + l] = x[src + l * strideW] - zp} for {@code l < run}. */
    abstract void pack(int dst, int[] x, int src, int run, int strideW, int zp);

    /** Zeros {@code panel[dst .. dst + run)}. */
    abstract void zero(int dst, int run);

    /** One tile: {@link MicroKernel#accumulate} on the packed weights and panel. */
    abstract void accumulate(int kc, int aOff, int bOff, int[] c, int cOff, int ldc, int rows, int cols);
  }

  /** The int32 operands: {@link #packWeights} and the int {@link MicroKernel}. */
  private static final class Ints extends Operands {
    private final int[] packed;
    private final MicroKernel mk;
    private int[] panel;

    Ints(int[] packed, MicroKernel mk) {
      super(MR);
      this.packed = packed;
      this.mk = mk;
    }

    @Override
    void panel(int size) {
      int[] p = PACKED_INPUT.get();
      if (p.length < size) {
        p = new int[size];
        PACKED_INPUT.set(p);
      }
      panel = p;
    }

    @Override
    void pack(int dst, int[] x, int src, int run, int strideW, int zp) {
      int[] p = panel;
      if (strideW == 1) {
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
    void zero(int dst, int run) {
      java.util.Arrays.fill(panel, dst, dst + run, 0);
    }

    @Override
    void accumulate(int kc, int aOff, int bOff, int[] c, int cOff, int ldc, int rows, int cols) {
      mk.accumulate(kc, packed, aOff, panel, bOff, c, cOff, ldc, rows, cols);
    }
  }

  /**
   * {@code conv2d_acc} with weights from {@link #packWeights}; geometry as {@link Conv#conv2dAcc}.
   */
  public static void conv2d(int[] out, int[] x, int[] packed, int[] bias, int[] g, int inputZeroPoint) {
    product(out, x, bias, g, inputZeroPoint, new Ints(packed, kernel), null);
  }

  /**
   * Requantization (scheme FLOAT, {@link Requantize#requantizeFloat}) of the sums into {@code out},
   * one scale per output channel or one for all, done by each task on its rows as soon as their sums
   * are complete, while they are in cache.
   */
  record Requantization(int[] out, float[] scales, int outputZeroPoint, int min, int max) {
    void rows(int[] acc, int base, int channel, int j0, int j1) {
      Requantize.requantizeFloat(out, acc, base + j0, base + j1, scales[scales.length == 1 ? 0 : channel],
          outputZeroPoint, min, max);
    }
  }

  /**
   * The blocked product of {@link #conv2d} on the given operands, into {@code out}; then, unless
   * {@code rq} is null, its requantization.
   */
  static void product(int[] out, int[] x, int[] bias, int[] g, int inputZeroPoint, Operands ops,
      Requantization rq) {
    int groups = g[Conv.OUT_CHANNELS] / g[Conv.OUT_PER_GROUP];
    int m = g[Conv.OUT_PER_GROUP];
    int k = g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
    int n = g[Conv.OUT_H] * g[Conv.OUT_W];
    int blocks = blocks(m, ops.mr);
    int mcBlocks = MC / ops.mr;
    int panels = (n + NR - 1) / NR;
    int colUnits = (n + NC - 1) / NC;
    int rowUnits = (blocks + mcBlocks - 1) / mcBlocks;
    ops.panel(panels * k * NR);
    for (int b = 0; b < g[Conv.BATCH]; b++) {
      for (int gr = 0; gr < groups; gr++) {
        int item = b;
        int group = gr;
        Parallel.forEach(k, kIndex -> packInput(ops, x, g, inputZeroPoint, item, group, kIndex, k));
        Parallel.forEach(rowUnits * colUnits, task -> {
          int blockStart = (task / colUnits) * mcBlocks;
          int j0 = (task % colUnits) * NC;
          tile(ops, out, bias, g, item, group, blockStart, Math.min(blocks, blockStart + mcBlocks), j0,
              Math.min(n, j0 + NC), rq);
        });
      }
    }
  }

  private static void tile(Operands ops, int[] out, int[] bias, int[] g, int b, int gr, int blockStart,
      int blockEnd, int j0, int j1, Requantization rq) {
    int m = g[Conv.OUT_PER_GROUP];
    int k = g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
    int n = g[Conv.OUT_H] * g[Conv.OUT_W];
    int mr = ops.mr;
    int blocks = blocks(m, mr);
    int outChannel0 = gr * m;
    int rowEnd = Math.min(m, blockEnd * mr);
    for (int o = blockStart * mr; o < rowEnd; o++) {
      int base = (b * g[Conv.OUT_CHANNELS] + outChannel0 + o) * n;
      java.util.Arrays.fill(out, base + j0, base + j1, bias[outChannel0 + o]);
    }
    int p0 = j0 / NR;
    int p1 = (j1 + NR - 1) / NR;
    for (int k0 = 0; k0 < k; k0 += KC) {
      int kc = Math.min(KC, k - k0);
      for (int blk = blockStart; blk < blockEnd; blk++) {
        int aOff = ((gr * blocks + blk) * k + k0) * mr;
        int o = blk * mr;
        int rows = Math.min(mr, m - o);
        int cOff = (b * g[Conv.OUT_CHANNELS] + outChannel0 + o) * n;
        for (int p = p0; p < p1; p++) {
          ops.accumulate(kc, aOff, (p * k + k0) * NR, out, cOff + p * NR, n, rows, Math.min(NR, n - p * NR));
        }
      }
    }
    if (rq != null) {
      for (int o = blockStart * mr; o < rowEnd; o++) {
        rq.rows(out, (b * g[Conv.OUT_CHANNELS] + outChannel0 + o) * n, outChannel0 + o, j0, j1);
      }
    }
  }

  /**
   * Packs input row {@code kIndex} (an input channel of the group, a kernel row and column) for
   * every output pixel {@code j}: at {@code panel[((j / NR) * k + kIndex) * NR + j % NR]}, the
   * input minus its zero point, zero for a tap outside the input and past the last pixel.
   */
  private static void packInput(Operands panel, int[] x, int[] g, int zp, int b, int gr, int kIndex, int k) {
    int kernelH = g[Conv.KERNEL_H];
    int kernelW = g[Conv.KERNEL_W];
    int width = g[Conv.WIDTH];
    int outH = g[Conv.OUT_H];
    int outW = g[Conv.OUT_W];
    int strideH = g[Conv.STRIDE_H];
    int strideW = g[Conv.STRIDE_W];
    int kw = kIndex % kernelW;
    int kh = (kIndex / kernelW) % kernelH;
    int ci = kIndex / (kernelW * kernelH);
    int xBase = (b * g[Conv.IN_CHANNELS] + gr * g[Conv.IN_PER_GROUP] + ci) * g[Conv.HEIGHT] * width;
    int offH = kh * g[Conv.DILATION_H] - g[Conv.PAD_TOP];
    int offW = kw * g[Conv.DILATION_W] - g[Conv.PAD_LEFT];
    int ohStart = Conv.validStart(offH, strideH, outH);
    int ohEnd = Conv.validEnd(offH, g[Conv.HEIGHT], strideH, outH);
    int owStart = Conv.validStart(offW, strideW, outW);
    int owEnd = Conv.validEnd(offW, width, strideW, outW);
    int stride = k * NR;
    int base = kIndex * NR;
    int j = 0;
    for (int oh = 0; oh < outH; oh++) {
      if (oh < ohStart || oh >= ohEnd) {
        j = fill(panel, j, j + outW, stride, base);
        continue;
      }
      int row = xBase + (oh * strideH + offH) * width + offW;
      j = fill(panel, j, j + owStart, stride, base);
      // The taps inside the input, in runs that stop at panel boundaries.
      int end = j + (owEnd - owStart);
      int src = row + owStart * strideW;
      while (j < end) {
        int run = Math.min(end - j, NR - j % NR);
        panel.pack((j / NR) * stride + base + j % NR, x, src, run, strideW, zp);
        src += run * strideW;
        j += run;
      }
      j = fill(panel, j, j + (outW - owEnd), stride, base);
    }
    // Zero past the last pixel, to the end of its panel.
    fill(panel, j, (j + NR - 1) / NR * NR, stride, base);
  }

  /** Zeros pixels {@code j0 .. j1} of row {@code base}; returns {@code j1}. */
  private static int fill(Operands panel, int j0, int j1, int stride, int base) {
    int j = j0;
    while (j < j1) {
      int run = Math.min(j1 - j, NR - j % NR);
      panel.zero((j / NR) * stride + base + j % NR, run);
      j += run;
    }
    return j1;
  }
}
