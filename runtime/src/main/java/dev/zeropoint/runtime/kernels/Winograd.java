package dev.zeropoint.runtime.kernels;

import dev.zeropoint.runtime.Parallel;

/**
 * A 3 x 3 convolution of stride 1, dilation 1 and one group as Winograd's F(2x2, 3x3), computing
 * exactly {@link Conv#conv2dAcc}'s int32 sums with float32 multiply-adds: each 2 x 2 tile of outputs
 * takes 16 products per input and output channel instead of 36.
 *
 * <p><b>The integers.</b> With {@code G' = 2G} (rows [2 0 0], [1 1 1], [1 -1 1], [0 0 2]), {@code
 * U = G' w G'^T} is an integer 4 x 4 per (output, input) channel pair, made by the compiler from the
 * centered weights ({@link #transformWeights}); {@code V = B^T d B}, {@code d} the 4 x 4 input tile
 * minus the zero point (0 outside the input), is an integer with {@code |V| <= 4 max|d|}; and
 * {@code A^T (sum over input channels of U . V) A} is exactly 4 times the tile's sums. The 16
 * entries {@code xi} of the transforms make 16 matrix products {@code M[xi] = U[xi] (out x in)
 * times V[xi] (in x tiles)}, run by {@link GemmF32}'s micro-kernel in blocks of {@code depth} input
 * channels: each block's float32 sum is exact when every one of its partial sums is an integer of
 * at most 2^24, which the compiler proves from the constant {@code U} and the input's range ({@link
 * #depth}); the blocks are converted to int and added to int32 accumulators that wrap modulo 2^32.
 * The output transform, in int32 too, wraps as well, and so gives {@code 4S} exactly as long as the
 * true value fits int32: the compiler checks {@code 4 max|d| sum|w| < 2^31} for every output channel
 * ({@link #exact}). The sums {@code S = 4S >> 2} then take the bias with int32 wrap-around, as
 * {@link Conv#conv2dAcc} does.
 *
 * <p><b>The layout.</b> Tiles are grouped in panels of 16 consecutive tiles of one tile row (the
 * micro-kernel's columns); a task takes whole tile rows (so its outputs are whole rows, which it
 * requantizes at once) and a group of output channels. The input is copied once, minus its zero
 * point and padded with zeros, each row split into its even and odd columns, so that the 4 x 4
 * windows of eight neighbouring tiles are 16 contiguous loads.
 */
public final class Winograd {
  private Winograd() {}

  /** Tiles per panel: the micro-kernel's columns. */
  static final int NR = Gemm.NR;
  /** Tiles per segment: a vector of the transforms, within one tile row. */
  static final int SEGMENT = 8;
  /**
   * Whether the transforms run on {@link VectorWinograd} (the vector API is present and works);
   * tests turn it off to check the plain loops too.
   */
  static volatile boolean vector = Gemm.vectorWorks(() -> {
    VectorWinograd.transformInput(new float[4 * 36], 0, 36, 18, new float[16 * 8], 0, 8);
    VectorWinograd.transformOutput(new int[16 * 8], 0, 8, 8, new int[64], 0, 0, 0, 2, 32, 0);
  });

  /**
   * Floats between the transformed input of consecutive {@code xi} (one cache line), so that the 16
   * streams the input transform writes are not a multiple of 4 KB apart: they would all fall in one
   * set of the first-level cache, more lines than its ways.
   */
  static final int XI_PAD = 16;

  /** The largest block of input channels summed in float32 before conversion. */
  public static final int MAX_DEPTH = 128;

  /**
   * Whether the geometry is one this kernel computes: one group, 3 x 3, stride 1, dilation 1, and an
   * output wide enough (13 columns, seven tiles) that the panels are not mostly empty.
   */
  public static boolean applies(int[] g) {
    return g[Conv.OUT_CHANNELS] == g[Conv.OUT_PER_GROUP] && g[Conv.KERNEL_H] == 3 && g[Conv.KERNEL_W] == 3
        && g[Conv.STRIDE_H] == 1 && g[Conv.STRIDE_W] == 1 && g[Conv.DILATION_H] == 1 && g[Conv.DILATION_W] == 1
        && g[Conv.OUT_W] >= 13 && g[Conv.OUT_H] >= 2 && g[Conv.IN_PER_GROUP] > 0;
  }

  /**
   * {@code U = G' w G'^T} for every (output, input) channel pair.
   *
   * @param wc centered weights, [out, in, 3, 3]
   * @return {@code u[(xi * out + o) * in + i]}, {@code xi = 4 * row + column} of the 4 x 4 transform
   */
  public static int[] transformWeights(int[] wc, int out, int in) {
    int[] u = new int[16 * out * in];
    long[] t = new long[12];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        int w = (o * in + i) * 9;
        // t = G' w: 4 x 3
        for (int c = 0; c < 3; c++) {
          long w0 = wc[w + c];
          long w1 = wc[w + 3 + c];
          long w2 = wc[w + 6 + c];
          t[c] = 2 * w0;
          t[3 + c] = w0 + w1 + w2;
          t[6 + c] = w0 - w1 + w2;
          t[9 + c] = 2 * w2;
        }
        // U = t G'^T: 4 x 4
        for (int r = 0; r < 4; r++) {
          long a = t[3 * r];
          long b = t[3 * r + 1];
          long c = t[3 * r + 2];
          u[((4 * r) * out + o) * in + i] = Math.toIntExact(2 * a);
          u[((4 * r + 1) * out + o) * in + i] = Math.toIntExact(a + b + c);
          u[((4 * r + 2) * out + o) * in + i] = Math.toIntExact(a - b + c);
          u[((4 * r + 3) * out + o) * in + i] = Math.toIntExact(2 * c);
        }
      }
    }
    return u;
  }

  /**
   * Whether the output transform gives the sums exactly for inputs with {@code |x - zp| <=
   * maxInput}: for every output channel, {@code 4 maxInput sum|w| < 2^31}, so that 4 times the true
   * sums fits int32.
   */
  public static boolean exact(int[] wc, int out, long maxInput) {
    if (maxInput < 0 || maxInput > GemmF32.EXACT_LIMIT) {
      return false;
    }
    int per = out == 0 ? 0 : wc.length / out;
    for (int o = 0; o < out; o++) {
      long sum = 0;
      for (int i = o * per; i < (o + 1) * per; i++) {
        sum += Math.abs((long) wc[i]);
      }
      if (4 * maxInput * sum >= 1L << 31) {
        return false;
      }
    }
    return true;
  }

  /**
   * The largest block of input channels, at most {@link #MAX_DEPTH}, over which every float32 partial
   * sum of {@code U[xi][o][i] * V} is an integer of at most 2^24 for inputs with {@code |x - zp| <=
   * maxInput} ({@code |V| <= 4 maxInput}): for every block of that many channels (the last one
   * shorter), {@code 4 maxInput sum|U| <= 2^24}. 0 if not even one channel holds.
   */
  public static int depth(int[] u, int out, int in, long maxInput) {
    if (maxInput < 0 || maxInput > GemmF32.EXACT_LIMIT) {
      return 0;
    }
    long maxV = 4 * maxInput;
    for (int d = Math.min(MAX_DEPTH, in); d >= 1; d--) {
      if (holds(u, out, in, maxV, d)) {
        return d;
      }
    }
    return 0;
  }

  private static boolean holds(int[] u, int out, int in, long maxV, int d) {
    for (int row = 0; row < 16 * out; row++) {
      for (int i0 = 0; i0 < in; i0 += d) {
        long sum = 0;
        for (int i = i0; i < Math.min(in, i0 + d); i++) {
          sum += Math.abs((long) u[row * in + i]);
        }
        if (sum * maxV > GemmF32.EXACT_LIMIT) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * {@code U} as the micro-kernel reads it: per {@code xi}, per block of {@link GemmF32#MR} output
   * channels, per input channel, the block's {@code MR} values side by side (zero past the last
   * channel); as float32, exact (at most 9 x 2^24 in magnitude is never reached: {@link #depth}).
   */
  public static float[] packWeights(int[] u, int out, int in) {
    int mr = GemmF32.MR;
    int blocks = Gemm.blocks(out, mr);
    float[] packed = new float[16 * blocks * in * mr];
    for (int xi = 0; xi < 16; xi++) {
      for (int o = 0; o < out; o++) {
        int base = ((xi * blocks + o / mr) * in) * mr + o % mr;
        for (int i = 0; i < in; i++) {
          packed[base + i * mr] = u[(xi * out + o) * in + i];
        }
      }
    }
    return packed;
  }

  /**
   * {@code conv2d_acc} ({@link Conv#conv2dAcc}'s geometry {@code g}, which {@link #applies}) with
   * weights from {@link #packWeights}, blocks of {@code depth} input channels ({@link #depth} &gt; 0)
   * and {@link #exact} proven by the compiler: the same int32 sums.
   */
  public static void conv2d(int[] out, int[] x, float[] packed, int[] bias, int[] g, int inputZeroPoint, int depth) {
    run(out, x, packed, bias, g, inputZeroPoint, depth, null);
  }

  /**
   * {@link #conv2d} followed by {@link Requantize#requantize} in scheme FLOAT to u8, as {@link
   * GemmF32#conv2dRequantize}: each task requantizes its rows as soon as their sums are complete.
   */
  public static void conv2dRequantize(int[] out, int[] x, float[] packed, int[] bias, int[] g, int inputZeroPoint,
      int depth, float[] scales, int outputZeroPoint, int min, int max) {
    run(out, x, packed, bias, g, inputZeroPoint, depth, new Gemm.Requantization(out, scales, outputZeroPoint, min,
        max));
  }

  /**
   * Tiles, in tile rows and columns; how panels take them; the split copy's dimensions. A panel is
   * two segments of eight tiles, each within one tile row: in a wide plane ({@code tileCols > 8})
   * consecutive segments of a tile row, {@code panelsPerRow} panels a row; in a narrow one, each
   * segment a whole tile row, two rows a panel (so the micro-kernel's 16 lanes stay busy).
   */
  private record Plan(int tileRows, int tileCols, boolean narrow, int panelsPerRow, int planeRows, int planeCols) {
    static Plan of(int[] g) {
      int th = (g[Conv.OUT_H] + 1) / 2;
      int tw = (g[Conv.OUT_W] + 1) / 2;
      boolean narrow = tw <= SEGMENT;
      int panels = narrow ? 1 : (tw + NR - 1) / NR;
      // A segment at tile column tx reads split columns tx .. tx + 8.
      return new Plan(th, tw, narrow, panels, 2 * th + 2, panels * NR + 1);
    }

    /** Panels of tile rows {@code ty0 .. ty1}. */
    int panels(int ty0, int ty1) {
      return narrow ? (ty1 - ty0 + 1) / 2 : (ty1 - ty0) * panelsPerRow;
    }

    /** The tile row of segment {@code half} (0 or 1) of panel {@code p} of tasks starting at row {@code ty0}. */
    int row(int ty0, int p, int half) {
      return narrow ? ty0 + 2 * p + half : ty0 + p / panelsPerRow;
    }

    /** The first tile column of that segment. */
    int column(int p, int half) {
      return narrow ? 0 : (p % panelsPerRow) * NR + half * SEGMENT;
    }

    /** Tile rows per task: about four panels. */
    int rowsPerTask() {
      return narrow ? 8 : Math.max(1, 4 / panelsPerRow);
    }

    /** Elements of one channel of the split copy: rows of even then odd columns. */
    int channelSize() {
      return planeRows * 2 * planeCols;
    }
  }

  /** The calling thread's scratch: [0] the split input, [1] the transformed input of a task. */
  private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[2][0]);
  /** The calling thread's int32 accumulators of the 16 products of a task. */
  private static final ThreadLocal<int[]> PRODUCTS = ThreadLocal.withInitial(() -> new int[0]);

  private static float[] floats(int which, int size) {
    float[][] f = FLOATS.get();
    if (f[which].length < size) {
      f[which] = new float[size];
    }
    return f[which];
  }

  private static void run(int[] out, int[] x, float[] packed, int[] bias, int[] g, int zp, int depth,
      Gemm.Requantization rq) {
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be >= 1");
    }
    Plan plan = Plan.of(g);
    int in = g[Conv.IN_CHANNELS];
    int outChannels = g[Conv.OUT_CHANNELS];
    int mr = GemmF32.MR;
    int blocks = Gemm.blocks(outChannels, mr);
    // Tasks: whole tile rows, about four panels each, by groups of output channels when rows are few.
    int rowsPerTask = plan.rowsPerTask();
    int rowUnits = (plan.tileRows + rowsPerTask - 1) / rowsPerTask;
    int threads = Parallel.threads();
    int groupBlocks = blocks;
    if (threads > 1 && rowUnits < 2 * threads) {
      groupBlocks = Math.max(Gemm.MC / mr, Gemm.blocks(blocks, Gemm.blocks(2 * threads, rowUnits)));
    }
    int groups = Gemm.blocks(blocks, groupBlocks);
    int gb = groupBlocks;
    for (int b = 0; b < g[Conv.BATCH]; b++) {
      float[] split = floats(0, in * plan.channelSize());
      int item = b;
      Parallel.forEach(in, c -> splitChannel(split, x, g, plan, item, c, zp));
      Parallel.forEach(rowUnits * groups, task -> {
        int ty0 = (task / groups) * rowsPerTask;
        int blk0 = (task % groups) * gb;
        tile(out, split, packed, bias, g, plan, item, ty0, Math.min(plan.tileRows, ty0 + rowsPerTask), blk0,
            Math.min(blocks, blk0 + gb), depth, rq);
      });
    }
  }

  /**
   * Channel {@code c} of batch item {@code b}, minus the zero point and padded with zeros, into the
   * split copy: padded row {@code r}'s even columns at {@code (c * planeRows + r) * 2 * planeCols},
   * its odd columns {@code planeCols} further.
   */
  private static void splitChannel(float[] split, int[] x, int[] g, Plan plan, int b, int c, int zp) {
    int height = g[Conv.HEIGHT];
    int width = g[Conv.WIDTH];
    int padTop = g[Conv.PAD_TOP];
    int padLeft = g[Conv.PAD_LEFT];
    int plane = (b * g[Conv.IN_CHANNELS] + c) * height * width;
    int cols = plan.planeCols;
    for (int r = 0; r < plan.planeRows; r++) {
      int even = (c * plan.planeRows + r) * 2 * cols;
      int odd = even + cols;
      int ih = r - padTop;
      if (ih < 0 || ih >= height) {
        java.util.Arrays.fill(split, even, even + 2 * cols, 0f);
        continue;
      }
      int row = plane + ih * width;
      if (vector) {
        VectorWinograd.splitRow(split, even, odd, x, row, width, padLeft, cols, zp);
      } else {
        splitRow(split, even, odd, x, row, width, padLeft, 0, cols, zp);
      }
    }
  }

  /**
   * Split columns {@code i0 .. i1} of one row: {@code split[even + i] = x[row + 2i - padLeft] - zp}
   * and {@code split[odd + i] = x[row + 2i + 1 - padLeft] - zp}, zero for columns outside {@code 0 ..
   * width}.
   */
  static void splitRow(float[] split, int even, int odd, int[] x, int row, int width, int padLeft, int i0, int i1,
      int zp) {
    for (int i = i0; i < i1; i++) {
      int iw = 2 * i - padLeft;
      split[even + i] = iw >= 0 && iw < width ? x[row + iw] - zp : 0f;
      iw++;
      split[odd + i] = iw >= 0 && iw < width ? x[row + iw] - zp : 0f;
    }
  }

  /**
   * One task: tile rows {@code ty0 .. ty1}, output channel blocks {@code blk0 .. blk1}. For each block of
   * {@code depth} input channels it transforms the input tiles into {@code V} (per {@code xi}, per
   * panel, {@code kc} rows of 16 tiles) and accumulates the 16 products into int32 {@code M} (per
   * {@code xi}, per output channel, the task's tiles); then the output transform and the bias.
   */
  private static void tile(int[] out, float[] split, float[] packed, int[] bias, int[] g, Plan plan, int b, int ty0,
      int ty1, int blk0, int blk1, int depth, Gemm.Requantization rq) {
    int in = g[Conv.IN_CHANNELS];
    int outChannels = g[Conv.OUT_CHANNELS];
    int mr = GemmF32.MR;
    int blocks = Gemm.blocks(outChannels, mr);
    int np = plan.panels(ty0, ty1);
    int ldc = np * NR;
    int o0 = blk0 * mr;
    int o1 = Math.min(outChannels, blk1 * mr);
    int rows = (blk1 - blk0) * mr;
    int kcMax = Math.min(depth, in);
    float[] v = floats(1, 16 * (np * kcMax * NR + XI_PAD));
    int[] m = products(16 * rows * ldc);
    java.util.Arrays.fill(m, 0, 16 * rows * ldc, 0);
    GemmF32.MicroKernel mk = GemmF32.kernel();
    boolean vec = vector;
    int rowStride = 2 * plan.planeCols;
    for (int c0 = 0; c0 < in; c0 += depth) {
      int kc = Math.min(depth, in - c0);
      int xiStride = np * kc * NR + XI_PAD;
      for (int c = c0; c < c0 + kc; c++) {
        for (int p = 0; p < np; p++) {
          for (int half = 0; half < 2; half++) {
            int ty = plan.row(ty0, p, half);
            int tx = plan.column(p, half);
            int dst = (p * kc + (c - c0)) * NR + half * SEGMENT;
            if (ty >= ty1 || tx >= plan.tileCols) {
              // No tiles: lanes the output transform never reads, zero rather than stale.
              for (int xi = 0; xi < 16; xi++) {
                java.util.Arrays.fill(v, dst + xi * xiStride, dst + xi * xiStride + SEGMENT, 0f);
              }
              continue;
            }
            int src = (c * plan.planeRows + 2 * ty) * rowStride + tx;
            if (vec) {
              VectorWinograd.transformInput(split, src, rowStride, plan.planeCols, v, dst, xiStride);
            } else {
              transformInput(split, src, rowStride, plan.planeCols, v, dst, xiStride);
            }
          }
        }
      }
      for (int xi = 0; xi < 16; xi++) {
        for (int blk = blk0; blk < blk1; blk++) {
          int aOff = ((xi * blocks + blk) * in + c0) * mr;
          int cOff = (xi * rows + (blk - blk0) * mr) * ldc;
          for (int p = 0; p < np; p++) {
            // Whole tiles: the rows past the last channel (zero weights) and the lanes past the last
            // tile have room in m and are never read back.
            mk.accumulate(kc, packed, aOff, v, xi * xiStride + p * kc * NR, m, cOff + p * NR, ldc, mr, NR);
          }
        }
      }
    }
    int outH = g[Conv.OUT_H];
    int outW = g[Conv.OUT_W];
    int n = outH * outW;
    // Output o's sums at c[cBase + o * ldo + j]: in place in out, or, to be requantized, in a
    // scratch array of the task's channels and rows only, which stays in cache.
    int j0 = 2 * ty0 * outW;
    int j1 = Math.min(outH, 2 * ty1) * outW;
    int[] c = out;
    int ldo = n;
    int cBase = b * outChannels * n;
    if (rq != null) {
      ldo = j1 - j0;
      c = Gemm.taskSums((o1 - o0) * ldo);
      cBase = -o0 * ldo - j0;
    }
    for (int o = o0; o < o1; o++) {
      int base = cBase + o * ldo;
      for (int p = 0; p < np; p++) {
        for (int half = 0; half < 2; half++) {
          int ty = plan.row(ty0, p, half);
          int tx = plan.column(p, half);
          if (ty >= ty1 || tx >= plan.tileCols) {
            continue;
          }
          int src = (o - o0) * ldc + p * NR + half * SEGMENT;
          int cols = Math.min(SEGMENT, plan.tileCols - tx);
          if (vec) {
            VectorWinograd.transformOutput(m, src, rows * ldc, cols, c, base, 2 * ty, 2 * tx, outH, outW, bias[o]);
          } else {
            transformOutput(m, src, rows * ldc, cols, c, base, 2 * ty, 2 * tx, outH, outW, bias[o]);
          }
        }
      }
    }
    if (rq != null) {
      for (int o = o0; o < o1; o++) {
        rq.rows(c, cBase + o * ldo + j0, (b * outChannels + o) * n + j0, o, j1 - j0);
      }
    }
  }

  private static int[] products(int size) {
    int[] m = PRODUCTS.get();
    if (m.length < size) {
      m = new int[size];
      PRODUCTS.set(m);
    }
    return m;
  }

  /**
   * {@code V = B^T d B} for the eight tiles of a segment, {@code d} rows {@code 0..3} of split rows at
   * {@code src + r * rowStride} (even columns, the odd ones {@code odd} further): entry {@code xi} of
   * tile {@code l} to {@code v[dst + xi * xiStride + l]}.
   */
  static void transformInput(float[] s, int src, int rowStride, int odd, float[] v, int dst, int xiStride) {
    float[] t = new float[16];
    for (int l = 0; l < SEGMENT; l++) {
      for (int r = 0; r < 4; r++) {
        int e = src + r * rowStride + l;
        float d0 = s[e];
        float d1 = s[e + odd];
        float d2 = s[e + 1];
        float d3 = s[e + odd + 1];
        t[4 * r] = d0 - d2;
        t[4 * r + 1] = d1 + d2;
        t[4 * r + 2] = d2 - d1;
        t[4 * r + 3] = d1 - d3;
      }
      for (int j = 0; j < 4; j++) {
        v[dst + j * xiStride + l] = t[j] - t[8 + j];
        v[dst + (4 + j) * xiStride + l] = t[4 + j] + t[8 + j];
        v[dst + (8 + j) * xiStride + l] = t[8 + j] - t[4 + j];
        v[dst + (12 + j) * xiStride + l] = t[4 + j] - t[12 + j];
      }
    }
  }

  /**
   * {@code A^T M A / 4 + bias} for {@code cols <= 8} tiles of a segment: entry {@code xi} of tile {@code l} at {@code
   * m[src + xi * xiStride + l]}; the 2 x 2 outputs of tile {@code l} at rows {@code oh, oh + 1} and
   * columns {@code ow + 2l, ow + 2l + 1} of the plane at {@code base}, those inside it.
   */
  static void transformOutput(int[] m, int src, int xiStride, int cols, int[] out, int base, int oh, int ow,
      int outH, int outW, int bias) {
    int[] s = new int[8];
    for (int l = 0; l < cols; l++) {
      for (int r = 0; r < 4; r++) {
        int e = src + 4 * r * xiStride + l;
        int m0 = m[e];
        int m1 = m[e + xiStride];
        int m2 = m[e + 2 * xiStride];
        int m3 = m[e + 3 * xiStride];
        s[2 * r] = m0 + m1 + m2;
        s[2 * r + 1] = m1 - m2 - m3;
      }
      int y00 = (s[0] + s[2] + s[4]) >> 2;
      int y01 = (s[1] + s[3] + s[5]) >> 2;
      int y10 = (s[2] - s[4] - s[6]) >> 2;
      int y11 = (s[3] - s[5] - s[7]) >> 2;
      int col = ow + 2 * l;
      int row = base + oh * outW + col;
      out[row] = y00 + bias;
      if (col + 1 < outW) {
        out[row + 1] = y01 + bias;
      }
      if (oh + 1 < outH) {
        out[row + outW] = y10 + bias;
        if (col + 1 < outW) {
          out[row + outW + 1] = y11 + bias;
        }
      }
    }
  }
}
