package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.ElementType;

/**
 * Quantize and dequantize of the flavours that divide by the scale (PyTorch multiplies by its
 * reciprocal instead: {@link PyTorchQnnpack#quantize}).
 *
 * <ul>
 *   <li>ONNX {@code QuantizeLinear}: {@code saturate(RNE(x / y_scale) + zp)} with a float32 division
 *       (the reference implementation's {@code np.rint(x / y_scale)} on float32 arrays; ONNX Runtime
 *       agrees). {@code DequantizeLinear}: {@code f32(f32(q - zp) * scale)}.
 *   <li>TFLite {@code AffineQuantize} (reference_ops/quantize.h): {@code (int32) std::round(val /
 *       (float) scale) + zero_point}, then clamped: a float32 division rounded half away from zero.
 *       {@code Dequantize} (reference_ops/dequantize.h): {@code (float)(scale * (val - zero_point))}
 *       with the scale a double: the product is computed in double, then rounded to float.
 * </ul>
 *
 * NaN inputs are not defined by either; here they give the zero point (ONNX) or qmin (TFLite, as
 * x86's {@code cvttss2si} turns NaN into INT_MIN before the clamp).
 */
public final class FlavourQuantize {
  private FlavourQuantize() {}

  public static long onnxQuantize(float x, double scale, long zeroPoint, ElementType storage) {
    float v = x / (float) scale;
    double rounded = Math.rint(v);
    return Rounding.saturate(Rounding.saturate((long) rounded, ElementType.I64) + zeroPoint, storage);
  }

  public static float onnxDequantize(int q, double scale, long zeroPoint) {
    return (float) (q - zeroPoint) * (float) scale;
  }

  public static long tfliteQuantize(float x, double scale, long zeroPoint, ElementType storage) {
    float v = x / (float) scale;
    double rounded = Rounding.roundHalfAwayFromZero(v);
    long asInt32 = Double.isNaN(v) || rounded >= 0x1p31 || rounded < -0x1p31 ? Integer.MIN_VALUE : (long) rounded;
    return Rounding.saturate(asInt32 + zeroPoint, storage);
  }

  public static float tfliteDequantize(int q, double scale, long zeroPoint) {
    return (float) (scale * (q - zeroPoint));
  }
}
