package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.numerics.FixedPoint;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import dev.zeropoint.ir.numerics.QuantizedMultiplier;
import dev.zeropoint.ir.numerics.Rounding;
import dev.zeropoint.ir.numerics.Tosa;

/**
 * The per-output-channel constants of a quantized conv2d or linear and the requantization of its
 * int32 accumulator {@code bias[c] + sum((x - x_zp) * (w - w_zp[c]))}, per flavour:
 *
 * <ul>
 *   <li>{@code pytorch-qnnpack}: quint8 input and output, qint8 weights; a float bias is rounded
 *       to int32 by {@link PyTorchQnnpack#quantizeBias}; {@link PyTorchQnnpack#requantize} to [0,
 *       255].
 *   <li>{@code tflite}: (u)int8 input, weights and output; the bias must be int32 (TFLite models
 *       carry it so); multiplier {@link FixedPoint#quantizeMultiplier} of {@code (double) s_in *
 *       (double) s_w[c] / (double) s_out} with the scales as float32 (as TFLite stores them), {@link
 *       FixedPoint#multiplyByQuantizedMultiplier} (the default double rounding), plus the output
 *       zero point, saturated (fused activation NONE; a ReLU is its own node).
 *   <li>{@code tosa}: the same operands; {@code RESCALE} with {@link
 *       Tosa#computeMultiplierAndShift32} of the same scale and {@code double_round} (as the
 *       TFLite-to-TOSA legalization emits for int8 convolutions), plus the zero point, saturated.
 * </ul>
 */
final class ConvRequantization {
  final int inputZeroPoint;
  final int[] weightZeroPoint;
  final int[] bias;
  private final Numerics numerics;
  private final float[] qnnpackScale;
  private final int[] multiplier;
  private final int[] shift;
  private final int outputZeroPoint;
  private final ElementType storage;

  private ConvRequantization(Numerics numerics, int channels, int inputZeroPoint, int outputZeroPoint,
      ElementType storage) {
    this.numerics = numerics;
    this.inputZeroPoint = inputZeroPoint;
    this.outputZeroPoint = outputZeroPoint;
    this.storage = storage;
    weightZeroPoint = new int[channels];
    bias = new int[channels];
    qnnpackScale = new float[channels];
    multiplier = new int[channels];
    shift = new int[channels];
  }

  static ConvRequantization of(Node n, Numerics numerics, Tensor x, Tensor w, Tensor b, TensorType out,
      int channels) {
    Quantization.PerTensor qx = x.type.perTensor().orElse(null);
    Quantization.PerTensor qo = out.perTensor().orElse(null);
    ElementType biasType = b == null ? null : b.type.elementType();
    boolean supported = qx != null && qo != null && w.type.isQuantized() && switch (numerics) {
      case PYTORCH_QNNPACK -> x.type.elementType() == ElementType.U8 && w.type.elementType() == ElementType.I8
          && out.elementType() == ElementType.U8 && (b == null || biasType == ElementType.F32
              || biasType == ElementType.I32);
      case TFLITE, TOSA -> isInt8(x.type.elementType()) && isInt8(w.type.elementType())
          && isInt8(out.elementType()) && (b == null || biasType == ElementType.I32);
      default -> false;
    };
    if (!supported) {
      throw Interpreter.unsupported(n, numerics);
    }
    ConvRequantization r =
        new ConvRequantization(numerics, channels, (int) qx.zeroPoint(), (int) qo.zeroPoint(), out.elementType());
    Quantization qw = w.type.quantization().orElseThrow();
    for (int c = 0; c < channels; c++) {
      double ws = QuantizeKernels.scale(qw, c);
      r.weightZeroPoint[c] = (int) QuantizeKernels.zeroPoint(qw, c);
      if (b != null) {
        r.bias[c] = b.f32 != null ? PyTorchQnnpack.quantizeBias(b.f32[c], qx.scale(), ws) : b.ints[c];
      }
      if (numerics == Numerics.PYTORCH_QNNPACK) {
        r.qnnpackScale[c] = PyTorchQnnpack.requantizationScale(qx.scale(), ws, qo.scale());
        continue;
      }
      double real = (double) (float) qx.scale() * (double) (float) ws / (double) (float) qo.scale();
      if (numerics == Numerics.TFLITE) {
        QuantizedMultiplier m = FixedPoint.quantizeMultiplier(real);
        r.multiplier[c] = m.multiplier();
        r.shift[c] = m.shift();
      } else {
        Tosa.MultiplierAndShift m = Tosa.computeMultiplierAndShift32(real);
        r.multiplier[c] = m.multiplier();
        r.shift[c] = m.shift();
      }
    }
    return r;
  }

  private static boolean isInt8(ElementType e) {
    return e == ElementType.I8 || e == ElementType.U8;
  }

  /** The output integer of an accumulator (bias included) of output channel {@code c}. */
  int requantize(int acc, int c) {
    return switch (numerics) {
      case PYTORCH_QNNPACK -> PyTorchQnnpack.requantize(acc, qnnpackScale[c], outputZeroPoint, 0, 255);
      case TFLITE -> (int) Rounding.saturate(
          (long) FixedPoint.multiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + outputZeroPoint, storage);
      case TOSA -> (int) Rounding.saturate(
          (long) Tosa.applyScale32(acc, multiplier[c], shift[c], true) + outputZeroPoint, storage);
      default -> throw new IllegalStateException(numerics.toString());
    };
  }
}
