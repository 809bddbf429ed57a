package dev.zeropoint.backends;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import java.util.Map;
import java.util.TreeSet;

/** The input checks every backend makes, so that they all say the same thing. */
public final class Inputs {
  private Inputs() {}

  /** Checks that {@code inputs} has exactly the graph's inputs, each of its storage type and shape. */
  public static void check(Graph graph, Map<String, TensorData> inputs) throws InputException {
    TreeSet<String> unknown = new TreeSet<>(inputs.keySet());
    for (Value in : graph.inputs()) {
      unknown.remove(in.name());
      TensorData d = inputs.get(in.name());
      if (d == null) {
        throw new InputException("missing input " + in.name() + " (" + in.type() + ")");
      }
      ElementType expected = in.type().elementType();
      if (d.elementType() != expected) {
        throw new InputException("input " + in.name() + " must be " + expected + " (" + in.type() + "), got "
            + d.elementType());
      }
      if (!d.shape().equals(in.type().shape())) {
        throw new InputException("input " + in.name() + " must have shape " + in.type().shape() + ", got "
            + d.shape());
      }
    }
    if (!unknown.isEmpty()) {
      throw new InputException("model " + graph.name() + " has no input " + unknown.first() + " (its inputs: "
          + String.join(", ", graph.inputs().stream().map(Value::name).toList()) + ")");
    }
  }
}
