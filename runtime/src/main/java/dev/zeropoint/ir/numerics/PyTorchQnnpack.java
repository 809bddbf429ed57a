package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.ElementType;

/**
 * Flavour {@code pytorch-qnnpack}: PyTorch 1.13.1 (Debian build: no FBGEMM, {@code
 * USE_PYTORCH_QNNPACK}, x86-64 SSE2 kernels), quantized engine {@code qnnpack}. Every float step is
 * written on Java {@code float}s in the C order, so each operation rounds to binary32 exactly as the
 * C code does (see {@link Rounding} for why that is exact in Java).
 *
 * <p>Sources, all checked against the installed torch 1.13.1 bit for bit (see the tests):
 *
 * <ul>
 *   <li>{@code aten/src/ATen/native/quantized/AffineQuantizerBase.cpp}, non-FBGEMM {@code
 *       quantize_val} and {@code dequantize_val};
 *   <li>{@code ATen/native/quantized/cpu/QnnpackUtils.h} (1.13.1 header): {@code
 *       generate_requantization_scales}, {@code activationLimits} / {@code QuantizeValue};
 *   <li>{@code ATen/native/quantized/cpu/QuantUtils.h} (1.13.1 header): {@code QuantizeBias};
 *   <li>QNNPACK {@code src/q8conv/4x4c2-sse2.c}, {@code src/q8dwconv/up8x9-sse2.c} (the same
 *       requantization tail in every SSE2 conv / gemm / depthwise kernel), {@code
 *       src/qnnpack/requantization.h} ({@code pytorch_qnnp_compute_add_quantization_params}, {@code
 *       pytorch_qnnp_add_quantize}), {@code src/add.c}.
 * </ul>
 *
 * Conv and linear on this engine take {@code quint8} activations and produce {@code quint8}.
 */
public final class PyTorchQnnpack {
  private PyTorchQnnpack() {}

  // ---------------------------------------------------------------- quantize / dequantize

  /**
   * {@code quantize_val<T>(double scale, int64 zero_point, float x)} (the quantize_per_tensor
   * kernel on x86 without FBGEMM, also used for clamp bounds, bias quantization and cat):
   *
   * <pre>
   *   inv = f32(1.0f / (float) scale)                 reciprocal in float, of the float scale
   *   r   = nearbyintf(f32(x * inv))                  multiply, not divide; RNE
   *   v   = f32((float) zero_point + r)               C evaluates int64 + float in float
   *   q   = clamp((int64) v, qmin, qmax)              x86: NaN / |v| >= 2^63 give INT64_MIN
   * </pre>
   *
   * So NaN, -infinity, +infinity and any x with {@code |x * inv| >= 2^63} all give {@code qmin}
   * (observed on torch 1.13.1: +1e30 quantizes to 0 in quint8), while e.g. 3e9 saturates to qmax.
   * Multiplying by the reciprocal differs from dividing at near-ties: x = 0.273939937, scale =
   * 0.00214854861 gives 128 (division would give 127).
   *
   * @param storage the quantized storage type (U8 for quint8, I8 for qint8, I32 for qint32)
   */
  public static long quantize(float x, double scale, long zeroPoint, ElementType storage) {
    float inverseScale = 1.0f / (float) scale;
    float rounded = (float) Math.rint(x * inverseScale);
    float shifted = zeroPoint + rounded;
    return Rounding.saturate(Rounding.x86TruncateFloatToInt64(shifted), storage);
  }

  /**
   * {@code dequantize_val}: {@code f32((float) scale * (float)(q - (int32) zero_point))}. The
   * subtraction is int32 (wrapping, only reachable with qint32 storage), converted to float RNE,
   * then one float multiply. (Not the vectorized {@code fmadd(scale, q, -zp*scale)} form: torch
   * 1.13.1 on x86 matches this scalar form bit for bit.)
   */
  public static float dequantize(int q, double scale, long zeroPoint) {
    int centered = q - (int) zeroPoint;
    return (float) scale * centered;
  }

  // ---------------------------------------------------------------- conv2d / linear

  /**
   * The per-channel requantization scale of conv / linear, {@code generate_requantization_scales}:
   * {@code m = f32(f32((float) s_w * (float) s_in) * f32(1.0f / (float) s_out))}. Per-channel weight
   * scales (float64 in PyTorch) are cast to float first, as are the input and output scales.
   *
   * @throws IllegalArgumentException if the result is not a positive normal float (PyTorch's
   *     TORCH_CHECK "requantization scale must be finite and positive")
   */
  public static float requantizationScale(double inputScale, double weightScale, double outputScale) {
    float product = (float) weightScale * (float) inputScale;
    float m = product * (1.0f / (float) outputScale);
    if (!(m >= Float.MIN_NORMAL && m <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException("requantization scale " + m + " must be finite, positive and normal");
    }
    return m;
  }

  /**
   * The bias pre-rounding of conv / linear, {@code QuantizeBias}: the float bias is quantized to
   * qint32 at scale {@code s_w * s_in} <b>computed in double</b> ({@code q_scale() * input_scale},
   * or the float64 per-channel scale tensor times the double input scale), then {@link
   * #quantize(float, double, long, ElementType)} with zero point 0 and I32 storage: {@code qb =
   * sat_i32(RNE(f32(b * f32(1 / (float)(s_w * s_in)))))}.
   *
   * <p>This scale is in general not the float {@code f32(f32(s_w) * f32(s_in))} used in {@link
   * #requantizationScale}: e.g. s_in = 0.3, s_w = 0.1 give 0.03f versus 0.030000001f, and biases
   * near ties quantize differently (checked against torch 1.13.1 for conv and linear, per-tensor and
   * per-channel).
   */
  public static int quantizeBias(float bias, double inputScale, double weightScale) {
    return (int) quantize(bias, weightScale * inputScale, 0, ElementType.I32);
  }

  /**
   * The product and rounding of the conv / linear requantization, {@code _mm_cvtps_epi32(
   * _mm_mul_ps(_mm_cvtepi32_ps(acc), m))}: {@code RNE(f32(f32(acc) * m))} as a long, not yet
   * converted to int32 (see {@link #finishRequantization}). The one definition of this product and
   * rounding: ONNX Runtime's requantization (scheme float_clamp, {@code Requantize.floatClamp}) is
   * the same product, finished differently.
   */
  public static long scaleAndRound(int acc, float m) {
    float product = (float) acc * m;
    return (long) Math.rint(product);
  }

  /**
   * The full conv / linear output: {@link #scaleAndRound} then {@link #finishRequantization}.
   *
   * @param acc the int32 accumulator the kernel holds, with the pre-rounded bias ({@link
   *     #quantizeBias}) included: {@code qb + sum((a - a_zp) * (w - w_zp))}, summed with int32
   *     wrap-around as the kernel does
   * @param m the requantization scale ({@link #requantizationScale})
   * @param outputMin lower clamp ({@link ClampBounds#pytorchQnnpackOutput}); 0, or the output zero
   *     point with a fused ReLU
   * @param outputMax upper clamp, 255
   */
  public static int requantize(int acc, float m, int outputZeroPoint, int outputMin, int outputMax) {
    return finishRequantization(scaleAndRound(acc, m), outputZeroPoint, outputMin, outputMax);
  }

  /**
   * The integer tail of the SSE2 requantization, given {@code y = RNE(f32(f32(acc) * m))}: {@code
   * cvtps2dq} turns a {@code y} outside int32 into {@code INT32_MIN} (so a huge positive product
   * gives output 0, not 255: observed on torch 1.13.1), then {@code packs_epi32} (saturate to
   * int16), {@code adds_epi16} with the zero point (saturating), {@code packus_epi16} (saturate to
   * uint8), {@code min_epu8} with outputMax, {@code max_epu8} with outputMin. Because the int16
   * saturation bounds lie far outside [0, 255], this equals {@code clamp(clamp(y' + zp, 0, 255),
   * outputMin, outputMax)} with {@code y'} the int32-converted value.
   *
   * <p>Backends that compute {@code y} with integers only ({@link IntegerOnlyRequant}) finish with
   * this same function.
   *
   * <p>Other QNNPACK targets agree except for the out-of-int32 case: AArch64 uses {@code
   * vcvtnq_s32_f32} (RNE, saturating, so 255); ARMv7 clamps the float product to [min - zp, max -
   * zp] and rounds with the magic number 12582912.0f = 1.5 * 2^23 ({@code vimagic = 0x4B400000 -
   * zp}): for |v| <= 2^22 the float sum {@code v + 1.5 * 2^23} lies in [2^23, 2^24), where the ulp is
   * 1, so the addition itself rounds v RNE (the even magic keeps ties even) and the low mantissa bits
   * are that integer; clamping an integer-bounded range before or after rounding is the same. So the
   * magic-number path is exactly RNE + zp + clamp, and only x86 turns a huge product into 0.
   */
  public static int finishRequantization(long y, int outputZeroPoint, int outputMin, int outputMax) {
    checkUint8Range(outputZeroPoint, outputMin, outputMax);
    long converted = (y >= Integer.MIN_VALUE && y <= Integer.MAX_VALUE) ? y : Integer.MIN_VALUE;
    int withZeroPoint = Rounding.saturateToInt16(Rounding.saturateToInt16(converted) + outputZeroPoint);
    int u8 = Rounding.saturateToUint8(withZeroPoint);
    return Math.max(Math.min(u8, outputMax), outputMin);
  }

  private static void checkUint8Range(int zeroPoint, int min, int max) {
    if (zeroPoint < 0 || zeroPoint > 255 || min < 0 || max > 255 || min > max) {
      throw new IllegalArgumentException(
          "qnnpack u8 output needs 0 <= zero point <= 255 and 0 <= min <= max <= 255, got zp="
              + zeroPoint + " min=" + min + " max=" + max);
    }
  }

  // ---------------------------------------------------------------- add

  /**
   * Parameters of QNNPACK's quint8 add ({@code pytorch_qnnp_compute_add_quantization_params}).
   *
   * @param aMultiplier {@code lrintf(f32(a_ratio * 2^shift))}, in [0, 2^22]
   * @param bMultiplier likewise for b
   * @param shift {@code 21 - exponent(max(a_ratio, b_ratio))}, in [14, 31]
   * @param zeroPointProduct {@code -(aMultiplier * a_zp + bMultiplier * b_zp)} (int32)
   */
  public record AddParams(
      int aMultiplier,
      int bMultiplier,
      int shift,
      int zeroPointProduct,
      int outputZeroPoint,
      int outputMin,
      int outputMax) {}

  /**
   * {@code quantized::add} / {@code add_relu} on two quint8 tensors with the qnnpack engine ({@code
   * pytorch_qnnp_create_add_nc_q8}): the scales are cast to float and the ratios computed by float
   * division, {@code a_ratio = f32((float) s_a / (float) s_out)}, likewise {@code b_ratio}; each
   * must lie in [2^-14, 2^8), and the larger one must be at least 2^-10 (QNNPACK asserts the shift
   * below 32; see the exception). With {@code e} the binary exponent of the larger ratio ({@code
   * (bits >> 23) - 127}), {@code shift = 21 - e} and each multiplier is {@code lrintf(ratio *
   * 2^shift)} (RNE; the float product is exact). The output range is [0, 255], or [zp, 255] with
   * ReLU ({@code activationLimits}); QNNPACK rejects a range with min >= max (add_relu with output
   * zero point 255 fails in torch). Newer PyTorch releases replaced the SSE2 kernel with a float
   * computation; this is the fixed-point one of 1.13.1 (0 mismatches against it in 3M random cases).
   *
   * @throws IllegalArgumentException where PyTorch / QNNPACK refuse to create the operator
   */
  public static AddParams addParams(
      double aScale, int aZeroPoint, double bScale, int bZeroPoint, double outputScale, int outputZeroPoint,
      boolean relu) {
    for (int zp : new int[] {aZeroPoint, bZeroPoint, outputZeroPoint}) {
      if (zp < 0 || zp > 255) {
        throw new IllegalArgumentException("quint8 zero point " + zp + " outside 0..255");
      }
    }
    float aRatio = (float) aScale / (float) outputScale;
    float bRatio = (float) bScale / (float) outputScale;
    checkAddRatio(aRatio);
    checkAddRatio(bRatio);
    float maxRatio = aRatio > bRatio ? aRatio : bRatio;
    int exponent = (Float.floatToRawIntBits(maxRatio) >>> 23) - 127;
    int shift = 21 - exponent;
    if (shift > 31) {
      // QNNPACK asserts shift < 32; release builds compute unspecified values (torch 1.13.1 output
      // matched no model of them we tried), so such a model is refused rather than guessed.
      throw new IllegalArgumentException(
          "qnnpack add: larger scale ratio " + maxRatio + " below 2^-10 needs shift " + shift + " > 31");
    }
    float scaleMultiplier = Float.intBitsToFloat((shift + 127) << 23); // 2^shift
    int aMultiplier = (int) Rounding.lrintf(aRatio * scaleMultiplier);
    int bMultiplier = (int) Rounding.lrintf(bRatio * scaleMultiplier);
    int zeroPointProduct = -(aMultiplier * aZeroPoint + bMultiplier * bZeroPoint);
    int outputMin = ClampBounds.pytorchQnnpackOutput(relu, outputZeroPoint).min();
    int outputMax = 255;
    if (outputMin >= outputMax) {
      throw new IllegalArgumentException("qnnpack add: output range [" + outputMin + ", " + outputMax + "] is empty");
    }
    return new AddParams(aMultiplier, bMultiplier, shift, zeroPointProduct, outputZeroPoint, outputMin, outputMax);
  }

  private static void checkAddRatio(float ratio) {
    if (!(ratio >= 0x1p-14f && ratio < 0x1p8f)) {
      throw new IllegalArgumentException("qnnpack add: scale ratio " + ratio + " outside [2^-14, 2^8)");
    }
  }

  /**
   * One output of QNNPACK's quint8 add ({@code pytorch_qnnp_add_quantize}, and the SSE2 {@code
   * q8vadd} kernel, which agrees): {@code acc = zeroPointProduct + a * aMultiplier + b *
   * bMultiplier} (fits int32: at most 2 * 255 * 2^22); {@code acc >> shift} rounded half away from
   * zero via the remainder test {@code ((acc & mask) - (acc < 0)) > (mask >> 1)}; plus the output
   * zero point, clamped to [outputMin, outputMax]. (The SSE2 kernel's int16 saturations lie outside
   * the uint8 range and do not change the result.)
   *
   * @param a a quint8 value, 0..255
   * @param b a quint8 value, 0..255
   */
  public static int add(int a, int b, AddParams p) {
    int acc = p.zeroPointProduct() + a * p.aMultiplier() + b * p.bMultiplier();
    int rounded = (int) Rounding.shiftRightRoundHalfAwayFromZero(acc, p.shift());
    long y = (long) rounded + p.outputZeroPoint();
    return (int) Math.max(Math.min(y, p.outputMax()), p.outputMin());
  }
}
