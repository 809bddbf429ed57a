package com.example.zeropoint;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.Pass;
import dev.zeropoint.passes.PassContext;
import java.util.List;
import java.util.Optional;

/**
 * {@code remove-identity-reshapes}: a reshape or flatten whose result has its input's type does
 * nothing, so its uses can use the input. {@code %r = reshape(%x) : T} where {@code %x : T} -> {@code %x}.
 * Registered in META-INF/services/dev.zeropoint.passes.Pass, so {@code --passes remove-identity-reshapes}
 * finds it when this jar is on the class path.
 */
public final class RemoveIdentityReshapes implements Pass {
  @Override
  public String name() {
    return "remove-identity-reshapes";
  }

  @Override
  public String description() {
    return "drop reshapes and flattens that keep their input's shape";
  }

  @Override
  public Graph run(Graph graph, PassContext context) throws CompileException {
    try {
      boolean[] changed = {false};
      return GraphRewriter.rewrite(graph, (node, operands, builder) -> {
        boolean reshape = node.op() == Op.RESHAPE || node.op() == Op.FLATTEN;
        if (reshape && node.result().type().equals(operands.get(0).type())) {
          return Optional.of(List.of(operands.get(0)));
        }
        return Optional.empty();
      }, changed);
    } catch (TypeError e) {
      throw new CompileException(SourceLocation.UNKNOWN, name() + ": " + e.getMessage());
    }
  }
}
