package dev.zeropoint.passes.lower;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.LayerRequantization;
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
 * {@code fold-bias}: the float bias of a quantized conv2d or linear becomes the int32 bias the
 * flavour rounds it to ({@link LayerRequantization}; for pytorch-qnnpack
 * {@code RNE(b * f32(1 / f32(s_in * s_w)))}), so the op needs no float at run time for it:
 * <pre>
 *   %y = conv2d(%x, %w, %b) : qu8&lt;...&gt;        // %b = const [...] : f32[O]
 *   -&gt; %y.bias = const [...] : i32[O];  %y = conv2d(%x, %w, %y.bias) : qu8&lt;...&gt;
 * </pre>
 * Flavours that keep the bias in float (pytorch-fbgemm) or never have one (tflite, tosa, onnx: int32
 * already) are left alone.
 */
public final class FoldBias extends RewritePass {
  @Override
  public String name() {
    return "fold-bias";
  }

  @Override
  public String description() {
    return "round the float bias of quantized conv2d / linear to the flavour's int32 bias";
  }



  @Override
  protected Optional<List<Value>> rewrite(Graph graph, Node n, List<Value> operands, GraphRewriter.Rewrite b,
      PassContext context) throws TypeError {
    if ((n.op() != Op.CONV2D && n.op() != Op.LINEAR) || operands.size() < 3 || !n.result().type().isQuantized()
        || operands.get(2).type().elementType() != ElementType.F32) {
      return Optional.empty();
    }
    Optional<LayerRequantization.Bias> bias = LowerRequantize.constantBias(operands.get(2));
    int channels = operands.get(1).type().shape().dim(0);
    Optional<LayerRequantization> p = bias.flatMap(data -> LayerRequantization.of(graph.numerics(),
        operands.get(0).type(), operands.get(1).type(), data, n.result().type(), channels, false));
    if (p.isEmpty()) {
      return Optional.empty();
    }
    TensorData data = TensorData.ofLongs(ElementType.I32, Shape.of(channels),
        p.get().bias().stream().asLongStream().toArray());
    Value folded = b.add(Op.CONST, List.of(), new Attrs.Const(data, Optional.empty()),
        List.of(TensorType.of(ElementType.I32, Shape.of(channels))), List.of(b.freshName(n.result().name() + ".bias")),
        n).get(0);
    List<Value> newOperands = new ArrayList<>(operands.subList(0, 2));
    newOperands.add(folded);
    return Optional.of(b.add(n.op(), newOperands, n.attrs(), List.of(n.result().type()), List.of(n.result().name()), n));
  }
}
