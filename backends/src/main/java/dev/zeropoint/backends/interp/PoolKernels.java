package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.numerics.PoolRescale;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.numerics.PyTorchQnnpackPooling;
import dev.zeropoint.ir.op.Attrs;
import java.util.List;

/**
 * max_pool2d, avg_pool2d and adaptive_avg_pool2d on NCHW tensors (the IR's layout; PyTorch's
 * memory layout only selects which average-pooling kernel runs, see {@link PyTorchLayout}).
 *
 * <p>Windows: output (oh, ow) covers rows {@code oh * strideH - padTop + i * dilationH}; taps
 * outside the input are skipped (max), count as the zero point (QNNPACK's average) or move to the
 * input's edge (QNNPACK's max). Pools keep their input's scale and zero point. Max pooling takes
 * the maximum in every flavour, with QNNPACK's edge taps on engine qnnpack; average pooling follows
 * {@link PyTorchQnnpackPooling} in the PyTorch flavours (pytorch-fbgemm never takes a QNNPACK
 * kernel).
 */
final class PoolKernels {
  private PoolKernels() {}

  // ---------------------------------------------------------------- max_pool2d

  static Tensor maxPool2d(Node n, List<Tensor> args, Numerics numerics) {
    Attrs.MaxPool2d a = (Attrs.MaxPool2d) n.attrs();
    Tensor x = args.get(0);
    Tensor y = Tensor.zeros(n.result().type());
    Geometry g = Geometry.of(x.type, y.type, a.kernel().get(0), a.kernel().get(1), a.stride().get(0),
        a.stride().get(1), a.padding().get(0), a.padding().get(1), a.dilation().get(0), a.dilation().get(1));
    if (x.ints != null) {
      boolean qnnpack = numerics == Numerics.PYTORCH_QNNPACK && x.type.isQuantized()
          && PyTorchQnnpackPooling.maxPoolUsesQnnpack(x.type.elementType(), a.ceilMode());
      if (qnnpack) {
        try {
          PyTorchQnnpackPooling.checkQnnpackMaxPool(g.kH * g.kW);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(n.op() + " at " + n.location() + ": " + e.getMessage(), e);
        }
      }
      maxInts(g, qnnpack, x.ints, y.ints);
    } else if (x.f32 != null) {
      maxFloats(g, x.f32, y.f32);
    } else {
      throw Interpreter.unsupported(n, numerics);
    }
    return y;
  }

  /**
   * The maximum over the window. ATen skips taps outside the input; QNNPACK ({@code
   * clampToInput}) moves them to the nearest edge row / column, which adds a tap when dilation
   * exceeds 1 (see {@link PyTorchQnnpackPooling#maxPoolUsesQnnpack}).
   */
  private static void maxInts(Geometry g, boolean clampToInput, int[] in, int[] out) {
    int o = 0;
    for (int plane = 0; plane < g.planes; plane++) {
      int base = plane * g.inH * g.inW;
      for (int oh = 0; oh < g.outH; oh++) {
        for (int ow = 0; ow < g.outW; ow++) {
          int max = Integer.MIN_VALUE;
          for (int i = 0; i < g.kH; i++) {
            int h = oh * g.strideH - g.padTop + i * g.dilationH;
            if (clampToInput) {
              h = Math.min(Math.max(h, 0), g.inH - 1);
            } else if (h < 0 || h >= g.inH) {
              continue;
            }
            for (int j = 0; j < g.kW; j++) {
              int w = ow * g.strideW - g.padLeft + j * g.dilationW;
              if (clampToInput) {
                w = Math.min(Math.max(w, 0), g.inW - 1);
              } else if (w < 0 || w >= g.inW) {
                continue;
              }
              max = Math.max(max, in[base + h * g.inW + w]);
            }
          }
          out[o++] = max;
        }
      }
    }
  }

  /**
   * PyTorch's float max pool: starting from -inf, take a value if it is greater or NaN (so NaN
   * propagates, and the first of equal zeros wins: max(-0.0, 0.0) is -0.0).
   */
  private static void maxFloats(Geometry g, float[] in, float[] out) {
    int o = 0;
    for (int plane = 0; plane < g.planes; plane++) {
      int base = plane * g.inH * g.inW;
      for (int oh = 0; oh < g.outH; oh++) {
        for (int ow = 0; ow < g.outW; ow++) {
          float max = Float.NEGATIVE_INFINITY;
          for (int i = 0; i < g.kH; i++) {
            int h = oh * g.strideH - g.padTop + i * g.dilationH;
            if (h < 0 || h >= g.inH) {
              continue;
            }
            for (int j = 0; j < g.kW; j++) {
              int w = ow * g.strideW - g.padLeft + j * g.dilationW;
              if (w >= 0 && w < g.inW) {
                float v = in[base + h * g.inW + w];
                if (v > max || Float.isNaN(v)) {
                  max = v;
                }
              }
            }
          }
          out[o++] = max;
        }
      }
    }
  }

  // ---------------------------------------------------------------- avg_pool2d

  static Tensor avgPool2d(Node n, List<Tensor> args, Numerics numerics) {
    Attrs.AvgPool2d a = (Attrs.AvgPool2d) n.attrs();
    Tensor x = args.get(0);
    Tensor y = Tensor.zeros(n.result().type());
    Geometry g = Geometry.of(x.type, y.type, a.kernel().get(0), a.kernel().get(1), a.stride().get(0),
        a.stride().get(1), a.padding().get(0), a.padding().get(1), 1, 1);
    int padBottom = a.padding().get(2);
    int padRight = a.padding().get(3);
    if (x.f32 != null) {
      averageFloats(g, padBottom, padRight, a.countIncludePad(), a.divisorOverride(), x.f32, y.f32);
      return y;
    }
    Quantized q = Quantized.of(n, x.type, y.type, numerics);
    if (numerics == Numerics.PYTORCH_QNNPACK && PyTorchQnnpackPooling.avgPoolUsesQnnpack(q.storage, a.ceilMode())) {
      // QNNPACK: padding taps add 0 and the divisor is always kH*kW.
      float scale = qnnpackScale(n, q, g.kH * g.kW);
      averageWindows(g, padBottom, padRight, x.ints, y.ints, (sum, rows, cols, paddedRows, paddedCols) ->
          PyTorchQnnpackPooling.qnnpackAverage((int) (sum - (long) rows * cols * q.inputZeroPoint), scale,
              (int) q.outputZeroPoint));
      return y;
    }
    boolean nhwc = PyTorchLayout.isChannelsLastContiguous(n.operand(0), numerics);
    averageWindows(g, padBottom, padRight, x.ints, y.ints, (sum, rows, cols, paddedRows, paddedCols) -> {
      int size = rows * cols;
      int divisor = a.divisorOverride() > 0 ? a.divisorOverride() : a.countIncludePad() ? paddedRows * paddedCols
          : size;
      int acc = (int) (sum - (long) size * q.inputZeroPoint);
      return nhwc
          ? PyTorchQnnpackPooling.atenNhwcAverage(acc,
              PyTorchQnnpackPooling.atenNhwcMultiplier(q.inputScale, q.outputScale, divisor), q.outputZeroPoint,
              q.storage)
          : PyTorchQnnpackPooling.atenNchwAverage(acc,
              PyTorchQnnpackPooling.atenNchwMultiplier(q.inputScale, q.outputScale, divisor), q.outputZeroPoint,
              q.storage);
    });
    return y;
  }

  /**
   * The lowered {@code avg_pool2d_int}: the same windows, each sum rescaled by the node's {@link
   * PoolRescale}, the window counted as PyTorch's kernel counts it: one entry for QNNPACK and
   * {@code divisor_override}, else the padded rows x columns with {@code count_include_pad}, else
   * the in-bounds ones.
   */
  static Tensor avgPool2dInt(Node n, List<Tensor> args) {
    Attrs.AvgPool2dInt ai = (Attrs.AvgPool2dInt) n.attrs();
    Attrs.AvgPool2d a = ai.window();
    Tensor x = args.get(0);
    Tensor y = Tensor.zeros(n.result().type());
    Geometry g = Geometry.of(x.type, y.type, a.kernel().get(0), a.kernel().get(1), a.stride().get(0),
        a.stride().get(1), a.padding().get(0), a.padding().get(1), 1, 1);
    PoolRescale rescale = ai.rescale();
    ElementType storage = y.type.elementType();
    boolean padded = a.countIncludePad();
    averageWindows(g, a.padding().get(2), a.padding().get(3), x.ints, y.ints,
        (sum, rows, cols, paddedRows, paddedCols) -> rescale.apply(sum - (long) rows * cols * ai.inputZeroPoint(),
            padded ? paddedRows : rows, padded ? paddedCols : cols, storage));
    return y;
  }

  /** One output of an average pool from its window: the sum of the in-bounds values and the window's sizes. */
  @FunctionalInterface
  interface WindowAverage {
    int of(long sum, int rows, int cols, int paddedRows, int paddedCols);
  }

  /**
   * Every window of an average pool: rows {@code [oh * strideH - padTop, + kH)} clipped to the
   * padded input (paddedRows, ATen's count with padding) and to the input (rows, the in-bounds
   * taps QNNPACK and ATen sum); likewise columns.
   */
  private static void averageWindows(Geometry g, int padBottom, int padRight, int[] in, int[] out,
      WindowAverage average) {
    forEachWindow(g, padBottom, padRight, (o, base, h0, h1, w0, w1, paddedRows, paddedCols) -> {
      long sum = 0;
      for (int h = h0; h < h1; h++) {
        for (int w = w0; w < w1; w++) {
          sum += in[base + h * g.inW + w];
        }
      }
      out[o] = average.of(sum, Math.max(0, h1 - h0), Math.max(0, w1 - w0), paddedRows, paddedCols);
    });
  }

  /**
   * PyTorch's float avg_pool2d: the in-bounds values summed in float, row by row, then {@code sum /
   * divisor} in float (the divisor as in ATen's quantized kernel); an empty window gives 0.
   */
  private static void averageFloats(Geometry g, int padBottom, int padRight, boolean countIncludePad,
      int divisorOverride, float[] in, float[] out) {
    forEachWindow(g, padBottom, padRight, (o, base, h0, h1, w0, w1, paddedRows, paddedCols) -> {
      if (h0 >= h1 || w0 >= w1) {
        out[o] = 0.0f;
        return;
      }
      int divisor = divisorOverride > 0 ? divisorOverride
          : countIncludePad ? paddedRows * paddedCols : (h1 - h0) * (w1 - w0);
      float sum = 0.0f;
      for (int h = h0; h < h1; h++) {
        for (int w = w0; w < w1; w++) {
          sum += in[base + h * g.inW + w];
        }
      }
      out[o] = sum / divisor;
    });
  }

  /** One window of an average pool, its rows [h0, h1) and columns [w0, w1) clipped to the input. */
  @FunctionalInterface
  private interface WindowVisitor {
    void visit(int out, int base, int h0, int h1, int w0, int w1, int paddedRows, int paddedCols);
  }

  /**
   * Every window of an average pool, in output order: rows {@code [oh * strideH - padTop, + kH)}
   * clipped to the padded input (paddedRows, ATen's count with padding) and to the input (the
   * in-bounds taps QNNPACK and ATen sum); likewise columns. {@code base} is the plane's first element.
   */
  private static void forEachWindow(Geometry g, int padBottom, int padRight, WindowVisitor visitor) {
    int o = 0;
    for (int plane = 0; plane < g.planes; plane++) {
      int base = plane * g.inH * g.inW;
      for (int oh = 0; oh < g.outH; oh++) {
        int h0 = oh * g.strideH - g.padTop;
        int h1 = Math.min(h0 + g.kH, g.inH + padBottom);
        int paddedRows = h1 - h0;
        for (int ow = 0; ow < g.outW; ow++) {
          int w0 = ow * g.strideW - g.padLeft;
          int w1 = Math.min(w0 + g.kW, g.inW + padRight);
          visitor.visit(o++, base, Math.max(h0, 0), Math.min(h1, g.inH), Math.max(w0, 0), Math.min(w1, g.inW),
              paddedRows, w1 - w0);
        }
      }
    }
  }

  // ---------------------------------------------------------------- adaptive_avg_pool2d

  static Tensor adaptiveAvgPool2d(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    Tensor y = Tensor.zeros(n.result().type());
    int planes = x.type.shape().dim(0) * x.type.shape().dim(1);
    int inH = x.type.shape().dim(2);
    int inW = x.type.shape().dim(3);
    int outH = y.type.shape().dim(2);
    int outW = y.type.shape().dim(3);
    if (x.f32 != null) {
      if (outH == 1 && outW == 1 && inH * inW > 1) {
        throw new UnsupportedOperationException("the interpreter does not run adaptive_avg_pool2d to 1x1 on f32: "
            + "PyTorch computes it as mean(), whose cascaded float summation is not reproduced");
      }
      adaptiveFloats(planes, inH, inW, outH, outW, x.f32, y.f32);
      return y;
    }
    Quantized q = Quantized.of(n, x.type, y.type, numerics);
    if (numerics == Numerics.PYTORCH_QNNPACK
        && PyTorchQnnpackPooling.adaptiveUsesQnnpack(q.storage, inH, inW, outH, outW)) {
      // QNNPACK's average pooling with kernel = stride = input / output and no padding.
      int kH = inH / outH;
      int kW = inW / outW;
      Geometry g = new Geometry(planes, inH, inW, outH, outW, kH, kW, kH, kW, 0, 0, 1, 1);
      float scale = qnnpackScale(n, q, kH * kW);
      averageWindows(g, 0, 0, x.ints, y.ints, (sum, rows, cols, paddedRows, paddedCols) ->
          PyTorchQnnpackPooling.qnnpackAverage((int) (sum - (long) rows * cols * q.inputZeroPoint), scale,
              (int) q.outputZeroPoint));
      return y;
    }
    boolean nhwc = PyTorchLayout.isChannelsLastContiguous(n.operand(0), numerics);
    adaptiveWindows(planes, inH, inW, outH, outW, x.ints, y.ints, (sum, rows, cols) -> {
      if (nhwc) {
        int size = rows * cols;
        float m = PyTorchQnnpackPooling.atenNhwcMultiplier(q.inputScale, q.outputScale, size);
        return PyTorchQnnpackPooling.atenNhwcAverage((int) (sum - (long) size * q.inputZeroPoint), m,
            q.outputZeroPoint, q.storage);
      }
      return PyTorchQnnpackPooling.atenAdaptiveNchwAverage(sum,
          PyTorchQnnpackPooling.atenAdaptiveNchwReciprocal(rows, cols));
    });
    return y;
  }

  /** The lowered {@code adaptive_avg_pool2d_int}: PyTorch's adaptive windows, each sum rescaled. */
  static Tensor adaptiveAvgPool2dInt(Node n, List<Tensor> args) {
    Attrs.AdaptiveAvgPool2dInt a = (Attrs.AdaptiveAvgPool2dInt) n.attrs();
    Tensor x = args.get(0);
    Tensor y = Tensor.zeros(n.result().type());
    ElementType storage = y.type.elementType();
    adaptiveWindows(x.type.shape().dim(0) * x.type.shape().dim(1), x.type.shape().dim(2), x.type.shape().dim(3),
        y.type.shape().dim(2), y.type.shape().dim(3), x.ints, y.ints, (sum, rows, cols) ->
            a.rescale().apply(sum - (long) rows * cols * a.inputZeroPoint(), rows, cols, storage));
    return y;
  }

  /** One output of an adaptive pool from the sum of its window and the window's sizes. */
  @FunctionalInterface
  interface AdaptiveAverage {
    int of(long sum, int rows, int cols);
  }

  /** Every window of an adaptive pool: rows [{@link #windowStart}, {@link #windowEnd}), likewise columns. */
  private static void adaptiveWindows(int planes, int inH, int inW, int outH, int outW, int[] in, int[] out,
      AdaptiveAverage average) {
    forEachAdaptiveWindow(planes, inH, inW, outH, outW, (o, base, h0, h1, w0, w1) -> {
      long sum = 0;
      for (int h = h0; h < h1; h++) {
        for (int w = w0; w < w1; w++) {
          sum += in[base + h * inW + w];
        }
      }
      out[o] = average.of(sum, h1 - h0, w1 - w0);
    });
  }

  /** PyTorch's float adaptive pool (outputs other than 1x1): the window summed in float, then / kH / kW. */
  private static void adaptiveFloats(int planes, int inH, int inW, int outH, int outW, float[] in, float[] out) {
    forEachAdaptiveWindow(planes, inH, inW, outH, outW, (o, base, h0, h1, w0, w1) -> {
      float sum = 0.0f;
      for (int h = h0; h < h1; h++) {
        for (int w = w0; w < w1; w++) {
          sum += in[base + h * inW + w];
        }
      }
      out[o] = sum / (h1 - h0) / (w1 - w0);
    });
  }

  /** One window of an adaptive pool: output {@code out}, rows [h0, h1) and columns [w0, w1) of the plane at {@code base}. */
  @FunctionalInterface
  private interface AdaptiveWindowVisitor {
    void visit(int out, int base, int h0, int h1, int w0, int w1);
  }

  /** Every window of an adaptive pool, in output order. */
  private static void forEachAdaptiveWindow(int planes, int inH, int inW, int outH, int outW,
      AdaptiveWindowVisitor visitor) {
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windowStart(oh, outH, inH);
        int h1 = windowEnd(oh, outH, inH);
        for (int ow = 0; ow < outW; ow++) {
          visitor.visit(o++, base, h0, h1, windowStart(ow, outW, inW), windowEnd(ow, outW, inW));
        }
      }
    }
  }


  /**
   * {@code floor(o * in / out)}. PyTorch computes it in float ({@code floor((float)(o * in) / out)});
   * that is exact while {@code o * in} stays below 2^24, far beyond real feature maps.
   */
  static int windowStart(int o, int outSize, int inSize) {
    return (int) Math.floorDiv((long) o * inSize, outSize);
  }

  /** {@code ceil((o + 1) * in / out)}. */
  static int windowEnd(int o, int outSize, int inSize) {
    return (int) -Math.floorDiv(-(long) (o + 1) * inSize, outSize);
  }

  // ---------------------------------------------------------------- shared

  private static float qnnpackScale(Node n, Quantized q, int poolingSize) {
    try {
      return PyTorchQnnpackPooling.qnnpackScale(q.inputScale, q.outputScale, poolingSize);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(n.op() + " at " + n.location() + ": " + e.getMessage(), e);
    }
  }

  /** Window geometry of one pool: planes = N * C, sizes, kernel, stride, top-left padding, dilation. */
  record Geometry(int planes, int inH, int inW, int outH, int outW, int kH, int kW, int strideH, int strideW,
      int padTop, int padLeft, int dilationH, int dilationW) {
    static Geometry of(TensorType in, TensorType out, int kH, int kW, int strideH, int strideW, int padTop,
        int padLeft, int dilationH, int dilationW) {
      return new Geometry(in.shape().dim(0) * in.shape().dim(1), in.shape().dim(2), in.shape().dim(3),
          out.shape().dim(2), out.shape().dim(3), kH, kW, strideH, strideW, padTop, padLeft, dilationH, dilationW);
    }
  }

  /** The quantization of an average pool's input and output; PyTorch flavours and 8-bit storage only. */
  record Quantized(ElementType storage, double inputScale, long inputZeroPoint, double outputScale,
      long outputZeroPoint) {
    static Quantized of(Node n, TensorType in, TensorType out, Numerics numerics) {
      boolean pytorch = numerics.isPyTorch();
      ElementType storage = in.elementType();
      if (!pytorch || !in.isQuantized() || !(storage == ElementType.U8 || storage == ElementType.I8)) {
        throw Interpreter.unsupported(n, numerics);
      }
      Quantization.PerTensor qi = in.perTensor().orElseThrow();
      Quantization.PerTensor qo = out.perTensor().orElseThrow();
      return new Quantized(storage, qi.scale(), qi.zeroPoint(), qo.scale(), qo.zeroPoint());
    }
  }
}
