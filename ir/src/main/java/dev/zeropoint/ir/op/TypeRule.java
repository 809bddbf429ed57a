package dev.zeropoint.ir.op;

import dev.zeropoint.ir.TensorType;
import java.util.List;

/**
 * Infers an op's result types from its operands and attributes, or, where quantization parameters
 * cannot be inferred, checks the written result types against what the op allows.
 */
@FunctionalInterface
public interface TypeRule {
  List<TensorType> apply(TypeContext context) throws TypeError;
}
