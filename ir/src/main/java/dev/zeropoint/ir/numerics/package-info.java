/**
 * The numerics library: the one definition of each rounding and requantization rule, used by the
 * reference interpreter, the passes and every backend. A difference of one in any output is a bug,
 * so each function states the exact source it reproduces and its behaviour at ties, extremes and
 * out-of-range inputs.
 *
 * <ul>
 *   <li>{@link dev.zeropoint.ir.numerics.Rounding}: RNE / HAZ / HU rounding, x86 float-to-int
 *       conversions, rounding shifts, saturation; which operations Java evaluates as IEEE binary32.
 *   <li>{@link dev.zeropoint.ir.numerics.FixedPoint} and {@link
 *       dev.zeropoint.ir.numerics.QuantizedMultiplier}: flavour {@code tflite} (gemmlowp / TFLite
 *       fixed point, double and single rounding).
 *   <li>{@link dev.zeropoint.ir.numerics.Tosa}: flavour {@code tosa} (RESCALE's apply_scale and
 *       MLIR's multiplier computation).
 *   <li>{@link dev.zeropoint.ir.numerics.PyTorchQnnpack}: flavour {@code pytorch-qnnpack} (PyTorch
 *       1.13.1, engine qnnpack, x86-64): quantize, dequantize, conv / linear requantization with
 *       the bias pre-rounding, add.
 *   <li>{@link dev.zeropoint.ir.numerics.IntegerOnlyRequant}: PyTorch's float requantization
 *       product reproduced exactly with integers only.
 *   <li>{@link dev.zeropoint.ir.numerics.LayerRequantization} and {@link
 *       dev.zeropoint.ir.numerics.Requantizer}: the integer constants and the requantization of a
 *       quantized conv2d / linear in each flavour, flavour {@code onnx} included (ONNX Runtime's
 *       multiplier, scheme {@code float_clamp}).
 *   <li>{@link dev.zeropoint.ir.numerics.FlavourQuantize}: quantize / dequantize of {@code onnx}
 *       and {@code tflite}.
 *   <li>{@link dev.zeropoint.ir.numerics.ClampBounds}: clamp bounds of fused activations and
 *       quantized clamps per flavour.
 * </ul>
 *
 * All classes are stateless; parameter records are immutable.
 */
package dev.zeropoint.ir.numerics;
