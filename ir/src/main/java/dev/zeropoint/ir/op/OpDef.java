package dev.zeropoint.ir.op;

import dev.zeropoint.ir.TensorType;
import java.util.List;
import java.util.function.Function;

/**
 * The definition of one op: operand names (for messages) and how many there may be, how its
 * attributes are read, and its type rule. {@code maxOperands} is -1 for a variadic op.
 */
public record OpDef(Op op, List<String> operandNames, int minOperands, int maxOperands,
    Function<AttrReader, ? extends Attrs> attrReader, TypeRule typeRule) {

  public OpDef {
    operandNames = List.copyOf(operandNames);
  }

  public boolean acceptsOperandCount(int n) {
    return n >= minOperands && (maxOperands < 0 || n <= maxOperands);
  }

  /** "2 operands", "2 or 3 operands", "at least 1 operand". */
  public String operandCountText() {
    if (maxOperands < 0) {
      return "at least " + minOperands + (minOperands == 1 ? " operand" : " operands");
    }
    if (minOperands == maxOperands) {
      return minOperands + (minOperands == 1 ? " operand" : " operands");
    }
    return minOperands + " or " + maxOperands + " operands";
  }

  /**
   * The result types of this op applied to operands of the given types: checks the operand count,
   * runs the type rule and checks that as many result types were written as the op produces.
   */
  public List<TensorType> resultTypes(List<TensorType> operands, Attrs attrs, List<TensorType> declared)
      throws TypeError {
    if (!acceptsOperandCount(operands.size())) {
      throw new TypeError(op.keyword() + ": expected " + operandCountText() + ", got " + operands.size());
    }
    List<TensorType> results = typeRule.apply(new TypeContext(op, operands, attrs, declared));
    if (!declared.isEmpty() && declared.size() != results.size()) {
      throw new TypeError(op.keyword() + ": produces " + results.size() + (results.size() == 1 ? " result" : " results")
          + ", but " + declared.size() + " result " + (declared.size() == 1 ? "type is" : "types are") + " written");
    }
    return results;
  }

  public Attrs readAttrs(AttrReader reader) {
    return attrReader.apply(reader);
  }
}
