package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import java.util.List;

/** Placeholder kernels: each throws until implemented. */
final class ActivationKernels {
  private ActivationKernels() {}

  static Tensor relu(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor relu6(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor hardtanh(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor clamp(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor hardswish(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor hardsigmoid(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor sigmoid(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }
}
