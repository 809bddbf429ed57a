package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import java.util.List;

/** Placeholder kernels: each throws until implemented. */
final class NormKernels {
  private NormKernels() {}

  static Tensor batchNorm(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }
}
