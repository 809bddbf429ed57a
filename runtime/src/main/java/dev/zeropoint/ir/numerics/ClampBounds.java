package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.ElementType;

/**
 * Integer clamp bounds of fused activations and quantized clamps, per flavour. The bounds are
 * computed once at compile time from float bounds and quantization parameters; at run time they
 * are a plain integer clamp.
 */
public final class ClampBounds {
  private ClampBounds() {}

  /** An inclusive integer range; {@code min > max} is representable so callers can diagnose it. */
  public record Bounds(int min, int max) {
    /** Clamps {@code v} into [min, max] as {@code min(max(v, min), max)}. */
    public long apply(long v) {
      return Math.min(Math.max(v, min), max);
    }
  }

  /** TFLite's fused activation functions ({@code TfLiteFusedActivation}) that set clamp bounds. */
  public enum TfliteActivation {
    NONE,
    RELU,
    RELU6,
    RELU_N1_TO_1
  }

  /**
   * TFLite's {@code CalculateActivationRangeQuantized} (kernel_util.cc) for an output of storage
   * type {@code storage} with float32 scale and integer zero point. Each bound {@code f} is
   * quantized as {@code zp + (int) round_HAZ(f32(f / scale))} (float division, {@code std::round});
   * then {@code act_min = max(qmin, q(lower))} and {@code act_max = min(qmax, q(upper))} - each side
   * is clamped toward the storage range on one side only, as in TFLite.
   *
   * <ul>
   *   <li>NONE: [qmin, qmax];
   *   <li>RELU: [max(qmin, q(0)), qmax];
   *   <li>RELU6: [max(qmin, q(0)), min(qmax, q(6))];
   *   <li>RELU_N1_TO_1: [max(qmin, q(-1)), min(qmax, q(1))].
   * </ul>
   *
   * @throws IllegalArgumentException where TFLite fails the model: the rounded {@code f / scale}
   *     outside [-2^31, 2^31] (TFLite's check; 2^31 itself, admitted by TFLite but undefined in its
   *     int cast, is refused here too); a zero point plus rounded value beyond int32 is computed
   *     exactly rather than wrapped
   */
  public static Bounds tfliteActivation(
      TfliteActivation activation, float scale, int zeroPoint, ElementType storage) {
    int qmin = (int) storage.minValue();
    int qmax = (int) storage.maxValue();
    return switch (activation) {
      case NONE -> new Bounds(qmin, qmax);
      case RELU -> new Bounds(atLeast(qmin, tfliteQuantize(0.0f, scale, zeroPoint)), qmax);
      case RELU6 ->
          new Bounds(
              atLeast(qmin, tfliteQuantize(0.0f, scale, zeroPoint)),
              atMost(qmax, tfliteQuantize(6.0f, scale, zeroPoint)));
      case RELU_N1_TO_1 ->
          new Bounds(
              atLeast(qmin, tfliteQuantize(-1.0f, scale, zeroPoint)),
              atMost(qmax, tfliteQuantize(1.0f, scale, zeroPoint)));
    };
  }

  /**
   * The {@code Quantize} helper of TFLite's kernel_util.cc: {@code zp + (int32) std::round(f32(f /
   * scale))}, as an exact long.
   */
  public static long tfliteQuantize(float f, float scale, int zeroPoint) {
    float quotient = f / scale;
    long rounded = Rounding.roundHalfAwayFromZero(quotient);
    if (Float.isNaN(quotient) || rounded < Integer.MIN_VALUE || rounded > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "TFLite activation bound " + f + " / scale " + scale + " does not round into int32");
    }
    return zeroPoint + rounded;
  }

  private static int atLeast(int qmin, long q) {
    return (int) Math.max(qmin, q);
  }

  private static int atMost(int qmax, long q) {
    return (int) Math.min(qmax, q);
  }

  /**
   * PyTorch's quantized clamp / hardtanh / relu6 bounds (qnnpack {@code qnnpack_clamp} and the
   * generic {@code qclamp} kernel alike): each float bound is quantized with the <em>input</em>
   * qparams by {@link PyTorchQnnpack#quantize}, which saturates it to the storage range; the output
   * keeps the input qparams and is {@code min(max(q, min_q), max_q)}. A bound beyond the storage
   * range saturates (6 / s + zp = 303 becomes 255) and that side of the clamp is then a no-op.
   * QNNPACK's clamp operator refuses {@code min_q > max_q}; {@code min_q == max_q} is allowed.
   */
  public static Bounds pytorchClamp(
      float min, float max, double scale, long zeroPoint, ElementType storage) {
    return new Bounds(
        (int) PyTorchQnnpack.quantize(min, scale, zeroPoint, storage),
        (int) PyTorchQnnpack.quantize(max, scale, zeroPoint, storage));
  }

  /**
   * The output clamp of PyTorch qnnpack conv / linear / add ({@code activationLimits<uint8_t>}):
   * [0, 255], or with a fused ReLU [{@code QuantizeValue(scale, zp, 0.0)}, 255] = [zp, 255] (0 /
   * scale is 0 for any positive finite scale).
   */
  public static Bounds pytorchQnnpackOutput(boolean relu, int outputZeroPoint) {
    if (outputZeroPoint < 0 || outputZeroPoint > 255) {
      throw new IllegalArgumentException("quint8 zero point " + outputZeroPoint + " outside 0..255");
    }
    return new Bounds(relu ? outputZeroPoint : 0, 255);
  }

  /** PyTorch's quantized {@code relu}: {@code max(q, zp)}, qparams kept. */
  public static Bounds pytorchRelu(int zeroPoint, ElementType storage) {
    return new Bounds(zeroPoint, (int) storage.maxValue());
  }
}
