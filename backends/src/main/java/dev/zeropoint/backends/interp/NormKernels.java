package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.numerics.PyTorchAtenFloat;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;
import dev.zeropoint.ir.op.Attrs;
import java.util.List;

/**
 * batch_norm (inference, running statistics), on [N, C, ...]. Float: PyTorch's folded
 * {@code fma(x, a, c)} ({@link PyTorchAtenFloat#batchNormChannel}), flavours {@code pytorch-*}.
 * Quantized (quint8 or qint8, per tensor), flavour {@code pytorch-qnnpack}: {@code
 * quantized::batch_norm} ({@link PyTorchAtenQuantized#batchNormChannel}), each channel by the
 * vector or scalar code PyTorch's channels-last loop gives it. A fused ReLU is a separate node.
 */
final class NormKernels {
  private NormKernels() {}

  static Tensor batchNorm(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    Tensor weight = args.get(1);
    Tensor bias = args.get(2);
    Tensor mean = args.get(3);
    Tensor var = args.get(4);
    double eps = ((Attrs.BatchNorm) n.attrs()).eps();
    TensorType out = n.result().type();
    boolean pytorch = numerics.isPyTorch();
    for (Tensor t : List.of(weight, bias, mean, var)) {
      if (t.type.elementType() != ElementType.F32) {
        throw Interpreter.unsupported(n, numerics);
      }
    }
    int channels = x.shape().dim(1);
    int inner = Broadcast.product(x.shape(), 2, x.shape().rank());
    int batch = x.shape().dim(0);
    Tensor r = Tensor.zeros(out);
    if (!out.isQuantized()) {
      if (!pytorch || out.elementType() != ElementType.F32) {
        throw Interpreter.unsupported(n, numerics);
      }
      for (int c = 0; c < channels; c++) {
        PyTorchAtenFloat.BatchNormChannel p =
            PyTorchAtenFloat.batchNormChannel(weight.f32[c], bias.f32[c], mean.f32[c], var.f32[c], eps);
        for (int b = 0; b < batch; b++) {
          int base = (b * channels + c) * inner;
          for (int i = base; i < base + inner; i++) {
            r.f32[i] = p.apply(x.f32[i]);
          }
        }
      }
      return r;
    }
    Quantization.PerTensor qx = x.type.perTensor().orElse(null);
    Quantization.PerTensor qo = out.perTensor().orElse(null);
    ElementType storage = out.elementType();
    if (numerics != Numerics.PYTORCH_QNNPACK || qx == null || qo == null || x.type.elementType() != storage
        || (storage != ElementType.U8 && storage != ElementType.I8)) {
      throw Interpreter.unsupported(n, numerics);
    }
    int zpIn = (int) qx.zeroPoint();
    int zpOut = (int) qo.zeroPoint();
    for (int c = 0; c < channels; c++) {
      PyTorchAtenQuantized.BatchNormChannel p = PyTorchAtenQuantized.batchNormChannel(weight.f32[c], bias.f32[c],
          mean.f32[c], var.f32[c], eps, qx.scale(), qo.scale());
      for (int b = 0; b < batch; b++) {
        int base = (b * channels + c) * inner;
        for (int i = base; i < base + inner; i++) {
          r.ints[i] = PyTorchAtenQuantized.batchNorm(x.ints[i], c, channels, zpIn, p, zpOut, storage);
        }
      }
    }
    return r;
  }
}
