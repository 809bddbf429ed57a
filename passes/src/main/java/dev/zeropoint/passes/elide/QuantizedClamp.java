package dev.zeropoint.passes.elide;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.numerics.ClampBounds;
import dev.zeropoint.ir.op.Attrs;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What relu, relu6, hardtanh and clamp do to a quantized tensor: clamp the stored integers to
 * [lo, hi], each bound the model's real bound quantized with the input's parameters and saturated
 * to the storage range, exactly as the interpreter and PyTorch compute it
 * ({@link ClampBounds#pytorchClamp}). Each side remembers the real bound it came from (empty when
 * the side is the storage limit), so a rewrite writes only bounds the model already had.
 */
public record QuantizedClamp(int lo, OptionalDouble loReal, int hi, OptionalDouble hiReal, int qmin, int qmax) {

  /**
   * The clamp a node applies, when the node is such an op on a per-tensor quantized input: relu in
   * every flavour ({@code max(q, zp)}, the interpreter's definition), the other clamps in the PyTorch
   * flavours, where their bounds are defined.
   */
  public static Optional<QuantizedClamp> of(Node n, TensorType input, Numerics numerics) {
    if (!numerics.isPyTorch() && n.op() != dev.zeropoint.ir.op.Op.RELU) {
      return Optional.empty();
    }
    Optional<Quantization.PerTensor> q = input.perTensor();
    if (q.isEmpty()) {
      return Optional.empty();
    }
    OptionalDouble min;
    OptionalDouble max;
    switch (n.op()) {
      case RELU -> {
        min = OptionalDouble.of(0.0);
        max = OptionalDouble.empty();
      }
      case RELU6 -> {
        min = OptionalDouble.of(0.0);
        max = OptionalDouble.of(6.0);
      }
      case HARDTANH -> {
        Attrs.Hardtanh h = (Attrs.Hardtanh) n.attrs();
        min = OptionalDouble.of(h.min());
        max = OptionalDouble.of(h.max());
      }
      case CLAMP -> {
        Attrs.Clamp c = (Attrs.Clamp) n.attrs();
        min = c.min();
        max = c.max();
      }
      default -> {
        return Optional.empty();
      }
    }
    ElementType storage = input.elementType();
    int qmin = (int) storage.minValue();
    int qmax = (int) storage.maxValue();
    double scale = q.get().scale();
    long zp = q.get().zeroPoint();
    int lo = min.isPresent() ? quantize(min.getAsDouble(), scale, zp, storage) : qmin;
    int hi = max.isPresent() ? quantize(max.getAsDouble(), scale, zp, storage) : qmax;
    return Optional.of(new QuantizedClamp(lo, min, hi, max, qmin, qmax).withoutSaturatedSides());
  }

  private static int quantize(double bound, double scale, long zp, ElementType storage) {
    return ClampBounds.pytorchClamp((float) bound, (float) bound, scale, zp, storage).min();
  }

  /** A side at the storage limit clamps nothing: forget its real bound. */
  QuantizedClamp withoutSaturatedSides() {
    return new QuantizedClamp(lo, lo <= qmin ? OptionalDouble.empty() : loReal, hi,
        hi >= qmax ? OptionalDouble.empty() : hiReal, qmin, qmax);
  }

  /** Clamps nothing at all. */
  public boolean isIdentity() {
    return lo <= qmin && hi >= qmax;
  }

  /**
   * This clamp applied after {@code inner}: clamp(clamp(q, a1, b1), a2, b2) = clamp(q, L, H) with
   * L = min(max(a1, a2), b2) and H = min(max(b1, a2), b2), since a composition of clamps is the
   * clamp between the images of -inf and +inf. Quantizing is monotone, so this holds on the integers.
   */
  public QuantizedClamp after(QuantizedClamp inner) {
    Side a1 = new Side(inner.lo, inner.loReal);
    Side b1 = new Side(inner.hi, inner.hiReal);
    Side a2 = new Side(lo, loReal);
    Side b2 = new Side(hi, hiReal);
    Side low = Side.min(Side.max(a1, a2), b2);
    Side high = Side.min(Side.max(b1, a2), b2);
    if (low.q == high.q) {
      low = high; // one real value for both sides, so the written bounds cannot cross
    }
    return new QuantizedClamp(low.q, low.real, high.q, high.real, qmin, qmax).withoutSaturatedSides();
  }

  /** The clamp attributes that compute this interval. */
  Attrs.Clamp attrs() {
    return new Attrs.Clamp(loReal, hiReal);
  }

  private record Side(int q, OptionalDouble real) {
    static Side max(Side x, Side y) {
      return y.q > x.q ? y : x;
    }

    static Side min(Side x, Side y) {
      return y.q < x.q ? y : x;
    }
  }
}
