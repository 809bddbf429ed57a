package dev.zeropoint.ir;

import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a graph in code, type-checking every node as it is added (the frontend and importers use
 * it too). Value names are unique; unnamed results get fresh numeric names.
 *
 * <pre>{@code
 * GraphBuilder b = GraphBuilder.create("m", Numerics.PYTORCH_QNNPACK);
 * Value x = b.input("x", TensorType.f32(1, 4));
 * Value q = b.add(Op.QUANTIZE, Attrs.None.INSTANCE, TensorType.quantized(ElementType.U8, 0.1, 3, Shape.of(1, 4)), x);
 * b.output("y", b.add(Op.DEQUANTIZE, Attrs.None.INSTANCE, q));
 * Graph g = b.build();
 * }</pre>
 */
public final class GraphBuilder {
  private final String name;
  private final Numerics numerics;
  private Optional<String> weightsFile = Optional.empty();
  private final List<Value> inputs = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<Graph.Output> outputs = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private int nextFresh;

  private GraphBuilder(String name, Numerics numerics) {
    this.name = name;
    this.numerics = numerics;
  }

  public static GraphBuilder create(String name, Numerics numerics) {
    return new GraphBuilder(name, numerics);
  }

  public GraphBuilder weightsFile(String file) {
    this.weightsFile = Optional.of(file);
    return this;
  }

  public boolean isDefined(String valueName) {
    return names.contains(valueName);
  }

  public Value input(String inputName, TensorType type) {
    return input(inputName, type, SourceLocation.UNKNOWN);
  }

  public Value input(String inputName, TensorType type, SourceLocation at) {
    Value v = new Value(claim(inputName), type, at);
    inputs.add(v);
    return v;
  }

  /**
   * Type-checks and appends a node. {@code declared} holds the written result types (empty for none);
   * {@code resultNames} one name per result, or empty for fresh names.
   *
   * @throws TypeError when the op's type rule rejects it
   */
  public List<Value> add(Op op, List<Value> operands, Attrs attrs, List<TensorType> declared,
      List<String> resultNames, SourceLocation at) throws TypeError {
    List<TensorType> types = op.def().resultTypes(operands.stream().map(Value::type).toList(), attrs, declared);
    if (!resultNames.isEmpty() && resultNames.size() != types.size()) {
      throw new TypeError(op.keyword() + ": produces " + types.size() + (types.size() == 1 ? " result" : " results")
          + ", but " + resultNames.size() + (resultNames.size() == 1 ? " name is" : " names are") + " written");
    }
    List<Value> results = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      String n = resultNames.isEmpty() ? fresh() : claim(resultNames.get(i));
      results.add(new Value(n, types.get(i), at));
    }
    nodes.add(new Node(op, attrs, operands, results, at));
    return results;
  }

  /** Adds a one-result op whose type is inferred; a type rule rejection is an IllegalArgumentException. */
  public Value add(Op op, Attrs attrs, Value... operands) {
    return single(op, attrs, List.of(), operands);
  }

  /** Adds a one-result op with its result type written. */
  public Value add(Op op, Attrs attrs, TensorType resultType, Value... operands) {
    return single(op, attrs, List.of(resultType), operands);
  }

  private Value single(Op op, Attrs attrs, List<TensorType> declared, Value... operands) {
    try {
      List<Value> r = add(op, List.of(operands), attrs, declared, List.of(), SourceLocation.UNKNOWN);
      if (r.size() != 1) {
        throw new IllegalArgumentException(op + " produces " + r.size() + " results; use the list form");
      }
      return r.get(0);
    } catch (TypeError e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** A constant of the given type; {@code key} names its entry in the weights file, if it has one. */
  public Value constant(TensorData data, TensorType type, Optional<String> key) {
    try {
      return add(Op.CONST, List.of(), new Attrs.Const(data, key), List.of(type), List.of(), SourceLocation.UNKNOWN)
          .get(0);
    } catch (TypeError e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  public void output(String outputName, Value v) {
    output(outputName, v, SourceLocation.UNKNOWN);
  }

  public void output(String outputName, Value v, SourceLocation at) {
    outputs.add(new Graph.Output(outputName, v, at));
  }

  /**
   * Puts the inputs in the order of {@code order} (input names; inputs not named keep their order,
   * after the named ones). Importers create inputs when first used and restore the file's order.
   */
  public GraphBuilder orderInputs(List<String> order) {
    List<Value> sorted = new ArrayList<>();
    for (String n : order) {
      inputs.stream().filter(v -> v.name().equals(n)).findFirst().ifPresent(sorted::add);
    }
    inputs.stream().filter(v -> !sorted.contains(v)).forEach(sorted::add);
    inputs.clear();
    inputs.addAll(sorted);
    return this;
  }

  /** The graph as built; run {@link Verifier} on it for the whole-graph checks. */
  public Graph build() {
    return new Graph(name, numerics, weightsFile, inputs, nodes, outputs);
  }

  private String claim(String valueName) {
    if (!names.add(valueName)) {
      throw new IllegalArgumentException("value %" + valueName + " is already defined");
    }
    return valueName;
  }

  private String fresh() {
    String n;
    do {
      n = Integer.toString(nextFresh++);
    } while (names.contains(n));
    names.add(n);
    return n;
  }
}
