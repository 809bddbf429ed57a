package dev.zeropoint.backends.lowering;

import static dev.zeropoint.backends.lowering.KernelCall.constant;
import static dev.zeropoint.backends.lowering.KernelCall.imm;
import static dev.zeropoint.backends.lowering.KernelCall.operand;
import static dev.zeropoint.backends.lowering.KernelCall.result;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PoolRescale;
import dev.zeropoint.ir.numerics.PyTorchAtenFloat;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.numerics.PyTorchQnnpackPooling;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.runtime.kernels.Norm;
import dev.zeropoint.runtime.kernels.Pool;

/**
 * The pools and batch norm: the interpreter's {@code PoolKernels} and {@code NormKernels} with every
 * choice PyTorch makes (which kernel, per-window divisor or multiplier, vector or scalar channel)
 * taken at compile time, so each kernel is one rounding rule over tables laid out once.
 */
final class PoolLowering {
  private final Numerics numerics;

  private final String backend;

  PoolLowering(Numerics numerics, String backend) {
    this.backend = backend;
    this.numerics = numerics;
  }

  private CompileException unsupported(Node n, String why) {
    return new CompileException(n.location(), "the " + backend + " backend does not run " + n.op().keyword() + " %"
        + n.results().get(0).name() + " yet" + (why.isEmpty() ? "" : ": " + why));
  }

  // ---------------------------------------------------------------- max_pool2d

  KernelCall maxPool2d(Node n) throws CompileException {
    Attrs.MaxPool2d a = (Attrs.MaxPool2d) n.attrs();
    TensorType x = n.operand(0).type();
    int[] g = geometry(x, n.result().type(), a.kernel().get(0), a.kernel().get(1), a.stride().get(0),
        a.stride().get(1), a.padding().get(0), a.padding().get(1), a.dilation().get(0), a.dilation().get(1));
    if (x.elementType() == ElementType.F32) {
      return KernelCall.of(Pool.class, "maxPoolFloat", result(), operand(0), constant(g));
    }
    boolean qnnpack = numerics == Numerics.PYTORCH_QNNPACK && x.isQuantized()
        && PyTorchQnnpackPooling.maxPoolUsesQnnpack(x.elementType(), a.ceilMode());
    if (qnnpack) {
      try {
        PyTorchQnnpackPooling.checkQnnpackMaxPool(g[Pool.KERNEL_H] * g[Pool.KERNEL_W]);
      } catch (IllegalArgumentException e) {
        throw unsupported(n, e.getMessage());
      }
      return KernelCall.of(Pool.class, "maxPoolClamped", result(), operand(0), constant(g));
    }
    return KernelCall.of(Pool.class, "maxPool", result(), operand(0), constant(g));
  }

  private static int[] geometry(TensorType in, TensorType out, int kH, int kW, int strideH, int strideW, int padTop,
      int padLeft, int dilationH, int dilationW) {
    int[] g = new int[Pool.GEOMETRY_SIZE];
    g[Pool.PLANES] = in.shape().dim(0) * in.shape().dim(1);
    g[Pool.IN_H] = in.shape().dim(2);
    g[Pool.IN_W] = in.shape().dim(3);
    g[Pool.OUT_H] = out.shape().dim(2);
    g[Pool.OUT_W] = out.shape().dim(3);
    g[Pool.KERNEL_H] = kH;
    g[Pool.KERNEL_W] = kW;
    g[Pool.STRIDE_H] = strideH;
    g[Pool.STRIDE_W] = strideW;
    g[Pool.PAD_TOP] = padTop;
    g[Pool.PAD_LEFT] = padLeft;
    g[Pool.DILATION_H] = dilationH;
    g[Pool.DILATION_W] = dilationW;
    return g;
  }

  // ---------------------------------------------------------------- windows

  /**
   * The windows of an average pool as {@link Pool} reads them, with their padded sizes: rows {@code
   * [oh * strideH - padTop, + kH)} clipped to the padded input (paddedRows, ATen's count with
   * padding) and to the input (the in-bounds taps); likewise columns.
   */
  private record Windows(int[] table, int outH, int outW, int[] paddedRows, int[] paddedCols) {
    int rows(int oh) {
      return table[Pool.WINDOW_HEADER + 2 * oh + 1] - table[Pool.WINDOW_HEADER + 2 * oh];
    }

    int cols(int ow) {
      int c = Pool.WINDOW_HEADER + 2 * outH;
      return table[c + 2 * ow + 1] - table[c + 2 * ow];
    }

    static Windows header(TensorType in, TensorType out) {
      int outH = out.shape().dim(2);
      int outW = out.shape().dim(3);
      int[] t = new int[Pool.WINDOW_HEADER + 2 * outH + 2 * outW];
      t[0] = in.shape().dim(0) * in.shape().dim(1);
      t[1] = in.shape().dim(2);
      t[2] = in.shape().dim(3);
      t[3] = outH;
      t[4] = outW;
      return new Windows(t, outH, outW, new int[outH], new int[outW]);
    }

    /** avg_pool2d's windows ({@code PoolKernels.forEachWindow}). */
    static Windows average(TensorType in, TensorType out, Attrs.AvgPool2d a) {
      Windows w = header(in, out);
      int inH = in.shape().dim(2);
      int inW = in.shape().dim(3);
      int cols = Pool.WINDOW_HEADER + 2 * w.outH;
      for (int oh = 0; oh < w.outH; oh++) {
        int h0 = oh * a.stride().get(0) - a.padding().get(0);
        int h1 = Math.min(h0 + a.kernel().get(0), inH + a.padding().get(2));
        w.paddedRows[oh] = h1 - h0;
        w.clip(Pool.WINDOW_HEADER + 2 * oh, h0, h1, inH);
      }
      for (int ow = 0; ow < w.outW; ow++) {
        int w0 = ow * a.stride().get(1) - a.padding().get(1);
        int w1 = Math.min(w0 + a.kernel().get(1), inW + a.padding().get(3));
        w.paddedCols[ow] = w1 - w0;
        w.clip(cols + 2 * ow, w0, w1, inW);
      }
      return w;
    }

    /** adaptive_avg_pool2d's windows: rows [floor(o * in / out), ceil((o + 1) * in / out)). */
    static Windows adaptive(TensorType in, TensorType out) {
      Windows w = header(in, out);
      int inH = in.shape().dim(2);
      int inW = in.shape().dim(3);
      int cols = Pool.WINDOW_HEADER + 2 * w.outH;
      for (int oh = 0; oh < w.outH; oh++) {
        w.clip(Pool.WINDOW_HEADER + 2 * oh, windowStart(oh, w.outH, inH), windowEnd(oh, w.outH, inH), inH);
        w.paddedRows[oh] = w.rows(oh);
      }
      for (int ow = 0; ow < w.outW; ow++) {
        w.clip(cols + 2 * ow, windowStart(ow, w.outW, inW), windowEnd(ow, w.outW, inW), inW);
        w.paddedCols[ow] = w.cols(ow);
      }
      return w;
    }

    /** QNNPACK's adaptive pool: kernel = stride = input / output, no padding. */
    static Windows strided(TensorType in, TensorType out) {
      Windows w = header(in, out);
      int inH = in.shape().dim(2);
      int inW = in.shape().dim(3);
      int kH = inH / w.outH;
      int kW = inW / w.outW;
      int cols = Pool.WINDOW_HEADER + 2 * w.outH;
      for (int oh = 0; oh < w.outH; oh++) {
        w.clip(Pool.WINDOW_HEADER + 2 * oh, oh * kH, Math.min(oh * kH + kH, inH), inH);
        w.paddedRows[oh] = w.rows(oh);
      }
      for (int ow = 0; ow < w.outW; ow++) {
        w.clip(cols + 2 * ow, ow * kW, Math.min(ow * kW + kW, inW), inW);
        w.paddedCols[ow] = w.cols(ow);
      }
      return w;
    }

    private void clip(int at, int start, int end, int size) {
      int s = Math.max(start, 0);
      int e = Math.min(end, size);
      table[at] = s;
      table[at + 1] = Math.max(s, e);
    }
  }

  /** {@code floor(o * in / out)}, as the interpreter computes PyTorch's window start. */
  private static int windowStart(int o, int outSize, int inSize) {
    return (int) Math.floorDiv((long) o * inSize, outSize);
  }

  /** {@code ceil((o + 1) * in / out)}. */
  private static int windowEnd(int o, int outSize, int inSize) {
    return (int) -Math.floorDiv(-(long) (o + 1) * inSize, outSize);
  }

  /** A per-window table: {@code f(rows, cols, paddedRows, paddedCols)} at {@code oh * outW + ow}. */
  @FunctionalInterface
  private interface PerWindow<E extends Exception> {
    float of(int rows, int cols, int paddedRows, int paddedCols) throws E;
  }

  private static <E extends Exception> float[] perWindow(Windows w, PerWindow<E> f) throws E {
    float[] t = new float[w.outH * w.outW];
    for (int oh = 0; oh < w.outH; oh++) {
      for (int ow = 0; ow < w.outW; ow++) {
        t[oh * w.outW + ow] = f.of(w.rows(oh), w.cols(ow), w.paddedRows[oh], w.paddedCols[ow]);
      }
    }
    return t;
  }

  // ---------------------------------------------------------------- avg_pool2d

  KernelCall avgPool2d(Node n) throws CompileException {
    Attrs.AvgPool2d a = (Attrs.AvgPool2d) n.attrs();
    TensorType x = n.operand(0).type();
    TensorType y = n.result().type();
    Windows w = Windows.average(x, y, a);
    if (x.elementType() == ElementType.F32) {
      int[] divisors = new int[w.outH * w.outW];
      for (int oh = 0; oh < w.outH; oh++) {
        for (int ow = 0; ow < w.outW; ow++) {
          divisors[oh * w.outW + ow] = a.divisorOverride() > 0 ? a.divisorOverride()
              : a.countIncludePad() ? w.paddedRows[oh] * w.paddedCols[ow] : w.rows(oh) * w.cols(ow);
        }
      }
      return KernelCall.of(Pool.class, "averageFloat", result(), operand(0), constant(w.table), constant(divisors));
    }
    Quantized q = quantized(n, x, y);
    if (numerics == Numerics.PYTORCH_QNNPACK && PyTorchQnnpackPooling.avgPoolUsesQnnpack(q.storage, a.ceilMode())) {
      float scale = qnnpackScale(n, q, a.kernel().get(0) * a.kernel().get(1));
      return KernelCall.of(Pool.class, "averageQnnpack", result(), operand(0), constant(w.table),
          constant(new float[] {scale}), imm((int) q.inputZeroPoint), imm((int) q.outputZeroPoint));
    }
    boolean nhwc = PyTorchLayout.isChannelsLastContiguous(n.operand(0), numerics);
    float[] multipliers;
    try {
      multipliers = perWindow(w, (rows, cols, paddedRows, paddedCols) -> {
        int divisor = a.divisorOverride() > 0 ? a.divisorOverride()
            : a.countIncludePad() ? paddedRows * paddedCols : rows * cols;
        return nhwc ? PyTorchQnnpackPooling.atenNhwcMultiplier(q.inputScale, q.outputScale, divisor)
            : PyTorchQnnpackPooling.atenNchwMultiplier(q.inputScale, q.outputScale, divisor);
      });
    } catch (IllegalArgumentException e) {
      throw unsupported(n, e.getMessage());
    }
    return KernelCall.of(Pool.class, nhwc ? "averageAtenNhwc" : "averageAtenNchw", result(), operand(0),
        constant(w.table), constant(multipliers), imm((int) q.inputZeroPoint), imm((int) q.outputZeroPoint),
        imm(q.storage.ordinal()));
  }

  // ---------------------------------------------------------------- adaptive_avg_pool2d

  KernelCall adaptiveAvgPool2d(Node n) throws CompileException {
    TensorType x = n.operand(0).type();
    TensorType y = n.result().type();
    int inH = x.shape().dim(2);
    int inW = x.shape().dim(3);
    int outH = y.shape().dim(2);
    int outW = y.shape().dim(3);
    if (x.elementType() == ElementType.F32) {
      if (outH == 1 && outW == 1 && inH * inW > 1) {
        throw unsupported(n, "adaptive_avg_pool2d to 1x1 on f32 (PyTorch's mean(), not reproduced)");
      }
      return KernelCall.of(Pool.class, "adaptiveAverageFloat", result(), operand(0),
          constant(Windows.adaptive(x, y).table));
    }
    Quantized q = quantized(n, x, y);
    if (numerics == Numerics.PYTORCH_QNNPACK
        && PyTorchQnnpackPooling.adaptiveUsesQnnpack(q.storage, inH, inW, outH, outW)) {
      float scale = qnnpackScale(n, q, (inH / outH) * (inW / outW));
      return KernelCall.of(Pool.class, "averageQnnpack", result(), operand(0), constant(Windows.strided(x, y).table),
          constant(new float[] {scale}), imm((int) q.inputZeroPoint), imm((int) q.outputZeroPoint));
    }
    Windows w = Windows.adaptive(x, y);
    if (PyTorchLayout.isChannelsLastContiguous(n.operand(0), numerics)) {
      float[] multipliers;
      try {
        multipliers = perWindow(w, (rows, cols, paddedRows, paddedCols) ->
            PyTorchQnnpackPooling.atenNhwcMultiplier(q.inputScale, q.outputScale, rows * cols));
      } catch (IllegalArgumentException e) {
        throw unsupported(n, e.getMessage());
      }
      return KernelCall.of(Pool.class, "averageAtenNhwc", result(), operand(0), constant(w.table),
          constant(multipliers), imm((int) q.inputZeroPoint), imm((int) q.outputZeroPoint), imm(q.storage.ordinal()));
    }
    float[] reciprocals = perWindow(w, (rows, cols, paddedRows, paddedCols) ->
        PyTorchQnnpackPooling.atenAdaptiveNchwReciprocal(rows, cols));
    return KernelCall.of(Pool.class, "averageAtenAdaptiveNchw", result(), operand(0), constant(w.table),
        constant(reciprocals));
  }

  // ---------------------------------------------------------------- integer-only pools

  /** {@code avg_pool2d_int}: the window counted padded with count_include_pad, else in bounds. */
  KernelCall avgPool2dInt(Node n) throws CompileException {
    Attrs.AvgPool2dInt ai = (Attrs.AvgPool2dInt) n.attrs();
    Attrs.AvgPool2d a = ai.window();
    Windows w = Windows.average(n.operand(0).type(), n.result().type(), a);
    boolean padded = a.countIncludePad();
    return rescale(n, w, ai.rescale(), ai.inputZeroPoint(), (rows, cols, paddedRows, paddedCols) ->
        padded ? new int[] {paddedRows, paddedCols} : new int[] {rows, cols});
  }

  KernelCall adaptiveAvgPool2dInt(Node n) throws CompileException {
    Attrs.AdaptiveAvgPool2dInt a = (Attrs.AdaptiveAvgPool2dInt) n.attrs();
    Windows w = Windows.adaptive(n.operand(0).type(), n.result().type());
    return rescale(n, w, a.rescale(), a.inputZeroPoint(), (rows, cols, paddedRows, paddedCols) ->
        new int[] {rows, cols});
  }

  /** The counted rows and columns of a window, which pick its entry of the rescale table. */
  @FunctionalInterface
  private interface Counted {
    int[] of(int rows, int cols, int paddedRows, int paddedCols);
  }

  private KernelCall rescale(Node n, Windows w, PoolRescale r, int inputZeroPoint, Counted counted)
      throws CompileException {
    ElementType storage = n.result().type().elementType();
    int size = w.outH * w.outW;
    int[] mantissas = new int[size];
    int[] exponents = new int[size];
    int rowCount = r.multipliers().length() / r.columns();
    for (int oh = 0; oh < w.outH; oh++) {
      for (int ow = 0; ow < w.outW; ow++) {
        int e;
        if (r.multipliers().length() == 1) {
          e = 0;
        } else {
          int[] c = counted.of(w.rows(oh), w.cols(ow), w.paddedRows[oh], w.paddedCols[ow]);
          if (c[0] < 1 || c[1] < 1 || c[0] > rowCount || c[1] > r.columns()) {
            throw unsupported(n, "no rescale entry for a window of " + c[0] + " x " + c[1]);
          }
          e = (c[0] - 1) * r.columns() + (c[1] - 1);
        }
        mantissas[oh * w.outW + ow] = r.multipliers().get(e);
        exponents[oh * w.outW + ow] = r.shifts().get(e);
      }
    }
    return switch (r.kind()) {
      case QNNPACK -> KernelCall.of(Pool.class, "rescaleQnnpack", result(), operand(0), constant(w.table),
          constant(mantissas), constant(exponents), imm(inputZeroPoint), imm(r.outputZeroPoint()));
      case ATEN_NCHW -> KernelCall.of(Pool.class, "rescaleAtenNchw", result(), operand(0), constant(w.table),
          constant(mantissas), constant(exponents), imm(inputZeroPoint), imm(r.outputZeroPoint()),
          imm(storage.ordinal()));
      case ATEN_NHWC -> KernelCall.of(Pool.class, "rescaleAtenNhwc", result(), operand(0), constant(w.table),
          constant(mantissas), constant(exponents), imm(inputZeroPoint), imm(r.outputZeroPoint()),
          imm(storage.ordinal()));
      case ATEN_ADAPTIVE_NCHW -> KernelCall.of(Pool.class, "rescaleAtenAdaptiveNchw", result(), operand(0),
          constant(w.table), constant(mantissas), constant(exponents), imm(inputZeroPoint));
    };
  }

  // ---------------------------------------------------------------- shared

  private record Quantized(ElementType storage, double inputScale, long inputZeroPoint, double outputScale,
      long outputZeroPoint) {}

  /** The interpreter's {@code PoolKernels.Quantized}: PyTorch flavours and 8-bit per-tensor storage only. */
  private Quantized quantized(Node n, TensorType in, TensorType out) throws CompileException {
    ElementType storage = in.elementType();
    if (!numerics.isPyTorch() || !in.isQuantized() || !(storage == ElementType.U8 || storage == ElementType.I8)) {
      throw unsupported(n, "only 8-bit quantized pools in the PyTorch flavours");
    }
    Quantization.PerTensor qi = in.perTensor().orElse(null);
    Quantization.PerTensor qo = out.perTensor().orElse(null);
    if (qi == null || qo == null) {
      throw unsupported(n, "only per-tensor quantization");
    }
    return new Quantized(storage, qi.scale(), qi.zeroPoint(), qo.scale(), qo.zeroPoint());
  }

  private float qnnpackScale(Node n, Quantized q, int poolingSize) throws CompileException {
    try {
      return PyTorchQnnpackPooling.qnnpackScale(q.inputScale, q.outputScale, poolingSize);
    } catch (IllegalArgumentException e) {
      throw unsupported(n, e.getMessage());
    }
  }

  // ---------------------------------------------------------------- batch_norm

  KernelCall batchNorm(Node n) throws CompileException {
    TensorType x = n.operand(0).type();
    TensorType out = n.result().type();
    double eps = ((Attrs.BatchNorm) n.attrs()).eps();
    Shape s = x.shape();
    int channels = s.dim(1);
    int inner = 1;
    for (int d = 2; d < s.rank(); d++) {
      inner *= s.dim(d);
    }
    int batch = s.dim(0);
    if (!out.isQuantized()) {
      if (!numerics.isPyTorch() || out.elementType() != ElementType.F32 || x.elementType() != ElementType.F32) {
        throw unsupported(n, "only f32 batch norm in the PyTorch flavours");
      }
      if (!constantStatistics(n)) {
        for (int i = 1; i <= 4; i++) {
          if (n.operand(i).type().elementType() != ElementType.F32) {
            throw unsupported(n, "its statistics must be f32");
          }
        }
        return KernelCall.of(Norm.class, "batchNormFloatStatistics", result(), operand(0), operand(1), operand(2),
            operand(3), operand(4), constant(new double[] {eps}), imm(batch), imm(inner));
      }
    }
    float[] weight = constantFloats(n, 1, "weight");
    float[] bias = constantFloats(n, 2, "bias");
    float[] mean = constantFloats(n, 3, "mean");
    float[] var = constantFloats(n, 4, "var");
    float[] first = new float[channels];
    float[] second = new float[channels];
    if (!out.isQuantized()) {
      for (int c = 0; c < channels; c++) {
        PyTorchAtenFloat.BatchNormChannel p =
            PyTorchAtenFloat.batchNormChannel(weight[c], bias[c], mean[c], var[c], eps);
        first[c] = p.scale();
        second[c] = p.shift();
      }
      return KernelCall.of(Norm.class, "batchNormFloat", result(), operand(0), constant(first), constant(second),
          imm(batch), imm(inner));
    }
    Quantization.PerTensor qx = x.perTensor().orElse(null);
    Quantization.PerTensor qo = out.perTensor().orElse(null);
    ElementType storage = out.elementType();
    if (numerics != Numerics.PYTORCH_QNNPACK || qx == null || qo == null || x.elementType() != storage
        || (storage != ElementType.U8 && storage != ElementType.I8)) {
      throw unsupported(n, "only per-tensor 8-bit quantized batch norm in pytorch-qnnpack");
    }
    int vectorized = 0;
    for (int c = 0; c < channels; c++) {
      PyTorchAtenQuantized.BatchNormChannel p = PyTorchAtenQuantized.batchNormChannel(weight[c], bias[c], mean[c],
          var[c], eps, qx.scale(), qo.scale());
      first[c] = p.alpha();
      second[c] = p.beta();
      if (PyTorchAtenQuantized.batchNormIsVectorized(c, channels)) {
        vectorized = c + 1; // a prefix of the channels
      }
    }
    return KernelCall.of(Norm.class, "batchNormQuantized", result(), operand(0), constant(first), constant(second),
        imm(vectorized), imm(batch), imm(inner), imm((int) qx.zeroPoint()), imm((int) qo.zeroPoint()),
        imm(storage.ordinal()));
  }

  /** Whether weight, bias, mean and variance are all constants. */
  private static boolean constantStatistics(Node n) {
    for (int i = 1; i <= 4; i++) {
      Value v = n.operand(i);
      if (v.producer() == null || !(v.producer().attrs() instanceof Attrs.Const)) {
        return false;
      }
    }
    return true;
  }

  private float[] constantFloats(Node n, int operand, String what) throws CompileException {
    Value v = n.operand(operand);
    if (v.type().elementType() != ElementType.F32 || v.producer() == null
        || !(v.producer().attrs() instanceof Attrs.Const c)) {
      throw unsupported(n, "its " + what + " must be f32 constants");
    }
    TensorData d = c.data();
    float[] out = new float[Math.toIntExact(d.size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) d.getDouble(i);
    }
    return out;
  }
}
