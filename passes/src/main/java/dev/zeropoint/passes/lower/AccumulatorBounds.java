package dev.zeropoint.passes.lower;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.LayerRequantization;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.util.Optional;

/**
 * A bound on the int32 accumulator of a quantized conv2d or linear, lowered ({@code conv2d_acc},
 * {@code linear_acc}) or not: for output channel c,
 * <pre>
 *   |acc[c]| &lt;= K * max|x - x_zp| * max|w[c] - w_zp[c]| + |bias[c]|
 * </pre>
 * where K is the number of products per output (the weight's elements per output channel),
 * {@code max|x - x_zp|} is taken over the input's whole storage range (inputs are not known at
 * compile time) and {@code max|w - w_zp|} over the constant weights when they are constant (else
 * over the weight's storage range). The bound is what hardware designers size accumulators with:
 * above {@code 2^31 - 1} the int32 sum may wrap for some input.
 *
 * @param reduction K, the products summed per output element
 * @param maxInput {@code max|x - x_zp|} over the input storage range
 * @param maxWeight {@code max|w - w_zp|} over all channels
 * @param maxBias the largest {@code |bias[c]|} (0 without a bias)
 * @param bound the largest per-channel bound
 * @param channel the channel attaining {@code bound}
 */
public record AccumulatorBounds(long reduction, long maxInput, long maxWeight, long maxBias, long bound, int channel) {

  /** Whether some input could make the int32 accumulator overflow. */
  public boolean mayOverflow() {
    return bound > Integer.MAX_VALUE;
  }

  /**
   * The bound of a conv2d, linear, conv2d_acc or linear_acc node whose input and weights are
   * integers (quantized or lowered); empty for any other node, or a float one.
   * An unlowered layer's float bias counts as the flavour's int32 rounding of it.
   */
  public static Optional<AccumulatorBounds> of(Node n, dev.zeropoint.ir.Numerics numerics) {
    boolean lowered = n.op() == Op.CONV2D_ACC || n.op() == Op.LINEAR_ACC;
    if (!lowered && n.op() != Op.CONV2D && n.op() != Op.LINEAR) {
      return Optional.empty();
    }
    TensorType x = n.operand(0).type();
    TensorType w = n.operand(1).type();
    if (!x.elementType().isInteger() || !w.elementType().isInteger()) {
      return Optional.empty();
    }
    if (!lowered && !(x.isQuantized() && w.isQuantized() && n.result().type().isQuantized())) {
      return Optional.empty();
    }
    int channels = w.shape().dim(0);
    long reduction = w.shape().numElements() / Math.max(1, channels);
    long inputZp = switch (n.attrs()) {
      case Attrs.Conv2dAcc a -> a.inputZeroPoint();
      case Attrs.LinearAcc a -> a.inputZeroPoint();
      default -> x.perTensor().map(Quantization.PerTensor::zeroPoint).orElse(0L);
    };
    long maxInput = Math.max(inputZp - x.elementType().minValue(), x.elementType().maxValue() - inputZp);
    long[] weightZp = new long[channels];
    for (int c = 0; c < channels; c++) {
      weightZp[c] = weightZeroPoint(n, w, c);
    }
    long[] maxW = maxWeightPerChannel(n.operand(1), weightZp);
    long[] bias = bias(n, numerics, channels);
    long best = -1;
    int at = 0;
    long maxWeight = 0;
    long maxBias = 0;
    for (int c = 0; c < channels; c++) {
      long b = reduction * maxInput * maxW[c] + Math.abs(bias[c]);
      if (b > best) {
        best = b;
        at = c;
      }
      maxWeight = Math.max(maxWeight, maxW[c]);
      maxBias = Math.max(maxBias, Math.abs(bias[c]));
    }
    return Optional.of(new AccumulatorBounds(reduction, maxInput, maxWeight, maxBias, Math.max(best, 0), at));
  }

  private static long weightZeroPoint(Node n, TensorType w, int c) {
    var zps = switch (n.attrs()) {
      case Attrs.Conv2dAcc a -> a.weightZeroPoints();
      case Attrs.LinearAcc a -> a.weightZeroPoints();
      default -> null;
    };
    if (zps != null) {
      return zps.isEmpty() ? 0 : zps.get(zps.length() == 1 ? 0 : c);
    }
    return switch (w.quantization().orElse(null)) {
      case Quantization.PerTensor t -> t.zeroPoint();
      case Quantization.PerAxis a -> a.zeroPoint(c);
      case null -> 0;
    };
  }

  /** Per channel max |w - w_zp|: from the data when constant, else the storage range's worst case. */
  private static long[] maxWeightPerChannel(Value weight, long[] zp) {
    int channels = zp.length;
    long[] out = new long[channels];
    ElementType e = weight.type().elementType();
    if (weight.producer() != null && weight.producer().op() == Op.CONST) {
      TensorData d = ((Attrs.Const) weight.producer().attrs()).data();
      long per = d.size() / Math.max(1, channels);
      for (long i = 0; i < d.size(); i++) {
        int c = (int) (i / per);
        out[c] = Math.max(out[c], Math.abs(d.getLong(i) - zp[c]));
      }
      return out;
    }
    for (int c = 0; c < channels; c++) {
      out[c] = Math.max(zp[c] - e.minValue(), e.maxValue() - zp[c]);
    }
    return out;
  }

  /** The int32 bias per channel: the constant of a lowered layer, or the flavour's rounding of a float bias. */
  private static long[] bias(Node n, dev.zeropoint.ir.Numerics numerics, int channels) {
    long[] out = new long[channels];
    if (n.operands().size() < 3) {
      return out;
    }
    Value b = n.operand(2);
    Optional<LayerRequantization.Bias> data = LowerRequantize.constantBias(b);
    if (data.isEmpty()) {
      // A bias computed at run time is unbounded here; its storage range is the honest worst case.
      java.util.Arrays.fill(out, Integer.MAX_VALUE);
      return out;
    }
    switch (data.get()) {
      case LayerRequantization.Bias.Ints i -> {
        for (int c = 0; c < channels; c++) {
          out[c] = i.values()[c];
        }
      }
      case LayerRequantization.Bias.Floats f -> LayerRequantization.of(numerics, n.operand(0).type(),
          n.operand(1).type(), f, n.result().type(), channels, false).ifPresent(p -> {
            for (int c = 0; c < channels; c++) {
              out[c] = p.bias().get(c);
            }
          });
      case LayerRequantization.Bias.None none -> {
      }
    }
    return out;
  }
}
