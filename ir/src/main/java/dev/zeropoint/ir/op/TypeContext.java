package dev.zeropoint.ir.op;

import dev.zeropoint.ir.TensorType;
import java.util.List;

/**
 * What a type rule sees: the op, its operand types, its attributes and the result types written in
 * the source ({@code declared}; empty when none were written).
 */
public record TypeContext(Op op, List<TensorType> operands, Attrs attrs, List<TensorType> declared) {
  public TypeContext {
    operands = List.copyOf(operands);
    declared = List.copyOf(declared);
  }

  public TensorType operand(int i) {
    return operands.get(i);
  }

  public int operandCount() {
    return operands.size();
  }

  public boolean hasOperand(int i) {
    return i < operands.size();
  }

  /** The i-th operand's name as the op's definition calls it (for messages). */
  public String operandName(int i) {
    List<String> names = op.def().operandNames();
    return i < names.size() ? names.get(i) : names.get(names.size() - 1) + " " + i;
  }

  public TypeError error(String message) {
    return new TypeError(op.keyword() + ": " + message);
  }

  @SuppressWarnings("unchecked")
  public <A extends Attrs> A attrs(Class<A> type) {
    return (A) attrs;
  }
}
