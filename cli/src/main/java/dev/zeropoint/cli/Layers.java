package dev.zeropoint.cli;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.LayerRequantization;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.lower.LowerRequantize;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The quantized conv2d / linear layers of a graph with their integer constants, read from the IR:
 * a lowered layer is a {@code conv2d_acc} or {@code linear_acc} feeding a {@code requantize_acc}
 * (the constants are its attributes); an unlowered quantized conv2d / linear gets the constants
 * {@link LayerRequantization} would give it (empty when the flavour does not define them).
 */
final class Layers {
  private Layers() {}

  /**
   * One layer.
   *
   * @param output the requantized output (the name the layer is known by)
   * @param acc the node computing the accumulator (conv2d_acc / linear_acc, or the unlowered op)
   * @param window the conv window, null for linear
   * @param params the integer constants, empty when the layer has none (unsupported by the flavour)
   */
  record Layer(Value output, Node acc, boolean lowered, Attrs.Conv2d window, Optional<LayerRequantization> params) {
    String name() {
      return output.name();
    }

    boolean isConv() {
      return window != null;
    }

    Value input() {
      return acc.operand(0);
    }

    Value weight() {
      return acc.operand(1);
    }

    int channels() {
      return weight().type().shape().dim(0);
    }

    /** The constant weights, or empty when they are computed at run time. */
    Optional<TensorData> weightData() {
      Node p = weight().producer();
      return p != null && p.op() == Op.CONST ? Optional.of(((Attrs.Const) p.attrs()).data()) : Optional.empty();
    }
  }

  static List<Layer> of(Graph graph, boolean integerOnly) {
    List<Layer> out = new ArrayList<>();
    for (Node n : graph.nodes()) {
      if (n.op() == Op.REQUANTIZE_ACC) {
        Node acc = n.operand(0).producer();
        if (acc != null && (acc.op() == Op.CONV2D_ACC || acc.op() == Op.LINEAR_ACC)) {
          out.add(lowered(n, acc));
        }
      } else if ((n.op() == Op.CONV2D || n.op() == Op.LINEAR) && n.result().type().isQuantized()) {
        out.add(unlowered(graph, n, integerOnly));
      }
    }
    return out;
  }

  private static Layer lowered(Node requant, Node acc) {
    Attrs.RequantizeAcc r = (Attrs.RequantizeAcc) requant.attrs();
    int channels = acc.operand(1).type().shape().dim(0);
    int inputZp;
    ImmutableIntArray wzp;
    Attrs.Conv2d window = null;
    if (acc.attrs() instanceof Attrs.Conv2dAcc c) {
      inputZp = c.inputZeroPoint();
      wzp = c.weightZeroPoints();
      window = c.window();
    } else {
      Attrs.LinearAcc l = (Attrs.LinearAcc) acc.attrs();
      inputZp = l.inputZeroPoint();
      wzp = l.weightZeroPoints();
    }
    int[] zps = new int[channels];
    int[] bias = new int[channels];
    for (int c = 0; c < channels; c++) {
      zps[c] = wzp.isEmpty() ? 0 : wzp.get(wzp.length() == 1 ? 0 : c);
    }
    if (acc.operands().size() > 2) {
      Node b = acc.operand(2).producer();
      if (b != null && b.op() == Op.CONST) {
        TensorData d = ((Attrs.Const) b.attrs()).data();
        for (int c = 0; c < channels; c++) {
          bias[c] = (int) d.getLong(c);
        }
      }
    }
    var params = new LayerRequantization(inputZp, ImmutableIntArray.copyOf(zps), ImmutableIntArray.copyOf(bias),
        r.requantizer(requant.result().type().elementType()));
    return new Layer(requant.result(), acc, true, window, Optional.of(params));
  }

  private static Layer unlowered(Graph graph, Node n, boolean integerOnly) {
    Attrs.Conv2d window = n.op() == Op.CONV2D ? (Attrs.Conv2d) n.attrs() : null;
    int channels = n.operand(1).type().shape().dim(0);
    Optional<LayerRequantization.Bias> bias = n.operands().size() > 2 ? LowerRequantize.constantBias(n.operand(2))
        : Optional.of(new LayerRequantization.Bias.None());
    Optional<LayerRequantization> params = bias.flatMap(b -> LayerRequantization.of(graph.numerics(),
        n.operand(0).type(), n.operand(1).type(), b, n.result().type(), channels, integerOnly));
    return new Layer(n.result(), n, false, window, params);
  }
}
