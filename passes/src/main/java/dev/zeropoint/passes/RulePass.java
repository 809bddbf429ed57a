package dev.zeropoint.passes;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.TypeError;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A pass made of {@link RewriteRule}s, driven to a fixed point. Each sweep takes the nodes as a
 * worklist in topological order and gives each node to the rules in order; the first rule that
 * matches replaces it. A rule sees its operands as already rewritten, so a chain collapses in one
 * sweep; sweeps repeat until none fires. Two checks make a faulty rule a compiler bug with the
 * rule's name instead of a hang or a worse graph: at most {@link #MAX_SWEEPS} sweeps, and the
 * number of live nodes (those an output depends on) never grows.
 */
public abstract class RulePass implements Pass {
  /** Sweeps before the driver gives up: a set of rules that needs more keeps undoing itself. */
  public static final int MAX_SWEEPS = 64;

  /** The rules, tried in this order on every node. */
  protected abstract List<RewriteRule> rules();

  @Override
  public final Graph run(Graph graph, PassContext context) throws CompileException {
    int before = liveNodes(graph);
    List<RewriteRule> rules = rules();
    Graph g = graph;
    try {
      for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
        RewriteRule.Match match = new RewriteRule.Match(g, context);
        String[] fired = {null};
        boolean[] changed = {false};
        g = GraphRewriter.rewrite(g, (n, operands, b) -> {
          for (RewriteRule rule : rules) {
            Optional<List<Value>> replaced = rule.apply(n, operands, b, match);
            if (replaced.isPresent()) {
              fired[0] = rule.name();
              return replaced;
            }
          }
          return Optional.empty();
        }, changed);
        if (!changed[0]) {
          int after = liveNodes(g);
          if (after > before) {
            throw new IllegalStateException(name() + ": the rules made the graph worse: " + before + " live nodes became "
                + after);
          }
          return g;
        }
        if (sweep == MAX_SWEEPS - 1) {
          throw new IllegalStateException(name() + ": no fixed point after " + MAX_SWEEPS + " sweeps; rule "
              + fired[0] + " still fires");
        }
      }
      throw new AssertionError("unreachable");
    } catch (TypeError e) {
      throw new CompileException(SourceLocation.UNKNOWN, name() + ": " + e.getMessage());
    }
  }

  /** The nodes some graph output depends on. */
  public static int liveNodes(Graph g) {
    Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Node> work = new ArrayDeque<>();
    for (Graph.Output o : g.outputs()) {
      Node p = o.value().producer();
      if (p != null && live.add(p)) {
        work.add(p);
      }
    }
    while (!work.isEmpty()) {
      for (Value operand : work.pop().operands()) {
        Node p = operand.producer();
        if (p != null && live.add(p)) {
          work.add(p);
        }
      }
    }
    return live.size();
  }
}
