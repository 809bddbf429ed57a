package dev.zeropoint.backends.interp;

import dev.zeropoint.backends.ConvGeometry;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.runtime.kernels.Conv;
import java.util.Arrays;
import java.util.List;

/**
 * conv2d, linear and matmul.
 *
 * <p>Quantized conv2d and linear: the accumulator of each output is the exact int32 (wrapping)
 * sum of {@code (x - x_zp) * (w - w_zp[c])} over the taps inside the input, plus the channel's
 * int32 bias; padding adds nothing (PyTorch's QNNPACK points padded taps at a buffer of input zero
 * points; ONNX Runtime pads with the input zero point too). {@link ConvRequantization} turns it into
 * the output integer per flavour: {@code pytorch-qnnpack} (PyTorch 1.13.1's QNNPACK kernels), {@code
 * tflite}, {@code tosa}, {@code onnx} (ONNX Runtime's QLinearConv / QLinearMatMul).
 *
 * <p>Float conv2d, linear and matmul sum in a fixed order (input channel, then kernel row, then
 * kernel column; k ascending), in float, then add the bias. PyTorch's float kernels (oneDNN,
 * BLAS) block their sums differently, so these are close to but not bit-exact with PyTorch; no
 * golden case depends on them. Plain integer matmul is exact (an error if a result leaves its type).
 */
final class ConvKernels {
  private ConvKernels() {}

  // ---------------------------------------------------------------- conv2d

  static Tensor conv2d(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    Tensor w = args.get(1);
    Tensor bias = args.size() > 2 ? args.get(2) : null;
    TensorType outType = n.result().type();
    Geometry g = new Geometry((Attrs.Conv2d) n.attrs(), x.shape(), w.shape(), outType.shape());
    if (!outType.isQuantized()) {
      if (outType.elementType() != ElementType.F32) {
        throw Interpreter.unsupported(n, numerics);
      }
      // The runtime's float conv2d: the JVM backend runs the same code.
      Tensor r = Tensor.zeros(outType);
      Conv.conv2dFloat(r.f32, x.f32, w.f32, bias == null ? new float[0] : bias.f32,
          ConvGeometry.of(n, (Attrs.Conv2d) n.attrs()));
      return r;
    }
    ConvRequantization p = ConvRequantization.of(n, numerics, x, w, bias, outType, g.outChannels);
    Tensor r = Tensor.zeros(outType);
    accumulate(g, centered(x.ints, p.inputZeroPoint), w.ints, p.weightZeroPoint, p.bias, (outBase, o, acc) -> {
      for (int i = 0; i < acc.length; i++) {
        r.ints[outBase + i] = p.requantize(acc[i], o);
      }
    });
    return r;
  }

  /** Lowered conv2d: the int32 accumulators themselves (zero points and bias from attributes and operands). */
  static Tensor conv2dAcc(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    Tensor w = args.get(1);
    Attrs.Conv2dAcc a = (Attrs.Conv2dAcc) n.attrs();
    TensorType outType = n.result().type();
    Geometry g = new Geometry(a.window(), x.shape(), w.shape(), outType.shape());
    int[] bias = args.size() > 2 ? args.get(2).ints : new int[g.outChannels];
    Tensor r = Tensor.zeros(outType);
    accumulate(g, centered(x.ints, a.inputZeroPoint()), w.ints, perChannel(a.weightZeroPoints(), g.outChannels), bias,
        (outBase, o, acc) -> System.arraycopy(acc, 0, r.ints, outBase, acc.length));
    return r;
  }

  /** Receives the accumulators of one output plane (batch b, channel o) starting at {@code outBase}. */
  @FunctionalInterface
  private interface PlaneSink {
    void accept(int outBase, int channel, int[] acc);
  }

  /**
   * The exact int32 (wrapping) accumulators {@code bias[o] + sum((x - x_zp) * (w - w_zp[o]))} over the
   * taps inside the input, plane by plane; {@code centered} is x minus its zero point.
   */
  private static void accumulate(Geometry g, int[] centered, int[] w, int[] weightZeroPoint, int[] bias,
      PlaneSink sink) {
    int plane = g.outHeight * g.outWidth;
    int[] acc = new int[plane];
    for (int b = 0; b < g.batch; b++) {
      for (int o = 0; o < g.outChannels; o++) {
        Arrays.fill(acc, bias[o]);
        int group = o / g.outPerGroup;
        for (int ci = 0; ci < g.inPerGroup; ci++) {
          int xBase = (b * g.inChannels + group * g.inPerGroup + ci) * g.height * g.width;
          int wBase = (o * g.inPerGroup + ci) * g.kernelHeight * g.kernelWidth;
          for (int kh = 0; kh < g.kernelHeight; kh++) {
            for (int kw = 0; kw < g.kernelWidth; kw++) {
              int wv = w[wBase + kh * g.kernelWidth + kw] - weightZeroPoint[o];
              if (wv != 0) {
                accumulateTap(g, kh, kw, centered, xBase, wv, acc);
              }
            }
          }
        }
        sink.accept((b * g.outChannels + o) * plane, o, acc);
      }
    }
  }

  /** One zero point per channel, from an attribute holding one for all or one per channel. */
  private static int[] perChannel(com.google.common.primitives.ImmutableIntArray values, int channels) {
    int[] out = new int[channels];
    for (int c = 0; c < channels; c++) {
      out[c] = values.get(values.length() == 1 ? 0 : c);
    }
    return out;
  }

  /**
   * The output positions one kernel tap (kh, kw) reaches inside the input: rows [ohStart, ohEnd),
   * columns [owStart, owEnd); output (oh, ow) reads input row {@code oh * strideH + offH}, column
   * {@code ow * strideW + offW}. Shared by the integer and the float convolution.
   */
  private record TapRange(int offH, int offW, int ohStart, int ohEnd, int owStart, int owEnd) {
    static TapRange of(Geometry g, int kh, int kw) {
      int offH = kh * g.dilationH - g.padTop;
      int offW = kw * g.dilationW - g.padLeft;
      return new TapRange(offH, offW, g.validStart(offH, g.strideH, g.outHeight),
          g.validEnd(offH, g.height, g.strideH, g.outHeight), g.validStart(offW, g.strideW, g.outWidth),
          g.validEnd(offW, g.width, g.strideW, g.outWidth));
    }
  }

  /** Adds one kernel tap times {@code wv} to every output position whose tap lies inside the input. */
  private static void accumulateTap(Geometry g, int kh, int kw, int[] x, int xBase, int wv, int[] acc) {
    TapRange t = TapRange.of(g, kh, kw);
    for (int oh = t.ohStart(); oh < t.ohEnd(); oh++) {
      int row = xBase + (oh * g.strideH + t.offH()) * g.width + t.offW();
      int accRow = oh * g.outWidth;
      for (int ow = t.owStart(); ow < t.owEnd(); ow++) {
        acc[accRow + ow] += x[row + ow * g.strideW] * wv;
      }
    }
  }

  /** The sizes of a conv2d and the range of output positions each kernel tap reaches. */
  private static final class Geometry {
    final int batch, inChannels, height, width;
    final int outChannels, inPerGroup, outPerGroup, kernelHeight, kernelWidth, outHeight, outWidth;
    final int strideH, strideW, padTop, padLeft, dilationH, dilationW;

    Geometry(Attrs.Conv2d a, Shape x, Shape w, Shape out) {
      batch = x.dim(0);
      inChannels = x.dim(1);
      height = x.dim(2);
      width = x.dim(3);
      outChannels = w.dim(0);
      inPerGroup = w.dim(1);
      outPerGroup = outChannels / a.groups();
      kernelHeight = w.dim(2);
      kernelWidth = w.dim(3);
      outHeight = out.dim(2);
      outWidth = out.dim(3);
      strideH = a.stride().get(0);
      strideW = a.stride().get(1);
      padTop = a.padding().get(0);
      padLeft = a.padding().get(1);
      dilationH = a.dilation().get(0);
      dilationW = a.dilation().get(1);
    }

    /** The first output position o with {@code o * stride + offset >= 0}. */
    int validStart(int offset, int stride, int outSize) {
      return Math.min(Math.max(0, Math.floorDiv(-offset + stride - 1, stride)), outSize);
    }

    /** One past the last output position o with {@code o * stride + offset < size}. */
    int validEnd(int offset, int size, int stride, int outSize) {
      int last = size - 1 - offset;
      return last < 0 ? 0 : Math.min(last / stride + 1, outSize);
    }
  }

  // ---------------------------------------------------------------- linear

  static Tensor linear(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    Tensor w = args.get(1);
    Tensor bias = args.size() > 2 ? args.get(2) : null;
    TensorType outType = n.result().type();
    int k = w.shape().dim(1);
    int features = w.shape().dim(0);
    Tensor r = Tensor.zeros(outType);
    int rows = features == 0 ? 0 : r.size() / features;
    if (!outType.isQuantized()) {
      if (outType.elementType() != ElementType.F32) {
        throw Interpreter.unsupported(n, numerics);
      }
      Conv.linearFloat(r.f32, x.f32, w.f32, bias == null ? new float[0] : bias.f32, rows, features, k);
      return r;
    }
    ConvRequantization p = ConvRequantization.of(n, numerics, x, w, bias, outType, features);
    accumulateLinear(x.ints, p.inputZeroPoint, w.ints, p.weightZeroPoint, p.bias, rows, features, k,
        (i, f, acc) -> r.ints[i] = p.requantize(acc, f));
    return r;
  }

  /** Lowered linear: the int32 accumulators themselves. */
  static Tensor linearAcc(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    Tensor w = args.get(1);
    Attrs.LinearAcc a = (Attrs.LinearAcc) n.attrs();
    int k = w.shape().dim(1);
    int features = w.shape().dim(0);
    Tensor r = Tensor.zeros(n.result().type());
    int rows = features == 0 ? 0 : r.size() / features;
    int[] bias = args.size() > 2 ? args.get(2).ints : new int[features];
    accumulateLinear(x.ints, a.inputZeroPoint(), w.ints, perChannel(a.weightZeroPoints(), features), bias, rows,
        features, k, (i, f, acc) -> r.ints[i] = acc);
    return r;
  }

  @FunctionalInterface
  private interface AccumulatorSink {
    void accept(int index, int feature, int acc);
  }

  /** {@code bias[f] + sum_i (x[m, i] - x_zp) * (w[f, i] - w_zp[f])}, exact int32, for every row m and feature f. */
  private static void accumulateLinear(int[] x, int inputZeroPoint, int[] w, int[] weightZeroPoint, int[] bias,
      int rows, int features, int k, AccumulatorSink sink) {
    int[] xc = centered(x, inputZeroPoint);
    int[] wc = new int[w.length];
    for (int f = 0; f < features; f++) {
      for (int i = 0; i < k; i++) {
        wc[f * k + i] = w[f * k + i] - weightZeroPoint[f];
      }
    }
    for (int m = 0; m < rows; m++) {
      for (int f = 0; f < features; f++) {
        int acc = bias[f];
        for (int i = 0; i < k; i++) {
          acc += xc[m * k + i] * wc[f * k + i];
        }
        sink.accept(m * features + f, f, acc);
      }
    }
  }

  private static int[] centered(int[] values, int zeroPoint) {
    int[] c = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      c[i] = values[i] - zeroPoint;
    }
    return c;
  }

  // ---------------------------------------------------------------- matmul

  static Tensor matmul(Node n, List<Tensor> args, Numerics numerics) {
    Tensor a = args.get(0);
    Tensor b = args.get(1);
    TensorType outType = n.result().type();
    ElementType e = outType.elementType();
    if (outType.isQuantized() || !(e == ElementType.F32 || e == ElementType.I32 || e == ElementType.I16
        || e == ElementType.I8 || e == ElementType.U8)) {
      // PyTorch's quantized matmul rounds through a float matmul whose order is not modelled.
      throw Interpreter.unsupported(n, numerics);
    }
    Shape out = outType.shape();
    int rank = out.rank();
    int m = out.dim(rank - 2);
    int cols = out.dim(rank - 1);
    int k = a.shape().dim(a.shape().rank() - 1);
    Shape batch = Shape.of(Arrays.copyOf(out.toArray(), rank - 2));
    int[] ia = Broadcast.indices(batch, Shape.of(Arrays.copyOf(a.shape().toArray(), a.shape().rank() - 2)));
    int[] ib = Broadcast.indices(batch, Shape.of(Arrays.copyOf(b.shape().toArray(), b.shape().rank() - 2)));
    int batches = Math.toIntExact(batch.numElements());
    Tensor r = Tensor.zeros(outType);
    for (int t = 0; t < batches; t++) {
      int aBase = Broadcast.at(ia, t) * m * k;
      int bBase = Broadcast.at(ib, t) * k * cols;
      int oBase = t * m * cols;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < cols; j++) {
          if (e == ElementType.F32) {
            float acc = 0f;
            for (int p = 0; p < k; p++) {
              acc += a.f32[aBase + i * k + p] * b.f32[bBase + p * cols + j];
            }
            r.f32[oBase + i * cols + j] = acc;
          } else {
            long acc = 0;
            for (int p = 0; p < k; p++) {
              acc += (long) a.ints[aBase + i * k + p] * b.ints[bBase + p * cols + j];
            }
            if (acc < e.minValue() || acc > e.maxValue()) {
              throw new ArithmeticException("matmul of plain integers: a sum " + acc + " does not fit " + e);
            }
            r.ints[oBase + i * cols + j] = (int) acc;
          }
        }
      }
    }
    return r;
  }
}
