package dev.zeropoint.backends.lowering;

import static dev.zeropoint.backends.lowering.KernelCall.constant;
import static dev.zeropoint.backends.lowering.KernelCall.imm;
import static dev.zeropoint.backends.lowering.KernelCall.operand;
import static dev.zeropoint.backends.lowering.KernelCall.result;

import dev.zeropoint.backends.IndexMaps;
import dev.zeropoint.backends.QuantizedOperands;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import dev.zeropoint.ir.numerics.PyTorchQnnpackTables;
import dev.zeropoint.ir.numerics.PyTorchTensorIterator;
import dev.zeropoint.ir.numerics.Xnnpack;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.runtime.kernels.Arithmetic;
import dev.zeropoint.runtime.kernels.Layout;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The lowering of add, mul, mul_acc, requantize, lookup, binary_lookup, cat, the table activations,
 * float clamps, permute, split / chunk and pad: the interpreter's semantics ({@code
 * backends.interp.ArithmeticKernels}, {@code ActivationKernels}, {@code LayoutKernels}) with every
 * parameter, table, broadcast index and PyTorch loop partition computed here, at compile time. A
 * combination the interpreter refuses is refused here too.
 */
final class ArithmeticLowering {
  private final String backend;

  ArithmeticLowering(String backend) {
    this.backend = backend;
  }

  private CompileException unsupported(Node n, String why) {
    return new CompileException(n.location(), "the " + backend + " backend does not run " + n.op().keyword() + " %"
        + n.results().get(0).name() + " yet" + (why.isEmpty() ? "" : ": " + why));
  }

  private static boolean isFloat(TensorType t) {
    return t.elementType() == ElementType.F32;
  }

  // ---------------------------------------------------------------- add, mul, mul_acc

  KernelCall add(Node n, Numerics numerics) throws CompileException {
    TensorType out = n.result().type();
    Shape sa = n.operand(0).type().shape();
    Shape sb = n.operand(1).type().shape();
    if (!out.isQuantized()) {
      return plain(n, true);
    }
    QuantizedOperands q = quantizedOperands(n, numerics);
    try {
      if (q.storage() == ElementType.U8 && sa.equals(sb)) {
        PyTorchQnnpack.AddParams p = PyTorchQnnpack.addParams(q.a().scale(), q.zpA(), q.b().scale(), q.zpB(),
            q.out().scale(), q.zpOut(), false);
        return KernelCall.of(Arithmetic.class, "addQnnpack", result(), operand(0), operand(1), imm(p.aMultiplier()),
            imm(p.bMultiplier()), imm(p.shift()), imm(p.zeroPointProduct()), imm(p.outputZeroPoint()),
            imm(p.outputMin()), imm(p.outputMax()));
      }
      if (q.storage() == ElementType.I8) {
        Xnnpack.Qs8AddParams p = Xnnpack.qs8AddParams(q.a().scale(), q.zpA(), q.b().scale(), q.zpB(), q.out().scale(),
            q.zpOut());
        if (sa.equals(out.shape()) && sb.equals(out.shape())) {
          return KernelCall.of(Arithmetic.class, "addXnnpack", result(), operand(0), operand(1),
              imm(p.aMultiplier()), imm(p.bMultiplier()), imm(p.shift()), imm(p.bias()), imm(p.outputZeroPoint()));
        }
        return KernelCall.of(Arithmetic.class, "addXnnpackBroadcast", result(), operand(0), operand(1),
            constant(IndexMaps.broadcast(out.shape(), sa)), constant(IndexMaps.broadcast(out.shape(), sb)), imm(p.aMultiplier()),
            imm(p.bMultiplier()), imm(p.shift()), imm(p.bias()), imm(p.outputZeroPoint()));
      }
    } catch (IllegalArgumentException e) {
      throw unsupported(n, e.getMessage());
    }
    PyTorchAtenQuantized.FloatAddParams p = PyTorchAtenQuantized.floatAddParams(q.a().scale(), q.zpA(), q.b().scale(),
        q.zpB(), q.out().scale(), q.zpOut(), q.storage());
    PyTorchTensorIterator.Partition split =
        PyTorchTensorIterator.binary(out.shape(), sa, sb, PyTorchTensorIterator.INT8_LANES);
    float[] f = {p.aScale(), p.aNegZeroPointTimesScale(), p.bScale(), p.bNegZeroPointTimesScale(), p.outputScale(),
        p.inverseOutputScale()};
    return KernelCall.of(Arithmetic.class, "addAtenFloatBroadcast", result(), operand(0), operand(1),
        constant(IndexMaps.broadcast(out.shape(), sa)), constant(IndexMaps.broadcast(out.shape(), sb)), constant(f), imm(p.aZeroPoint()),
        imm(p.bZeroPoint()), imm(p.outputZeroPoint()), imm(q.storage().ordinal()), imm(rowLength(split)),
        imm(Math.toIntExact(split.vectorizedPerRow())));
  }

  KernelCall mul(Node n, Numerics numerics) throws CompileException {
    TensorType out = n.result().type();
    Shape sa = n.operand(0).type().shape();
    Shape sb = n.operand(1).type().shape();
    if (!out.isQuantized()) {
      return plain(n, false);
    }
    QuantizedOperands q = quantizedOperands(n, numerics);
    float multiplier = PyTorchAtenQuantized.mulMultiplier(q.a().scale(), q.b().scale(), q.out().scale());
    PyTorchTensorIterator.Partition split =
        PyTorchTensorIterator.binary(out.shape(), sa, sb, PyTorchTensorIterator.INT8_LANES);
    return KernelCall.of(Arithmetic.class, "mulAtenBroadcast", result(), operand(0), operand(1),
        constant(IndexMaps.broadcast(out.shape(), sa)), constant(IndexMaps.broadcast(out.shape(), sb)), imm(q.zpA()), imm(q.zpB()),
        imm(Float.floatToRawIntBits(multiplier)), imm(q.zpOut()), imm(q.storage().ordinal()), imm(rowLength(split)),
        imm(Math.toIntExact(split.vectorizedPerRow())));
  }

  private static int rowLength(PyTorchTensorIterator.Partition p) {
    return Math.toIntExact(Math.max(1, p.rowLength()));
  }

  /** Float (one IEEE operation per element) or plain integer (exact, checked) add / mul. */
  private KernelCall plain(Node n, boolean add) throws CompileException {
    TensorType out = n.result().type();
    Shape sa = n.operand(0).type().shape();
    Shape sb = n.operand(1).type().shape();
    boolean same = sa.equals(out.shape()) && sb.equals(out.shape());
    String op = add ? "add" : "mul";
    if (isFloat(out)) {
      if (!isFloat(n.operand(0).type()) || !isFloat(n.operand(1).type())) {
        throw unsupported(n, "mixed element types");
      }
      return same ? KernelCall.of(Arithmetic.class, op + "F32", result(), operand(0), operand(1))
          : KernelCall.of(Arithmetic.class, op + "F32Broadcast", result(), operand(0), operand(1),
              constant(IndexMaps.broadcast(out.shape(), sa)), constant(IndexMaps.broadcast(out.shape(), sb)));
    }
    ElementType e = out.elementType();
    if (!e.isQuantizedStorage()) {
      throw unsupported(n, op + " of " + e);
    }
    return KernelCall.of(Arithmetic.class, op + "IntBroadcast", result(), operand(0), operand(1),
        constant(IndexMaps.broadcast(out.shape(), sa)), constant(IndexMaps.broadcast(out.shape(), sb)), imm((int) e.minValue()),
        imm((int) e.maxValue()));
  }

  KernelCall mulAcc(Node n) {
    Attrs.MulAcc m = (Attrs.MulAcc) n.attrs();
    Shape out = n.result().type().shape();
    Shape sa = n.operand(0).type().shape();
    Shape sb = n.operand(1).type().shape();
    if (sa.equals(out) && sb.equals(out)) {
      return KernelCall.of(Arithmetic.class, "mulAcc", result(), operand(0), operand(1), imm(m.aZeroPoint()),
          imm(m.bZeroPoint()));
    }
    return KernelCall.of(Arithmetic.class, "mulAccBroadcast", result(), operand(0), operand(1),
        constant(IndexMaps.broadcast(out, sa)), constant(IndexMaps.broadcast(out, sb)), imm(m.aZeroPoint()), imm(m.bZeroPoint()));
  }

  private QuantizedOperands quantizedOperands(Node n, Numerics numerics) throws CompileException {
    return QuantizedOperands.of(n.operand(0).type(), n.operand(1).type(), n.result().type(), numerics)
        .orElseThrow(() -> unsupported(n, "only per-tensor quint8 / qint8 in pytorch-qnnpack (as the interpreter)"));
  }

  // ---------------------------------------------------------------- requantize, lookups, activations

  KernelCall requantize(Node n, Numerics numerics) throws CompileException {
    if (numerics != Numerics.PYTORCH_QNNPACK) {
      throw unsupported(n, "requantize in numerics " + numerics + " (as the interpreter: pytorch-qnnpack only)");
    }
    TensorType in = n.operand(0).type();
    TensorType out = n.result().type();
    Lowering.Params pi = Lowering.Params.of(in);
    Lowering.Params po = Lowering.Params.of(out);
    return KernelCall.of(Arithmetic.class, "requantize", result(), operand(0), constant(pi.scales()),
        constant(pi.zeroPoints()), imm(pi.inner()), constant(po.scales()), constant(po.zeroPoints()), imm(po.inner()),
        imm(out.elementType().ordinal()));
  }

  KernelCall lookup(Node n) {
    Attrs.Lookup a = (Attrs.Lookup) n.attrs();
    TensorType x = n.operand(0).type();
    int min = (int) x.elementType().minValue();
    int[] table = a.table().toArray();
    if (!a.perChannel()) {
      return KernelCall.of(Arithmetic.class, "lookup", result(), operand(0), constant(table), imm(min));
    }
    int[] dims = x.shape().toArray();
    int axis = Math.floorMod(a.axis(), dims.length);
    int inner = 1;
    for (int d = axis + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    return KernelCall.of(Arithmetic.class, "lookupPerChannel", result(), operand(0), constant(table), imm(min),
        imm(Math.max(1, inner)), imm(dims[axis]));
  }

  KernelCall binaryLookup(Node n) {
    Attrs.BinaryLookup attrs = (Attrs.BinaryLookup) n.attrs();
    Shape out = n.result().type().shape();
    TensorType a = n.operand(0).type();
    TensorType b = n.operand(1).type();
    int last = n.operand(2).type().shape().dim(0) - 1;
    return KernelCall.of(Arithmetic.class, "binaryLookupBroadcast", result(), operand(0), operand(1), operand(2),
        constant(IndexMaps.broadcast(out, a.shape())), constant(IndexMaps.broadcast(out, b.shape())), imm((int) a.elementType().minValue()),
        imm((int) b.elementType().minValue()), imm(attrs.row()), imm(attrs.head()), imm(last));
  }

  /** hardswish, hardsigmoid, sigmoid: a table of PyTorch's 256 results, or the float formula. */
  KernelCall activation(Node n, Numerics numerics) throws CompileException {
    TensorType x = n.operand(0).type();
    if (!x.isQuantized()) {
      if (!isFloat(x) || n.op() == dev.zeropoint.ir.op.Op.SIGMOID) {
        throw unsupported(n, "float " + n.op().keyword() + " of " + x.elementType()
            + " (the interpreter does not run it either)");
      }
      String kernel = n.op() == dev.zeropoint.ir.op.Op.HARDSWISH ? "hardswishF32" : "hardsigmoidF32";
      return KernelCall.of(Arithmetic.class, kernel, result(), operand(0));
    }
    ElementType storage = x.elementType();
    if (!numerics.isPyTorch() || !(storage == ElementType.U8 || storage == ElementType.I8)) {
      throw unsupported(n, "only quint8 / qint8 in the PyTorch flavours");
    }
    Quantization.PerTensor qi = x.perTensor().orElseThrow();
    Quantization.PerTensor qo = n.result().type().perTensor().orElseThrow();
    boolean qnnpack = numerics == Numerics.PYTORCH_QNNPACK && storage == ElementType.U8;
    double si = qi.scale();
    long zi = qi.zeroPoint();
    double so = qo.scale();
    long zo = qo.zeroPoint();
    int[] table = switch (n.op()) {
      case HARDSWISH -> qnnpack ? PyTorchQnnpackTables.qnnpackHardswish(si, (int) zi, so, (int) zo)
          : PyTorchQnnpackTables.atenHardswish(si, zi, so, zo, storage);
      case HARDSIGMOID -> qnnpack ? PyTorchQnnpackTables.qnnpackHardsigmoid(si, (int) zi)
          : PyTorchQnnpackTables.atenHardsigmoid(si, zi, so, zo, storage);
      default -> qnnpack ? PyTorchQnnpackTables.qnnpackSigmoid(si, (int) zi)
          : PyTorchQnnpackTables.atenSigmoid(si, zi, so, zo, storage);
    };
    return KernelCall.of(Arithmetic.class, "lookup", result(), operand(0), constant(table),
        imm((int) storage.minValue()));
  }

  /** relu, relu6, hardtanh, clamp of f32: PyTorch's float clamp with the bounds converted to float. */
  KernelCall floatClamp(Node n) throws CompileException {
    TensorType x = n.operand(0).type();
    if (!isFloat(x)) {
      throw unsupported(n, "clamp of " + x.elementType());
    }
    double min;
    double max;
    switch (n.op()) {
      case RELU -> {
        min = 0.0;
        max = Double.POSITIVE_INFINITY;
      }
      case RELU6 -> {
        min = 0.0;
        max = 6.0;
      }
      case HARDTANH -> {
        Attrs.Hardtanh h = (Attrs.Hardtanh) n.attrs();
        min = h.min();
        max = h.max();
      }
      default -> {
        Attrs.Clamp c = (Attrs.Clamp) n.attrs();
        OptionalDouble lo = c.min();
        OptionalDouble hi = c.max();
        min = lo.orElse(Double.NEGATIVE_INFINITY);
        max = hi.orElse(Double.POSITIVE_INFINITY);
      }
    }
    return KernelCall.of(Arithmetic.class, "clampF32", result(), operand(0),
        constant(new float[] {(float) min, (float) max}));
  }

  // ---------------------------------------------------------------- layout

  KernelCall permute(Node n) {
    TensorType x = n.operand(0).type();
    TensorType out = n.result().type();
    int[] source = IndexMaps.permute(x.shape(), out.shape(), ((Attrs.Permute) n.attrs()).dims());
    return KernelCall.of(Layout.class, isFloat(out) ? "gatherFloats" : "gatherInts", result(), operand(0),
        constant(source));
  }

  KernelCall split(Node n) {
    TensorType x = n.operand(0).type();
    int axis = switch (n.attrs()) {
      case Attrs.Split s -> s.axis();
      case Attrs.Chunk c -> c.axis();
      default -> throw new IllegalStateException(n.attrs().toString());
    };
    int[] dims = x.shape().toArray();
    axis = Math.floorMod(axis, dims.length);
    int outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= dims[d];
    }
    int inner = 1;
    for (int d = axis + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    List<Value> results = n.results();
    int[] blocks = new int[results.size()];
    for (int p = 0; p < blocks.length; p++) {
      blocks[p] = results.get(p).type().shape().dim(axis) * inner;
    }
    return KernelCall.of(Layout.class, isFloat(x) ? "splitFloats" : "splitInts", new KernelCall.Results(),
        operand(0), constant(blocks), imm(outer));
  }

  KernelCall cat(Node n, Numerics numerics) throws CompileException {
    TensorType out = n.result().type();
    Shape shape = out.shape();
    int axis = Math.floorMod(((Attrs.Axis) n.attrs()).axis(), shape.rank());
    int outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= shape.dim(d);
    }
    int inner = 1;
    for (int d = axis + 1; d < shape.rank(); d++) {
      inner *= shape.dim(d);
    }
    List<Value> xs = n.operands();
    int[] blocks = new int[xs.size()];
    for (int k = 0; k < blocks.length; k++) {
      blocks[k] = xs.get(k).type().shape().dim(axis) * inner;
    }
    if (!out.isQuantized()) {
      return KernelCall.of(Layout.class, isFloat(out) ? "catFloats" : "catInts", result(), new KernelCall.Operands(),
          constant(blocks), imm(outer));
    }
    Quantization.PerTensor qo = out.perTensor().orElse(null);
    if (xs.stream().allMatch(v -> v.type().elementType() == out.elementType()
        && v.type().quantization().equals(out.quantization()))) {
      // Inputs with the output's own parameters: the cat moves integers, in every flavour.
      return KernelCall.of(Layout.class, "catInts", result(), new KernelCall.Operands(), constant(blocks), imm(outer));
    }
    if (numerics != Numerics.PYTORCH_QNNPACK || qo == null) {
      throw unsupported(n, "quantized cat of inputs with other parameters needs pytorch-qnnpack and per-tensor "
          + "parameters");
    }
    double[] scales = new double[xs.size() + 1];
    long[] zeroPoints = new long[xs.size() + 1];
    for (int k = 0; k < xs.size(); k++) {
      TensorType t = xs.get(k).type();
      Quantization.PerTensor q = t.perTensor().orElse(null);
      if (q == null || t.elementType() != out.elementType()) {
        throw unsupported(n, "quantized cat of mixed or per-axis inputs");
      }
      scales[k] = q.scale();
      zeroPoints[k] = q.zeroPoint();
    }
    scales[xs.size()] = qo.scale();
    zeroPoints[xs.size()] = qo.zeroPoint();
    boolean same = true;
    for (int k = 0; k < xs.size(); k++) {
      same &= scales[k] == qo.scale() && zeroPoints[k] == qo.zeroPoint();
    }
    if (same) {
      // Every input already has the output's parameters: requantizing q from (s, z) to (s, z) in
      // float is q again (|q - z| <= 65535 keeps the float error under 0.02, far from a tie), so
      // the cat is a copy, and needs no float.
      return KernelCall.of(Layout.class, "catInts", result(), new KernelCall.Operands(), constant(blocks), imm(outer));
    }
    return KernelCall.of(Layout.class, "catQuantized", result(), new KernelCall.Operands(), constant(blocks),
        imm(outer), constant(scales), constant(zeroPoints), imm(out.elementType().ordinal()));
  }

  KernelCall pad(Node n, Numerics numerics) throws CompileException {
    TensorType x = n.operand(0).type();
    TensorType out = n.result().type();
    Attrs.Pad a = (Attrs.Pad) n.attrs();
    var pads = a.pads();
    double value = a.value();
    int fill;
    if (isFloat(out)) {
      fill = Float.floatToRawIntBits((float) value);
    } else if (out.isQuantized()) {
      Quantization.PerTensor q = out.perTensor().orElseThrow();
      if (value == 0.0) {
        fill = (int) q.zeroPoint();
      } else if (numerics.isPyTorch()) {
        fill = (int) PyTorchQnnpack.quantize((float) value, q.scale(), q.zeroPoint(), out.elementType());
      } else {
        throw unsupported(n, "a quantized pad value other than 0 needs a PyTorch flavour");
      }
    } else {
      fill = (int) value;
    }
    int rank = out.rank();
    int size = Math.toIntExact(x.shape().numElements());
    int row;
    int[] targets;
    if (size == 0) {
      row = 0;
      targets = new int[0];
    } else if (rank == 0) {
      row = 1;
      targets = new int[] {0};
    } else {
      int[] inDims = x.shape().toArray();
      long[] outStrides = out.shape().strides();
      row = inDims[rank - 1];
      int rows = size / row;
      targets = new int[rows];
      int[] index = new int[rank - 1];
      for (int r = 0; r < rows; r++) {
        long target = pads.get(rank - 1);
        for (int d = 0; d < rank - 1; d++) {
          target += (index[d] + pads.get(d)) * outStrides[d];
        }
        targets[r] = Math.toIntExact(target);
        for (int d = rank - 2; d >= 0; d--) {
          if (++index[d] < inDims[d]) {
            break;
          }
          index[d] = 0;
        }
      }
    }
    return KernelCall.of(Layout.class, isFloat(out) ? "padFloats" : "padInts", result(), operand(0), imm(fill),
        constant(targets), imm(row));
  }
}
