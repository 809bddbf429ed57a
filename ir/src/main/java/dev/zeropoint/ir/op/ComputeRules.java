package dev.zeropoint.ir.op;

import static dev.zeropoint.ir.op.TypeChecks.inferred;
import static dev.zeropoint.ir.op.TypeChecks.quantizedMode;
import static dev.zeropoint.ir.op.TypeChecks.requireActivation;
import static dev.zeropoint.ir.op.TypeChecks.requireFloat;
import static dev.zeropoint.ir.op.TypeChecks.requireMinRank;
import static dev.zeropoint.ir.op.TypeChecks.requirePerTensor;
import static dev.zeropoint.ir.op.TypeChecks.requireQuantized;
import static dev.zeropoint.ir.op.TypeChecks.requireRank;
import static dev.zeropoint.ir.op.TypeChecks.writtenQuantized;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import java.util.List;
import java.util.Optional;

/** Type rules of the ops that compute: quantization, convolution, matrix products, arithmetic, activations. */
final class ComputeRules {
  private ComputeRules() {}

  /**
   * PyTorch's fixed output parameters of quantized sigmoid and hardsigmoid (outputs in [0, 1]):
   * scale 2^-8, zero point 0 (u8) or -128 (i8).
   */
  static final double SIGMOID_SCALE = 1.0 / 256.0;

  static List<TensorType> quantize(TypeContext c) throws TypeError {
    requireFloat(c, 0);
    TensorType t = TypeChecks.written(c, c.operand(0).shape(),
        "the result type must be written (it holds the scale and zero point)");
    if (!t.isQuantized()) {
      throw c.error("result type " + t + " must be quantized");
    }
    return List.of(t);
  }

  static List<TensorType> dequantize(TypeContext c) throws TypeError {
    requireQuantized(c, 0);
    return inferred(c, TensorType.of(ElementType.F32, c.operand(0).shape()));
  }

  static List<TensorType> requantize(TypeContext c) throws TypeError {
    requireQuantized(c, 0);
    return writtenQuantized(c, c.operand(0).shape());
  }

  /** conv2d(input [N,C,H,W], weight [O,C/groups,kH,kW], bias [O]?). */
  static List<TensorType> conv2d(TypeContext c) throws TypeError {
    Attrs.Conv2d a = c.attrs(Attrs.Conv2d.class);
    Shape out = conv2dShape(c, a);
    return weighted(c, out, out.dim(1));
  }

  /** The result shape of a conv2d window over operands input [N,C,H,W] and weight [O,C/groups,kH,kW]. */
  static Shape conv2dShape(TypeContext c, Attrs.Conv2d a) throws TypeError {
    requireRank(c, 0, 4);
    requireRank(c, 1, 4);
    Shape x = c.operand(0).shape();
    Shape w = c.operand(1).shape();
    int channels = x.dim(1);
    int outChannels = w.dim(0);
    if (channels % a.groups() != 0) {
      throw c.error("input channels " + channels + " are not divisible by groups " + a.groups());
    }
    if (outChannels % a.groups() != 0) {
      throw c.error("output channels " + outChannels + " are not divisible by groups " + a.groups());
    }
    if (w.dim(1) != channels / a.groups()) {
      throw c.error("weight has " + w.dim(1) + " input channels per group, expected " + channels / a.groups()
          + " (input channels " + channels + " / groups " + a.groups() + ")");
    }
    int oh = ShapeRules.windowOutput(c, x.dim(2), w.dim(2), a.stride().get(0), a.padding().get(0),
        a.padding().get(2), a.dilation().get(0), false);
    int ow = ShapeRules.windowOutput(c, x.dim(3), w.dim(3), a.stride().get(1), a.padding().get(1),
        a.padding().get(3), a.dilation().get(1), false);
    return Shape.of(x.dim(0), outChannels, oh, ow);
  }

  /** linear(input [..., K], weight [N, K], bias [N]?) -> [..., N]. */
  static List<TensorType> linear(TypeContext c) throws TypeError {
    Shape out = linearShape(c);
    return weighted(c, out, out.dim(out.rank() - 1));
  }

  /** The result shape of a linear over operands input [..., K] and weight [N, K]. */
  static Shape linearShape(TypeContext c) throws TypeError {
    requireMinRank(c, 0, 1);
    requireRank(c, 1, 2);
    Shape x = c.operand(0).shape();
    Shape w = c.operand(1).shape();
    int k = x.dim(x.rank() - 1);
    if (w.dim(1) != k) {
      throw c.error("weight " + w + " needs " + k + " input features (the last dimension of input " + x + ")");
    }
    int[] out = x.toArray();
    out[out.length - 1] = w.dim(0);
    return Shape.of(out);
  }

  /** The operand and result checks shared by conv2d and linear, once the result shape is known. */
  private static List<TensorType> weighted(TypeContext c, Shape result, int outChannels) throws TypeError {
    boolean q = quantizedMode(c, 0, 1);
    if (c.hasOperand(2)) {
      TensorType b = c.operand(2);
      if (b.rank() != 1 || b.shape().dim(0) != outChannels) {
        throw c.error("bias must have shape [" + outChannels + "], got " + b);
      }
      if (!q && b.elementType() != c.operand(0).elementType()) {
        throw c.error("bias must be " + c.operand(0).elementType() + " like the input, got " + b);
      }
      if (q && !(b.isFloat() || b.elementType() == ElementType.I32)) {
        throw c.error("bias of a quantized op must be f32 or i32 (qi32), got " + b);
      }
    }
    if (!q) {
      return inferred(c, TensorType.of(c.operand(0).elementType(), result));
    }
    requirePerTensor(c, 0);
    Quantization wq = c.operand(1).quantization().orElseThrow();
    if (wq instanceof Quantization.PerAxis pa && pa.axis() != 0) {
      throw c.error("per-axis weight quantization must be along axis 0 (output channels), got axis " + pa.axis());
    }
    return writtenQuantized(c, result);
  }

  /** matmul(a [..., M, K], b [..., K, N]) -> [..., M, N], batch dimensions broadcast. */
  static List<TensorType> matmul(TypeContext c) throws TypeError {
    requireMinRank(c, 0, 2);
    requireMinRank(c, 1, 2);
    Shape a = c.operand(0).shape();
    Shape b = c.operand(1).shape();
    int m = a.dim(a.rank() - 2);
    int k = a.dim(a.rank() - 1);
    if (b.dim(b.rank() - 2) != k) {
      throw c.error("inner dimensions differ: " + a + " times " + b);
    }
    Shape batch = TypeChecks.broadcast(c, Shape.of(java.util.Arrays.copyOf(a.toArray(), a.rank() - 2)),
        Shape.of(java.util.Arrays.copyOf(b.toArray(), b.rank() - 2)));
    int[] out = java.util.Arrays.copyOf(batch.toArray(), batch.rank() + 2);
    out[batch.rank()] = m;
    out[batch.rank() + 1] = b.dim(b.rank() - 1);
    return elementwiseResult(c, Shape.of(out), 0, 1);
  }

  /** add, mul: NumPy broadcasting. */
  static List<TensorType> binary(TypeContext c) throws TypeError {
    Shape out = TypeChecks.broadcast(c, c.operand(0).shape(), c.operand(1).shape());
    return elementwiseResult(c, out, 0, 1);
  }

  private static List<TensorType> elementwiseResult(TypeContext c, Shape out, int a, int b) throws TypeError {
    TensorType ta = c.operand(a);
    if (ta.isQuantized()) {
      quantizedMode(c, a, b);
      requirePerTensor(c, a);
      requirePerTensor(c, b);
      return writtenQuantized(c, out);
    }
    if (!ta.isFloat()) {
      // Plain integers: same type, exact arithmetic (used by lowered graphs).
      if (c.operand(b).elementType() != ta.elementType() || c.operand(b).isQuantized()) {
        throw c.error(c.operandName(a) + " is " + ta + " but " + c.operandName(b) + " is " + c.operand(b));
      }
      return inferred(c, TensorType.of(ta.elementType(), out));
    }
    quantizedMode(c, a, b);
    return inferred(c, TensorType.of(ta.elementType(), out));
  }

  /** relu, relu6, hardtanh, clamp: the result has the input's type, quantization included. */
  static List<TensorType> sameType(TypeContext c) throws TypeError {
    requireActivation(c, 0);
    return inferred(c, c.operand(0));
  }

  /** hardswish: float inferred; quantized output parameters are written. */
  static List<TensorType> floatOrWritten(TypeContext c) throws TypeError {
    requireActivation(c, 0);
    if (c.operand(0).isQuantized()) {
      return writtenQuantized(c, c.operand(0).shape());
    }
    return inferred(c, c.operand(0));
  }

  /** sigmoid, hardsigmoid: float inferred; quantized results have PyTorch's fixed [0, 1] parameters. */
  static List<TensorType> unitInterval(TypeContext c) throws TypeError {
    requireActivation(c, 0);
    TensorType x = c.operand(0);
    if (!x.isQuantized()) {
      return inferred(c, x);
    }
    long zp = switch (x.elementType()) {
      case U8 -> 0;
      case I8 -> -128;
      default -> throw c.error("a quantized input needs u8 or i8 storage, got " + x);
    };
    return inferred(c, new TensorType(x.elementType(), x.shape(),
        Optional.of(new Quantization.PerTensor(SIGMOID_SCALE, zp))));
  }

  /** batch_norm(input [N,C,...], weight, bias, mean, var: f[C]). */
  static List<TensorType> batchNorm(TypeContext c) throws TypeError {
    requireMinRank(c, 0, 2);
    int channels = c.operand(0).shape().dim(1);
    for (int i = 1; i < 5; i++) {
      requireFloat(c, i);
      if (c.operand(i).rank() != 1 || c.operand(i).shape().dim(0) != channels) {
        throw c.error(c.operandName(i) + " must have shape [" + channels + "], got " + c.operand(i));
      }
    }
    requireActivation(c, 0);
    if (c.operand(0).isQuantized()) {
      return writtenQuantized(c, c.operand(0).shape());
    }
    return inferred(c, c.operand(0));
  }
}
