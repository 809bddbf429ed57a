package dev.zeropoint.passes.lower;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.LayerRequantization;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.RewritePass;
import dev.zeropoint.passes.PassContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code lower-requantize}: a quantized conv2d or linear with constant weights becomes integer
 * accumulation plus requantization, every constant computed by {@link LayerRequantization} (the
 * definition the interpreter runs the quantized op with), so the integers cannot change:
 * <pre>
 *   %y = conv2d(%x, %w, %b) : qu8&lt;s:z&gt;          // %b f32
 *   -&gt;
 *   %y.bias = const [...] : i32[O]                  // PyTorch's rounding of the float bias
 *   %y.acc = conv2d_acc(%x, %w, %y.bias) {..., input_zero_point, weight_zero_points} : i32[...]
 *   %y = requantize_acc(%y.acc) {scheme, ...} : qu8&lt;s:z&gt;
 * </pre>
 * The scheme follows the flavour: {@code float} for pytorch-qnnpack ({@code mantissa} when the
 * pipeline is integer-only), {@code tflite_double}, {@code tosa_double}, {@code float_clamp} for onnx
 * (also when integer-only, which then reports it). Ops the flavour does not define stay as they are
 * (integer-only mode reports them).
 */
public final class LowerRequantize extends RewritePass {
  @Override
  public String name() {
    return "lower-requantize";
  }

  @Override
  public String description() {
    return "quantized conv2d / linear -> integer accumulation + requantize_acc in the model's flavour";
  }



  @Override
  protected Optional<List<Value>> rewrite(Graph graph, Node n, List<Value> operands, GraphRewriter.Rewrite b,
      PassContext context) throws TypeError {
    boolean integerOnly = context.integerOnly();
    if ((n.op() != Op.CONV2D && n.op() != Op.LINEAR) || !n.result().type().isQuantized()) {
      return Optional.empty();
    }
    Value x = operands.get(0);
    Value w = operands.get(1);
    Optional<LayerRequantization.Bias> bias = operands.size() > 2 ? constantBias(operands.get(2))
        : Optional.of(new LayerRequantization.Bias.None());
    if (bias.isEmpty()) {
      return Optional.empty();
    }
    TensorType out = n.result().type();
    int channels = w.type().shape().dim(0);
    Optional<LayerRequantization> params = LayerRequantization.of(graph.numerics(), x.type(), w.type(), bias.get(), out,
        channels, integerOnly);
    if (params.isEmpty()) {
      return Optional.empty();
    }
    LayerRequantization p = params.get();
    String name = n.result().name();
    List<Value> accOperands = new ArrayList<>(List.of(x, w));
    if (operands.size() > 2) {
      TensorData data = TensorData.ofLongs(ElementType.I32, Shape.of(channels), p.bias().stream().asLongStream().toArray());
      accOperands.add(b.add(Op.CONST, List.of(), new Attrs.Const(data, Optional.empty()),
          List.of(TensorType.of(ElementType.I32, Shape.of(channels))), List.of(b.freshName(name + ".bias")), n).get(0));
    }
    Attrs accAttrs = n.op() == Op.CONV2D
        ? new Attrs.Conv2dAcc((Attrs.Conv2d) n.attrs(), p.inputZeroPoint(), compact(p.weightZeroPoints()))
        : new Attrs.LinearAcc(p.inputZeroPoint(), compact(p.weightZeroPoints()));
    Op accOp = n.op() == Op.CONV2D ? Op.CONV2D_ACC : Op.LINEAR_ACC;
    Value acc = b.add(accOp, accOperands, accAttrs, List.of(), List.of(b.freshName(name + ".acc")), n).get(0);
    Requantizer r = p.requantizer();
    int axis = n.op() == Op.CONV2D ? 1 : out.rank() - 1;
    Attrs.RequantizeAcc requant = new Attrs.RequantizeAcc(r.scheme(), r.scales(), r.multipliers(), r.shifts(), axis,
        r.outputZeroPoint(), r.min(), r.max());
    return Optional.of(b.add(Op.REQUANTIZE_ACC, List.of(acc), requant, List.of(out), List.of(name), n));
  }

  /** A constant bias (f32 or i32) as data; empty when the bias is computed at run time. */
  public static Optional<LayerRequantization.Bias> constantBias(Value bias) {
    if (bias.producer() == null || bias.producer().op() != Op.CONST) {
      return Optional.empty();
    }
    TensorData d = ((Attrs.Const) bias.producer().attrs()).data();
    int n = Math.toIntExact(d.size());
    return switch (d.elementType()) {
      case F32 -> {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
          v[i] = (float) d.getDouble(i);
        }
        yield Optional.of(new LayerRequantization.Bias.Floats(v));
      }
      case I32 -> {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
          v[i] = (int) d.getLong(i);
        }
        yield Optional.of(new LayerRequantization.Bias.Ints(v));
      }
      default -> Optional.empty();
    };
  }

  /** One zero point for all channels when they agree (the usual symmetric weights), else one per channel. */
  private static ImmutableIntArray compact(ImmutableIntArray zeroPoints) {
    for (int i = 1; i < zeroPoints.length(); i++) {
      if (zeroPoints.get(i) != zeroPoints.get(0)) {
        return zeroPoints;
      }
    }
    return zeroPoints.isEmpty() ? zeroPoints : ImmutableIntArray.of(zeroPoints.get(0));
  }
}
