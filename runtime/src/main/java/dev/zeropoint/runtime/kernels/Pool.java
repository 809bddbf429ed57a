package dev.zeropoint.runtime.kernels;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.IntegerOnlyRequant;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import dev.zeropoint.ir.numerics.PyTorchQnnpackPooling;
import dev.zeropoint.ir.numerics.Rounding;

/**
 * max_pool2d, avg_pool2d and adaptive_avg_pool2d on NCHW tensors (flat row-major), and the lowered
 * integer-only average pools. Each kernel is one rounding rule; what varies per window (its rows
 * and columns, its multiplier or divisor) is laid out at compile time.
 *
 * <p>Max pools take a geometry {@code int[]} indexed by the constants below. Average pools take
 * {@code windows}: {@code [planes, inH, inW, outH, outW]}, then per output row its input rows
 * {@code [h0, h1)} and per output column its input columns {@code [w0, w1)}, clipped to the input
 * ({@code h1 >= h0}); per-window tables are indexed by {@code oh * outW + ow}.
 */
public final class Pool {
  private Pool() {}

  /** Indices of a max pool's geometry. */
  public static final int PLANES = 0, IN_H = 1, IN_W = 2, OUT_H = 3, OUT_W = 4, KERNEL_H = 5, KERNEL_W = 6,
      STRIDE_H = 7, STRIDE_W = 8, PAD_TOP = 9, PAD_LEFT = 10, DILATION_H = 11, DILATION_W = 12, GEOMETRY_SIZE = 13;

  /** Indices of the header of an average pool's windows. */
  public static final int WINDOW_HEADER = 5;

  // ---------------------------------------------------------------- max_pool2d

  /** The maximum over each window's in-bounds taps (ATen); an empty window gives Integer.MIN_VALUE. */
  public static void maxPool(int[] out, int[] x, int[] g) {
    int inH = g[IN_H], inW = g[IN_W], outH = g[OUT_H], outW = g[OUT_W], kH = g[KERNEL_H], kW = g[KERNEL_W];
    int sH = g[STRIDE_H], sW = g[STRIDE_W], pT = g[PAD_TOP], pL = g[PAD_LEFT], dH = g[DILATION_H], dW = g[DILATION_W];
    int o = 0;
    for (int plane = 0; plane < g[PLANES]; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        for (int ow = 0; ow < outW; ow++) {
          int max = Integer.MIN_VALUE;
          for (int i = 0; i < kH; i++) {
            int h = oh * sH - pT + i * dH;
            if (h < 0 || h >= inH) {
              continue;
            }
            int row = base + h * inW;
            for (int j = 0; j < kW; j++) {
              int w = ow * sW - pL + j * dW;
              if (w >= 0 && w < inW) {
                max = Math.max(max, x[row + w]);
              }
            }
          }
          out[o++] = max;
        }
      }
    }
  }

  /**
   * QNNPACK's max pool: every tap's row and column clamped into the input ({@code
   * PyTorchQnnpackPooling#maxPoolUsesQnnpack}).
   */
  public static void maxPoolClamped(int[] out, int[] x, int[] g) {
    int inH = g[IN_H], inW = g[IN_W], outH = g[OUT_H], outW = g[OUT_W], kH = g[KERNEL_H], kW = g[KERNEL_W];
    int sH = g[STRIDE_H], sW = g[STRIDE_W], pT = g[PAD_TOP], pL = g[PAD_LEFT], dH = g[DILATION_H], dW = g[DILATION_W];
    // The output columns whose taps all lie inside the input, which need no clamping.
    int owFirst = Math.min(outW, Math.max(0, Math.floorDiv(pL + sW - 1, sW)));
    int owEnd = Math.max(owFirst, Math.min(outW, Math.floorDiv(inW - 1 + pL - (kW - 1) * dW, sW) + 1));
    // Separable: the maximum over the window's (clamped) rows for every input column, one loop the
    // JIT vectorizes, then over the window's (clamped) columns; the same taps, so the same maximum.
    dev.zeropoint.runtime.Parallel.forEach(g[PLANES], plane -> {
      int base = plane * inH * inW;
      int[] colMax = new int[inW];
      int o = plane * outH * outW;
      for (int oh = 0; oh < outH; oh++) {
        int first = base + Math.min(Math.max(oh * sH - pT, 0), inH - 1) * inW;
        System.arraycopy(x, first, colMax, 0, inW);
        for (int i = 1; i < kH; i++) {
          int row = base + Math.min(Math.max(oh * sH - pT + i * dH, 0), inH - 1) * inW;
          for (int w = 0; w < inW; w++) {
            colMax[w] = Math.max(colMax[w], x[row + w]);
          }
        }
        for (int ow = 0; ow < outW; ow++) {
          int max = Integer.MIN_VALUE;
          if (ow >= owFirst && ow < owEnd) {
            for (int j = 0, at = ow * sW - pL; j < kW; j++, at += dW) {
              max = Math.max(max, colMax[at]);
            }
          } else {
            for (int j = 0; j < kW; j++) {
              max = Math.max(max, colMax[Math.min(Math.max(ow * sW - pL + j * dW, 0), inW - 1)]);
            }
          }
          out[o++] = max;
        }
      }
    });
  }

  /**
   * PyTorch's float max pool: from -inf, take a value if it is greater or NaN (NaN propagates; of
   * equal zeros the first wins).
   */
  public static void maxPoolFloat(float[] out, float[] x, int[] g) {
    int inH = g[IN_H], inW = g[IN_W], outH = g[OUT_H], outW = g[OUT_W], kH = g[KERNEL_H], kW = g[KERNEL_W];
    int sH = g[STRIDE_H], sW = g[STRIDE_W], pT = g[PAD_TOP], pL = g[PAD_LEFT], dH = g[DILATION_H], dW = g[DILATION_W];
    int o = 0;
    for (int plane = 0; plane < g[PLANES]; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        for (int ow = 0; ow < outW; ow++) {
          float max = Float.NEGATIVE_INFINITY;
          for (int i = 0; i < kH; i++) {
            int h = oh * sH - pT + i * dH;
            if (h < 0 || h >= inH) {
              continue;
            }
            int row = base + h * inW;
            for (int j = 0; j < kW; j++) {
              int w = ow * sW - pL + j * dW;
              if (w >= 0 && w < inW) {
                float v = x[row + w];
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

  // ---------------------------------------------------------------- float averages

  /**
   * PyTorch's float avg_pool2d: the in-bounds values summed in float row by row, then {@code sum /
   * divisor} in float ({@code divisors} per window); an empty window gives 0.
   */
  public static void averageFloat(float[] out, float[] x, int[] windows, int[] divisors) {
    int planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
    int cols = WINDOW_HEADER + 2 * outH;
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windows[WINDOW_HEADER + 2 * oh], h1 = windows[WINDOW_HEADER + 2 * oh + 1];
        for (int ow = 0; ow < outW; ow++) {
          int w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
          if (h0 >= h1 || w0 >= w1) {
            out[o++] = 0.0f;
            continue;
          }
          float sum = 0.0f;
          for (int h = h0; h < h1; h++) {
            int row = base + h * inW;
            for (int w = w0; w < w1; w++) {
              sum += x[row + w];
            }
          }
          out[o++] = sum / divisors[oh * outW + ow];
        }
      }
    }
  }

  /** PyTorch's float adaptive pool (outputs other than 1x1): the window summed in float, then / rows / cols. */
  public static void adaptiveAverageFloat(float[] out, float[] x, int[] windows) {
    int planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
    int cols = WINDOW_HEADER + 2 * outH;
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windows[WINDOW_HEADER + 2 * oh], h1 = windows[WINDOW_HEADER + 2 * oh + 1];
        for (int ow = 0; ow < outW; ow++) {
          int w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
          float sum = 0.0f;
          for (int h = h0; h < h1; h++) {
            int row = base + h * inW;
            for (int w = w0; w < w1; w++) {
              sum += x[row + w];
            }
          }
          out[o++] = sum / (h1 - h0) / (w1 - w0);
        }
      }
    }
  }

  // ---------------------------------------------------------------- quantized averages (float rounding)

  /**
   * QNNPACK's average pool ({@link PyTorchQnnpackPooling#qnnpackAverage}): {@code acc = sum - rows
   * * cols * zp_in} over the in-bounds taps (padding adds 0), one scale ({@code scale[0]}).
   */
  public static void averageQnnpack(int[] out, int[] x, int[] windows, float[] scale, int inputZeroPoint,
      int outputZeroPoint) {
    float s = scale[0];
    int planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
    int cols = WINDOW_HEADER + 2 * outH;
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windows[WINDOW_HEADER + 2 * oh], h1 = windows[WINDOW_HEADER + 2 * oh + 1];
        for (int ow = 0; ow < outW; ow++) {
          int w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
          long sum = sum(x, base, inW, h0, h1, w0, w1);
          int acc = (int) (sum - (long) (h1 - h0) * (w1 - w0) * inputZeroPoint);
          out[o++] = PyTorchQnnpackPooling.qnnpackAverage(acc, s, outputZeroPoint);
        }
      }
    }
  }

  /**
   * ATen's NCHW average pool ({@link PyTorchQnnpackPooling#atenNchwAverage}): {@code acc = sum -
   * size * zp_in} over the in-bounds taps, the window's multiplier from {@code multipliers}.
   */
  public static void averageAtenNchw(int[] out, int[] x, int[] windows, float[] multipliers, int inputZeroPoint,
      int outputZeroPoint, int storage) {
    ElementType type = ElementType.values()[storage];
    int planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
    int cols = WINDOW_HEADER + 2 * outH;
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windows[WINDOW_HEADER + 2 * oh], h1 = windows[WINDOW_HEADER + 2 * oh + 1];
        for (int ow = 0; ow < outW; ow++) {
          int w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
          long sum = sum(x, base, inW, h0, h1, w0, w1);
          int acc = (int) (sum - (long) (h1 - h0) * (w1 - w0) * inputZeroPoint);
          out[o++] = PyTorchQnnpackPooling.atenNchwAverage(acc, multipliers[oh * outW + ow], outputZeroPoint, type);
        }
      }
    }
  }

  /**
   * ATen's NHWC average pools, plain and adaptive ({@link PyTorchQnnpackPooling#atenNhwcAverage}):
   * {@code acc = sum - size * zp_in}, the window's multiplier from {@code multipliers}.
   */
  public static void averageAtenNhwc(int[] out, int[] x, int[] windows, float[] multipliers, int inputZeroPoint,
      int outputZeroPoint, int storage) {
    ElementType type = ElementType.values()[storage];
    int planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
    int cols = WINDOW_HEADER + 2 * outH;
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windows[WINDOW_HEADER + 2 * oh], h1 = windows[WINDOW_HEADER + 2 * oh + 1];
        for (int ow = 0; ow < outW; ow++) {
          int w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
          long sum = sum(x, base, inW, h0, h1, w0, w1);
          int acc = (int) (sum - (long) (h1 - h0) * (w1 - w0) * inputZeroPoint);
          out[o++] = PyTorchQnnpackPooling.atenNhwcAverage(acc, multipliers[oh * outW + ow], outputZeroPoint, type);
        }
      }
    }
  }

  /**
   * ATen's NCHW adaptive average pool ({@link PyTorchQnnpackPooling#atenAdaptiveNchwAverage}): the
   * window's sum of stored values times its reciprocal from {@code reciprocals}, no zero point.
   */
  public static void averageAtenAdaptiveNchw(int[] out, int[] x, int[] windows, float[] reciprocals) {
    int planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
    int cols = WINDOW_HEADER + 2 * outH;
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windows[WINDOW_HEADER + 2 * oh], h1 = windows[WINDOW_HEADER + 2 * oh + 1];
        for (int ow = 0; ow < outW; ow++) {
          int w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
          out[o++] = PyTorchQnnpackPooling.atenAdaptiveNchwAverage(sum(x, base, inW, h0, h1, w0, w1),
              reciprocals[oh * outW + ow]);
        }
      }
    }
  }

  // ---------------------------------------------------------------- integer-only averages

  /*
   * avg_pool2d_int and adaptive_avg_pool2d_int: each window's multiplier as a decomposed
   * IntegerOnlyRequant (mantissas / exponents per window, picked at compile time from the node's
   * PoolRescale table by the window's counted size), applied to acc = sum - rows * cols * zp_in
   * (in-bounds taps, exact int32). The four kernels are the four PoolRescale kinds.
   */

  /** PoolRescale kind {@code qnnpack}: {@code finishRequantization(m.apply(acc), zp, 0, 255)}. */
  public static void rescaleQnnpack(int[] out, int[] x, int[] windows, int[] mantissas, int[] exponents,
      int inputZeroPoint, int outputZeroPoint) {
    IntegerOnlyRequant[] r = requants(mantissas, exponents);
    int planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
    int cols = WINDOW_HEADER + 2 * outH;
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windows[WINDOW_HEADER + 2 * oh], h1 = windows[WINDOW_HEADER + 2 * oh + 1];
        for (int ow = 0; ow < outW; ow++) {
          int w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
          int acc = Math.toIntExact(sum(x, base, inW, h0, h1, w0, w1) - (long) (h1 - h0) * (w1 - w0) * inputZeroPoint);
          out[o++] = PyTorchQnnpack.finishRequantization(r[oh * outW + ow].apply(acc), outputZeroPoint, 0, 255);
        }
      }
    }
  }

  /**
   * PoolRescale kind {@code aten_nchw}: {@code sat(int32(m.applyAddRound(acc, zp)))}, out of int32
   * converting to INT32_MIN as x86's {@code cvttss2si} does.
   */
  public static void rescaleAtenNchw(int[] out, int[] x, int[] windows, int[] mantissas, int[] exponents,
      int inputZeroPoint, int outputZeroPoint, int storage) {
    ElementType type = ElementType.values()[storage];
    IntegerOnlyRequant[] r = requants(mantissas, exponents);
    int planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
    int cols = WINDOW_HEADER + 2 * outH;
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windows[WINDOW_HEADER + 2 * oh], h1 = windows[WINDOW_HEADER + 2 * oh + 1];
        for (int ow = 0; ow < outW; ow++) {
          int w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
          int acc = Math.toIntExact(sum(x, base, inW, h0, h1, w0, w1) - (long) (h1 - h0) * (w1 - w0) * inputZeroPoint);
          long v = r[oh * outW + ow].applyAddRound(acc, outputZeroPoint);
          long converted = v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? v : Integer.MIN_VALUE;
          out[o++] = (int) Rounding.saturate(converted, type);
        }
      }
    }
  }

  /** PoolRescale kind {@code aten_nhwc}: {@code sat(m.apply(acc) + zp)}. */
  public static void rescaleAtenNhwc(int[] out, int[] x, int[] windows, int[] mantissas, int[] exponents,
      int inputZeroPoint, int outputZeroPoint, int storage) {
    ElementType type = ElementType.values()[storage];
    IntegerOnlyRequant[] r = requants(mantissas, exponents);
    int planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
    int cols = WINDOW_HEADER + 2 * outH;
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windows[WINDOW_HEADER + 2 * oh], h1 = windows[WINDOW_HEADER + 2 * oh + 1];
        for (int ow = 0; ow < outW; ow++) {
          int w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
          int acc = Math.toIntExact(sum(x, base, inW, h0, h1, w0, w1) - (long) (h1 - h0) * (w1 - w0) * inputZeroPoint);
          out[o++] = (int) Rounding.saturate(r[oh * outW + ow].apply(acc) + outputZeroPoint, type);
        }
      }
    }
  }

  /** PoolRescale kind {@code aten_adaptive_nchw}: {@code m.apply(acc)}, no zero point. */
  public static void rescaleAtenAdaptiveNchw(int[] out, int[] x, int[] windows, int[] mantissas, int[] exponents,
      int inputZeroPoint) {
    IntegerOnlyRequant[] r = requants(mantissas, exponents);
    int planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
    int cols = WINDOW_HEADER + 2 * outH;
    int o = 0;
    for (int plane = 0; plane < planes; plane++) {
      int base = plane * inH * inW;
      for (int oh = 0; oh < outH; oh++) {
        int h0 = windows[WINDOW_HEADER + 2 * oh], h1 = windows[WINDOW_HEADER + 2 * oh + 1];
        for (int ow = 0; ow < outW; ow++) {
          int w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
          int acc = Math.toIntExact(sum(x, base, inW, h0, h1, w0, w1) - (long) (h1 - h0) * (w1 - w0) * inputZeroPoint);
          out[o++] = (int) r[oh * outW + ow].apply(acc);
        }
      }
    }
  }

  // ---------------------------------------------------------------- shared

  private static long sum(int[] x, int base, int inW, int h0, int h1, int w0, int w1) {
    long sum = 0;
    for (int h = h0; h < h1; h++) {
      int row = base + h * inW;
      for (int w = w0; w < w1; w++) {
        sum += x[row + w];
      }
    }
    return sum;
  }

  private static IntegerOnlyRequant[] requants(int[] mantissas, int[] exponents) {
    IntegerOnlyRequant[] r = new IntegerOnlyRequant[mantissas.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = new IntegerOnlyRequant(mantissas[i], exponents[i]);
    }
    return r;
  }
}
