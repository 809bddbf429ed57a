package dev.zeropoint.ir.op;

import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import java.util.List;

/** Checks shared by the type rules. Each throws a {@link TypeError} whose message names the operand. */
final class TypeChecks {
  private TypeChecks() {}

  /** The results are the inferred types; written types, if any, must equal them. */
  static List<TensorType> inferred(TypeContext c, List<TensorType> types) throws TypeError {
    if (!c.declared().isEmpty()) {
      for (int i = 0; i < types.size() && i < c.declared().size(); i++) {
        if (!c.declared().get(i).equals(types.get(i))) {
          throw c.error("result type " + c.declared().get(i) + " does not match the inferred type " + types.get(i));
        }
      }
    }
    return types;
  }

  static List<TensorType> inferred(TypeContext c, TensorType type) throws TypeError {
    return inferred(c, List.of(type));
  }

  /**
   * A quantized result whose parameters come from the source framework: the written type must be
   * quantized per tensor, with the given shape.
   */
  static List<TensorType> writtenQuantized(TypeContext c, Shape shape) throws TypeError {
    TensorType t = written(c, shape, "a quantized result needs its type written (its scale and zero point)");
    if (!t.isQuantized()) {
      throw c.error("result type " + t + " must be quantized, like the input");
    }
    if (t.perTensor().isEmpty()) {
      throw c.error("result type " + t + " must be quantized per tensor");
    }
    return List.of(t);
  }

  /** The written result type, which must exist and have the given shape. */
  static TensorType written(TypeContext c, Shape shape, String whenMissing) throws TypeError {
    if (c.declared().isEmpty()) {
      throw c.error(whenMissing);
    }
    TensorType t = c.declared().get(0);
    if (!t.shape().equals(shape)) {
      throw c.error("result shape " + t.shape() + " does not match the expected shape " + shape);
    }
    return t;
  }

  static void requireFloat(TypeContext c, int i) throws TypeError {
    TensorType t = c.operand(i);
    if (!t.isFloat()) {
      throw c.error(c.operandName(i) + " must be a float tensor, got " + t);
    }
  }

  static void requireQuantized(TypeContext c, int i) throws TypeError {
    TensorType t = c.operand(i);
    if (!t.isQuantized()) {
      throw c.error(c.operandName(i) + " must be a quantized tensor, got " + t);
    }
  }

  /** Activations of quantized ops have one scale and zero point. */
  static Quantization.PerTensor requirePerTensor(TypeContext c, int i) throws TypeError {
    requireQuantized(c, i);
    return c.operand(i).perTensor().orElseThrow(
        () -> c.error(c.operandName(i) + " must be quantized per tensor, got " + c.operand(i)));
  }

  static void requireRank(TypeContext c, int i, int rank) throws TypeError {
    if (c.operand(i).rank() != rank) {
      throw c.error(c.operandName(i) + " must have rank " + rank + ", got " + c.operand(i));
    }
  }

  static void requireMinRank(TypeContext c, int i, int rank) throws TypeError {
    if (c.operand(i).rank() < rank) {
      throw c.error(c.operandName(i) + " must have rank " + rank + " or more, got " + c.operand(i));
    }
  }

  /** Float or quantized per tensor, as activation functions accept. */
  static void requireActivation(TypeContext c, int i) throws TypeError {
    TensorType t = c.operand(i);
    if (t.isFloat()) {
      return;
    }
    if (!t.isQuantized()) {
      throw c.error(c.operandName(i) + " must be a float or quantized tensor, got " + t);
    }
    requirePerTensor(c, i);
  }

  /** Operands that must all be float, or all quantized: says which. */
  static boolean quantizedMode(TypeContext c, int first, int... others) throws TypeError {
    boolean q = c.operand(first).isQuantized();
    if (!q && !c.operand(first).isFloat()) {
      throw c.error(c.operandName(first) + " must be a float or quantized tensor, got " + c.operand(first));
    }
    for (int i : others) {
      if (!c.hasOperand(i)) {
        continue;
      }
      if (q && !c.operand(i).isQuantized()) {
        throw c.error(c.operandName(first) + " is quantized but " + c.operandName(i) + " is " + c.operand(i));
      }
      if (!q && c.operand(i).elementType() != c.operand(first).elementType()) {
        throw c.error(c.operandName(first) + " is " + c.operand(first) + " but " + c.operandName(i) + " is "
            + c.operand(i));
      }
    }
    return q;
  }

  /** Normalises a possibly negative axis against a rank. */
  static int axis(TypeContext c, int axis, int rank, String what) throws TypeError {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw c.error(what + " " + axis + " is outside rank " + rank);
    }
    return a;
  }

  /** NumPy broadcasting of two shapes. */
  static Shape broadcast(TypeContext c, Shape a, Shape b) throws TypeError {
    return Shape.broadcast(a, b).orElseThrow(() -> c.error("shapes " + a + " and " + b
        + " cannot be broadcast together"));
  }
}
