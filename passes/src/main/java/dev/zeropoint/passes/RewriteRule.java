package dev.zeropoint.passes;

import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.TypeError;
import java.util.List;
import java.util.Optional;

/**
 * One rewrite: a pattern rooted at a node, and its replacement. A rule handles one case and says
 * it in its javadoc as {@code before -> after}; {@link RulePass} runs a pass's rules to a fixed point.
 * A rule returns empty when its pattern does not match; it must never return a replacement equal
 * to what it matched (the driver would not reach a fixed point) and never make the graph worse
 * (more live nodes than before): the driver checks both.
 */
public interface RewriteRule {
  /** A short kebab-case name, for messages: {@code merge-clamp-chain}. */
  String name();

  /**
   * @param node the node the pattern is rooted at, in the graph of this sweep
   * @param operands its operands, already rebuilt: their producers are the rewritten nodes, so a
   *     pattern over a chain sees the chain as rewritten so far
   * @param builder the new graph, to add the replacement's nodes to
   * @param match the graph of this sweep (users, outputs), the pass context
   * @return the values replacing the node's results, or empty when the pattern does not match
   */
  Optional<List<Value>> apply(Node node, List<Value> operands, GraphRewriter.Rewrite builder, Match match)
      throws TypeError;

  /** What a rule may consult besides the node: the graph of this sweep and the pass's context. */
  record Match(Graph graph, PassContext context) {
    /** The value has exactly one user and is not a graph output: a rule may absorb its producer. */
    public boolean hasSingleUse(Value v) {
      return graph.users(v).size() == 1 && graph.outputs().stream().noneMatch(o -> o.value() == v);
    }
  }
}
