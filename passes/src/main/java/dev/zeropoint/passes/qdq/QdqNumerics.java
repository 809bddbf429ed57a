package dev.zeropoint.passes.qdq;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.numerics.FlavourQuantize;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import java.util.Optional;

/**
 * The facts the QDQ passes rely on, each checked at compile time by trying every stored integer
 * (a quantized type has at most 2^16 of them here; wider storage is refused), so a rewrite fires
 * only when it is exact for the parameters at hand rather than for "reasonable" ones:
 * <ul>
 *   <li>{@link #roundTripIsIdentity}: {@code quantize(dequantize(q)) == q} for every q;
 *   <li>{@link #dequantizeIsOrdered}: dequantize is strictly increasing and gives {@code +0.0} only
 *       at the zero point, so a max or a float clamp of dequantized values is the dequantized max
 *       or clamp of the integers, bit for bit;
 *   <li>{@link #dequantizesTo}: an integer dequantizes to exactly a given float.
 * </ul>
 * quantize and dequantize are the flavour's own ({@code QuantizeKernels} in the interpreter uses
 * the same functions): PyTorch multiplies by {@code f32(1 / scale)}, ONNX and TFLite divide.
 */
public final class QdqNumerics {
  /** Storage wider than this is not enumerated. */
  static final int MAX_BITS = 16;

  private QdqNumerics() {}

  /** Whether the flavour defines float quantize and dequantize. */
  public static boolean hasQuantize(Numerics numerics) {
    return switch (numerics) {
      case PYTORCH_QNNPACK, PYTORCH_FBGEMM, ONNX, TFLITE -> true;
      case TOSA, POW2 -> false;
    };
  }

  /** The flavour's quantize of one float (as the interpreter's {@code quantize}). */
  public static long quantize(Numerics numerics, float x, double scale, long zeroPoint, ElementType storage) {
    return switch (numerics) {
      case PYTORCH_QNNPACK, PYTORCH_FBGEMM -> PyTorchQnnpack.quantize(x, scale, zeroPoint, storage);
      case ONNX -> FlavourQuantize.onnxQuantize(x, scale, zeroPoint, storage);
      case TFLITE -> FlavourQuantize.tfliteQuantize(x, scale, zeroPoint, storage);
      case TOSA, POW2 -> throw new IllegalArgumentException(numerics + " has no float quantize");
    };
  }

  /** The flavour's dequantize of one integer (as the interpreter's {@code dequantize}). */
  public static float dequantize(Numerics numerics, int q, double scale, long zeroPoint) {
    return switch (numerics) {
      case PYTORCH_QNNPACK, PYTORCH_FBGEMM -> PyTorchQnnpack.dequantize(q, scale, zeroPoint);
      case ONNX -> FlavourQuantize.onnxDequantize(q, scale, zeroPoint);
      case TFLITE -> FlavourQuantize.tfliteDequantize(q, scale, zeroPoint);
      case TOSA, POW2 -> throw new IllegalArgumentException(numerics + " has no float dequantize");
    };
  }

  /** Whether the storage of {@code t} is narrow enough to enumerate. */
  static boolean enumerable(TensorType t) {
    return t.isQuantized() && t.elementType().maxValue() - t.elementType().minValue() < (1L << MAX_BITS);
  }

  /** The number of (scale, zero point) pairs of a quantization: 1 per tensor, the axis size per axis. */
  private static int entries(Quantization q) {
    return q instanceof Quantization.PerAxis a ? a.size() : 1;
  }

  /**
   * {@code quantize(dequantize(q)) == q} for every stored integer q and every (scale, zero point)
   * entry of {@code t}, in the flavour's arithmetic: then quantizing a dequantized tensor with its
   * own parameters gives the tensor back.
   */
  public static boolean roundTripIsIdentity(TensorType t, Numerics numerics) {
    if (!hasQuantize(numerics) || !enumerable(t)) {
      return false;
    }
    Quantization q = t.quantization().orElseThrow();
    ElementType storage = t.elementType();
    for (int c = 0; c < entries(q); c++) {
      double s = q.scaleAt(c);
      long zp = q.zeroPointAt(c);
      for (long v = storage.minValue(); v <= storage.maxValue(); v++) {
        float real = dequantize(numerics, (int) v, s, zp);
        if (quantize(numerics, real, s, zp, storage) != v) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Dequantize with the per-tensor parameters of {@code t} is strictly increasing over the storage
   * range, never gives NaN or -0.0, and gives +0.0 only at the zero point. Then for any window,
   * {@code max(dequantize(q_i)) == dequantize(max(q_i))} bit for bit (a monotone map commutes with
   * max, and equal floats have equal bits), and likewise for clamps whose bounds are dequantized
   * integers.
   */
  public static boolean dequantizeIsOrdered(TensorType t, Numerics numerics) {
    Optional<Quantization.PerTensor> pt = t.perTensor();
    if (!hasQuantize(numerics) || !enumerable(t) || pt.isEmpty()) {
      return false;
    }
    double s = pt.get().scale();
    long zp = pt.get().zeroPoint();
    ElementType storage = t.elementType();
    float previous = Float.NEGATIVE_INFINITY;
    for (long v = storage.minValue(); v <= storage.maxValue(); v++) {
      float real = dequantize(numerics, (int) v, s, zp);
      boolean zeroHere = Float.floatToRawIntBits(real) == 0;
      if (!(real > previous) || Float.isInfinite(real) || Float.floatToRawIntBits(real) == 0x80000000
          || zeroHere != (v == zp)) {
        return false;
      }
      previous = real;
    }
    return true;
  }

  /** Whether {@code q} dequantizes (per-tensor parameters of {@code t}) to exactly the bits of {@code x}. */
  public static boolean dequantizesTo(TensorType t, Numerics numerics, long q, float x) {
    Quantization.PerTensor pt = t.perTensor().orElseThrow();
    return Float.floatToRawIntBits(dequantize(numerics, (int) q, pt.scale(), pt.zeroPoint()))
        == Float.floatToRawIntBits(x);
  }
}
