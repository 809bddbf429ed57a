package dev.zeropoint.ir;

import dev.zeropoint.ir.op.AttrValue;
import dev.zeropoint.ir.op.AttrWriter;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the canonical text of a graph. Every value's type is written and every attribute,
 * defaults included; floats print so that they read back to the same bits. Parsing the output
 * gives an identical graph.
 */
public final class Printer {
  private Printer() {}

  public static String print(Graph g) {
    StringBuilder b = new StringBuilder();
    b.append("model ").append(g.name()).append(" numerics(").append(g.numerics().keyword()).append(')');
    g.weightsFile().ifPresent(f -> b.append(" weights(").append(new AttrValue.Str(f)).append(')'));
    b.append(" {\n");
    for (Value in : g.inputs()) {
      b.append("  input ").append(in).append(" : ").append(in.type()).append('\n');
    }
    for (Node n : g.nodes()) {
      b.append("  ").append(node(n)).append('\n');
    }
    for (Graph.Output o : g.outputs()) {
      b.append("  output ").append(o.name()).append(" = ").append(o.value()).append('\n');
    }
    return b.append("}\n").toString();
  }

  /** One statement: {@code %r = op(%a, %b) {attrs} : type}. */
  public static String node(Node n) {
    String results = n.results().stream().map(Value::toString).collect(Collectors.joining(", "));
    String types = n.results().stream().map(v -> v.type().toString()).collect(Collectors.joining(", "));
    if (n.op() == Op.CONST) {
      return results + " = const " + constBody((Attrs.Const) n.attrs()) + " : " + types;
    }
    StringBuilder b = new StringBuilder(results).append(" = ").append(n.op().keyword()).append('(');
    b.append(n.operands().stream().map(Value::toString).collect(Collectors.joining(", "))).append(')');
    AttrWriter w = new AttrWriter();
    n.attrs().write(w);
    Map<String, AttrValue> attrs = w.values();
    if (!attrs.isEmpty()) {
      b.append(" {").append(attrs.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue())
          .collect(Collectors.joining(", "))).append('}');
    }
    return b.append(" : ").append(types).toString();
  }

  private static String constBody(Attrs.Const c) {
    if (c.key().isPresent()) {
      return new AttrValue.Str(c.key().get()).toString();
    }
    TensorData d = c.data();
    StringBuilder b = new StringBuilder("[");
    for (long i = 0; i < d.size(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      switch (d.elementType()) {
        case F32 -> b.append(Numbers.formatFloatBits((int) d.getRawBits(i)));
        case F64 -> b.append(Numbers.formatDoubleBits(d.getRawBits(i)));
        case I8, U8, I16, I32, I64 -> b.append(d.getLong(i));
      }
    }
    return b.append(']').toString();
  }
}
