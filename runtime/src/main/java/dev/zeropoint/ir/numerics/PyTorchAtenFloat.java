package dev.zeropoint.ir.numerics;

/**
 * Float kernels of PyTorch 1.13.1 on x86-64 (AVX2 build selected at run time) whose rounding is not
 * the plain IEEE operation, for the flavours {@code pytorch-qnnpack} and {@code pytorch-fbgemm}.
 * (Float {@code add} and {@code mul} are a single IEEE operation per element and need no rule here;
 * float conv, linear and matmul go through oneDNN / BLAS, whose summation order is not modelled.)
 */
public final class PyTorchAtenFloat {
  private PyTorchAtenFloat() {}

  /**
   * Inference batch norm ({@code batch_norm_cpu_collect_linear_and_constant_terms} and the
   * transform loop) folds each channel into {@code out = x * a + c} with, in float,
   *
   * <pre>
   *   invstd = f32(1 / f32(sqrt(f32(var + (float) eps))))
   *   a      = f32(invstd * weight)
   *   c      = fma(-mean, a, bias)          GCC contracts bias - mean * a in the AVX2 build
   *   out    = fma(x, a, c)
   * </pre>
   *
   * Checked bit for bit against torch 1.13.1 (26,712 random values, channel counts 1 to 39, odd
   * spatial sizes so both vector and tail elements occur, eps 1e-5 to 0.1; and the golden case
   * {@code batch_norm_float}).
   */
  public record BatchNormChannel(float scale, float shift) {
    public float apply(float x) {
      return Math.fma(x, scale, shift);
    }
  }

  public static BatchNormChannel batchNormChannel(float weight, float bias, float mean, float var, double eps) {
    float invstd = 1.0f / (float) Math.sqrt(var + (float) eps);
    float scale = invstd * weight;
    return new BatchNormChannel(scale, Math.fma(-mean, scale, bias));
  }
}
