package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import java.util.List;

/** Placeholder kernels: each throws until implemented. */
final class ConvKernels {
  private ConvKernels() {}

  static Tensor conv2d(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor linear(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor matmul(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }
}
