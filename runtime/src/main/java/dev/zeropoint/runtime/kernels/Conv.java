package dev.zeropoint.runtime.kernels;

/**
 * Integer convolution and linear accumulation: the exact int32 (wrapping) sums {@code bias[o] +
 * sum((x - x_zp) * (w - w_zp[o]))} over the taps inside the input, as the lowered ops
 * {@code conv2d_acc} and {@code linear_acc} define them. The compiler lays the weights out once:
 * already minus their zero points ({@code wc}).
 */
public final class Conv {
  private Conv() {}

  /** Indices into the geometry array of {@link #conv2dAcc}. */
  public static final int BATCH = 0, IN_CHANNELS = 1, HEIGHT = 2, WIDTH = 3, OUT_CHANNELS = 4, IN_PER_GROUP = 5,
      OUT_PER_GROUP = 6, KERNEL_H = 7, KERNEL_W = 8, OUT_H = 9, OUT_W = 10, STRIDE_H = 11, STRIDE_W = 12, PAD_TOP = 13,
      PAD_LEFT = 14, DILATION_H = 15, DILATION_W = 16, GEOMETRY_SIZE = 17;

  /**
   * @param out the accumulators, [batch, outChannels, outH, outW]
   * @param x the input, [batch, inChannels, height, width]
   * @param wc the weights minus their zero points, [outChannels, inPerGroup, kernelH, kernelW]
   * @param bias int32 bias per output channel
   * @param g the geometry, indexed by the constants of this class
   */
  public static void conv2dAcc(int[] out, int[] x, int[] wc, int[] bias, int[] g, int inputZeroPoint) {
    int plane = g[OUT_H] * g[OUT_W];
    int inPlane = g[HEIGHT] * g[WIDTH];
    int kernelH = g[KERNEL_H];
    int kernelW = g[KERNEL_W];
    int kernel = kernelH * kernelW;
    // Per kernel column, the output columns it reaches inside the input.
    int[] owStart = new int[kernelW];
    int[] owEnd = new int[kernelW];
    for (int kw = 0; kw < kernelW; kw++) {
      int offW = kw * g[DILATION_W] - g[PAD_LEFT];
      owStart[kw] = validStart(offW, g[STRIDE_W], g[OUT_W]);
      owEnd[kw] = validEnd(offW, g[WIDTH], g[STRIDE_W], g[OUT_W]);
    }
    int strideH = g[STRIDE_H];
    int strideW = g[STRIDE_W];
    int width = g[WIDTH];
    int height = g[HEIGHT];
    int outH = g[OUT_H];
    int outW = g[OUT_W];
    int outChannels = g[OUT_CHANNELS];
    // Batch items and output channels are independent: split over the threads (Parallel). Each
    // output row sums its taps in a row of accumulators that stays in the first-level cache.
    dev.zeropoint.runtime.Parallel.forEach(g[BATCH] * outChannels, bo -> {
      int b = bo / outChannels;
      int o = bo % outChannels;
      int outBase = bo * plane;
      int group = o / g[OUT_PER_GROUP];
      int[] row = new int[outW];
      for (int oh = 0; oh < outH; oh++) {
        java.util.Arrays.fill(row, bias[o]);
        for (int ci = 0; ci < g[IN_PER_GROUP]; ci++) {
          int xBase = (b * g[IN_CHANNELS] + group * g[IN_PER_GROUP] + ci) * inPlane;
          int wBase = (o * g[IN_PER_GROUP] + ci) * kernel;
          for (int kh = 0; kh < kernelH; kh++) {
            int ih = oh * strideH + kh * g[DILATION_H] - g[PAD_TOP];
            if (ih < 0 || ih >= height) {
              continue;
            }
            int inRow = xBase + ih * width;
            for (int kw = 0; kw < kernelW; kw++) {
              int wv = wc[wBase + kh * kernelW + kw];
              if (wv == 0) {
                continue;
              }
              int src = inRow + kw * g[DILATION_W] - g[PAD_LEFT];
              // Bounds in locals: read from arrays, the JIT would reload them every iteration.
              int first = owStart[kw];
              int last = owEnd[kw];
              if (strideW == 1) {
                for (int ow = first; ow < last; ow++) {
                  row[ow] += (x[src + ow] - inputZeroPoint) * wv;
                }
              } else {
                for (int ow = first; ow < last; ow++) {
                  row[ow] += (x[src + ow * strideW] - inputZeroPoint) * wv;
                }
              }
            }
          }
        }
        System.arraycopy(row, 0, out, outBase + oh * outW, outW);
      }
    });
  }

  /** The first output position o with {@code o * stride + offset >= 0}. */
  static int validStart(int offset, int stride, int outSize) {
    return Math.min(Math.max(0, Math.floorDiv(-offset + stride - 1, stride)), outSize);
  }

  /** One past the last output position o with {@code o * stride + offset < size}. */
  static int validEnd(int offset, int size, int stride, int outSize) {
    int last = size - 1 - offset;
    return last < 0 ? 0 : Math.min(last / stride + 1, outSize);
  }

  /**
   * {@code out[m, f] = bias[f] + sum_i (x[m, i] - x_zp) * wc[f, i]} for {@code rows} rows.
   *
   * @param wc the weights minus their zero points, [features, k]
   */
  public static void linearAcc(int[] out, int[] x, int[] wc, int[] bias, int rows, int features, int k,
      int inputZeroPoint) {
    int[] xc = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      xc[i] = x[i] - inputZeroPoint;
    }
    dev.zeropoint.runtime.Parallel.forEach(rows * features, mf -> {
      int m = mf / features;
      int f = mf % features;
      int acc = bias[f];
      int base = f * k;
      int row = m * k;
      for (int i = 0; i < k; i++) {
        acc += xc[row + i] * wc[base + i];
      }
      out[mf] = acc;
    });
  }

  /**
   * Float conv2d: each output sums {@code x * w} in float over (input channel, kernel row, kernel
   * column) ascending, skipping taps outside the input, then adds the bias ({@code 0f} when
   * {@code bias} is empty). The interpreter runs this same definition.
   *
   * @param g the geometry, as for {@link #conv2dAcc}
   */
  public static void conv2dFloat(float[] out, float[] x, float[] w, float[] bias, int[] g) {
    int plane = g[OUT_H] * g[OUT_W];
    int inPlane = g[HEIGHT] * g[WIDTH];
    int kernel = g[KERNEL_H] * g[KERNEL_W];
    int outChannels = g[OUT_CHANNELS];
    dev.zeropoint.runtime.Parallel.forEach(g[BATCH] * outChannels, bo -> {
      int b = bo / outChannels;
      int o = bo % outChannels;
      int outBase = bo * plane;
      java.util.Arrays.fill(out, outBase, outBase + plane, 0f);
      int group = o / g[OUT_PER_GROUP];
      for (int ci = 0; ci < g[IN_PER_GROUP]; ci++) {
        int xBase = (b * g[IN_CHANNELS] + group * g[IN_PER_GROUP] + ci) * inPlane;
        int wBase = (o * g[IN_PER_GROUP] + ci) * kernel;
        for (int kh = 0; kh < g[KERNEL_H]; kh++) {
          for (int kw = 0; kw < g[KERNEL_W]; kw++) {
            float wv = w[wBase + kh * g[KERNEL_W] + kw];
            int offH = kh * g[DILATION_H] - g[PAD_TOP];
            int offW = kw * g[DILATION_W] - g[PAD_LEFT];
            int owStart = validStart(offW, g[STRIDE_W], g[OUT_W]);
            int owEnd = validEnd(offW, g[WIDTH], g[STRIDE_W], g[OUT_W]);
            for (int oh = validStart(offH, g[STRIDE_H], g[OUT_H]),
                ohEnd = validEnd(offH, g[HEIGHT], g[STRIDE_H], g[OUT_H]); oh < ohEnd; oh++) {
              int row = xBase + (oh * g[STRIDE_H] + offH) * g[WIDTH] + offW;
              int accRow = outBase + oh * g[OUT_W];
              for (int ow = owStart; ow < owEnd; ow++) {
                out[accRow + ow] += x[row + ow * g[STRIDE_W]] * wv;
              }
            }
          }
        }
      }
      float bv = bias.length == 0 ? 0f : bias[o];
      for (int i = outBase; i < outBase + plane; i++) {
        out[i] += bv;
      }
    });
  }

  /**
   * Float linear: {@code out[m, f] = sum_i x[m, i] * w[f, i]} in float, i ascending, plus the bias
   * when {@code bias} is not empty.
   */
  public static void linearFloat(float[] out, float[] x, float[] w, float[] bias, int rows, int features, int k) {
    for (int m = 0; m < rows; m++) {
      for (int f = 0; f < features; f++) {
        float acc = 0f;
        for (int i = 0; i < k; i++) {
          acc += x[m * k + i] * w[f * k + i];
        }
        out[m * features + f] = bias.length == 0 ? acc : acc + bias[f];
      }
    }
  }
}
