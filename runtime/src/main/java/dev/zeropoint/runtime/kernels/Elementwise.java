package dev.zeropoint.runtime.kernels;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;

/** Integer clamps, and the boundary quantize / dequantize of the PyTorch flavours. */
public final class Elementwise {
  private Elementwise() {}

  /** {@code out[i] = min(max(x[i], lo), hi)}. */
  public static void clamp(int[] out, int[] x, int lo, int hi) {
    for (int i = 0; i < x.length; i++) {
      int v = x[i];
      out[i] = v < lo ? lo : (v > hi ? hi : v);
    }
  }

  /**
   * The clamp PyTorch 1.13 computes for a quint8 clamp of a channels-last tensor: the clamped data
   * in NHWC order, read as NCHW (element k of the result is element k of the NHWC walk).
   */
  public static void clampNhwcAsNchw(int[] out, int[] x, int lo, int hi, int n, int c, int h, int w) {
    int k = 0;
    for (int in = 0; in < n; in++) {
      for (int ih = 0; ih < h; ih++) {
        for (int iw = 0; iw < w; iw++) {
          for (int ic = 0; ic < c; ic++) {
            int v = x[((in * c + ic) * h + ih) * w + iw];
            out[k++] = v < lo ? lo : (v > hi ? hi : v);
          }
        }
      }
    }
  }

  /**
   * PyTorch's quantize ({@link PyTorchQnnpack#quantize}), per tensor or per channel ({@code channel
   * of i = (i / inner) % scales.length}).
   */
  public static void quantizePyTorch(int[] out, float[] x, double[] scales, long[] zeroPoints, int inner, int storage) {
    ElementType type = ElementType.values()[storage];
    for (int i = 0; i < x.length; i++) {
      int c = scales.length == 1 ? 0 : (i / inner) % scales.length;
      out[i] = (int) PyTorchQnnpack.quantize(x[i], scales[c], zeroPoints[c], type);
    }
  }

  /** PyTorch's dequantize ({@link PyTorchQnnpack#dequantize}), per tensor or per channel. */
  public static void dequantizePyTorch(float[] out, int[] x, double[] scales, long[] zeroPoints, int inner) {
    for (int i = 0; i < x.length; i++) {
      int c = scales.length == 1 ? 0 : (i / inner) % scales.length;
      out[i] = PyTorchQnnpack.dequantize(x[i], scales[c], zeroPoints[c]);
    }
  }
}
