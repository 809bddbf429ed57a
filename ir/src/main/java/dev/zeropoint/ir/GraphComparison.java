package dev.zeropoint.ir;

import dev.zeropoint.ir.op.Attrs;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Structural equality of graphs: same header, inputs, nodes (op, attributes, constant contents bit for
 * bit, operand wiring, result names and types) and outputs. Used by round-trip tests and passes.
 */
public final class GraphComparison {
  private GraphComparison() {}

  /** The first difference between {@code a} and {@code b}, or empty when they are identical. */
  public static Optional<String> firstDifference(Graph a, Graph b) {
    if (!a.name().equals(b.name())) {
      return diff("model name", a.name(), b.name());
    }
    if (a.numerics() != b.numerics()) {
      return diff("numerics", a.numerics(), b.numerics());
    }
    if (!a.weightsFile().equals(b.weightsFile())) {
      return diff("weights file", a.weightsFile(), b.weightsFile());
    }
    Map<Value, Value> map = new IdentityHashMap<>();
    Optional<String> d = values("input", a.inputs(), b.inputs(), map);
    if (d.isPresent()) {
      return d;
    }
    if (a.nodes().size() != b.nodes().size()) {
      return diff("node count", a.nodes().size(), b.nodes().size());
    }
    for (int i = 0; i < a.nodes().size(); i++) {
      Node x = a.nodes().get(i);
      Node y = b.nodes().get(i);
      String where = "node " + i + " (" + Printer.node(x) + ")";
      if (x.op() != y.op()) {
        return diff(where + " op", x.op(), y.op());
      }
      if (!attrsEqual(x.attrs(), y.attrs())) {
        return diff(where + " attributes", x.attrs(), y.attrs());
      }
      if (x.operands().size() != y.operands().size()) {
        return diff(where + " operand count", x.operands().size(), y.operands().size());
      }
      for (int k = 0; k < x.operands().size(); k++) {
        if (map.get(x.operand(k)) != y.operand(k)) {
          return diff(where + " operand " + k, x.operand(k), y.operand(k));
        }
      }
      d = values(where + " result", x.results(), y.results(), map);
      if (d.isPresent()) {
        return d;
      }
    }
    if (a.outputs().size() != b.outputs().size()) {
      return diff("output count", a.outputs().size(), b.outputs().size());
    }
    for (int i = 0; i < a.outputs().size(); i++) {
      Graph.Output x = a.outputs().get(i);
      Graph.Output y = b.outputs().get(i);
      if (!x.name().equals(y.name()) || map.get(x.value()) != y.value()) {
        return diff("output " + i, x.name() + " = " + x.value(), y.name() + " = " + y.value());
      }
    }
    return Optional.empty();
  }

  private static Optional<String> values(String what, List<Value> xs, List<Value> ys, Map<Value, Value> map) {
    if (xs.size() != ys.size()) {
      return diff(what + " count", xs.size(), ys.size());
    }
    for (int i = 0; i < xs.size(); i++) {
      Value x = xs.get(i);
      Value y = ys.get(i);
      if (!x.name().equals(y.name()) || !x.type().equals(y.type())) {
        return diff(what + " " + i, x + " : " + x.type(), y + " : " + y.type());
      }
      map.put(x, y);
    }
    return Optional.empty();
  }

  private static boolean attrsEqual(Attrs x, Attrs y) {
    if (x instanceof Attrs.Const cx && y instanceof Attrs.Const cy) {
      return cx.key().equals(cy.key()) && cx.data().contentEquals(cy.data());
    }
    return x.equals(y);
  }

  private static Optional<String> diff(String what, Object x, Object y) {
    return Optional.of(what + " differs: " + x + " vs " + y);
  }
}
