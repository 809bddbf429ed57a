package dev.zeropoint.backends.interp;

import dev.zeropoint.backends.QuantizedOperands;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import dev.zeropoint.ir.numerics.PyTorchTensorIterator;
import dev.zeropoint.ir.numerics.Xnnpack;
import dev.zeropoint.ir.op.Attrs;
import java.util.List;

/**
 * requantize, add, mul and cat. Float operands: one IEEE operation per element (any flavour).
 * Plain integer operands: exact arithmetic; a result outside the element type is an error.
 * Quantized operands, flavour {@code pytorch-qnnpack}, as PyTorch 1.13.1 dispatches them:
 *
 * <ul>
 *   <li>add, quint8, equal shapes: QNNPACK's fixed point ({@link PyTorchQnnpack#add});
 *   <li>add, quint8, broadcast: ATen's dequantize-add-quantize, each element by the lambda PyTorch's
 *       loop gives it ({@link PyTorchAtenQuantized#floatAddScalar}, {@link
 *       PyTorchAtenQuantized#floatAddVectorized}, {@link PyTorchTensorIterator});
 *   <li>add, qint8, any shapes: XNNPACK ({@link Xnnpack#qs8Add});
 *   <li>mul, quint8 or qint8: ATen's integer product and float multiplier;
 *   <li>cat and requantize: dequantize, then quantize ({@link PyTorchAtenQuantized#requantize}).
 * </ul>
 *
 * A fused ReLU is a separate {@code relu} node; applying it afterwards gives the same integers for
 * every kernel here (each is monotonic and maps real 0 to the output zero point).
 */
final class ArithmeticKernels {
  private ArithmeticKernels() {}

  static Tensor requantize(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    TensorType out = n.result().type();
    if (numerics != Numerics.PYTORCH_QNNPACK) {
      throw Interpreter.unsupported(n, numerics);
    }
    Quantization qIn = x.type.quantization().orElseThrow();
    Quantization qOut = out.quantization().orElseThrow();
    int[] axisIn = QuantizeKernels.axisIndices(x.type, qIn);
    int[] axisOut = QuantizeKernels.axisIndices(out, qOut);
    Tensor r = Tensor.zeros(out);
    for (int i = 0; i < r.size(); i++) {
      int ci = axisIn == null ? 0 : axisIn[i];
      int co = axisOut == null ? 0 : axisOut[i];
      r.ints[i] = PyTorchAtenQuantized.requantize(x.ints[i], qIn.scaleAt(ci), qIn.zeroPointAt(ci),
          qOut.scaleAt(co), qOut.zeroPointAt(co),
          out.elementType());
    }
    return r;
  }

  // ---------------------------------------------------------------- add

  static Tensor add(Node n, List<Tensor> args, Numerics numerics) {
    Tensor a = args.get(0);
    Tensor b = args.get(1);
    TensorType out = n.result().type();
    if (!out.isQuantized()) {
      return elementwise(n, a, b, out, true);
    }
    QuantizedOperands q = QuantizedOperands.of(a.type, b.type, out, numerics)
        .orElseThrow(() -> Interpreter.unsupported(n, numerics));
    Tensor r = Tensor.zeros(out);
    if (q.storage() == ElementType.U8 && a.shape().equals(b.shape())) {
      PyTorchQnnpack.AddParams p = PyTorchQnnpack.addParams(q.a().scale(), q.zpA(), q.b().scale(), q.zpB(),
          q.out().scale(), q.zpOut(), false);
      for (int i = 0; i < r.size(); i++) {
        r.ints[i] = PyTorchQnnpack.add(a.ints[i], b.ints[i], p);
      }
      return r;
    }
    int[] ia = Broadcast.indices(out.shape(), a.shape());
    int[] ib = Broadcast.indices(out.shape(), b.shape());
    if (q.storage() == ElementType.I8) {
      Xnnpack.Qs8AddParams p = Xnnpack.qs8AddParams(q.a().scale(), q.zpA(), q.b().scale(), q.zpB(), q.out().scale(),
          q.zpOut());
      for (int i = 0; i < r.size(); i++) {
        r.ints[i] = Xnnpack.qs8Add(a.ints[Broadcast.at(ia, i)], b.ints[Broadcast.at(ib, i)], p);
      }
      return r;
    }
    PyTorchAtenQuantized.FloatAddParams p = PyTorchAtenQuantized.floatAddParams(q.a().scale(), q.zpA(), q.b().scale(),
        q.zpB(), q.out().scale(), q.zpOut(), q.storage());
    PyTorchTensorIterator.Partition split =
        PyTorchTensorIterator.binary(out.shape(), a.shape(), b.shape(), PyTorchTensorIterator.INT8_LANES);
    for (int i = 0; i < r.size(); i++) {
      int va = a.ints[Broadcast.at(ia, i)];
      int vb = b.ints[Broadcast.at(ib, i)];
      r.ints[i] = split.isVectorized(i)
          ? PyTorchAtenQuantized.floatAddVectorized(va, vb, p)
          : PyTorchAtenQuantized.floatAddScalar(va, vb, p);
    }
    return r;
  }

  // ---------------------------------------------------------------- mul

  static Tensor mul(Node n, List<Tensor> args, Numerics numerics) {
    Tensor a = args.get(0);
    Tensor b = args.get(1);
    TensorType out = n.result().type();
    if (!out.isQuantized()) {
      return elementwise(n, a, b, out, false);
    }
    QuantizedOperands q = QuantizedOperands.of(a.type, b.type, out, numerics)
        .orElseThrow(() -> Interpreter.unsupported(n, numerics));
    float multiplier = PyTorchAtenQuantized.mulMultiplier(q.a().scale(), q.b().scale(), q.out().scale());
    int[] ia = Broadcast.indices(out.shape(), a.shape());
    int[] ib = Broadcast.indices(out.shape(), b.shape());
    PyTorchTensorIterator.Partition split =
        PyTorchTensorIterator.binary(out.shape(), a.shape(), b.shape(), PyTorchTensorIterator.INT8_LANES);
    Tensor r = Tensor.zeros(out);
    for (int i = 0; i < r.size(); i++) {
      int va = a.ints[Broadcast.at(ia, i)];
      int vb = b.ints[Broadcast.at(ib, i)];
      r.ints[i] = split.isVectorized(i)
          ? PyTorchAtenQuantized.mulVectorized(va, q.zpA(), vb, q.zpB(), multiplier, q.zpOut(), q.storage())
          : PyTorchAtenQuantized.mulScalar(va, q.zpA(), vb, q.zpB(), multiplier, q.zpOut(), q.storage());
    }
    return r;
  }

  /** The lowered {@code mul_acc}: {@code (a - za) * (b - zb)} in int32, broadcasting. */
  static Tensor mulAcc(Node n, List<Tensor> args) {
    Attrs.MulAcc m = (Attrs.MulAcc) n.attrs();
    Tensor a = args.get(0);
    Tensor b = args.get(1);
    TensorType out = n.result().type();
    int[] ia = Broadcast.indices(out.shape(), a.shape());
    int[] ib = Broadcast.indices(out.shape(), b.shape());
    Tensor r = Tensor.zeros(out);
    for (int i = 0; i < r.size(); i++) {
      r.ints[i] = (a.ints[Broadcast.at(ia, i)] - m.aZeroPoint()) * (b.ints[Broadcast.at(ib, i)] - m.bZeroPoint());
    }
    return r;
  }

  /** The lowered {@code lookup}: {@code y = table[x - min]} with min the input element type's minimum. */
  static Tensor lookup(Node n, Tensor x) {
    Attrs.Lookup a = (Attrs.Lookup) n.attrs();
    var table = a.table();
    long min = x.type.elementType().minValue();
    Tensor r = Tensor.zeros(n.result().type());
    int[] dims = x.shape().toArray();
    int axis = a.perChannel() ? Math.floorMod(a.axis(), dims.length) : 0;
    long inner = 1;
    for (int d = axis + 1; a.perChannel() && d < dims.length; d++) {
      inner *= dims[d];
    }
    int size = a.perChannel() ? dims[axis] : 1;
    for (int i = 0; i < r.size(); i++) {
      int channel = a.perChannel() ? (int) ((i / inner) % size) : 0;
      r.ints[i] = table.get(256 * channel + (int) (x.ints[i] - min));
    }
    return r;
  }

  /**
   * The lowered {@code binary_lookup}: {@code y[i] = tables[t, a[i] - min, b[i] - min]} with the
   * operands broadcast, {@code t} 0 for the first {@code head} elements of each row of {@code row},
   * else the last table.
   */
  static Tensor binaryLookup(Node n, List<Tensor> args) {
    Attrs.BinaryLookup attrs = (Attrs.BinaryLookup) n.attrs();
    Tensor a = args.get(0);
    Tensor b = args.get(1);
    Tensor tables = args.get(2);
    TensorType out = n.result().type();
    int minA = (int) a.type.elementType().minValue();
    int minB = (int) b.type.elementType().minValue();
    int last = tables.shape().dim(0) - 1;
    int[] ia = Broadcast.indices(out.shape(), a.shape());
    int[] ib = Broadcast.indices(out.shape(), b.shape());
    Tensor r = Tensor.zeros(out);
    for (int i = 0; i < r.size(); i++) {
      int t = attrs.readsFirstTable(i) ? 0 : last;
      r.ints[i] = tables.ints[(t << 16) + ((a.ints[Broadcast.at(ia, i)] - minA) << 8)
          + (b.ints[Broadcast.at(ib, i)] - minB)];
    }
    return r;
  }

  // ---------------------------------------------------------------- float and plain integer add / mul

  private static Tensor elementwise(Node n, Tensor a, Tensor b, TensorType out, boolean add) {
    int[] ia = Broadcast.indices(out.shape(), a.shape());
    int[] ib = Broadcast.indices(out.shape(), b.shape());
    Tensor r = Tensor.zeros(out);
    int size = r.size();
    switch (out.elementType()) {
      case F32 -> {
        for (int i = 0; i < size; i++) {
          float x = a.f32[Broadcast.at(ia, i)];
          float y = b.f32[Broadcast.at(ib, i)];
          r.f32[i] = add ? x + y : x * y;
        }
      }
      case F64 -> {
        for (int i = 0; i < size; i++) {
          double x = a.f64[Broadcast.at(ia, i)];
          double y = b.f64[Broadcast.at(ib, i)];
          r.f64[i] = add ? x + y : x * y;
        }
      }
      case I64 -> {
        for (int i = 0; i < size; i++) {
          long x = a.i64[Broadcast.at(ia, i)];
          long y = b.i64[Broadcast.at(ib, i)];
          r.i64[i] = add ? Math.addExact(x, y) : Math.multiplyExact(x, y);
        }
      }
      case I8, U8, I16, I32 -> {
        ElementType e = out.elementType();
        for (int i = 0; i < size; i++) {
          long x = a.ints[Broadcast.at(ia, i)];
          long y = b.ints[Broadcast.at(ib, i)];
          long v = add ? x + y : x * y;
          if (v < e.minValue() || v > e.maxValue()) {
            throw new ArithmeticException(n.op().toString().toLowerCase() + " of plain integers: " + x
                + (add ? " + " : " * ") + y + " = " + v + " does not fit " + e);
          }
          r.ints[i] = (int) v;
        }
      }
    }
    return r;
  }

  // ---------------------------------------------------------------- cat

  static Tensor cat(Node n, List<Tensor> args, Numerics numerics) {
    TensorType out = n.result().type();
    Shape shape = out.shape();
    int axis = ((Attrs.Axis) n.attrs()).axis();
    if (axis < 0) {
      axis += shape.rank();
    }
    Quantization.PerTensor qo = null;
    boolean sameParameters = args.stream().allMatch(x -> x.type.elementType() == out.elementType()
        && x.type.quantization().equals(out.quantization()));
    if (out.isQuantized() && !sameParameters) {
      // Inputs with other parameters are requantized, as PyTorch's quantized cat does; with the
      // output's own parameters, cat moves integers in every flavour.
      qo = out.perTensor().orElse(null);
      if (numerics != Numerics.PYTORCH_QNNPACK || qo == null) {
        throw Interpreter.unsupported(n, numerics);
      }
      for (Tensor x : args) {
        if (x.type.perTensor().isEmpty() || x.type.elementType() != out.elementType()) {
          throw Interpreter.unsupported(n, numerics);
        }
      }
    }
    Tensor r = Tensor.zeros(out);
    int outer = Broadcast.product(shape, 0, axis);
    int inner = Broadcast.product(shape, axis + 1, shape.rank());
    int outRow = shape.dim(axis) * inner;
    int offset = 0;
    for (Tensor x : args) {
      int block = x.shape().dim(axis) * inner;
      Quantization.PerTensor qx = qo == null ? null : x.type.perTensor().orElse(null);
      for (int o = 0; o < outer; o++) {
        int src = o * block;
        int dst = o * outRow + offset;
        if (qx != null) {
          for (int i = 0; i < block; i++) {
            r.ints[dst + i] = PyTorchAtenQuantized.requantize(x.ints[src + i], qx.scale(), qx.zeroPoint(),
                qo.scale(), qo.zeroPoint(), out.elementType());
          }
        } else {
          copy(x, src, r, dst, block);
        }
      }
      offset += block;
    }
    return r;
  }

  private static void copy(Tensor from, int src, Tensor to, int dst, int length) {
    if (from.f32 != null) {
      System.arraycopy(from.f32, src, to.f32, dst, length);
    } else if (from.f64 != null) {
      System.arraycopy(from.f64, src, to.f64, dst, length);
    } else if (from.ints != null) {
      System.arraycopy(from.ints, src, to.ints, dst, length);
    } else {
      System.arraycopy(from.i64, src, to.i64, dst, length);
    }
  }
}
