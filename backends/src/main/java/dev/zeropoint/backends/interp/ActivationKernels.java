package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.numerics.ClampBounds;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.numerics.PyTorchQnnpackTables;
import dev.zeropoint.ir.op.Attrs;
import java.util.List;
import java.util.OptionalDouble;

/**
 * relu, relu6, hardtanh, clamp, hardswish, hardsigmoid, sigmoid.
 *
 * <p>Quantized: relu is {@code max(q, zp)} in every flavour. relu6, hardtanh and clamp clamp to
 * bounds quantized with the input's parameters ({@link ClampBounds#pytorchClamp}); hardswish,
 * hardsigmoid and sigmoid are lookup tables over the 256 stored values ({@link
 * PyTorchQnnpackTables}): QNNPACK's for quint8 on engine qnnpack, ATen's otherwise. Those are the
 * PyTorch flavours; the others have no definition here yet.
 *
 * <p>Float (f32, and f64 for the clamps): PyTorch's CPU formulas, NaN propagating and -0.0 kept
 * where PyTorch keeps it. Float sigmoid is not run: PyTorch computes its exp with SLEEF's
 * vectorized routine, which this interpreter does not reproduce bit for bit.
 */
final class ActivationKernels {
  private ActivationKernels() {}

  static Tensor relu(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    if (x.type.isQuantized()) {
      Quantization.PerTensor q = x.type.perTensor().orElseThrow();
      return clampInts(n, x, ClampBounds.pytorchRelu((int) q.zeroPoint(), x.type.elementType()));
    }
    // PyTorch's relu is x < 0 ? 0 : x: NaN and -0.0 come back unchanged.
    return clampFloats(n, numerics, x, 0.0, Double.POSITIVE_INFINITY);
  }

  static Tensor relu6(Node n, List<Tensor> args, Numerics numerics) {
    return clampBetween(n, args.get(0), numerics, OptionalDouble.of(0.0), OptionalDouble.of(6.0));
  }

  static Tensor hardtanh(Node n, List<Tensor> args, Numerics numerics) {
    Attrs.Hardtanh a = (Attrs.Hardtanh) n.attrs();
    return clampBetween(n, args.get(0), numerics, OptionalDouble.of(a.min()), OptionalDouble.of(a.max()));
  }

  /**
   * clamp with a missing bound clamps on the other side only (PyTorch's quantized clamp needs both;
   * its float clamp_min / clamp_max behave so).
   */
  static Tensor clamp(Node n, List<Tensor> args, Numerics numerics) {
    Attrs.Clamp a = (Attrs.Clamp) n.attrs();
    return clampBetween(n, args.get(0), numerics, a.min(), a.max());
  }

  static Tensor hardswish(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    if (!x.type.isQuantized()) {
      Tensor y = floatResult(n, numerics, x);
      for (int i = 0; i < y.f32.length; i++) {
        float v = x.f32[i];
        y.f32[i] = v * clampZeroSix(v + 3.0f) / 6.0f;
      }
      return y;
    }
    Params p = Params.of(n, x.type, numerics);
    int[] table = p.qnnpack()
        ? PyTorchQnnpackTables.qnnpackHardswish(p.inputScale, (int) p.inputZeroPoint, p.outputScale,
            (int) p.outputZeroPoint)
        : PyTorchQnnpackTables.atenHardswish(p.inputScale, p.inputZeroPoint, p.outputScale, p.outputZeroPoint,
            p.storage);
    return lookUp(n, x, table);
  }

  static Tensor hardsigmoid(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    if (!x.type.isQuantized()) {
      Tensor y = floatResult(n, numerics, x);
      for (int i = 0; i < y.f32.length; i++) {
        y.f32[i] = clampZeroSix(x.f32[i] + 3.0f) / 6.0f;
      }
      return y;
    }
    Params p = Params.of(n, x.type, numerics);
    int[] table = p.qnnpack()
        ? PyTorchQnnpackTables.qnnpackHardsigmoid(p.inputScale, (int) p.inputZeroPoint)
        : PyTorchQnnpackTables.atenHardsigmoid(p.inputScale, p.inputZeroPoint, p.outputScale, p.outputZeroPoint,
            p.storage);
    return lookUp(n, x, table);
  }

  static Tensor sigmoid(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    if (!x.type.isQuantized()) {
      throw new UnsupportedOperationException("the interpreter does not run sigmoid on " + x.type
          + ": PyTorch's float sigmoid uses SLEEF's vectorized exp, which is not reproduced bit for bit");
    }
    Params p = Params.of(n, x.type, numerics);
    int[] table = p.qnnpack()
        ? PyTorchQnnpackTables.qnnpackSigmoid(p.inputScale, (int) p.inputZeroPoint)
        : PyTorchQnnpackTables.atenSigmoid(p.inputScale, p.inputZeroPoint, p.outputScale, p.outputZeroPoint,
            p.storage);
    return lookUp(n, x, table);
  }

  // ---------------------------------------------------------------- clamps

  private static Tensor clampBetween(Node n, Tensor x, Numerics numerics, OptionalDouble min, OptionalDouble max) {
    if (!x.type.isQuantized()) {
      return clampFloats(n, numerics, x, min.orElse(Double.NEGATIVE_INFINITY), max.orElse(Double.POSITIVE_INFINITY));
    }
    if (!numerics.isPyTorch()) {
      throw Interpreter.unsupported(n, numerics);
    }
    Quantization.PerTensor q = x.type.perTensor().orElseThrow();
    ElementType storage = x.type.elementType();
    // PyTorch converts each bound to float and quantizes it with the input's parameters. A missing
    // bound is the storage limit (quantizing an infinity would give qmin on x86, as PyTorch does).
    ClampBounds.Bounds b = ClampBounds.pytorchClamp((float) min.orElse(0.0), (float) max.orElse(0.0), q.scale(),
        q.zeroPoint(), storage);
    int lo = min.isPresent() ? b.min() : (int) storage.minValue();
    int hi = max.isPresent() ? b.max() : (int) storage.maxValue();
    Tensor y = clampInts(n, x, new ClampBounds.Bounds(lo, hi));
    return PyTorchLayout.permutesNhwcAsNchw(n, numerics) ? nhwcRelabelledAsNchw(y) : y;
  }

  /**
   * PyTorch 1.13's quint8 clamp on a channels-last tensor returns the NHWC data under NCHW indices
   * ({@link PyTorchLayout#permutesNhwcAsNchw}): element k of the result, in NCHW order, is element k
   * of the clamped tensor in NHWC order.
   */
  private static Tensor nhwcRelabelledAsNchw(Tensor y) {
    int[] d = y.shape().toArray();
    int n = d[0];
    int c = d[1];
    int h = d[2];
    int w = d[3];
    Tensor out = Tensor.zeros(y.type);
    int k = 0;
    for (int in = 0; in < n; in++) {
      for (int ih = 0; ih < h; ih++) {
        for (int iw = 0; iw < w; iw++) {
          for (int ic = 0; ic < c; ic++) {
            out.ints[k++] = y.ints[((in * c + ic) * h + ih) * w + iw];
          }
        }
      }
    }
    return out;
  }

  private static Tensor clampInts(Node n, Tensor x, ClampBounds.Bounds b) {
    Tensor y = Tensor.zeros(n.result().type());
    for (int i = 0; i < y.ints.length; i++) {
      y.ints[i] = Math.min(Math.max(x.ints[i], b.min()), b.max());
    }
    return y;
  }

  /**
   * PyTorch's float clamp: {@code v < min ? min : v}, then {@code v > max ? max : v}, so NaN passes
   * through and a -0.0 input stays -0.0 against a 0 bound (relu6(-0.0) is -0.0 in torch 1.13.1).
   * The bounds are converted to the tensor's float type first.
   */
  private static Tensor clampFloats(Node n, Numerics numerics, Tensor x, double min, double max) {
    Tensor y = Tensor.zeros(n.result().type());
    if (x.f32 != null) {
      float lo = (float) min;
      float hi = (float) max;
      for (int i = 0; i < y.f32.length; i++) {
        float v = x.f32[i];
        v = v < lo ? lo : v;
        y.f32[i] = v > hi ? hi : v;
      }
    } else if (x.f64 != null) {
      for (int i = 0; i < y.f64.length; i++) {
        double v = x.f64[i];
        v = v < min ? min : v;
        y.f64[i] = v > max ? max : v;
      }
    } else {
      throw Interpreter.unsupported(n, numerics);
    }
    return y;
  }

  // ---------------------------------------------------------------- tables and float helpers

  private static Tensor lookUp(Node n, Tensor x, int[] table) {
    Tensor y = Tensor.zeros(n.result().type());
    int qmin = (int) x.type.elementType().minValue();
    for (int i = 0; i < y.ints.length; i++) {
      y.ints[i] = table[x.ints[i] - qmin];
    }
    return y;
  }

  /** {@code std::min(std::max(v, 0.0f), 6.0f)}: NaN propagates, -0.0 stays -0.0. */
  private static float clampZeroSix(float v) {
    float atLeastZero = v < 0.0f ? 0.0f : v;
    return 6.0f < atLeastZero ? 6.0f : atLeastZero;
  }

  private static Tensor floatResult(Node n, Numerics numerics, Tensor x) {
    if (x.f32 == null) {
      throw Interpreter.unsupported(n, numerics);
    }
    return Tensor.zeros(n.result().type());
  }

  /** Quantized parameters of a table activation, and which table PyTorch builds. */
  private record Params(ElementType storage, boolean qnnpack, double inputScale, long inputZeroPoint,
      double outputScale, long outputZeroPoint) {
    static Params of(Node n, TensorType in, Numerics numerics) {
      ElementType storage = in.elementType();
      boolean pytorch = numerics.isPyTorch();
      if (!pytorch || !(storage == ElementType.U8 || storage == ElementType.I8)) {
        throw Interpreter.unsupported(n, numerics);
      }
      Quantization.PerTensor qi = in.perTensor().orElseThrow();
      Quantization.PerTensor qo = n.result().type().perTensor().orElseThrow();
      // Engine qnnpack sends quint8 to QNNPACK's table operators; everything else to ATen's kernels.
      boolean qnnpack = numerics == Numerics.PYTORCH_QNNPACK && storage == ElementType.U8;
      return new Params(storage, qnnpack, qi.scale(), qi.zeroPoint(), qo.scale(), qo.zeroPoint());
    }
  }
}
