package dev.zeropoint.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A model: named inputs, nodes in a topological order, named outputs, its numerics flavour and
 * optionally the weights file its named constants came from. Built with {@link GraphBuilder};
 * checked with {@link Verifier}.
 */
public final class Graph {
  /** A named graph output. */
  public record Output(String name, Value value, SourceLocation location) {}

  private final String name;
  private final Numerics numerics;
  private final Optional<String> weightsFile;
  private final List<Value> inputs;
  private final List<Node> nodes;
  private final List<Output> outputs;

  Graph(String name, Numerics numerics, Optional<String> weightsFile, List<Value> inputs, List<Node> nodes,
      List<Output> outputs) {
    this.name = Objects.requireNonNull(name);
    this.numerics = Objects.requireNonNull(numerics);
    this.weightsFile = Objects.requireNonNull(weightsFile);
    this.inputs = new ArrayList<>(inputs);
    this.nodes = new ArrayList<>(nodes);
    this.outputs = new ArrayList<>(outputs);
  }

  public String name() {
    return name;
  }

  public Numerics numerics() {
    return numerics;
  }

  /** The weights file as written in the model (relative to the model file). */
  public Optional<String> weightsFile() {
    return weightsFile;
  }

  public List<Value> inputs() {
    return List.copyOf(inputs);
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  public List<Output> outputs() {
    return List.copyOf(outputs);
  }

  public Optional<Value> input(String inputName) {
    return inputs.stream().filter(v -> v.name().equals(inputName)).findFirst();
  }

  /** The nodes that use {@code v} as an operand, in graph order. */
  public List<Node> users(Value v) {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n.operands().contains(v)) {
        out.add(n);
      }
    }
    return out;
  }
}
