package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.ElementType;

/**
 * Flavour {@code pytorch-qnnpack}: the generic ATen CPU kernels PyTorch 1.13.1 runs for the
 * quantized ops QNNPACK does not take ({@code aten/src/ATen/native/quantized/cpu/kernels/
 * QuantizedOpKernels.cpp}, the build for AVX2 with FMA that an AVX2 CPU selects at run time;
 * {@code ATen/cpu/vec/vec256/vec256_qint.h} for the vector helpers). Each rule was checked against
 * torch 1.13.1 (Debian) on random and tie-constructed inputs; the tests hold worked examples.
 *
 * <ul>
 *   <li>quint8 add of differently shaped (broadcast) operands: dequantize, add in float, quantize
 *       ({@code qadd_kernel}); its scalar and vectorized lambdas dequantize differently, and {@link
 *       PyTorchTensorIterator} says which one computes each element. (Same-shape quint8 add is
 *       QNNPACK's fixed point, {@link PyTorchQnnpack#add}; qint8 add is XNNPACK's, {@link Xnnpack}.)
 *   <li>mul of quint8 or qint8, any shapes ({@code qmul_kernel}): integer product, one float
 *       multiply, round.
 *   <li>cat (and the IR's {@code requantize}): dequantize, then quantize to the output parameters
 *       ({@code quantized_cat_impl}); see {@link #requantize}.
 *   <li>batch norm of quint8 or qint8 ({@code compute_fused_params}, {@code q_batch_norm_kernel}).
 * </ul>
 *
 * Only quint8 and qint8 storage: qint32 takes other vector code paths.
 */
public final class PyTorchAtenQuantized {
  private PyTorchAtenQuantized() {}

  /** The largest int32 that is a float below 2^31: QuantizeAvx2 clamps the scaled value to it. */
  private static final float INT32_FLOAT_MAX = 2147483520f;

  // ---------------------------------------------------------------- add (float path)

  /**
   * Parameters of {@code qadd_kernel}. Scales are cast to float; {@code inverseOutputScale = f32(1 /
   * outputScale)}; the vectorized dequantize's {@code negZeroPointTimesScale = f32(scale * -(float)
   * zp)} ({@code scale_neg_zp_premul}).
   */
  public record FloatAddParams(
      float aScale, int aZeroPoint, float aNegZeroPointTimesScale,
      float bScale, int bZeroPoint, float bNegZeroPointTimesScale,
      float outputScale, int outputZeroPoint, float inverseOutputScale, ElementType storage) {}

  public static FloatAddParams floatAddParams(double aScale, int aZeroPoint, double bScale, int bZeroPoint,
      double outputScale, int outputZeroPoint, ElementType storage) {
    checkStorage(storage);
    float sa = (float) aScale;
    float sb = (float) bScale;
    float so = (float) outputScale;
    return new FloatAddParams(sa, aZeroPoint, sa * -(float) aZeroPoint, sb, bZeroPoint, sb * -(float) bZeroPoint,
        so, outputZeroPoint, 1.0f / so, storage);
  }

  /**
   * The scalar lambda: {@code c = f32(dequantize_val(a) + dequantize_val(b))}, then {@code
   * quantize_val} ({@link PyTorchQnnpack#dequantize}, {@link PyTorchQnnpack#quantize}).
   */
  public static int floatAddScalar(int a, int b, FloatAddParams p) {
    float da = PyTorchQnnpack.dequantize(a, p.aScale(), p.aZeroPoint());
    float db = PyTorchQnnpack.dequantize(b, p.bScale(), p.bZeroPoint());
    return (int) PyTorchQnnpack.quantize(da + db, p.outputScale(), p.outputZeroPoint(), p.storage());
  }

  /**
   * The vectorized lambda: each operand dequantized as {@code fma(scale, (float) q, f32(scale *
   * -zp))} (one rounding; differs from {@code f32(scale * (q - zp))} in the last bit now and then),
   * {@code c = f32(da + db)}, then {@link #quantizeAvx2}.
   */
  public static int floatAddVectorized(int a, int b, FloatAddParams p) {
    float da = Math.fma(p.aScale(), (float) a, p.aNegZeroPointTimesScale());
    float db = Math.fma(p.bScale(), (float) b, p.bNegZeroPointTimesScale());
    return quantizeAvx2(da + db, p.inverseOutputScale(), p.outputZeroPoint(), p.storage());
  }

  /**
   * {@code Vectorized<quint8 / qint8>::quantize} ({@code QuantizeAvx2}, 32-lane loop): {@code t =
   * min(f32(x * inverseScale), 2147483520)} (a NaN product becomes 2147483520: {@code minps}
   * returns its second operand), {@code cvtps2dq} (RNE; out of int32 gives INT32_MIN), plus the zero
   * point in int32 (wrapping), saturated to the storage range. Equals {@link PyTorchQnnpack#quantize}
   * except for NaN and products beyond int32.
   */
  public static int quantizeAvx2(float x, float inverseScale, int zeroPoint, ElementType storage) {
    float scaled = x * inverseScale;
    float clipped = scaled < INT32_FLOAT_MAX ? scaled : INT32_FLOAT_MAX;
    int shifted = Rounding.x86FloatToInt32RoundHalfEven(clipped) + zeroPoint;
    return (int) Rounding.saturate(shifted, storage);
  }

  // ---------------------------------------------------------------- mul

  /**
   * {@code qmul_kernel}'s multiplier, in float and in C order: {@code f32(f32((float) s_a * (float)
   * s_b) * f32(1.0f / (float) s_out))}.
   */
  public static float mulMultiplier(double aScale, double bScale, double outputScale) {
    float inverse = 1.0f / (float) outputScale;
    return (float) aScale * (float) bScale * inverse;
  }

  /**
   * The scalar lambda of {@code qmul_kernel}: {@code c = (a - za) * (b - zb)} (int32), {@code
   * requantize_from_int}: {@code zp + lrintf(f32((float) c * m))} in int64, saturated.
   */
  public static int mulScalar(int a, int aZeroPoint, int b, int bZeroPoint, float multiplier, int outputZeroPoint,
      ElementType storage) {
    checkStorage(storage);
    int product = (a - aZeroPoint) * (b - bZeroPoint);
    long y = outputZeroPoint + Rounding.lrintf((float) product * multiplier);
    return (int) Rounding.saturate(y, storage);
  }

  /**
   * The vectorized lambda ({@code RequantizeAvx2}): the same product, {@code cvtps2dq} (out of
   * int32 gives INT32_MIN), plus the zero point in int32 (wrapping), saturated. Equals {@link
   * #mulScalar} unless {@code |c * m|} reaches 2^31.
   */
  public static int mulVectorized(int a, int aZeroPoint, int b, int bZeroPoint, float multiplier,
      int outputZeroPoint, ElementType storage) {
    checkStorage(storage);
    int product = (a - aZeroPoint) * (b - bZeroPoint);
    int y = Rounding.x86FloatToInt32RoundHalfEven((float) product * multiplier) + outputZeroPoint;
    return (int) Rounding.saturate(y, storage);
  }

  // ---------------------------------------------------------------- cat / requantize

  /**
   * One element of quantized cat: {@code quantized_cat_impl} dequantizes every input ({@link
   * PyTorchQnnpack#dequantize}), concatenates in float and quantizes to the output parameters
   * ({@link PyTorchQnnpack#quantize}). An input already at the output's parameters comes back
   * unchanged: {@code |q - zp| <= 255}, so the float error of dequantizing and multiplying by the
   * reciprocal stays far below 1/2. Also the definition of the IR's {@code requantize} in this
   * flavour (PyTorch has no separate op for it: {@code quantize_per_tensor(x.dequantize(), ...)}).
   */
  public static int requantize(int q, double inputScale, long inputZeroPoint, double outputScale,
      long outputZeroPoint, ElementType storage) {
    float real = PyTorchQnnpack.dequantize(q, inputScale, inputZeroPoint);
    return (int) PyTorchQnnpack.quantize(real, outputScale, outputZeroPoint, storage);
  }

  // ---------------------------------------------------------------- batch norm

  /** A channel's fused batch norm parameters: {@code y = alpha * (q - zp_in) + beta} in output steps. */
  public record BatchNormChannel(float alpha, float beta) {}

  /**
   * {@code compute_fused_params} (qbatch_norm.cpp, compiled without FMA), in its C types:
   *
   * <pre>
   *   inv_sigma = f32(1.0 / (double) sqrtf(f32(var + (float) eps)))
   *   alpha     = f32((double) f32(inv_sigma * weight) * (s_in / s_out))       s_in / s_out in double
   *   beta      = f32((double) f32(bias - f32(f32(mean * inv_sigma) * weight)) / s_out)
   * </pre>
   *
   * ({@code 1.0 / x} in double then rounded to float equals the float division: double has more
   * than 2 * 24 + 2 bits, so the double rounding is innocuous; likewise {@code (float) Math.sqrt}.)
   */
  public static BatchNormChannel batchNormChannel(float weight, float bias, float mean, float var, double eps,
      double inputScale, double outputScale) {
    float sigma = (float) Math.sqrt(var + (float) eps);
    float invSigma = (float) (1.0 / sigma);
    float alpha = (float) ((double) (invSigma * weight) * (inputScale / outputScale));
    float beta = (float) ((double) (bias - mean * invSigma * weight) / outputScale);
    return new BatchNormChannel(alpha, beta);
  }

  /**
   * Element {@code q} of channel {@code channel} (of {@code channels}) of PyTorch's quantized batch
   * norm: the vector or the scalar formula, as {@link #batchNormIsVectorized} says the kernel picks.
   * The one definition the interpreter and the integer-only lowering (a per-channel table) share.
   */
  public static int batchNorm(int q, int channel, int channels, int inputZeroPoint, BatchNormChannel c,
      int outputZeroPoint, ElementType storage) {
    return batchNormIsVectorized(channel, channels)
        ? batchNormVectorized(q, inputZeroPoint, c, outputZeroPoint, storage)
        : batchNormScalar(q, inputZeroPoint, c, outputZeroPoint, storage);
  }

  /**
   * The scalar tail of {@code q_batch_norm_kernel} (channels past the vector blocks, see {@link
   * #batchNormIsVectorized}): {@code zp_out + lrintf(fma(alpha, (float)(q - zp_in), beta))} in int64,
   * saturated. GCC contracts {@code alpha * x + beta} to an FMA in the AVX2 build (checked: the
   * unfused form differs from torch at constructed ties, the fused one never).
   */
  public static int batchNormScalar(int q, int inputZeroPoint, BatchNormChannel c, int outputZeroPoint,
      ElementType storage) {
    checkStorage(storage);
    float y = Math.fma(c.alpha(), (float) (q - inputZeroPoint), c.beta());
    return (int) Rounding.saturate(outputZeroPoint + Rounding.lrintf(y), storage);
  }

  /**
   * The vector blocks of {@code q_batch_norm_kernel}: {@code q - zp_in} (an exact FMA with scale 1),
   * {@code fma(alpha, ., beta)}, then {@link #quantizeAvx2} with inverse scale 1. Equals {@link
   * #batchNormScalar} unless the value is NaN or beyond int32.
   */
  public static int batchNormVectorized(int q, int inputZeroPoint, BatchNormChannel c, int outputZeroPoint,
      ElementType storage) {
    checkStorage(storage);
    float y = Math.fma(c.alpha(), (float) (q - inputZeroPoint), c.beta());
    return quantizeAvx2(y, 1.0f, outputZeroPoint, storage);
  }

  /**
   * Whether {@code q_batch_norm_kernel} computes channel {@code channel} of {@code channels} with
   * its vector code. It walks each pixel's channels (channels-last): blocks of 32, then, if at least
   * 8 remain, a padded block covering the largest multiple of 8 of them, then one by one.
   */
  public static boolean batchNormIsVectorized(int channel, int channels) {
    int blocks = channels / 32 * 32;
    int rest = channels - blocks;
    int vectorized = blocks + (rest >= 8 ? rest / 8 * 8 : 0);
    return channel < vectorized;
  }

  private static void checkStorage(ElementType storage) {
    if (storage != ElementType.U8 && storage != ElementType.I8) {
      throw new IllegalArgumentException("ATen's quantized CPU kernels are modelled for quint8 and qint8, not "
          + storage);
    }
  }
}
