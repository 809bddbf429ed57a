package dev.zeropoint.passes;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.TypeError;
import java.util.List;
import java.util.Optional;

/**
 * A pass that rewrites node by node ({@link GraphRewriter}): implement {@link #rewrite}, returning
 * the values that replace a node's results, or empty to keep the node. A replacement the type rules
 * reject is a compiler bug, reported with the pass's name.
 */
public abstract class RewritePass implements Pass {
  /**
   * @param graph the graph being rewritten (the old one: {@code node} and its operands' producers live there)
   * @param operands the node's operands in the new graph
   */
  protected abstract Optional<List<Value>> rewrite(Graph graph, Node node, List<Value> operands,
      GraphRewriter.Rewrite builder, PassContext context) throws TypeError;

  @Override
  public final Graph run(Graph graph, PassContext context) throws CompileException {
    try {
      boolean[] changed = {false};
      return GraphRewriter.rewrite(graph, (n, operands, b) -> rewrite(graph, n, operands, b, context), changed);
    } catch (TypeError e) {
      throw new CompileException(SourceLocation.UNKNOWN, name() + ": " + e.getMessage());
    }
  }
}
