package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import java.util.List;

/** Placeholder kernels: each throws until implemented. */
final class PoolKernels {
  private PoolKernels() {}

  static Tensor maxPool2d(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor avgPool2d(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor adaptiveAvgPool2d(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }
}
