package com.example.zeropoint;

import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.RewritePass;
import java.util.List;
import java.util.Optional;

/**
 * {@code remove-identity-reshapes}: a reshape or flatten whose result has its input's type does
 * nothing, so its uses can use the input. Registered in META-INF/services/dev.zeropoint.passes.Pass,
 * so {@code --passes remove-identity-reshapes} finds it when this jar is on the class path.
 */
public final class RemoveIdentityReshapes extends RewritePass {
  @Override
  public String name() {
    return "remove-identity-reshapes";
  }

  @Override
  public String description() {
    return "drop reshapes and flattens that keep their input's shape";
  }

  // %r = reshape(%x) : T where %x : T  ->  %x
  @Override
  protected Optional<List<Value>> rewrite(Graph graph, Node node, List<Value> operands, GraphRewriter.Rewrite builder,
      PassContext context) {
    boolean reshape = node.op() == Op.RESHAPE || node.op() == Op.FLATTEN;
    if (reshape && node.result().type().equals(operands.get(0).type())) {
      return Optional.of(List.of(operands.get(0)));
    }
    return Optional.empty();
  }
}
