package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import java.util.List;

/** quantize and dequantize. */
final class QuantizeKernels {
  private QuantizeKernels() {}

  static Tensor quantize(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }

  static Tensor dequantize(Node n, List<Tensor> args, Numerics numerics) {
    throw Interpreter.unsupported(n, numerics);
  }
}
