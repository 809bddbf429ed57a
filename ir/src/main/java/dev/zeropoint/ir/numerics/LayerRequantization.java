package dev.zeropoint.ir.numerics;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import java.util.Optional;

/**
 * The integer constants of a quantized conv2d or linear in a numerics flavour: input and weight
 * zero points, the int32 bias per output channel, and the {@link Requantizer} of the accumulator
 * {@code bias[c] + sum((x - x_zp) * (w - w_zp[c]))}. The interpreter runs quantized conv2d and
 * linear with it; {@code lower-requantize} writes it into {@code conv2d_acc} and
 * {@code requantize_acc}, so both compute the same integers by construction.
 *
 * <ul>
 *   <li>{@code pytorch-qnnpack}: quint8 input and output, qint8 weights; a float bias is rounded to
 *       int32 by {@link PyTorchQnnpack#quantizeBias}; scheme {@code float}
 *       ({@link PyTorchQnnpack#requantizationScale}), or {@code mantissa} for integer-only code.
 *   <li>{@code tflite}: (u)int8 operands, int32 bias; {@link FixedPoint#quantizeMultiplier} of
 *       {@code (double) s_in * (double) s_w[c] / (double) s_out} with the scales as float32 (as
 *       TFLite stores them); double rounding.
 *   <li>{@code tosa}: the same operands; {@link Tosa#computeMultiplierAndShift32} of the same
 *       scale, double rounding (what the TFLite-to-TOSA legalization emits for int8 convolutions).
 *   <li>{@code onnx}: ONNX Runtime's CPU {@code QLinearConv} and {@code QLinearMatMul} (u8 or i8
 *       input, weights and output; ONNX Runtime registers u8 input with u8 or i8 weights and u8
 *       output, and i8 throughout), int32 bias or none; scheme {@code float_clamp} with the
 *       multiplier as ONNX Runtime computes it in float32, {@link #onnxMultiplier}. ONNX Runtime
 *       adds the bias to the int32 GEMM sum with wrap-around, as here. A float bias is not part of
 *       the format (empty), nor is a multiplier that is 0 or infinite in float32 (empty).
 * </ul>
 *
 * @param bias int32 bias per output channel (zeros without a bias)
 */
public record LayerRequantization(int inputZeroPoint, ImmutableIntArray weightZeroPoints, ImmutableIntArray bias,
    Requantizer requantizer) {

  /** Bias data as given: float (rounded here) or already int32; empty for no bias. */
  public sealed interface Bias {
    record Floats(float[] values) implements Bias {}

    record Ints(int[] values) implements Bias {}

    record None() implements Bias {}
  }

  /**
   * The constants, or empty when the flavour does not define this combination of types.
   *
   * @param integerOnly for pytorch-qnnpack, the {@code mantissa} scheme instead of {@code float}
   *     (ignored by the other flavours: onnx keeps {@code float_clamp})
   */
  public static Optional<LayerRequantization> of(Numerics numerics, TensorType x, TensorType w, Bias bias,
      TensorType out, int channels, boolean integerOnly) {
    Quantization.PerTensor qx = x.perTensor().orElse(null);
    Quantization.PerTensor qo = out.perTensor().orElse(null);
    boolean floatBias = bias instanceof Bias.Floats;
    boolean supported = qx != null && qo != null && w.isQuantized() && switch (numerics) {
      case PYTORCH_QNNPACK -> x.elementType() == ElementType.U8 && w.elementType() == ElementType.I8
          && out.elementType() == ElementType.U8;
      case TFLITE, TOSA, ONNX -> isInt8(x.elementType()) && isInt8(w.elementType()) && isInt8(out.elementType())
          && !floatBias;
      default -> false;
    };
    if (!supported) {
      return Optional.empty();
    }
    Quantization qw = w.quantization().orElseThrow();
    int[] wzp = new int[channels];
    int[] b = new int[channels];
    double[] scales = new double[channels];
    int[] multipliers = new int[channels];
    int[] shifts = new int[channels];
    for (int c = 0; c < channels; c++) {
      double ws = qw.scaleAt(c);
      wzp[c] = (int) qw.zeroPointAt(c);
      b[c] = switch (bias) {
        case Bias.Floats f -> PyTorchQnnpack.quantizeBias(f.values()[c], qx.scale(), ws);
        case Bias.Ints i -> i.values()[c];
        case Bias.None none -> 0;
      };
      switch (numerics) {
        case PYTORCH_QNNPACK -> {
          float m = PyTorchQnnpack.requantizationScale(qx.scale(), ws, qo.scale());
          scales[c] = m;
          if (integerOnly) {
            IntegerOnlyRequant r = IntegerOnlyRequant.of(m);
            multipliers[c] = r.mantissa();
            shifts[c] = r.exponent();
          }
        }
        case TFLITE -> {
          QuantizedMultiplier m = FixedPoint.quantizeMultiplier(real(qx, ws, qo));
          multipliers[c] = m.multiplier();
          shifts[c] = m.shift();
        }
        case ONNX -> {
          float m = onnxMultiplier(qx.scale(), ws, qo.scale());
          if (!(m > 0) || Float.isInfinite(m)) {
            return Optional.empty();
          }
          scales[c] = m;
        }
        default -> {
          Tosa.MultiplierAndShift m = Tosa.computeMultiplierAndShift32(real(qx, ws, qo));
          multipliers[c] = m.multiplier();
          shifts[c] = m.shift();
        }
      }
    }
    ElementType storage = out.elementType();
    int zp = (int) qo.zeroPoint();
    Requantizer requantizer = switch (numerics) {
      case PYTORCH_QNNPACK -> integerOnly
          ? new Requantizer(Requantizer.Scheme.MANTISSA, ImmutableDoubleArray.of(), ImmutableIntArray.copyOf(multipliers),
              ImmutableIntArray.copyOf(shifts), zp, 0, 255, storage)
          : new Requantizer(Requantizer.Scheme.FLOAT, ImmutableDoubleArray.copyOf(scales), ImmutableIntArray.of(),
              ImmutableIntArray.of(), zp, 0, 255, storage);
      case ONNX -> new Requantizer(Requantizer.Scheme.FLOAT_CLAMP, ImmutableDoubleArray.copyOf(scales),
          ImmutableIntArray.of(), ImmutableIntArray.of(), zp, (int) storage.minValue(), (int) storage.maxValue(),
          storage);
      case TFLITE -> new Requantizer(Requantizer.Scheme.TFLITE_DOUBLE, ImmutableDoubleArray.of(),
          ImmutableIntArray.copyOf(multipliers), ImmutableIntArray.copyOf(shifts), zp, (int) storage.minValue(),
          (int) storage.maxValue(), storage);
      default -> new Requantizer(Requantizer.Scheme.TOSA_DOUBLE, ImmutableDoubleArray.of(),
          ImmutableIntArray.copyOf(multipliers), ImmutableIntArray.copyOf(shifts), zp, (int) storage.minValue(),
          (int) storage.maxValue(), storage);
    };
    return Optional.of(new LayerRequantization((int) qx.zeroPoint(), ImmutableIntArray.copyOf(wzp),
        ImmutableIntArray.copyOf(b), requantizer));
  }

  /**
   * ONNX Runtime's requantization multiplier of output channel {@code c}, {@code m = f32(f32(s_x *
   * s_w[c]) / s_y)}: {@code QLinearConv::ComputeOutputScale}
   * (onnxruntime/core/providers/cpu/quantization/qlinearconv.cc) and {@code QLinearMatMul::Compute}
   * (quantize_linear_matmul.cc) both evaluate {@code x_scale * w_scale[c] / y_scale} on float
   * operands, left to right, each operation rounded to float32. The scales are float32 tensors in
   * ONNX; the doubles given here are cast to float first. This is not PyTorch's {@code f32(f32(s_w *
   * s_x) * f32(1 / s_y))} ({@link PyTorchQnnpack#requantizationScale}): a division rounds once, the
   * reciprocal and product twice.
   */
  public static float onnxMultiplier(double inputScale, double weightScale, double outputScale) {
    float product = (float) inputScale * (float) weightScale;
    return product / (float) outputScale;
  }

  private static double real(Quantization.PerTensor qx, double ws, Quantization.PerTensor qo) {
    return (double) (float) qx.scale() * (double) (float) ws / (double) (float) qo.scale();
  }

  private static boolean isInt8(ElementType e) {
    return e == ElementType.I8 || e == ElementType.U8;
  }
}
