package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.numerics.FlavourQuantize;
import dev.zeropoint.ir.numerics.OnnxRuntimeQLinear;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import java.util.List;

/**
 * quantize and dequantize, per tensor and per axis, in each flavour's arithmetic: PyTorch
 * multiplies by the float reciprocal of the scale, ONNX and TFLite divide and round differently
 * (docs/numerics.md). TOSA has no float quantize; pow2 models come from the passes.
 */
final class QuantizeKernels {
  private QuantizeKernels() {}

  static Tensor quantize(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    TensorType out = n.result().type();
    if (x.f32 == null) {
      throw Interpreter.unsupported(n, numerics);
    }
    Tensor r = Tensor.zeros(out);
    Quantization q = out.quantization().orElseThrow();
    int[] axisIndex = axisIndices(out, q);
    for (int i = 0; i < r.size(); i++) {
      int c = axisIndex == null ? 0 : axisIndex[i];
      double s = q.scaleAt(c);
      long zp = q.zeroPointAt(c);
      r.ints[i] = (int) switch (numerics) {
        case PYTORCH_QNNPACK, PYTORCH_FBGEMM -> PyTorchQnnpack.quantize(x.f32[i], s, zp, out.elementType());
        case ONNX -> FlavourQuantize.onnxQuantize(x.f32[i], s, zp, out.elementType());
        case TFLITE -> FlavourQuantize.tfliteQuantize(x.f32[i], s, zp, out.elementType());
        case TOSA, POW2 -> throw Interpreter.unsupported(n, numerics);
      };
    }
    return r;
  }

  /** {@code quantize_add_round}: ONNX Runtime's pooling quantize in every flavour. */
  static Tensor quantizeAddRound(Node n, List<Tensor> args) {
    Tensor x = args.get(0);
    TensorType out = n.result().type();
    Tensor r = Tensor.zeros(out);
    Quantization q = out.quantization().orElseThrow();
    int[] axisIndex = axisIndices(out, q);
    for (int i = 0; i < r.size(); i++) {
      int c = axisIndex == null ? 0 : axisIndex[i];
      r.ints[i] = (int) OnnxRuntimeQLinear.poolQuantize(x.f32[i], q.scaleAt(c), q.zeroPointAt(c), out.elementType());
    }
    return r;
  }

  static Tensor dequantize(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    Tensor r = Tensor.zeros(n.result().type());
    Quantization q = x.type.quantization().orElseThrow();
    int[] axisIndex = axisIndices(x.type, q);
    for (int i = 0; i < r.size(); i++) {
      int c = axisIndex == null ? 0 : axisIndex[i];
      double s = q.scaleAt(c);
      long zp = q.zeroPointAt(c);
      r.f32[i] = switch (numerics) {
        case PYTORCH_QNNPACK, PYTORCH_FBGEMM -> PyTorchQnnpack.dequantize(x.ints[i], s, zp);
        case ONNX -> FlavourQuantize.onnxDequantize(x.ints[i], s, zp);
        case TFLITE -> FlavourQuantize.tfliteDequantize(x.ints[i], s, zp);
        case TOSA, POW2 -> throw Interpreter.unsupported(n, numerics);
      };
    }
    return r;
  }

  /** For per-axis parameters, the index along the axis of every element; null per tensor. */
  static int[] axisIndices(TensorType type, Quantization q) {
    if (!(q instanceof Quantization.PerAxis a)) {
      return null;
    }
    int axis = a.axis();
    long inner = 1;
    for (int d = axis + 1; d < type.rank(); d++) {
      inner *= type.shape().dim(d);
    }
    int dim = type.shape().dim(axis);
    int[] out = new int[Math.toIntExact(type.shape().numElements())];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) ((i / inner) % dim);
    }
    return out;
  }
}
