package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.ElementType;

/**
 * Pooling in flavour {@code pytorch-qnnpack} (PyTorch 1.13.1, engine qnnpack, x86-64 with AVX2):
 * which kernel PyTorch picks, and how each rounds an average. PyTorch keeps the input's scale and
 * zero point on the output of every average pool, so the scale ratio is 1 in practice; the
 * functions still take both scales and convert them as the C code does.
 *
 * <h2>Which kernel</h2>
 *
 * <ul>
 *   <li>{@code max_pool2d}: see {@link #maxPoolUsesQnnpack}; only the taps differ, not the rounding.
 *   <li>{@code avg_pool2d} ({@code AveragePool2d.cpp}): QNNPACK's operator for quint8 without
 *       {@code ceil_mode} ({@link #avgPoolUsesQnnpack}); otherwise ATen's generic kernel.
 *   <li>{@code adaptive_avg_pool2d} ({@code AdaptiveAveragePooling.cpp}): QNNPACK's average
 *       pooling with kernel = stride = input / output for quint8 when both output sizes divide the
 *       input sizes and the output is not the input's size ({@link #adaptiveUsesQnnpack});
 *       otherwise ATen's generic kernel.
 *   <li>ATen's generic kernels have an NCHW form and an NHWC form, chosen by the input tensor's
 *       memory layout ({@code is_contiguous(ChannelsLast)}), and they round differently at ties:
 *       NCHW adds the zero point before rounding, NHWC after.
 * </ul>
 *
 * <h2>QNNPACK ignores count_include_pad and divisor_override</h2>
 *
 * QNNPACK's operator ({@code pytorch_qnnp_create_average_pooling2d_nhwc_q8}) reads padding as
 * the input zero point and always divides by {@code kH * kW}; PyTorch passes neither {@code
 * count_include_pad} nor {@code divisor_override} to it. So on the QNNPACK path both attributes
 * have no effect. Checked on torch 1.13.1: {@code avg_pool2d(x, 3, 2, 1, count_include_pad=False,
 * divisor_override=None / 3 / 5)} on a quint8 tensor all equal the kH*kW division with padding
 * counted. The generic kernels honour both.
 *
 * <h2>Checked</h2>
 *
 * The interpreter's pools built on these functions matched torch 1.13.1 on about 3,400 random
 * configurations (shapes, kernels, strides, padding, dilation, ceil_mode, count_include_pad,
 * divisor_override; quint8 and qint8; contiguous and channels-last inputs; zero-point-centred
 * inputs for ties) with no difference. {@code x.mean([2, 3])} on quint8 runs QNNPACK's global
 * average pooling, whose scale and rounding are the same as {@link #qnnpackScale} and {@link
 * #qnnpackAverage} with kH*kW = H*W (golden case mean_spatial).
 */
public final class PyTorchQnnpackPooling {
  private PyTorchQnnpackPooling() {}

  // ---------------------------------------------------------------- kernel choice

  /** {@code avg_pool2d} runs QNNPACK's kernel iff the storage is quint8 and ceil_mode is off. */
  public static boolean avgPoolUsesQnnpack(ElementType storage, boolean ceilMode) {
    return storage == ElementType.U8 && !ceilMode;
  }

  /**
   * {@code adaptive_avg_pool2d} runs QNNPACK's kernel ({@code enable_qnnpack_for_ada_avgpool}) iff
   * the storage is quint8, the output size differs from the input size, and each output size
   * divides the corresponding input size.
   */
  public static boolean adaptiveUsesQnnpack(
      ElementType storage, int inputHeight, int inputWidth, int outputHeight, int outputWidth) {
    return storage == ElementType.U8
        && !(inputHeight == outputHeight && inputWidth == outputWidth)
        && inputHeight % outputHeight == 0
        && inputWidth % outputWidth == 0;
  }

  /**
   * {@code max_pool2d} runs QNNPACK's max pooling ({@code qnnpack_maxpool2d}) iff the storage is
   * quint8 and ceil_mode is off. Its indirection buffer clamps every tap's row and column into the
   * input ({@code pytorch_qnnp_indirection_init_maxpool2d}) instead of skipping taps in the
   * padding. With dilation 1 the clamped tap is an edge tap of the same window, so nothing changes;
   * with dilation above 1 it is an extra value. Observed on torch 1.13.1: kernel 2, stride 1,
   * padding 1, dilation 2, output (0, 0) is the maximum of input rows {0, 1} and columns {0, 1}
   * (rows {-1, 1} clamped), not of the single in-bounds tap (1, 1); the clamped model matched 136
   * random configurations. ATen's kernel (ceil_mode, qint8) skips out-of-range taps.
   */
  public static boolean maxPoolUsesQnnpack(ElementType storage, boolean ceilMode) {
    return storage == ElementType.U8 && !ceilMode;
  }

  /**
   * QNNPACK's max pooling refuses a 1x1 window (PyTorch fails: "1x1 pooling is meaningless").
   *
   * @throws IllegalArgumentException for a window of one element
   */
  public static void checkQnnpackMaxPool(int poolingSize) {
    if (poolingSize == 1) {
      throw new IllegalArgumentException("qnnpack max pooling refuses a 1x1 window (PyTorch fails on it)");
    }
  }

  // ---------------------------------------------------------------- QNNPACK

  /**
   * The scale of QNNPACK's average pooling ({@code pytorch_qnnp_create_average_pooling2d_nhwc_q8}):
   * {@code f32((float) s_in / f32((float) s_out * (float) kH*kW))}. With equal scales this is in
   * general not {@code f32(1 / k)}: for s = f32(0.03) and k = 9 it is computed through f32(0.27).
   *
   * @throws IllegalArgumentException where QNNPACK refuses to create the operator (PyTorch then
   *     fails): a 1x1 window ("1x1 pooling is meaningless"), a window of 2^24 or more elements, a
   *     scale that is not a positive normal float, or {@code f32(s_in / s_out)} outside [2^-8, 2^8)
   */
  public static float qnnpackScale(double inputScale, double outputScale, int poolingSize) {
    if (poolingSize == 1) {
      throw new IllegalArgumentException("qnnpack average pooling refuses a 1x1 window (PyTorch fails on it)");
    }
    if (poolingSize < 1 || poolingSize >= 1 << 24) {
      throw new IllegalArgumentException("qnnpack average pooling needs 2 to 2^24 - 1 window elements, got "
          + poolingSize);
    }
    float in = (float) inputScale;
    float out = (float) outputScale;
    if (!(in >= Float.MIN_NORMAL && in <= Float.MAX_VALUE) || !(out >= Float.MIN_NORMAL && out <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException("qnnpack average pooling needs positive normal scales, got " + in
          + " and " + out);
    }
    float ratio = in / out;
    if (!(ratio >= 0x1p-8f && ratio < 0x1p8f)) {
      throw new IllegalArgumentException("qnnpack average pooling: scale ratio " + ratio + " outside [2^-8, 2^8)");
    }
    return in / (out * (float) poolingSize);
  }

  /**
   * One output of QNNPACK's SSE2 average pooling kernels ({@code q8avgpool} up8x9, up8xm,
   * mp8x9p8q): the same instruction sequence as the conv requantization, so this is {@link
   * PyTorchQnnpack#requantize(int, float, int, int, int)} with the range [0, 255]: {@code y =
   * cvtps2dq(f32(f32(acc) * scale))} (RNE), saturate to int16, add the zero point with int16
   * saturation, saturate to uint8. The zero point is added after rounding.
   *
   * @param acc {@code sum(q - zp)} over the kH*kW window positions, padding positions contributing 0
   *     (QNNPACK reads them from a buffer filled with the zero point and its bias subtracts {@code
   *     zp} once per row it reads), as int32 with wrap-around
   * @param scale {@link #qnnpackScale}
   */
  public static int qnnpackAverage(int acc, float scale, int outputZeroPoint) {
    return PyTorchQnnpack.requantize(acc, scale, outputZeroPoint, 0, 255);
  }

  // ---------------------------------------------------------------- ATen, NCHW

  /**
   * The multiplier of ATen's NCHW {@code avg_pool2d} ({@code avg_pool2d_out_frame}): {@code
   * (float)((s_in / s_out) / divisor)}, computed in double and rounded once.
   */
  public static float atenNchwMultiplier(double inputScale, double outputScale, long divisor) {
    return (float) (inputScale / outputScale / divisor);
  }

  /**
   * One output of ATen's NCHW {@code avg_pool2d}: {@code nearbyint(f32(f32(f32(acc) * m) + (float)
   * zp))}, converted to int32 as x86 does ({@code cvttss2si}: out of range gives INT32_MIN) and
   * clamped to the storage range. The zero point is added before rounding, in float.
   *
   * @param acc {@code sum(q) - size * zp} over the in-bounds positions (an int in the C code)
   */
  public static int atenNchwAverage(int acc, float multiplier, long outputZeroPoint, ElementType storage) {
    float value = (float) acc * multiplier + (float) outputZeroPoint;
    return (int) Rounding.saturate(x86FloatToInt32(Math.rint(value)), storage);
  }

  /**
   * The reciprocal of ATen's NCHW {@code adaptive_avg_pool2d} ({@code
   * adaptive_avg_pool_single_out_frame}): {@code f32(f32((float)(1.0 / kD) / kH) / kW)} with kD = 1.
   */
  public static float atenAdaptiveNchwReciprocal(int kernelHeight, int kernelWidth) {
    float depth = (float) (1.0 / 1);
    float height = depth / kernelHeight;
    return height / kernelWidth;
  }

  /**
   * One output of ATen's NCHW {@code adaptive_avg_pool2d}: {@code nearbyint(f32(f32(sum) * r))}
   * cast to the storage type. No zero point is involved (the output keeps the input's): the
   * average of the stored values is rounded directly, so it lies in the storage range.
   *
   * @param sum {@code sum(q)} over the window (int64 in the C code)
   */
  public static int atenAdaptiveNchwAverage(long sum, float reciprocal) {
    return (int) Math.rint((float) sum * reciprocal);
  }

  // ---------------------------------------------------------------- ATen, NHWC

  /**
   * The multiplier of ATen's NHWC kernels ({@code _qavg_pool_nhwc_kernel}, {@code
   * _qadaptive_avg_pool_kernel}): {@code f32(f32((float) s_in / (float) s_out) / divisor)}, all in
   * float.
   *
   * @throws IllegalArgumentException if {@code f32(1 / f32(1 / m)) != m}: then the kernel's
   *     vectorized channels (which multiply by m) and its scalar remainder (which quantizes with
   *     scale 1/m) could differ. Never the case for pools, which keep their input's scale: m =
   *     f32(1 / d) round-trips for every d below 2^20 (see the tests).
   */
  public static float atenNhwcMultiplier(double inputScale, double outputScale, int divisor) {
    float m = ((float) inputScale / (float) outputScale) / (float) divisor;
    if (1.0f / (1.0f / m) != m) {
      throw new IllegalArgumentException("ATen NHWC average pooling: multiplier " + m
          + " does not survive a float reciprocal round trip; its result would depend on the channel");
    }
    return m;
  }

  /**
   * One output of ATen's NHWC average pooling: {@code sat(RNE(f32(f32(acc) * m)) + zp)} - AVX2's
   * {@code QuantizeAvx2} for the first multiple-of-8 channels, and {@code quantize_val(1 / m, zp,
   * acc)} for the rest, which agree whenever m round-trips through the reciprocal ({@link
   * #atenNhwcMultiplier} checks it). The zero point is added after rounding.
   *
   * @param acc {@code sum(q) - size * zp} over the in-bounds positions
   */
  public static int atenNhwcAverage(int acc, float multiplier, long outputZeroPoint, ElementType storage) {
    long rounded = (long) Math.rint((float) acc * multiplier);
    return (int) Rounding.saturate(rounded + outputZeroPoint, storage);
  }

  /** C's conversion of an integral float to int32 on x86 ({@code cvttss2si}): out of range gives INT32_MIN. */
  private static long x86FloatToInt32(double integral) {
    return (integral >= -0x1p31 && integral < 0x1p31) ? (long) integral : Integer.MIN_VALUE;
  }
}
