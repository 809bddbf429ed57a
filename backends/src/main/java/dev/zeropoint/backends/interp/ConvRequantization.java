package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.numerics.LayerRequantization;
import dev.zeropoint.ir.numerics.Requantizer;

/**
 * The per-output-channel constants of a quantized conv2d or linear, as the kernels use them:
 * {@link LayerRequantization} (the one definition, shared with {@code lower-requantize}) unpacked
 * into arrays.
 */
final class ConvRequantization {
  final int inputZeroPoint;
  final int[] weightZeroPoint;
  final int[] bias;
  private final Requantizer requantizer;

  private ConvRequantization(LayerRequantization l) {
    this.inputZeroPoint = l.inputZeroPoint();
    this.weightZeroPoint = l.weightZeroPoints().toArray();
    this.bias = l.bias().toArray();
    this.requantizer = l.requantizer();
  }

  static ConvRequantization of(Node n, Numerics numerics, Tensor x, Tensor w, Tensor b, TensorType out,
      int channels) {
    LayerRequantization.Bias bias = b == null ? new LayerRequantization.Bias.None()
        : b.f32 != null ? new LayerRequantization.Bias.Floats(b.f32)
        : b.ints != null ? new LayerRequantization.Bias.Ints(b.ints) : null;
    if (bias == null) {
      throw Interpreter.unsupported(n, numerics);
    }
    return new ConvRequantization(LayerRequantization.of(numerics, x.type, w.type, bias, out, channels, false)
        .orElseThrow(() -> Interpreter.unsupported(n, numerics)));
  }

  /** The output integer of an accumulator (bias included) of output channel {@code c}. */
  int requantize(int acc, int c) {
    return requantizer.apply(acc, c);
  }
}
