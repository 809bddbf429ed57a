package dev.zeropoint.runtime.kernels;

import dev.zeropoint.runtime.Parallel;

/**
 * Depthwise {@code conv2d_acc} (one input and one output channel per group, so groups == channels)
 * computed with float32 multiply-adds where that is exact: {@link Conv#conv2dAcc}'s int32 sums
 * {@code bias[o] + sum (x - x_zp) * wc} to the bit, for any kernel size, stride, padding, dilation
 * and batch.
 *
 * <p><b>Why it is exact.</b> As in {@link GemmF32}: every integer {@code v} with {@code |v| <= 2^24}
 * is a float32, and a float32 multiply, add or fused multiply-add whose exact result is such an
 * integer returns it unrounded. Each output sums its {@code taps = kernelH * kernelW} products in
 * one float32 accumulator starting from zero (a tap outside the input multiplies a padding zero).
 * If every weight has {@code |wc| <= maxWeight} and every input {@code |x - x_zp| <= maxInput}, every
 * product and every partial sum is an integer of magnitude at most {@code taps * maxWeight *
 * maxInput}; so when that is at most 2^24 ({@link #exact}: unlike {@link GemmF32#exact} the whole
 * kernel counts, there is no blocking), each operation is exact and the float sum is the integer
 * sum of the products. That sum is at most 2^24 in magnitude, so its conversion to int is exact and
 * does not wrap; adding the bias in int32 (wrapping) then gives {@code bias + sum} modulo 2^32,
 * which is what {@link Conv#conv2dAcc} computes in any order of its terms. The order of the taps,
 * the fused or separate multiply-add, and the sums computed and dropped (see below; they read only
 * padding zeros and input values, so they too are exact, not that it matters) change nothing. For
 * 8-bit operands (each centered value at most 255 in magnitude) a 3 x 3 kernel's bound is
 * {@code 9 * 255 * 255 = 585,225}, and any kernel up to 258 taps (16 x 16) holds. The compiler
 * chooses this kernel only when it can prove the bound from the constant weights and the input's
 * element type and zero point, and only when the model is not integer-only; otherwise it runs the
 * same loops in int32 ({@link #conv2dInt32}), exact for any operands since int32 sums wrap the same
 * in any order.
 *
 * <p><b>How.</b> Per (batch item, channel), split over the threads ({@link Parallel}): the input
 * plane is converted once to float {@code x - x_zp} in a padded buffer of the calling thread, zero
 * where a tap falls outside the input, so the inner loop tests no bounds. The buffer holds the
 * padded rows split by phase modulo the vertical stride ({@link Layout}; with stride 2, the even
 * rows, then the odd ones), each row {@code P} columns. Then tap (kh, kw) of output (oh, ow) reads
 * element {@code oh * P + ow * strideW + taps[kh * kernelW + kw]}: the whole plane is one run of
 * sums {@code acc[q] = sum_t w[t] * in[q + taps[t]]}, of which output (oh, ow) is {@code q = oh * P
 * + ow * strideW}; the others, past a row's end or between the strided columns, are computed and
 * dropped. So small planes (7 x 7) make as long a run as large ones, and a horizontal stride costs
 * sums rather than a gather of the input (converting the input costs more than a sum). The {@link
 * Kernel} computes such runs on the JDK's vector API ({@link VectorDepthwise}: eight sums a vector,
 * one fused multiply-add per tap with the weight broadcast) when the module {@code
 * jdk.incubator.vector} is present, in plain loops ({@link ScalarDepthwise}) otherwise. Runs of a
 * few rows go to a scratch array in the first-level cache, from which each row is copied to the
 * output; the fused requantization then requantizes the run's rows, contiguous in the output, in
 * one call (a call per row costs more than it saves on the smaller planes).
 */
public final class Depthwise {
  private Depthwise() {}

  /** Sums the vector kernel computes at once: the buffers have room for a last vector past the end. */
  static final int LANES = 8;

  /**
   * The kernel's two precisions. In float32, the sums of a run: {@code acc[q] = bias + (int) sum_t
   * w[wOff + t] * in[q + taps[t]]}, the sum taken in float32 (exact under {@link #exact}), for
   * {@code q} from {@code q0} to at least {@code q1}: a kernel may go on to the next multiple of
   * {@link #LANES} past {@code q0}, so {@code in} and {@code acc} must have room for that. In int32,
   * the same sums with int32 (wrapping) products and additions, exact for any operands.
   */
  interface Kernel {
    void sums(float[] in, int[] taps, float[] w, int wOff, int[] acc, int q0, int q1, int bias);

    /** {@code dst[d + l] = x[src + l] - zp} for {@code l < run}, as float (exact). */
    void center(float[] dst, int d, int[] x, int src, int run, int zp);

    void sums(int[] in, int[] taps, int[] w, int wOff, int[] acc, int q0, int q1, int bias);

    /** {@code dst[d + l] = x[src + l] - zp} for {@code l < run} (wrapping, as {@link Conv#conv2dAcc}). */
    void center(int[] dst, int d, int[] x, int src, int run, int zp);
  }

  private static volatile Kernel kernel = defaultKernel();

  private static Kernel defaultKernel() {
    if (Gemm.vectorModule()) {
      try {
        return new VectorDepthwise();
      } catch (LinkageError e) {
        // The module is there but unusable (another JDK's API): fall back to plain loops.
      }
    }
    return new ScalarDepthwise();
  }

  /** Whether the vector kernel is in use. */
  public static boolean vectorized() {
    return kernel instanceof VectorDepthwise;
  }

  /** Whether a convolution of this geometry ({@link Conv}'s indices) is depthwise, as this kernel runs it. */
  public static boolean applies(int[] g) {
    return g[Conv.IN_PER_GROUP] == 1 && g[Conv.OUT_PER_GROUP] == 1 && g[Conv.IN_CHANNELS] == g[Conv.OUT_CHANNELS];
  }

  /**
   * Whether this kernel computes {@link Conv#conv2dAcc}'s integers for a kernel of {@code taps}
   * taps whose centered weights have magnitude at most {@code maxWeight}, on inputs of centered
   * magnitude at most {@code maxInput}: {@code taps * maxWeight * maxInput <= 2^24} (see the class).
   */
  public static boolean exact(long maxWeight, long maxInput, long taps) {
    if (maxWeight < 0 || maxInput < 0 || taps < 0) {
      throw new IllegalArgumentException("magnitudes and taps must be >= 0");
    }
    if (maxWeight == 0 || maxInput == 0 || taps == 0) {
      return true; // every product is zero
    }
    long limit = GemmF32.EXACT_LIMIT;
    // Each factor at most 2^24 keeps the products below 2^63.
    return maxWeight <= limit && maxInput <= limit && taps <= limit && maxWeight * maxInput <= limit
        && taps * maxWeight * maxInput <= limit;
  }

  /** The centered weights ({@code [channels, kernelH, kernelW]}) as float32: exact under {@link #exact}. */
  public static float[] weights(int[] wc) {
    float[] f = new float[wc.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = wc[i];
    }
    return f;
  }

  /**
   * {@link Conv#conv2dAcc} for a depthwise geometry ({@link #applies}), with the weights of {@link
   * #weights}, for which the compiler has proven {@link #exact}: the same int32 results.
   */
  public static void conv2d(int[] out, int[] x, float[] weights, int[] bias, int[] g, int inputZeroPoint) {
    run(new Floats(kernel, weights), out, x, bias, g, inputZeroPoint, null);
  }

  /**
   * {@link Conv#conv2dAcc} for a depthwise geometry ({@link #applies}) in int32: the same layout and
   * runs of sums as {@link #conv2d}, with int32 products and sums, which wrap as Conv's do, so that
   * every result is Conv's whatever the operands (int32 addition is associative modulo 2^32). For
   * integer-only models and convolutions whose float32 bound is not proven.
   *
   * @param wc the weights minus their zero points, [channels, kernelH, kernelW]
   */
  public static void conv2dInt32(int[] out, int[] x, int[] wc, int[] bias, int[] g, int inputZeroPoint) {
    run(new Ints(kernel, wc), out, x, bias, g, inputZeroPoint, null);
  }

  /**
   * {@link #conv2d} followed by {@link Requantize#requantize} in scheme FLOAT (u8, per channel when
   * {@code scales} has one per channel, else one for all), in one pass: the output rows are
   * requantized as soon as their sums are computed, a run of rows at a time (some 4,000 sums, or one
   * row), while they are in cache, with the one definition ({@link
   * Requantize#requantizeFloat}), from the scratch run of sums of the task's thread.
   *
   * @param out the requantized output, as many elements as the convolution's sums
   */
  public static void conv2dRequantize(int[] out, int[] x, float[] weights, int[] bias, int[] g, int inputZeroPoint,
      float[] scales, int outputZeroPoint, int min, int max) {
    run(new Floats(kernel, weights), out, x, bias, g, inputZeroPoint,
        new Gemm.Requantization(out, scales, outputZeroPoint, min, max));
  }

  /**
   * The calling thread's padded input plane (one array per precision) and run of sums, and the
   * layout whose padding each plane holds.
   */
  static final class Scratch {
    float[] in = new float[0];
    int[] ints = new int[0];
    int[] acc = new int[0];
    Layout zeroed;
    Layout zeroedInts;
  }

  /** One precision: the padded plane's element type, the weights as such, and the kernel on them. */
  abstract static class Operands {
    final Kernel k;

    Operands(Kernel k) {
      this.k = k;
    }

    /** Makes the thread's plane hold {@code l.size} elements, zero where {@code l} has padding. */
    abstract void plane(Scratch s, Layout l);

    /** {@link Kernel#center} into the thread's plane. */
    abstract void center(Scratch s, int d, int[] x, int src, int run, int zp);

    /** {@link Kernel#sums} on the thread's plane into its run of sums. */
    abstract void sums(Scratch s, int[] taps, int wOff, int q0, int q1, int bias);
  }

  /** Float32 planes and weights ({@link #weights}). */
  static final class Floats extends Operands {
    private final float[] w;

    Floats(Kernel k, float[] w) {
      super(k);
      this.w = w;
    }

    @Override
    void plane(Scratch s, Layout l) {
      if (s.in.length < l.size) {
        s.in = new float[l.size];
        s.zeroed = l;
      } else if (s.zeroed != l) {
        java.util.Arrays.fill(s.in, 0, l.size, 0f);
        s.zeroed = l;
      }
    }

    @Override
    void center(Scratch s, int d, int[] x, int src, int run, int zp) {
      k.center(s.in, d, x, src, run, zp);
    }

    @Override
    void sums(Scratch s, int[] taps, int wOff, int q0, int q1, int bias) {
      k.sums(s.in, taps, w, wOff, s.acc, q0, q1, bias);
    }
  }

  /** Int32 planes and weights. */
  static final class Ints extends Operands {
    private final int[] w;

    Ints(Kernel k, int[] w) {
      super(k);
      this.w = w;
    }

    @Override
    void plane(Scratch s, Layout l) {
      if (s.ints.length < l.size) {
        s.ints = new int[l.size];
        s.zeroedInts = l;
      } else if (s.zeroedInts != l) {
        java.util.Arrays.fill(s.ints, 0, l.size, 0);
        s.zeroedInts = l;
      }
    }

    @Override
    void center(Scratch s, int d, int[] x, int src, int run, int zp) {
      k.center(s.ints, d, x, src, run, zp);
    }

    @Override
    void sums(Scratch s, int[] taps, int wOff, int q0, int q1, int bias) {
      k.sums(s.ints, taps, w, wOff, s.acc, q0, q1, bias);
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** About how many sums a run holds (16 KiB): the rows of a run are copied out (and requantized) while in cache. */
  private static final int RUN = 4096;

  /**
   * The convolution on the operands {@code ops} into {@code sums}; or, unless {@code rq} is null,
   * each run's requantization into {@code rq.out()} (then {@code sums} is not written).
   */
  static void run(Operands ops, int[] sums, int[] x, int[] bias, int[] g, int zp, Gemm.Requantization rq) {
    if (!applies(g)) {
      throw new IllegalArgumentException("not a depthwise convolution");
    }
    int channels = g[Conv.OUT_CHANNELS];
    int outH = g[Conv.OUT_H];
    int outW = g[Conv.OUT_W];
    if (outH <= 0 || outW <= 0) {
      return;
    }
    Layout l = new Layout(g);
    int plane = outH * outW;
    int inPlane = g[Conv.HEIGHT] * g[Conv.WIDTH];
    int taps = l.taps.length;
    int p = l.columns;
    int strideW = g[Conv.STRIDE_W];
    int rowsPerRun = Math.clamp(RUN / p, 1, outH);
    Parallel.forEach(g[Conv.BATCH] * channels, bc -> {
      int c = bc % channels;
      Scratch s = SCRATCH.get();
      l.fill(ops, s, x, bc * inPlane, zp);
      int[] acc = s.acc;
      int outBase = bc * plane;
      int wOff = c * taps;
      int b = bias[c];
      for (int oh0 = 0; oh0 < outH; oh0 += rowsPerRun) {
        int oh1 = Math.min(outH, oh0 + rowsPerRun);
        ops.sums(s, l.taps, wOff, oh0 * p, (oh1 - 1) * p + (outW - 1) * strideW + 1, b);
        // The rows to sums, or, to be requantized, to a scratch array of the run's rows (one
        // requantization of the whole run, rather than one of each short row).
        int[] dst = rq == null ? sums : Gemm.taskSums((oh1 - oh0) * outW);
        int dstBase = rq == null ? outBase : -oh0 * outW;
        for (int oh = oh0; oh < oh1; oh++) {
          int o = dstBase + oh * outW;
          if (strideW == 1) {
            System.arraycopy(acc, oh * p, dst, o, outW);
          } else {
            for (int ow = 0, q = oh * p; ow < outW; ow++, q += strideW) {
              dst[o + ow] = acc[q];
            }
          }
        }
        if (rq != null) { // the run's rows, contiguous in the output
          rq.rows(dst, 0, outBase + oh0 * outW, c, (oh1 - oh0) * outW);
        }
      }
    });
  }

  /**
   * Where a plane's padded input lives in the buffer: padded row {@code r} holds input row {@code r
   * - padTop}, padded column {@code c} input column {@code c - padLeft}, zero outside the input;
   * padded row r is row {@code r / strideH} of block {@code r % strideH}, each block {@code rows} x
   * {@link #columns}. {@code taps[kh * kernelW + kw]} is where tap (kh, kw) of output (0, 0) reads;
   * output (oh, ow) adds {@code oh * columns + ow * strideW}. Past the blocks, zeros for the sums a
   * kernel computes past the last.
   */
  static final class Layout {
    /** The columns {@code P} of a block: every padded column an output reads. */
    final int columns;
    final int size;
    /** How many sums of a plane's run {@link Scratch#acc} must hold. */
    final int accSize;
    final int[] taps;
    private final int strideH;
    private final int block;
    private final int rows;
    private final int padTop;
    private final int padLeft;
    private final int inHeight;
    private final int inWidth;

    Layout(int[] g) {
      int kernelH = g[Conv.KERNEL_H];
      int kernelW = g[Conv.KERNEL_W];
      strideH = g[Conv.STRIDE_H];
      int dilationH = g[Conv.DILATION_H];
      int dilationW = g[Conv.DILATION_W];
      int outH = g[Conv.OUT_H];
      columns = Math.addExact(Math.multiplyExact(g[Conv.OUT_W] - 1, g[Conv.STRIDE_W]),
          Math.multiplyExact(kernelW - 1, dilationW) + 1);
      rows = outH + (kernelH - 1) * dilationH / strideH;
      block = Math.multiplyExact(rows, columns);
      taps = new int[kernelH * kernelW];
      int maxTap = 0;
      for (int kh = 0; kh < kernelH; kh++) {
        for (int kw = 0; kw < kernelW; kw++) {
          int r = kh * dilationH;
          int t = Math.addExact(Math.multiplyExact(r % strideH, block), (r / strideH) * columns + kw * dilationW);
          taps[kh * kernelW + kw] = t;
          maxTap = Math.max(maxTap, t);
        }
      }
      // The last run ends before outH * columns, a vector past it at most.
      accSize = Math.addExact(Math.multiplyExact(outH, columns), LANES);
      size = Math.max(Math.multiplyExact(strideH, block), Math.addExact(maxTap, accSize));
      padTop = g[Conv.PAD_TOP];
      padLeft = g[Conv.PAD_LEFT];
      inHeight = g[Conv.HEIGHT];
      inWidth = g[Conv.WIDTH];
    }

    /**
     * Fills the calling thread's plane ({@link Operands#plane}) with the input plane at {@code
     * x[xBase]}: the elements inside the input written, the padding zeroed once per layout and
     * thread (no plane writes it).
     */
    void fill(Operands ops, Scratch s, int[] x, int xBase, int zp) {
      ops.plane(s, this);
      if (s.acc.length < accSize) {
        s.acc = new int[accSize];
      }
      // Padded columns inside the input: 0 <= c - padLeft < inWidth.
      int cFirst = Math.clamp(padLeft, 0, columns);
      int run = Math.clamp((long) padLeft + inWidth, cFirst, columns) - cFirst;
      if (run == 0) {
        return;
      }
      for (int rp = 0; rp < strideH; rp++) {
        // Rows i of this phase inside the input: 0 <= i * strideH + rp - padTop < inHeight.
        int iFirst = Math.clamp(Math.ceilDiv(padTop - rp, strideH), 0, rows);
        int iEnd = Math.clamp(Math.floorDiv(inHeight - 1 + padTop - rp, strideH) + 1, 0, rows);
        int dst = rp * block + cFirst;
        int src = xBase + cFirst - padLeft;
        for (int i = iFirst; i < iEnd; i++) {
          ops.center(s, dst + i * columns, x, src + (i * strideH + rp - padTop) * inWidth, run, zp);
        }
      }
    }
  }
}
