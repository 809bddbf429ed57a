package dev.zeropoint.backends.lowering;

import java.util.List;

/**
 * One call of a run-time kernel (a public static method of {@code dev.zeropoint.runtime.kernels})
 * that computes a node: its arguments in order, each a result array, an operand array, a constant
 * the compiler laid out (stored with the model), or an immediate int. The method's descriptor
 * comes from the kernel itself, so a wrong argument list fails when the model is compiled.
 */
public record KernelCall(Class<?> owner, String method, List<Arg> args) {
  public sealed interface Arg permits Result, Operand, Constant, Immediate, Results, Operands {}

  /** The array of the node's result {@code index}, allocated before the call. */
  public record Result(int index) implements Arg {}

  /** The array of the node's operand {@code index}. */
  public record Operand(int index) implements Arg {}

  /** Every result array of the node, in order, as one array of arrays (split, chunk). */
  public record Results() implements Arg {}

  /** Every operand array of the node, in order, as one array of arrays (cat). */
  public record Operands() implements Arg {}

  /** An array or string computed at compile time. */
  public record Constant(Object value) implements Arg {}

  /** An int pushed as an immediate. */
  public record Immediate(int value) implements Arg {}

  public static KernelCall of(Class<?> owner, String method, Arg... args) {
    return new KernelCall(owner, method, List.of(args));
  }

  public static Result result() {
    return new Result(0);
  }

  public static Operand operand(int i) {
    return new Operand(i);
  }

  public static Constant constant(Object v) {
    return new Constant(v);
  }

  public static Immediate imm(int v) {
    return new Immediate(v);
  }
}
