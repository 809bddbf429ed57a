package dev.zeropoint.passes;

import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rebuilds a graph node by node, letting a rule replace any node. Every rebuilt node is type-checked
 * again by the builder, so a rule cannot produce ill-typed IR unnoticed. Values keep their names.
 */
public final class GraphRewriter {
  /** The rewrite of one node, or empty to keep it as it is. */
  @FunctionalInterface
  public interface Rule {
    /**
     * @param node the node in the old graph
     * @param operands its operands, already in the new graph
     * @param builder the new graph, to add replacement nodes to
     * @return the new values replacing the node's results, or empty to copy the node
     */
    Optional<List<Value>> rewrite(Node node, List<Value> operands, Rewrite builder) throws TypeError;
  }

  /** The builder of the new graph, as rules see it. */
  public static final class Rewrite {
    private final GraphBuilder builder;
    private final Map<Value, Value> map;
    private final java.util.Set<String> oldNames;

    Rewrite(GraphBuilder builder, Map<Value, Value> map, java.util.Set<String> oldNames) {
      this.builder = builder;
      this.map = map;
      this.oldNames = oldNames;
    }

    /**
     * A name for a new value: {@code base}, or {@code base.1}, {@code base.2}, ... taken by no
     * value of the old graph (which may still be copied later) nor of the new one.
     */
    public String freshName(String base) {
      String name = base;
      for (int i = 1; oldNames.contains(name) || builder.isDefined(name); i++) {
        name = base + "." + i;
      }
      return name;
    }

    /** The new value standing for a value of the old graph that was already rebuilt. */
    public Value mapped(Value old) {
      Value v = map.get(old);
      if (v == null) {
        throw new IllegalStateException("%" + old.name() + " has not been rebuilt yet");
      }
      return v;
    }

    /** Adds a node; {@code names} may be empty for fresh names. */
    public List<Value> add(Op op, List<Value> operands, Attrs attrs, List<TensorType> types, List<String> names,
        Node origin) throws TypeError {
      return builder.add(op, operands, attrs, types, names, origin.location());
    }
  }

  private GraphRewriter() {}

  /** The rebuilt graph; {@code changed[0]} is set when any rule fired. */
  public static Graph rewrite(Graph graph, Rule rule, boolean[] changed) throws TypeError {
    GraphBuilder b = GraphBuilder.create(graph.name(), graph.numerics());
    graph.weightsFile().ifPresent(b::weightsFile);
    Map<Value, Value> map = new IdentityHashMap<>();
    for (Value in : graph.inputs()) {
      map.put(in, b.input(in.name(), in.type(), in.location()));
    }
    java.util.Set<String> oldNames = new java.util.HashSet<>();
    graph.inputs().forEach(v -> oldNames.add(v.name()));
    graph.nodes().forEach(n -> n.results().forEach(v -> oldNames.add(v.name())));
    Rewrite rw = new Rewrite(b, map, oldNames);
    for (Node n : graph.nodes()) {
      List<Value> operands = n.operands().stream().map(map::get).toList();
      Optional<List<Value>> replaced = rule.rewrite(n, operands, rw);
      List<Value> results;
      if (replaced.isPresent()) {
        changed[0] = true;
        results = replaced.get();
      } else {
        results = b.add(n.op(), operands, n.attrs(), n.results().stream().map(Value::type).toList(),
            n.results().stream().map(Value::name).toList(), n.location());
      }
      for (int i = 0; i < results.size(); i++) {
        if (results.get(i) != null) {
          map.put(n.results().get(i), results.get(i));
        }
      }
    }
    for (Graph.Output o : graph.outputs()) {
      b.output(o.name(), map.get(o.value()), o.location());
    }
    return b.build();
  }
}
