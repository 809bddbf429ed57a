package dev.zeropoint.runtime.kernels;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.PyTorchAtenFloat;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;

/**
 * Inference batch norm on [N, C, ...] (flat, {@code inner} elements per channel and image), each
 * channel's folded parameters laid out at compile time.
 */
public final class Norm {
  private Norm() {}

  /** PyTorch's float batch norm: {@code fma(x, scale[c], shift[c])} ({@link PyTorchAtenFloat.BatchNormChannel}). */
  public static void batchNormFloat(float[] out, float[] x, float[] scale, float[] shift, int batch, int inner) {
    int channels = scale.length;
    for (int c = 0; c < channels; c++) {
      PyTorchAtenFloat.BatchNormChannel p = new PyTorchAtenFloat.BatchNormChannel(scale[c], shift[c]);
      for (int b = 0; b < batch; b++) {
        int base = (b * channels + c) * inner;
        for (int i = base; i < base + inner; i++) {
          out[i] = p.apply(x[i]);
        }
      }
    }
  }

  /**
   * Float batch norm whose statistics are run-time values: each channel's scale and shift as
   * {@link PyTorchAtenFloat#batchNormChannel} derives them, then {@link #batchNormFloat}.
   */
  public static void batchNormFloatStatistics(float[] out, float[] x, float[] weight, float[] bias, float[] mean,
      float[] var, double[] eps, int batch, int inner) {
    float[] scale = new float[weight.length];
    float[] shift = new float[weight.length];
    for (int c = 0; c < weight.length; c++) {
      PyTorchAtenFloat.BatchNormChannel p = PyTorchAtenFloat.batchNormChannel(weight[c], bias[c], mean[c], var[c],
          eps[0]);
      scale[c] = p.scale();
      shift[c] = p.shift();
    }
    batchNormFloat(out, x, scale, shift, batch, inner);
  }

  /**
   * {@code quantized::batch_norm} ({@link PyTorchAtenQuantized.BatchNormChannel}): channels below
   * {@code vectorized} by the kernel's vector code, the rest by its scalar tail.
   */
  public static void batchNormQuantized(int[] out, int[] x, float[] alpha, float[] beta, int vectorized, int batch,
      int inner, int inputZeroPoint, int outputZeroPoint, int storage) {
    ElementType type = ElementType.values()[storage];
    int channels = alpha.length;
    for (int c = 0; c < channels; c++) {
      PyTorchAtenQuantized.BatchNormChannel p = new PyTorchAtenQuantized.BatchNormChannel(alpha[c], beta[c]);
      for (int b = 0; b < batch; b++) {
        int base = (b * channels + c) * inner;
        if (c < vectorized) {
          for (int i = base; i < base + inner; i++) {
            out[i] = PyTorchAtenQuantized.batchNormVectorized(x[i], inputZeroPoint, p, outputZeroPoint, type);
          }
        } else {
          for (int i = base; i < base + inner; i++) {
            out[i] = PyTorchAtenQuantized.batchNormScalar(x[i], inputZeroPoint, p, outputZeroPoint, type);
          }
        }
      }
    }
  }
}
