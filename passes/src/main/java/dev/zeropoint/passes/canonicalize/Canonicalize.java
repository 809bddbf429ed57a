package dev.zeropoint.passes.canonicalize;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.Pass;
import dev.zeropoint.passes.PassContext;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code canonicalize}: removes dead values and merges common subexpressions, until neither
 * changes the graph. Never changes what the outputs compute.
 */
public final class Canonicalize implements Pass {
  @Override
  public String name() {
    return "canonicalize";
  }

  @Override
  public String description() {
    return "remove dead values and merge common subexpressions";
  }

  @Override
  public Graph run(Graph graph, PassContext context) throws CompileException {
    try {
      Graph g = graph;
      boolean[] changed = {true};
      while (changed[0]) {
        changed[0] = false;
        g = eliminateDeadValues(g, changed);
        g = mergeCommonSubexpressions(g, changed);
      }
      return g;
    } catch (TypeError e) {
      throw new CompileException(SourceLocation.UNKNOWN, "canonicalize: " + e.getMessage());
    }
  }

  /** A node none of whose results reaches an output is dead: dead(n) -> (removed). */
  static Graph eliminateDeadValues(Graph g, boolean[] changed) throws TypeError {
    Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Node> work = new ArrayDeque<>();
    for (Graph.Output o : g.outputs()) {
      if (o.value().producer() != null && live.add(o.value().producer())) {
        work.add(o.value().producer());
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
    if (live.size() == g.nodes().size()) {
      return g;
    }
    return GraphRewriter.rewrite(g, (n, operands, b) -> live.contains(n) ? Optional.empty()
        : Optional.of(java.util.Arrays.asList(new Value[n.results().size()])), changed);
  }

  /**
   * Same op, attributes, operands and result types compute the same values:
   * {@code %b = f(%x); %c = f(%x)} -> uses of {@code %c} become uses of {@code %b}. Constants merge
   * only when they name the same weights entry (inline data is not compared).
   */
  static Graph mergeCommonSubexpressions(Graph g, boolean[] changed) throws TypeError {
    record Key(Op op, Object attrs, List<Value> operands, List<?> types) {}
    Map<Key, Node> seen = new HashMap<>();
    Map<Value, Value> canonical = new IdentityHashMap<>();
    Map<Node, Node> representative = new IdentityHashMap<>();
    for (Node n : g.nodes()) {
      Object attrs = n.attrs() instanceof Attrs.Const c ? c.key().map(k -> (Object) ("weights:" + k)).orElse(n) : n.attrs();
      List<Value> operands = n.operands().stream().map(v -> canonical.getOrDefault(v, v)).toList();
      Key key = new Key(n.op(), attrs, operands, n.results().stream().map(Value::type).toList());
      Node first = seen.putIfAbsent(key, n);
      if (first != null) {
        representative.put(n, first);
        for (int i = 0; i < n.results().size(); i++) {
          canonical.put(n.results().get(i), first.results().get(i));
        }
      }
    }
    if (representative.isEmpty()) {
      return g;
    }
    return GraphRewriter.rewrite(g, (n, operands, b) -> {
      Node rep = representative.get(n);
      return rep == null ? Optional.empty() : Optional.of(rep.results().stream().map(b::mapped).toList());
    }, changed);
  }
}
