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

  /**
   * Whether {@link #vectorModule} holds and {@code probe}, a call of a vector-API kernel, runs: the
   * module can be present but unusable (another JDK's API), and then the kernels keep plain loops.
   */
  static boolean vectorWorks(Runnable probe) {
    if (!vectorModule()) {
      return false;
    }
    try {
      probe.run();
      return true;
    } catch (LinkageError e) {
      return false;
    }
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
    int blocks = blocks(outPerGroup, MR);
    int[] packed = new int[groups * blocks * k * MR];
    for (int gr = 0; gr < groups; gr++) {
      for (int o = 0; o < outPerGroup; o++) {
        int base = ((gr * blocks + o / MR) * k) * MR + o % MR;
        int src = (gr * outPerGroup + o) * k;
        for (int i = 0; i < k; i++) {
          packed[base + i * MR] = wc[src + i];
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

  /**
   * The calling thread's packed inputs: [0] shared by a product's tasks, [1] one task's own, [2] the
   * padded input.
   */
  private static final ThreadLocal<int[][]> PACKED_INPUT = ThreadLocal.withInitial(() -> new int[3][0]);

  /**
   * One precision of the product: the weights as the compiler packed them, the input panels (same
   * layout, same values; {@code int[]} or {@code float[]}, passed as {@code Object}) and the
   * micro-kernel over both.
   */
  abstract static class Operands {
    /** The micro-kernel's rows: the weights are packed in blocks of {@code mr} output channels. */
    final int mr;

    Operands(int mr) {
      this.mr = mr;
    }

    /**
     * The calling thread's panel {@code which} (0: the one a product packs for all its tasks, 1: a
     * task's own, 2: the padded input), of at least {@code size} elements.
     */
    abstract Object panel(int which, int size);

    /** {@code panel[dst + l] = x[src + l * strideW] - zp} for {@code l < run}. */
    abstract void pack(Object panel, int dst, int[] x, int src, int run, int strideW, int zp);

    /** Zeros {@code panel[dst .. dst + run)}. */
    abstract void zero(Object panel, int dst, int run);

    /** {@code panel[dst + l] = from[src + l * strideW]} for {@code l < run}; {@code from} a panel. */
    abstract void copy(Object panel, int dst, Object from, int src, int run, int strideW);

    /** One tile: {@link MicroKernel#accumulate} on the packed weights and the panel. */
    abstract void accumulate(Object panel, int kc, int aOff, int bOff, int[] c, int cOff, int ldc, int rows, int cols);

    /**
     * Whether {@link #requantizeTile} runs: a whole {@code mr x NR} tile whose sums need one block
     * of depth, requantized as it leaves the micro-kernel. None by default.
     */
    boolean requantizesTiles() {
      return false;
    }

    /**
     * A whole tile of depth {@code kc} (the whole sum), plus the bias of each row, requantized by
     * {@code rq} straight into {@code rq.out()} from {@code outOff} (rows {@code ldo} apart); its
     * rows are output channels {@code channel ..} of {@code bias} and {@code rq}'s scales.
     */
    void requantizeTile(Object panel, int kc, int aOff, int bOff, Requantization rq, int outOff, int ldo,
        int channel, int[] bias) {
      throw new UnsupportedOperationException();
    }
  }

  /** Whether every bias of channels {@code from .. to} is an integer a float holds exactly. */
  static boolean floatExact(int[] bias, int from, int to) {
    for (int o = from; o < to; o++) {
      if (Math.abs((long) bias[o]) > (1 << 24)) {
        return false;
      }
    }
    return true;
  }

  /** The int32 operands: {@link #packWeights} and the int {@link MicroKernel}. */
  private static final class Ints extends Operands {
    private final int[] packed;
    private final MicroKernel mk;

    Ints(int[] packed, MicroKernel mk) {
      super(MR);
      this.packed = packed;
      this.mk = mk;
    }

    @Override
    Object panel(int which, int size) {
      int[][] panels = PACKED_INPUT.get();
      if (panels[which].length < size) {
        panels[which] = new int[size];
      }
      return panels[which];
    }

    @Override
    void pack(Object panel, int dst, int[] x, int src, int run, int strideW, int zp) {
      int[] p = (int[]) panel;
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
    void zero(Object panel, int dst, int run) {
      java.util.Arrays.fill((int[]) panel, dst, dst + run, 0);
    }

    @Override
    void copy(Object panel, int dst, Object from, int src, int run, int strideW) {
      int[] p = (int[]) panel;
      int[] f = (int[]) from;
      if (strideW == 1) {
        System.arraycopy(f, src, p, dst, run);
      } else {
        for (int l = 0; l < run; l++) {
          p[dst + l] = f[src + l * strideW];
        }
      }
    }

    @Override
    void accumulate(Object panel, int kc, int aOff, int bOff, int[] c, int cOff, int ldc, int rows, int cols) {
      mk.accumulate(kc, packed, aOff, (int[]) panel, bOff, c, cOff, ldc, rows, cols);
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
    /** {@code count} sums of {@code channel} from {@code acc[accStart ..]} to {@code out[outStart ..]}. */
    void rows(int[] acc, int accStart, int outStart, int channel, int count) {
      Requantize.requantizeFloat(out, outStart, acc, accStart, count, scales[scales.length == 1 ? 0 : channel],
          outputZeroPoint, min, max);
    }

    /** Whether channels {@code from .. to} requantize on the vector API ({@link Requantize#vectorApplies}). */
    boolean vectorApplies(int from, int to) {
      for (int o = from; o < to; o++) {
        if (!Requantize.vectorApplies(scales[scales.length == 1 ? 0 : o], outputZeroPoint, min, max)) {
          return false;
        }
      }
      return true;
    }
  }

  /** The sums of the calling thread's task when they are requantized at once, grown as needed. */
  private static final ThreadLocal<int[]> TASK_SUMS = ThreadLocal.withInitial(() -> new int[0]);

  /** The calling thread's array for the sums of one task, at least {@code size} elements. */
  static int[] taskSums(int size) {
    int[] s = TASK_SUMS.get();
    if (s.length < size) {
      s = new int[size];
      TASK_SUMS.set(s);
    }
    return s;
  }

  /**
   * The blocked product of {@link #conv2d} on the given operands, into {@code out}; or, unless
   * {@code rq} is null, its requantization into {@code rq.out()}, each task's sums in a scratch array
   * of its thread ({@code out} is then not written).
   *
   * <p>The work is split into tasks of {@link #NC} output pixels by a number of output channels.
   * When there are enough pixel blocks to keep the threads busy (or one thread), each task covers
   * every channel and packs its own pixels, {@link #KC} rows at a time, into a panel of its thread
   * just before multiplying it, while it is in cache: each input element is packed once and read
   * from the cache. Otherwise (few pixels, as in the last layers) the input is packed once for all
   * tasks, which split the channels in blocks of {@link #MC}.
   *
   * <p>Packing reads the input itself when every tap of the window lies inside it; otherwise a
   * copy of the group's input, minus its zero point and surrounded by the zero padding ({@link
   * Source}), made once, so that packing never tests a tap's position.
   */
  static void product(int[] out, int[] x, int[] bias, int[] g, int inputZeroPoint, Operands ops,
      Requantization rq) {
    int groups = g[Conv.OUT_CHANNELS] / g[Conv.OUT_PER_GROUP];
    int m = g[Conv.OUT_PER_GROUP];
    int k = g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
    int n = g[Conv.OUT_H] * g[Conv.OUT_W];
    int blocks = blocks(m, ops.mr);
    int colUnits = (n + NC - 1) / NC;
    int threads = Parallel.threads();
    boolean ownPanels = threads == 1 || colUnits >= 2 * threads;
    int mcBlocks = ownPanels ? blocks : MC / ops.mr;
    int rowUnits = (blocks + mcBlocks - 1) / mcBlocks;
    for (int b = 0; b < g[Conv.BATCH]; b++) {
      for (int gr = 0; gr < groups; gr++) {
        int item = b;
        int group = gr;
        Source src = Source.of(ops, x, g, inputZeroPoint, b, gr);
        Object shared = null;
        if (!ownPanels) {
          Object panel = ops.panel(0, (n + NR - 1) / NR * k * NR);
          Runs runs = new Runs(g, src.rowStride, 0, n, k * NR);
          Parallel.forEach(k, kIndex -> runs.pack(ops, panel, src, g, kIndex, kIndex * NR));
          shared = panel;
        }
        Object sharedPanel = shared;
        Parallel.forEach(rowUnits * colUnits, task -> {
          int blockStart = (task / colUnits) * mcBlocks;
          int j0 = (task % colUnits) * NC;
          tile(ops, sharedPanel, src, out, bias, g, item, group, blockStart, Math.min(blocks, blockStart + mcBlocks),
              j0, Math.min(n, j0 + NC), rq);
        });
      }
    }
  }

  /**
   * One task: output channels of blocks {@code blockStart .. blockEnd}, pixels {@code j0 .. j1}. With
   * {@code shared} null it packs its own pixels, {@link #KC} rows at a time; otherwise it reads them
   * from {@code shared}, the whole input packed (row {@code kIndex} of pixel {@code j} at {@code ((j /
   * NR) * k + kIndex) * NR + j % NR}).
   */
  private static void tile(Operands ops, Object shared, Source src, int[] out, int[] bias, int[] g, int b, int gr,
      int blockStart, int blockEnd, int j0, int j1, Requantization rq) {
    int m = g[Conv.OUT_PER_GROUP];
    int k = g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
    int n = g[Conv.OUT_H] * g[Conv.OUT_W];
    int mr = ops.mr;
    int blocks = blocks(m, mr);
    int outChannel0 = gr * m;
    int rowStart = blockStart * mr;
    int rowEnd = Math.min(m, blockEnd * mr);
    // The sums of row o, pixel j at c[cBase + o * ldc + j]: in place in out, or, to be requantized,
    // in a scratch array of the task's rows and pixels only, which stays in cache.
    int[] c = out;
    int ldc = n;
    int cBase = (b * g[Conv.OUT_CHANNELS] + outChannel0) * n;
    if (rq != null) {
      ldc = j1 - j0;
      c = taskSums((rowEnd - rowStart) * ldc);
      cBase = -rowStart * ldc - j0;
    }
    // One block of depth: whole tiles are requantized as they leave the micro-kernel (when the
    // operands can, and every bias is a float-exact integer); the others go through the sums, each
    // tile filled with its bias and requantized on its own.
    boolean tiles = rq != null && k <= KC && ops.requantizesTiles()
        && floatExact(bias, outChannel0 + rowStart, outChannel0 + rowEnd)
        && rq.vectorApplies(outChannel0 + rowStart, outChannel0 + rowEnd);
    if (!tiles) {
      for (int o = rowStart; o < rowEnd; o++) {
        java.util.Arrays.fill(c, cBase + o * ldc + j0, cBase + o * ldc + j1, bias[outChannel0 + o]);
      }
    }
    int outBase = (b * g[Conv.OUT_CHANNELS] + outChannel0) * n;
    int p0 = j0 / NR;
    int p1 = (j1 + NR - 1) / NR;
    Object panel = shared;
    Runs runs = null;
    if (shared == null) {
      panel = ops.panel(1, (p1 - p0) * Math.min(KC, k) * NR);
    }
    for (int k0 = 0; k0 < k; k0 += KC) {
      int kc = Math.min(KC, k - k0);
      if (shared == null) {
        if (runs == null || kc != KC) {
          runs = new Runs(g, src.rowStride, j0, j1, kc * NR);
        }
        for (int kIndex = k0; kIndex < k0 + kc; kIndex++) {
          runs.pack(ops, panel, src, g, kIndex, (kIndex - k0) * NR);
        }
      }
      for (int blk = blockStart; blk < blockEnd; blk++) {
        int aOff = ((gr * blocks + blk) * k + k0) * mr;
        int o = blk * mr;
        int rows = Math.min(mr, m - o);
        int cOff = cBase + o * ldc;
        for (int p = p0; p < p1; p++) {
          int bOff = shared != null ? (p * k + k0) * NR : (p - p0) * kc * NR;
          int cols = Math.min(NR, n - p * NR);
          if (tiles && rows == mr && cols == NR) {
            ops.requantizeTile(panel, kc, aOff, bOff, rq, outBase + o * n + p * NR, n, outChannel0 + o, bias);
            continue;
          }
          if (tiles) { // a partial tile (the last channels or pixels): through the sums, from the bias
            for (int r = 0, at = cOff + p * NR; r < rows; r++, at += ldc) {
              java.util.Arrays.fill(c, at, at + cols, bias[outChannel0 + o + r]);
            }
          }
          ops.accumulate(panel, kc, aOff, bOff, c, cOff + p * NR, ldc, rows, cols);
          if (tiles) {
            for (int r = 0; r < rows; r++) {
              rq.rows(c, cOff + r * ldc + p * NR, outBase + (o + r) * n + p * NR, outChannel0 + o + r, cols);
            }
          }
        }
      }
    }
    if (rq != null && !tiles) {
      for (int o = rowStart; o < rowEnd; o++) {
        rq.rows(c, cBase + o * ldc + j0, outBase + o * n + j0, outChannel0 + o, j1 - j0);
      }
    }
  }

  /**
   * Where packing reads one group of one batch item: the input itself ({@code direct}: every tap of
   * every output pixel lies inside it, read minus the zero point), or a copy minus the zero point
   * with the zero padding around it, rows of {@code rowStride} elements, channel {@code ci} at {@code
   * ci * channelSize}; input row {@code ih} is row {@code ih + padTop}, column {@code iw} is {@code iw +
   * padLeft}. Either way, tap (ci, kh, kw) of output pixel (oh, ow) is at {@code channelBase(ci) + (oh
   * * strideH + kh * dilationH) * rowStride + ow * strideW + kw * dilationW}.
   */
  private record Source(boolean direct, int[] x, Object padded, int zp, int base, int channelSize, int rowStride) {
    static Source of(Operands ops, int[] x, int[] g, int zp, int b, int gr) {
      int height = g[Conv.HEIGHT];
      int width = g[Conv.WIDTH];
      int rows = (g[Conv.OUT_H] - 1) * g[Conv.STRIDE_H] + (g[Conv.KERNEL_H] - 1) * g[Conv.DILATION_H] + 1;
      int cols = (g[Conv.OUT_W] - 1) * g[Conv.STRIDE_W] + (g[Conv.KERNEL_W] - 1) * g[Conv.DILATION_W] + 1;
      int padTop = g[Conv.PAD_TOP];
      int padLeft = g[Conv.PAD_LEFT];
      int base = (b * g[Conv.IN_CHANNELS] + gr * g[Conv.IN_PER_GROUP]) * height * width;
      if (padTop == 0 && padLeft == 0 && rows <= height && cols <= width) {
        return new Source(true, x, null, zp, base, height * width, width);
      }
      int channels = g[Conv.IN_PER_GROUP];
      int channelSize = rows * cols;
      Object padded = ops.panel(2, channels * channelSize);
      Parallel.forEach(channels, ci -> {
        int dst = ci * channelSize;
        int plane = base + ci * height * width;
        for (int r = 0; r < rows; r++, dst += cols) {
          int ih = r - padTop;
          if (ih < 0 || ih >= height) {
            ops.zero(padded, dst, cols);
            continue;
          }
          int first = Math.min(padLeft, cols); // padded columns before input column 0
          int last = Math.min(cols, padLeft + width); // one past the last input column
          ops.zero(padded, dst, first);
          if (last > first) {
            ops.pack(padded, dst + first, x, plane + ih * width + (first - padLeft), last - first, 1, zp);
          }
          ops.zero(padded, dst + Math.max(first, last), cols - Math.max(first, last));
        }
      });
      return new Source(false, x, padded, zp, 0, channelSize, cols);
    }
  }

  /**
   * The runs in which output pixels {@code j0 .. j1} ({@code j0} a multiple of {@link #NR}) are
   * packed: each run lies in one output row and one panel; pixel {@code j} of packed row {@code
   * kIndex} goes to {@code ((j - j0) / NR) * stride + base + j % NR}, where {@code base} depends on
   * {@code kIndex}. Computed once per task, so that packing a row does no division and no test.
   */
  private static final class Runs {
    private final int[] dst;
    private final int[] src;
    private final int[] len;
    private final int count;
    private final int strideW;
    private final int rowStride;
    /** Zeros past the last pixel, to the end of its panel: where, and how many. */
    private final int tail;
    private final int tailLen;

    Runs(int[] g, int rowStride, int j0, int j1, int stride) {
      int outW = g[Conv.OUT_W];
      int capacity = (j1 - j0) / NR + 2 * ((j1 - j0) / Math.max(1, outW) + 2);
      int[] d = new int[capacity];
      int[] s = new int[capacity];
      int[] l = new int[capacity];
      int c = 0;
      int j = j0;
      while (j < j1) {
        int oh = j / outW;
        int ow = j - oh * outW;
        int run = Math.min(Math.min(outW - ow, j1 - j), NR - j % NR);
        int to = ((j - j0) / NR) * stride + j % NR;
        int from = oh * g[Conv.STRIDE_H] * rowStride + ow * g[Conv.STRIDE_W];
        if (c > 0 && j % NR != 0 && d[c - 1] + l[c - 1] == to && s[c - 1] + l[c - 1] * g[Conv.STRIDE_W] == from) {
          l[c - 1] += run; // continues the last run (the next row follows in the input: a 1x1 window)
          j += run;
          continue;
        }
        if (c == d.length) {
          d = java.util.Arrays.copyOf(d, 2 * c);
          s = java.util.Arrays.copyOf(s, 2 * c);
          l = java.util.Arrays.copyOf(l, 2 * c);
        }
        d[c] = to;
        s[c] = from;
        l[c] = run;
        c++;
        j += run;
      }
      this.dst = d;
      this.src = s;
      this.len = l;
      this.count = c;
      this.strideW = g[Conv.STRIDE_W];
      this.rowStride = rowStride;
      this.tail = ((j1 - j0) / NR) * stride + j1 % NR;
      this.tailLen = j1 % NR == 0 ? 0 : NR - j1 % NR;
    }

    /** Packs row {@code kIndex} (an input channel of the group, a kernel row and column) at {@code base}. */
    void pack(Operands ops, Object panel, Source from, int[] g, int kIndex, int base) {
      int kernelW = g[Conv.KERNEL_W];
      int kernelH = g[Conv.KERNEL_H];
      int kw = kIndex % kernelW;
      int kh = (kIndex / kernelW) % kernelH;
      int ci = kIndex / (kernelW * kernelH);
      int tap = from.base + ci * from.channelSize + kh * g[Conv.DILATION_H] * rowStride + kw * g[Conv.DILATION_W];
      if (from.direct) {
        for (int r = 0; r < count; r++) {
          ops.pack(panel, base + dst[r], from.x, tap + src[r], len[r], strideW, from.zp);
        }
      } else {
        for (int r = 0; r < count; r++) {
          ops.copy(panel, base + dst[r], from.padded, tap + src[r], len[r], strideW);
        }
      }
      if (tailLen > 0) {
        ops.zero(panel, base + tail, tailLen);
      }
    }
  }
}
