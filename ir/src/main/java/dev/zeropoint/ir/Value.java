package dev.zeropoint.ir;

import java.util.Objects;

/**
 * An SSA value: a graph input or a result of a node. Values have identity; names are unique within
 * a graph and print as {@code %name}.
 */
public final class Value {
  private final String name;
  private final TensorType type;
  private final SourceLocation location;
  private Node producer;

  Value(String name, TensorType type, SourceLocation location) {
    this.name = Objects.requireNonNull(name);
    this.type = Objects.requireNonNull(type);
    this.location = Objects.requireNonNull(location);
  }

  public String name() {
    return name;
  }

  public TensorType type() {
    return type;
  }

  public SourceLocation location() {
    return location;
  }

  /** The node computing this value; null for a graph input. */
  public Node producer() {
    return producer;
  }

  public boolean isInput() {
    return producer == null;
  }

  void setProducer(Node node) {
    this.producer = node;
  }

  @Override
  public String toString() {
    return "%" + name;
  }
}
