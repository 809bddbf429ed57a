package dev.zeropoint.runtime.kernels;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.FlavourQuantize;
import dev.zeropoint.ir.numerics.OnnxRuntimeQLinear;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;

/** Integer clamps, and the boundary quantize / dequantize of each numerics flavour that has them. */
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

  /** Flavours of {@link #quantize} and {@link #dequantize}. */
  public static final int PYTORCH = 0, ONNX = 1, TFLITE = 2;

  /** {@link #quantize} of op {@code quantize_add_round}: {@link OnnxRuntimeQLinear#poolQuantize}. */
  public static final int ADD_ROUND = 3;

  /**
   * Quantize in a flavour ({@link PyTorchQnnpack#quantize}, {@link FlavourQuantize#onnxQuantize},
   * {@link FlavourQuantize#tfliteQuantize}), per tensor or per channel ({@code channel of i = (i /
   * inner) % scales.length}).
   */
  public static void quantize(int[] out, float[] x, double[] scales, long[] zeroPoints, int inner, int storage,
      int flavour) {
    ElementType type = ElementType.values()[storage];
    for (int i = 0; i < x.length; i++) {
      int c = scales.length == 1 ? 0 : (i / inner) % scales.length;
      out[i] = (int) switch (flavour) {
        case PYTORCH -> PyTorchQnnpack.quantize(x[i], scales[c], zeroPoints[c], type);
        case ONNX -> FlavourQuantize.onnxQuantize(x[i], scales[c], zeroPoints[c], type);
        case TFLITE -> FlavourQuantize.tfliteQuantize(x[i], scales[c], zeroPoints[c], type);
        case ADD_ROUND -> OnnxRuntimeQLinear.poolQuantize(x[i], scales[c], zeroPoints[c], type);
        default -> throw new IllegalArgumentException("quantize flavour " + flavour);
      };
    }
  }

  /** Dequantize in a flavour, per tensor or per channel. */
  public static void dequantize(float[] out, int[] x, double[] scales, long[] zeroPoints, int inner, int flavour) {
    for (int i = 0; i < x.length; i++) {
      int c = scales.length == 1 ? 0 : (i / inner) % scales.length;
      out[i] = switch (flavour) {
        case PYTORCH -> PyTorchQnnpack.dequantize(x[i], scales[c], zeroPoints[c]);
        case ONNX -> FlavourQuantize.onnxDequantize(x[i], scales[c], zeroPoints[c]);
        case TFLITE -> FlavourQuantize.tfliteDequantize(x[i], scales[c], zeroPoints[c]);
        default -> throw new IllegalArgumentException("dequantize flavour " + flavour);
      };
    }
  }
}
