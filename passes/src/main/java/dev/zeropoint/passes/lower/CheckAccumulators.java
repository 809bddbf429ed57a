package dev.zeropoint.passes.lower;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Diagnostic;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.passes.Pass;
import dev.zeropoint.passes.PassContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code check-accumulators}: reports every conv2d / linear (lowered or not) whose int32
 * accumulator could overflow by {@link AccumulatorBounds}, one diagnostic per layer at the node.
 * Changes nothing; a graph without such a layer is returned as it is.
 */
public final class CheckAccumulators implements Pass {
  @Override
  public String name() {
    return "check-accumulators";
  }

  @Override
  public String description() {
    return "report every conv2d / linear whose int32 accumulator could overflow";
  }

  @Override
  public Graph run(Graph graph, PassContext context) throws CompileException {
    List<Diagnostic> problems = new ArrayList<>();
    for (Node n : graph.nodes()) {
      AccumulatorBounds.of(n, graph.numerics()).filter(AccumulatorBounds::mayOverflow)
          .ifPresent(b -> problems.add(Diagnostic.error(n.location(), message(n, b))));
    }
    if (!problems.isEmpty()) {
      throw new CompileException(problems);
    }
    return graph;
  }

  /** The diagnostic text: the bound with its factors, so the reader sees which one to shrink. */
  public static String message(Node n, AccumulatorBounds b) {
    return "int32 accumulator of %" + n.result().name() + " (" + n.op() + ") may overflow: |acc| <= "
        + b.reduction() + " * " + b.maxInput() + " * " + b.maxWeight() + " + " + b.maxBias() + " = " + b.bound()
        + " > 2147483647 (channel " + b.channel() + ")";
  }
}
