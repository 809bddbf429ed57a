package dev.zeropoint.passes.qdq;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.passes.elide.QuantizedClamp;
import java.util.Optional;

/**
 * When a float relu / relu6 / hardtanh / clamp of {@code dequantize(q)} may become the quantized
 * op on q. The quantized op clamps the integers to bounds quantized with q's parameters and
 * saturated ({@link QuantizedClamp}, as the interpreter and PyTorch do); the float op clamps the
 * dequantized floats to the float bounds ({@code v < lo ? lo : v}, then {@code v > hi ? hi : v}).
 * Both are checked on every stored integer, so there is nothing to argue about rounding:
 * <ul>
 *   <li>{@link #floatExact}: {@code clamp_f(dequantize(q)) == dequantize(clamp_q(q))} bit for bit,
 *       which holds when each bound is a dequantized integer or lies beyond the range (relu always);
 *   <li>{@link #integerExact}: {@code quantize(clamp_f(dequantize(q))) == clamp_q(q)} with q's own
 *       parameters, which also holds for bounds between two integers (quantize is monotone and
 *       undoes dequantize), but not for a bound whose quantization PyTorch wraps (x86 turns
 *       {@code 1e30 / s} into qmin).
 * </ul>
 * Neither applies when PyTorch 1.13 would permute the quantized clamp's result (a quint8 relu6 /
 * hardtanh / clamp of a channels-last tensor, {@link PyTorchLayout#permutesNhwcAsNchw}): a float
 * clamp never permutes, so the rewrite would add PyTorch's quirk where the model has none. An
 * empty bound interval (QNNPACK refuses {@code min_q > max_q}) is refused too.
 */
final class QdqClamps {
  private QdqClamps() {}

  static boolean isClamp(Node n) {
    return switch (n.op()) {
      case RELU, RELU6, HARDTANH, CLAMP -> true;
      default -> false;
    };
  }

  /** The integer clamp {@code n} would apply to {@code q}, when the rewrite is allowed at all. */
  private static Optional<QuantizedClamp> quantizedClamp(Node n, Value q, Numerics numerics) {
    if (!isClamp(n) || !QdqNumerics.dequantizeIsOrdered(q.type(), numerics)) {
      return Optional.empty();
    }
    if (n.op() != dev.zeropoint.ir.op.Op.RELU && PyTorchLayout.clampOfPermutes(q, numerics)) {
      return Optional.empty();
    }
    return QuantizedClamp.of(n, q.type(), numerics).filter(c -> c.lo() <= c.hi());
  }

  /** {@code n(dequantize(q)) == dequantize(n_q(q))} bit for bit, for every integer q. */
  static boolean floatExact(Node n, Value q, Numerics numerics) {
    Optional<QuantizedClamp> c = quantizedClamp(n, q, numerics);
    if (c.isEmpty()) {
      return false;
    }
    TensorType t = q.type();
    Quantization.PerTensor p = t.perTensor().orElseThrow();
    float[] bounds = floatBounds(n);
    for (long v = t.elementType().minValue(); v <= t.elementType().maxValue(); v++) {
      float real = QdqNumerics.dequantize(numerics, (int) v, p.scale(), p.zeroPoint());
      float clamped = clampFloat(real, bounds[0], bounds[1]);
      long quantized = Math.min(Math.max(v, c.get().lo()), c.get().hi());
      if (!QdqNumerics.dequantizesTo(t, numerics, quantized, clamped)) {
        return false;
      }
    }
    return true;
  }

  /** {@code quantize(n(dequantize(q))) == n_q(q)} with q's parameters, for every integer q. */
  static boolean integerExact(Node n, Value q, Numerics numerics) {
    Optional<QuantizedClamp> c = quantizedClamp(n, q, numerics);
    if (c.isEmpty()) {
      return false;
    }
    TensorType t = q.type();
    Quantization.PerTensor p = t.perTensor().orElseThrow();
    float[] bounds = floatBounds(n);
    for (long v = t.elementType().minValue(); v <= t.elementType().maxValue(); v++) {
      float real = QdqNumerics.dequantize(numerics, (int) v, p.scale(), p.zeroPoint());
      float clamped = clampFloat(real, bounds[0], bounds[1]);
      long requantized = QdqNumerics.quantize(numerics, clamped, p.scale(), p.zeroPoint(), t.elementType());
      if (requantized != Math.min(Math.max(v, c.get().lo()), c.get().hi())) {
        return false;
      }
    }
    return true;
  }

  /** The float bounds as the interpreter's float clamp converts them (a missing side is infinite). */
  private static float[] floatBounds(Node n) {
    double lo;
    double hi;
    switch (n.op()) {
      case RELU -> {
        lo = 0.0;
        hi = Double.POSITIVE_INFINITY;
      }
      case RELU6 -> {
        lo = 0.0;
        hi = 6.0;
      }
      case HARDTANH -> {
        Attrs.Hardtanh h = (Attrs.Hardtanh) n.attrs();
        lo = h.min();
        hi = h.max();
      }
      default -> {
        Attrs.Clamp a = (Attrs.Clamp) n.attrs();
        lo = a.min().orElse(Double.NEGATIVE_INFINITY);
        hi = a.max().orElse(Double.POSITIVE_INFINITY);
      }
    }
    return new float[] {(float) lo, (float) hi};
  }

  private static float clampFloat(float v, float lo, float hi) {
    float r = v < lo ? lo : v;
    return r > hi ? hi : r;
  }
}
