package dev.zeropoint.ir;

import dev.zeropoint.ir.op.TypeError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jgrapht.alg.cycle.CycleDetector;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;

/**
 * Checks a whole graph: unique names, every operand defined in the graph, no cycles, nodes in a
 * topological order, every node's types as its op's type rule says, and outputs defined. Passes
 * run it after every transformation in tests.
 */
public final class Verifier {
  private Verifier() {}

  public static List<Diagnostic> verify(Graph g) {
    List<Diagnostic> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<Value> defined = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Value in : g.inputs()) {
      if (!names.add(in.name())) {
        out.add(Diagnostic.error(in.location(), "value %" + in.name() + " is defined more than once"));
      }
      defined.add(in);
    }
    for (Node n : g.nodes()) {
      for (Value r : n.results()) {
        if (!names.add(r.name())) {
          out.add(Diagnostic.error(r.location(), "value %" + r.name() + " is defined more than once"));
        }
        if (r.producer() != n) {
          out.add(Diagnostic.error(n.location(), "value %" + r.name() + " is a result of " + n.op()
              + " but names another producer"));
        }
      }
    }
    Set<Value> all = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    all.addAll(g.inputs());
    g.nodes().forEach(n -> all.addAll(n.results()));
    checkCycles(g, all, out);
    for (Node n : g.nodes()) {
      for (Value operand : n.operands()) {
        if (!all.contains(operand)) {
          out.add(Diagnostic.error(n.location(), n.op() + ": operand %" + operand.name() + " is not defined in the graph"));
        } else if (!defined.contains(operand)) {
          out.add(Diagnostic.error(n.location(), n.op() + ": operand %" + operand.name() + " is used before it is defined"));
        }
      }
      checkTypes(n, out);
      defined.addAll(n.results());
    }
    Set<String> outputNames = new HashSet<>();
    if (g.outputs().isEmpty()) {
      out.add(Diagnostic.error(SourceLocation.UNKNOWN, "model " + g.name() + " has no outputs"));
    }
    for (Graph.Output o : g.outputs()) {
      if (!outputNames.add(o.name())) {
        out.add(Diagnostic.error(o.location(), "output " + o.name() + " is declared more than once"));
      }
      if (!all.contains(o.value())) {
        out.add(Diagnostic.error(o.location(), "output " + o.name() + " refers to %" + o.value().name()
            + ", which is not defined in the graph"));
      }
    }
    return out;
  }

  private static void checkTypes(Node n, List<Diagnostic> out) {
    List<TensorType> written = n.results().stream().map(Value::type).toList();
    try {
      List<TensorType> expected = n.op().def().resultTypes(n.operands().stream().map(Value::type).toList(),
          n.attrs(), written);
      if (!expected.equals(written)) {
        out.add(Diagnostic.error(n.location(), n.op() + ": result types " + written + " differ from " + expected));
      }
    } catch (TypeError e) {
      out.add(Diagnostic.error(n.location(), e.getMessage()));
    }
  }

  /** Reports each cycle of the dataflow graph once, naming the values on it. */
  private static void checkCycles(Graph g, Set<Value> all, List<Diagnostic> out) {
    DefaultDirectedGraph<Node, DefaultEdge> deps = new DefaultDirectedGraph<>(DefaultEdge.class);
    g.nodes().forEach(deps::addVertex);
    for (Node n : g.nodes()) {
      for (Value operand : n.operands()) {
        Node p = operand.producer();
        if (p != null && all.contains(operand) && deps.containsVertex(p)) {
          deps.addEdge(p, n);
        }
      }
    }
    CycleDetector<Node, DefaultEdge> detector = new CycleDetector<>(deps);
    if (!detector.detectCycles()) {
      return;
    }
    Set<Node> reported = new HashSet<>();
    Map<Node, Integer> order = new HashMap<>();
    for (int i = 0; i < g.nodes().size(); i++) {
      order.put(g.nodes().get(i), i);
    }
    for (Node n : g.nodes()) {
      if (reported.contains(n) || !detector.detectCyclesContainingVertex(n)) {
        continue;
      }
      Set<Node> cycle = detector.findCyclesContainingVertex(n);
      reported.addAll(cycle);
      String members = cycle.stream().sorted((a, b) -> order.get(a) - order.get(b))
          .map(c -> c.results().stream().map(Value::toString).collect(Collectors.joining(", ")))
          .collect(Collectors.joining(", "));
      out.add(Diagnostic.error(n.location(), "cycle in the graph through " + members));
    }
  }
}
