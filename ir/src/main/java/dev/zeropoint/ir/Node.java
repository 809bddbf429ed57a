package dev.zeropoint.ir;

import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One operation of a graph: op, operands, typed attributes and results. */
public final class Node {
  private final Op op;
  private final Attrs attrs;
  private final List<Value> operands;
  private final List<Value> results;
  private final SourceLocation location;

  Node(Op op, Attrs attrs, List<Value> operands, List<Value> results, SourceLocation location) {
    this.op = Objects.requireNonNull(op);
    this.attrs = Objects.requireNonNull(attrs);
    this.operands = new ArrayList<>(operands);
    this.results = List.copyOf(results);
    this.location = Objects.requireNonNull(location);
    for (Value r : results) {
      r.setProducer(this);
    }
  }

  public Op op() {
    return op;
  }

  public Attrs attrs() {
    return attrs;
  }

  public List<Value> operands() {
    return List.copyOf(operands);
  }

  public Value operand(int i) {
    return operands.get(i);
  }

  /** Replaces one operand (for passes); the verifier checks the result. */
  public void setOperand(int i, Value v) {
    operands.set(i, Objects.requireNonNull(v));
  }

  public List<Value> results() {
    return results;
  }

  /** The single result of a one-result op. */
  public Value result() {
    if (results.size() != 1) {
      throw new IllegalStateException(op + " has " + results.size() + " results");
    }
    return results.get(0);
  }

  public SourceLocation location() {
    return location;
  }

  @Override
  public String toString() {
    return results + " = " + op + operands;
  }
}
