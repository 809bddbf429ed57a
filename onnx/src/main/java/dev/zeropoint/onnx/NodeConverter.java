package dev.zeropoint.onnx;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.onnx.proto.OnnxModel.AttributeProto;
import dev.zeropoint.onnx.proto.OnnxModel.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Converts one ONNX node at a time into IR ops. Each supported op's mapping is a method below;
 * what an op does not support (an attribute value, an input that must be a constant) is an error
 * naming the node, its op and the opset.
 */
final class NodeConverter {
  private final OnnxImporter.Run run;
  private final ContribOps contrib = new ContribOps(this);
  private NodeProto node;
  private Map<String, AttributeProto> attrs = Map.of();

  NodeConverter(OnnxImporter.Run run) {
    this.run = run;
  }

  void convert(NodeProto n) throws OnnxException {
    this.node = n;
    this.attrs = new HashMap<>();
    for (AttributeProto a : n.getAttributeList()) {
      if (a.hasRefAttrName() && !a.getRefAttrName().isEmpty()) {
        throw fail("attribute '" + a.getName() + "' refers to a function attribute, which Zeropoint does not support");
      }
      attrs.put(a.getName(), a);
    }
    String domain = n.getDomain();
    boolean onnx = domain.isEmpty() || domain.equals("ai.onnx");
    try {
      if (domain.equals(ContribOps.DOMAIN) && ContribOps.OPS.contains(n.getOpType())) {
        contrib.convert(n.getOpType());
        return;
      }
      if (!onnx) {
        throw fail("unsupported op " + domain + "." + n.getOpType());
      }
      switch (n.getOpType()) {
        case "Constant" -> constantNode();
        case "Identity" -> identity();
        case "Dropout" -> dropout();
        case "Cast" -> cast();
        case "Shape" -> shapeOf();
        case "ConstantOfShape" -> constantOfShape();
        case "QuantizeLinear" -> quantizeLinear();
        case "DequantizeLinear" -> dequantizeLinear();
        case "QLinearConv" -> qlinearConv();
        case "QLinearMatMul" -> qlinearMatMul();
        case "ConvInteger" -> convInteger();
        case "MatMulInteger" -> matMulInteger();
        case "Conv" -> conv();
        case "Gemm" -> gemm();
        case "MatMul" -> emit(Op.MATMUL, Attrs.None.INSTANCE, List.of(value(0), value(1)), Optional.empty());
        case "Relu" -> emit(Op.RELU, Attrs.None.INSTANCE, List.of(value(0)), Optional.empty());
        case "Sigmoid" -> emit(Op.SIGMOID, Attrs.None.INSTANCE, List.of(value(0)), Optional.empty());
        case "Clip" -> clip();
        case "Add" -> emit(Op.ADD, Attrs.None.INSTANCE, List.of(value(0), value(1)), Optional.empty());
        case "Mul" -> emit(Op.MUL, Attrs.None.INSTANCE, List.of(value(0), value(1)), Optional.empty());
        case "MaxPool" -> maxPool();
        case "AveragePool" -> averagePool();
        case "GlobalAveragePool" -> globalAveragePool();
        case "Flatten" -> flatten();
        case "Reshape" -> reshape();
        case "Squeeze", "Unsqueeze" -> squeeze(n.getOpType().equals("Unsqueeze"));
        case "Transpose" -> transpose();
        case "Concat" -> concat();
        case "BatchNormalization" -> batchNorm();
        case "Pad" -> pad();
        case "Gather" -> gather();
        default -> throw fail("unsupported op " + n.getOpType());
      }
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw fail(e.getMessage());
    }
  }

  // ------------------------------------------------------------------ context

  OnnxException fail(String message) {
    String name = node.getName().isEmpty() ? "" : " '" + node.getName() + "'";
    String opset = !node.getDomain().equals(ContribOps.DOMAIN) ? "opset " + run.opset
        : run.msOpset < 0 ? ContribOps.DOMAIN : ContribOps.DOMAIN + " opset " + run.msOpset;
    return new OnnxException("node" + name + " (" + node.getOpType() + ", " + opset + "): " + message);
  }

  OnnxImporter.Run run() {
    return run;
  }

  int inputCount() {
    int n = node.getInputCount();
    while (n > 0 && node.getInput(n - 1).isEmpty()) {
      n--;
    }
    return n;
  }

  boolean hasInput(int i) {
    return i < node.getInputCount() && !node.getInput(i).isEmpty();
  }

  String in(int i) throws OnnxException {
    if (!hasInput(i)) {
      throw fail("input " + i + " is missing");
    }
    return run.resolve(node.getInput(i));
  }

  String out() throws OnnxException {
    if (node.getOutputCount() == 0 || node.getOutput(0).isEmpty()) {
      throw fail("has no output");
    }
    for (int i = 1; i < node.getOutputCount(); i++) {
      if (!node.getOutput(i).isEmpty()) {
        throw fail("output " + i + " ('" + node.getOutput(i) + "') is not supported; only the first output is");
      }
    }
    return node.getOutput(0);
  }

  Value value(int i) throws OnnxException {
    return run.value(in(i));
  }

  TensorData constant(int i, String what) throws OnnxException {
    String name = in(i);
    return run.constant(name).orElseThrow(() -> fail(what + " ('" + name + "') must be a constant"
        + (run.isPendingInput(name) ? " (an initializer); it is a graph input" : "; it is computed by the graph")));
  }

  Optional<TensorData> optionalConstant(int i, String what) throws OnnxException {
    return hasInput(i) ? Optional.of(constant(i, what)) : Optional.empty();
  }

  void define(Value v) throws OnnxException {
    run.values.put(out(), v);
  }

  private void defineConstant(TensorData d) throws OnnxException {
    run.constants.put(out(), d);
  }

  Value emit(Op op, Attrs a, List<Value> operands, Optional<TensorType> type) throws OnnxException {
    try {
      String name = run.names.value(out(), run.builder::isDefined);
      Value v = run.builder.add(op, operands, a, type.map(List::of).orElse(List.of()), List.of(name),
          SourceLocation.UNKNOWN).get(0);
      define(v);
      return v;
    } catch (TypeError e) {
      throw fail(e.getMessage());
    }
  }

  Value emitAnonymous(Op op, Attrs a, List<Value> operands) throws OnnxException {
    return emitAnonymous(op, a, operands, Optional.empty());
  }

  /** An op with an unnamed result ({@code type}: its written result type, if any). */
  Value emitAnonymous(Op op, Attrs a, List<Value> operands, Optional<TensorType> type) throws OnnxException {
    try {
      return run.builder.add(op, operands, a, type.map(List::of).orElse(List.of()), List.of(), SourceLocation.UNKNOWN)
          .get(0);
    } catch (TypeError e) {
      throw fail(e.getMessage());
    }
  }

  // ------------------------------------------------------------------ attributes

  Optional<AttributeProto> attr(String name) {
    return Optional.ofNullable(attrs.get(name));
  }

  long intAttr(String name, long def) {
    return attr(name).map(AttributeProto::getI).orElse(def);
  }

  float floatAttr(String name, float def) {
    return attr(name).map(AttributeProto::getF).orElse(def);
  }

  String stringAttr(String name, String def) {
    return attr(name).map(a -> a.getS().toStringUtf8()).orElse(def);
  }

  private Optional<long[]> intsAttr(String name) {
    return attr(name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray());
  }

  int[] intsAttr(String name, int[] def) throws OnnxException {
    Optional<long[]> v = intsAttr(name);
    if (v.isEmpty()) {
      return def;
    }
    return toInts(v.get(), name);
  }

  private int[] toInts(long[] v, String what) throws OnnxException {
    int[] r = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) {
        throw fail(what + " value " + v[i] + " is out of range");
      }
      r[i] = (int) v[i];
    }
    return r;
  }

  /** {@code v} as ints (each must fit: ArithmeticException otherwise, reported as the node's error). */
  static ImmutableIntArray intArray(long[] v) {
    return ImmutableIntArray.copyOf(Arrays.stream(v).mapToInt(Math::toIntExact).toArray());
  }

  static long[] longs(TensorData d) {
    long[] r = new long[Math.toIntExact(d.size())];
    for (int i = 0; i < r.length; i++) {
      r[i] = d.getLong(i);
    }
    return r;
  }

  static double[] doubles(TensorData d) {
    double[] r = new double[Math.toIntExact(d.size())];
    for (int i = 0; i < r.length; i++) {
      r[i] = d.elementType().isFloat() ? d.getDouble(i) : d.getLong(i);
    }
    return r;
  }

  Shape shapeOf(String name) throws OnnxException {
    Optional<TensorData> c = run.constant(name);
    if (c.isPresent()) {
      return c.get().shape();
    }
    if (run.isPendingInput(name)) {
      return run.pendingInputShape(name);
    }
    return run.value(name).type().shape();
  }

  int axis(long axis, int rank, String what) throws OnnxException {
    long a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw fail(what + " " + axis + " is outside a tensor of rank " + rank);
    }
    return (int) a;
  }

  // ------------------------------------------------------------------ constants and casts

  private void constantNode() throws OnnxException {
    if (attrs.size() != 1) {
      throw fail("needs exactly one value attribute, has " + attrs.keySet());
    }
    AttributeProto a = attrs.values().iterator().next();
    TensorData d = switch (a.getName()) {
      case "value" -> OnnxTensors.read(a.getT(), run.dir);
      case "value_float" -> TensorData.ofFloats(Shape.of(), a.getF());
      case "value_floats" -> {
        float[] f = new float[a.getFloatsCount()];
        for (int i = 0; i < f.length; i++) {
          f[i] = a.getFloats(i);
        }
        yield TensorData.ofFloats(Shape.of(f.length), f);
      }
      case "value_int" -> TensorData.ofLongs(ElementType.I64, Shape.of(), a.getI());
      case "value_ints" -> TensorData.ofLongs(ElementType.I64, Shape.of(a.getIntsCount()),
          a.getIntsList().stream().mapToLong(Long::longValue).toArray());
      default -> throw fail("constant attribute '" + a.getName() + "' is not supported");
    };
    defineConstant(d);
  }

  private void identity() throws OnnxException {
    String x = in(0);
    if (run.isPendingInput(x)) {
      run.aliases.put(out(), x); // the input's type is decided where it is used
      return;
    }
    Optional<TensorData> c = run.constant(x);
    if (c.isPresent()) {
      defineConstant(c.get());
    } else {
      define(run.value(x));
    }
  }

  /** Dropout in inference: the identity; its mask output and training mode are not supported. */
  private void dropout() throws OnnxException {
    if (hasInput(2)) {
      TensorData training = constant(2, "training_mode");
      if (training.size() != 1 || training.getLong(0) != 0) {
        throw fail("training mode is not supported (Zeropoint compiles inference)");
      }
    }
    if (node.getOutputCount() > 1 && !node.getOutput(1).isEmpty()) {
      throw fail("the mask output ('" + node.getOutput(1) + "') is not supported");
    }
    identity();
  }

  private void cast() throws OnnxException {
    int to = (int) intAttr("to", -1);
    ElementType target = OnnxTensors.elementType(to)
        .orElseThrow(() -> fail("cast to " + OnnxTensors.typeName(to) + " is not supported"));
    String x = in(0);
    Optional<TensorData> c = run.constant(x);
    if (c.isPresent()) {
      defineConstant(convert(c.get(), target, to == 9));
      return;
    }
    if (run.isPendingInput(x) && run.pendingInputElementType(x).orElse(null) == target) {
      run.aliases.put(out(), x); // a no-op cast of an input: its type is decided where it is used
      return;
    }
    Value v = run.value(x);
    if (v.type().elementType() != target) {
      throw fail("a cast of a computed " + v.type() + " to " + target + " is not supported");
    }
    define(v);
  }

  /** A constant converted as a C cast would (saturation is not defined by ONNX; values here fit). */
  private TensorData convert(TensorData d, ElementType target, boolean toBool) {
    Shape s = d.shape();
    int n = Math.toIntExact(d.size());
    if (target.isFloat()) {
      double[] v = doubles(d);
      return TensorData.ofDoubles(target, s, v);
    }
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      double x = d.elementType().isFloat() ? d.getDouble(i) : d.getLong(i);
      long y = d.elementType().isFloat() ? (long) x : d.getLong(i);
      if (toBool) {
        y = x != 0 ? 1 : 0;
      }
      if (y < target.minValue() || y > target.maxValue()) {
        throw new IllegalArgumentException("cast of constant value " + x + " to " + target + " overflows");
      }
      v[i] = y;
    }
    return TensorData.ofLongs(target, s, v);
  }

  private void shapeOf() throws OnnxException {
    int[] dims = shapeOf(in(0)).toArray();
    int start = (int) intAttr("start", 0);
    int end = (int) intAttr("end", dims.length);
    start = Math.max(0, Math.min(dims.length, start < 0 ? start + dims.length : start));
    end = Math.max(start, Math.min(dims.length, end < 0 ? end + dims.length : end));
    long[] v = new long[end - start];
    for (int i = start; i < end; i++) {
      v[i - start] = dims[i];
    }
    defineConstant(TensorData.ofLongs(ElementType.I64, Shape.of(v.length), v));
  }

  private void constantOfShape() throws OnnxException {
    int[] dims = toInts(longs(constant(0, "shape")), "shape");
    TensorData fill = attr("value").isPresent() ? OnnxTensors.read(attr("value").get().getT(), run.dir)
        : TensorData.ofFloats(Shape.of(1), 0f);
    if (fill.size() != 1) {
      throw fail("value must hold one element, has " + fill.size());
    }
    Shape s = Shape.of(dims);
    int n = Math.toIntExact(s.numElements());
    if (fill.elementType().isFloat()) {
      double[] v = new double[n];
      Arrays.fill(v, fill.getDouble(0));
      defineConstant(TensorData.ofDoubles(fill.elementType(), s, v));
    } else {
      long[] v = new long[n];
      Arrays.fill(v, fill.getLong(0));
      defineConstant(TensorData.ofLongs(fill.elementType(), s, v));
    }
  }

  private void gather() throws OnnxException {
    TensorData data = constant(0, "data (Gather runs on constants only)");
    TensorData idx = constant(1, "indices (Gather runs on constants only)");
    if (data.shape().rank() != 1 || idx.shape().rank() > 1) {
      throw fail("Gather is supported on one-dimensional constants only");
    }
    int n = data.shape().dim(0);
    long[] ix = longs(idx);
    double[] out = new double[ix.length];
    long[] outL = new long[ix.length];
    for (int i = 0; i < ix.length; i++) {
      long j = ix[i] < 0 ? ix[i] + n : ix[i];
      if (j < 0 || j >= n) {
        throw fail("index " + ix[i] + " is outside " + n + " elements");
      }
      if (data.elementType().isFloat()) {
        out[i] = data.getDouble(j);
      } else {
        outL[i] = data.getLong(j);
      }
    }
    Shape s = idx.shape();
    defineConstant(data.elementType().isFloat() ? TensorData.ofDoubles(data.elementType(), s, out)
        : TensorData.ofLongs(data.elementType(), s, outL));
  }

  // ------------------------------------------------------------------ quantization

  /** Storage and parameters of a QuantizeLinear / DequantizeLinear or a QLinear op's operand. */
  record QParams(ElementType storage, Quantization q) {}

  /**
   * Reads a scale and an optional zero point (constants). A scale with more than one element is
   * per axis along {@code axis} of a tensor of {@code shape}.
   */
  QParams qparams(int scaleInput, int zpInput, Shape shape, long axisAttr, ElementType defaultStorage,
      String what) throws OnnxException {
    TensorData s = constant(scaleInput, what + " scale");
    if (!s.elementType().isFloat()) {
      throw fail(what + " scale must be float, got " + s.elementType());
    }
    Optional<TensorData> zp = optionalConstant(zpInput, what + " zero point");
    ElementType storage = zp.map(TensorData::elementType).orElse(defaultStorage);
    if (!storage.isQuantizedStorage()) {
      throw fail(what + " zero point of type " + storage + " is not supported");
    }
    double[] scales = doubles(s);
    long[] zps = zp.map(NodeConverter::longs).orElse(new long[scales.length]);
    if (zp.isPresent() && zps.length != scales.length) {
      throw fail(what + " has " + scales.length + " scales but " + zps.length + " zero points");
    }
    if (scales.length == 0) {
      throw fail(what + " scale is empty");
    }
    boolean perAxis = s.shape().rank() >= 1 && scales.length > 1;
    if (!perAxis) {
      return new QParams(storage, new Quantization.PerTensor(scales[0], zps[0]));
    }
    int ax = axis(axisAttr, shape.rank(), what + " axis");
    if (shape.dim(ax) != scales.length) {
      throw fail(what + " has " + scales.length + " scales for dimension " + ax + " of size " + shape.dim(ax));
    }
    return new QParams(storage, new Quantization.PerAxis(ax, ImmutableDoubleArray.copyOf(scales),
        ImmutableLongArray.copyOf(zps)));
  }

  static TensorType quantizedType(QParams p, Shape shape) {
    return new TensorType(p.storage(), shape, Optional.of(p.q()));
  }

  /**
   * The operand named by input {@code i} as a quantized tensor with parameters {@code p}: a constant
   * takes the type, a graph input is created with it, a computed value must already have it.
   */
  Value quantizedOperand(int i, QParams p, String what) throws OnnxException {
    String name = in(i);
    if (run.isConstant(name)) {
      TensorData d = run.constant(name).orElseThrow();
      if (d.elementType() != p.storage()) {
        throw fail(what + " holds " + d.elementType() + " but its zero point is " + p.storage());
      }
      return run.materialize(name, Optional.of(quantizedType(p, d.shape())));
    }
    if (run.isPendingInput(name)) {
      ElementType declared = run.pendingInputElementType(name).orElse(p.storage());
      if (declared != p.storage()) {
        throw fail(what + " ('" + name + "') is declared " + declared + " but its zero point is " + p.storage());
      }
      return run.input(name, Optional.of(quantizedType(p, run.pendingInputShape(name))));
    }
    Value v = run.value(name);
    TensorType t = v.type();
    if (t.elementType() != p.storage() || !t.quantization().equals(Optional.of(p.q()))) {
      throw fail(what + " ('" + name + "') is " + t + ", but this node reads it with parameters "
          + quantizedType(p, t.shape()) + "; reinterpreting a tensor with other parameters is not supported");
    }
    return v;
  }

  private void quantizeLinear() throws OnnxException {
    if (intAttr("block_size", 0) != 0) {
      throw fail("blocked quantization (block_size) is not supported");
    }
    if (intAttr("saturate", 1) != 1) {
      throw fail("saturate = 0 is not supported");
    }
    Value x = value(0);
    if (!x.type().isFloat()) {
      throw fail("input must be float, got " + x.type());
    }
    ElementType storage = ElementType.U8;
    if (attr("output_dtype").isPresent() && !hasInput(2)) {
      int t = (int) intAttr("output_dtype", 2);
      storage = OnnxTensors.elementType(t).orElseThrow(() -> fail("output type " + OnnxTensors.typeName(t)
          + " is not supported"));
    }
    QParams p = qparams(1, 2, x.type().shape(), intAttr("axis", 1), storage, "output");
    emit(Op.QUANTIZE, Attrs.None.INSTANCE, List.of(x), Optional.of(quantizedType(p, x.type().shape())));
  }

  private void dequantizeLinear() throws OnnxException {
    if (intAttr("block_size", 0) != 0) {
      throw fail("blocked quantization (block_size) is not supported");
    }
    String x = in(0);
    Shape shape = shapeOf(x);
    ElementType storage;
    Optional<TensorData> c = run.constant(x);
    if (c.isPresent()) {
      storage = c.get().elementType();
    } else if (run.isPendingInput(x)) {
      storage = run.pendingInputElementType(x).orElse(ElementType.U8);
    } else {
      storage = run.value(x).type().elementType();
    }
    QParams p = qparams(1, 2, shape, intAttr("axis", 1), storage, "input");
    Value q = quantizedOperand(0, p, "input");
    emit(Op.DEQUANTIZE, Attrs.None.INSTANCE, List.of(q), Optional.empty());
  }

  // ------------------------------------------------------------------ convolution and matrix products

  /** The window of Conv / QLinearConv / ConvInteger for an input of shape {@code x}. */
  private Attrs.Conv2d convWindow(Shape x, Shape w) throws OnnxException {
    if (x.rank() != 4 || w.rank() != 4) {
      throw fail("only two-dimensional convolutions (4-D input and weight) are supported, got input " + x
          + " and weight " + w);
    }
    int[] kernel = intsAttr("kernel_shape", new int[] {w.dim(2), w.dim(3)});
    if (kernel.length != 2 || kernel[0] != w.dim(2) || kernel[1] != w.dim(3)) {
      throw fail("kernel_shape " + Arrays.toString(kernel) + " does not match the weight " + w);
    }
    int[] strides = intsAttr("strides", new int[] {1, 1});
    int[] dilations = intsAttr("dilations", new int[] {1, 1});
    int[] pads = padsFor(x, kernel, strides, dilations);
    int group = (int) intAttr("group", 1);
    return new Attrs.Conv2d(ImmutableIntArray.copyOf(strides), ImmutableIntArray.copyOf(pads),
        ImmutableIntArray.copyOf(dilations), group);
  }

  /** Explicit pads [top, left, bottom, right] from {@code pads} or {@code auto_pad}. */
  int[] padsFor(Shape x, int[] kernel, int[] strides, int[] dilations) throws OnnxException {
    if (strides.length != 2 || dilations.length != 2) {
      throw fail("strides and dilations need two values");
    }
    String autoPad = stringAttr("auto_pad", "NOTSET");
    switch (autoPad) {
      case "NOTSET" -> {
        int[] pads = intsAttr("pads", new int[4]);
        if (pads.length != 4) {
          throw fail("pads needs four values, got " + pads.length);
        }
        return pads;
      }
      case "VALID" -> {
        return new int[4];
      }
      case "SAME_UPPER", "SAME_LOWER" -> {
        int[] pads = new int[4];
        for (int d = 0; d < 2; d++) {
          int in = x.dim(2 + d);
          int outSize = (in + strides[d] - 1) / strides[d];
          int total = Math.max(0, (outSize - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - in);
          int small = total / 2;
          pads[d] = autoPad.equals("SAME_UPPER") ? small : total - small;
          pads[d + 2] = total - pads[d];
        }
        return pads;
      }
      default -> throw fail("auto_pad " + autoPad + " is not supported");
    }
  }

  private static Shape convOutput(Shape x, Shape w, Attrs.Conv2d a) {
    int[] out = {x.dim(0), w.dim(0), 0, 0};
    for (int d = 0; d < 2; d++) {
      int span = a.dilation().get(d) * (w.dim(2 + d) - 1) + 1;
      out[2 + d] = Math.floorDiv(x.dim(2 + d) + a.padding().get(d) + a.padding().get(d + 2) - span,
          a.stride().get(d)) + 1;
    }
    return Shape.of(out);
  }

  private void conv() throws OnnxException {
    Value x = value(0);
    Value w = value(1);
    Attrs.Conv2d window = convWindow(x.type().shape(), w.type().shape());
    List<Value> ops = new ArrayList<>(List.of(x, w));
    if (hasInput(2)) {
      ops.add(value(2));
    }
    emit(Op.CONV2D, window, ops, Optional.empty());
  }

  private void qlinearConv() throws OnnxException {
    Shape xs = shapeOf(in(0));
    Shape ws = shapeOf(in(3));
    QParams px = qparams(1, 2, xs, 1, ElementType.U8, "x");
    QParams pw = qparams(4, 5, ws, 0, ElementType.U8, "w");
    QParams py = qparams(6, 7, Shape.of(), 1, ElementType.U8, "y");
    if (!(py.q() instanceof Quantization.PerTensor)) {
      throw fail("y must be quantized per tensor");
    }
    Value x = quantizedOperand(0, px, "x");
    Value w = quantizedOperand(3, pw, "w");
    Attrs.Conv2d window = convWindow(xs, ws);
    List<Value> ops = new ArrayList<>(List.of(x, w));
    if (hasInput(8)) {
      TensorData b = constant(8, "B");
      if (b.elementType() != ElementType.I32) {
        throw fail("B must be int32, got " + b.elementType());
      }
      ops.add(run.materialize(in(8), Optional.empty()));
    }
    emit(Op.CONV2D, window, ops, Optional.of(quantizedType(py, convOutput(xs, ws, window))));
  }

  private void convInteger() throws OnnxException {
    Value x = value(0);
    Value w = value(1);
    Attrs.Conv2d window = convWindow(x.type().shape(), w.type().shape());
    int xzp = (int) optionalConstant(2, "x_zero_point").map(d -> scalar(d, "x_zero_point")).orElse(0L).longValue();
    ImmutableIntArray wzp = optionalConstant(3, "w_zero_point")
        .map(d -> intArray(longs(d)))
        .orElse(ImmutableIntArray.of(0));
    emit(Op.CONV2D_ACC, new Attrs.Conv2dAcc(window, xzp, wzp), List.of(x, w), Optional.empty());
  }

  private long scalar(TensorData d, String what) {
    if (d.size() != 1) {
      throw new IllegalArgumentException(what + " must hold one value (per-tensor), has " + d.size());
    }
    return d.getLong(0);
  }

  /** A constant [K, N] as [N, K] (a matrix product's right operand as a linear weight). */
  private static TensorData transpose2d(TensorData d) {
    int k = d.shape().dim(0);
    int n = d.shape().dim(1);
    Shape s = Shape.of(n, k);
    if (d.elementType().isFloat()) {
      double[] v = new double[n * k];
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < n; j++) {
          v[j * k + i] = d.getDouble((long) i * n + j);
        }
      }
      return TensorData.ofDoubles(d.elementType(), s, v);
    }
    long[] v = new long[n * k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < n; j++) {
        v[j * k + i] = d.getLong((long) i * n + j);
      }
    }
    return TensorData.ofLongs(d.elementType(), s, v);
  }

  /** The constant right operand of a matrix product, transposed, registered under a derived name. */
  String transposedWeight(int i, String what) throws OnnxException {
    TensorData b = constant(i, what);
    if (b.shape().rank() != 2) {
      throw fail(what + " must be a 2-D matrix, got " + b.shape() + " (batched products are not supported)");
    }
    String name = in(i) + "\u0000T";
    run.constants.putIfAbsent(name, transpose2d(b));
    return name;
  }

  private void qlinearMatMul() throws OnnxException {
    if (run.constant(in(3)).map(d -> d.shape().rank() == 3).orElse(false)) {
      batchedQlinearMatMul();
      return;
    }
    Shape as = shapeOf(in(0));
    QParams pa = qparams(1, 2, as, 1, ElementType.U8, "a");
    String bt = transposedWeight(3, "b");
    Shape bs = run.constants.get(bt).shape();
    QParams pb = qparams(4, 5, Shape.of(bs.dim(1), bs.dim(0)), 1, ElementType.U8, "b");
    if (pb.q() instanceof Quantization.PerAxis p) {
      // b's per-column parameters are per row of the transposed weight.
      pb = new QParams(pb.storage(), new Quantization.PerAxis(0, p.scales(), p.zeroPoints()));
    }
    QParams py = qparams(6, 7, Shape.of(), 1, ElementType.U8, "y");
    Value a = quantizedOperand(0, pa, "a");
    if (run.constants.get(bt).elementType() != pb.storage()) {
      throw fail("b holds " + run.constants.get(bt).elementType() + " but its zero point is " + pb.storage());
    }
    Value w = run.materialize(bt, Optional.of(quantizedType(pb, bs)));
    int[] out = as.toArray();
    out[out.length - 1] = bs.dim(0);
    emit(Op.LINEAR, Attrs.None.INSTANCE, List.of(a, w), Optional.of(quantizedType(py, Shape.of(out))));
  }

  /**
   * QLinearMatMul of a [B, M, K] by a constant [B, K, N]: each batch is a quantized linear of its
   * slice (chunk, linear, cat along the batch axis).
   */
  private void batchedQlinearMatMul() throws OnnxException {
    TensorData b = constant(3, "b");
    Shape as = shapeOf(in(0));
    int batches = b.shape().dim(0);
    int k = b.shape().dim(1);
    int n = b.shape().dim(2);
    if (as.rank() != 3 || as.dim(0) != batches || as.dim(2) != k) {
      throw fail("a " + as + " and b " + b.shape() + " are not a batched product this importer supports");
    }
    QParams pa = qparams(1, 2, as, 1, ElementType.U8, "a");
    QParams pb = qparams(4, 5, Shape.of(n, k), 1, ElementType.U8, "b");
    QParams py = qparams(6, 7, Shape.of(), 1, ElementType.U8, "y");
    if (!(pb.q() instanceof Quantization.PerTensor) || b.elementType() != pb.storage()) {
      throw fail("a batched b must be quantized per tensor with its zero point's type");
    }
    Value a = quantizedOperand(0, pa, "a");
    List<Value> slices;
    try {
      slices = run.builder.add(Op.CHUNK, List.of(a), new Attrs.Chunk(0, batches), List.of(), List.of(),
          SourceLocation.UNKNOWN);
    } catch (TypeError e) {
      throw fail(e.getMessage());
    }
    List<Value> products = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      long[] wt = new long[n * k];
      for (int r = 0; r < k; r++) {
        for (int c = 0; c < n; c++) {
          wt[c * k + r] = b.getLong((long) i * k * n + (long) r * n + c);
        }
      }
      String name = in(3) + "\u0000T" + i;
      run.constants.putIfAbsent(name, TensorData.ofLongs(b.elementType(), Shape.of(n, k), wt));
      Value w = run.materialize(name, Optional.of(quantizedType(pb, Shape.of(n, k))));
      try {
        products.add(run.builder.add(Op.LINEAR, List.of(slices.get(i), w), Attrs.None.INSTANCE,
            List.of(quantizedType(py, Shape.of(1, as.dim(1), n))), List.of(), SourceLocation.UNKNOWN).get(0));
      } catch (TypeError e) {
        throw fail(e.getMessage());
      }
    }
    emit(Op.CAT, new Attrs.Axis(0), products, Optional.empty());
  }

  private void matMulInteger() throws OnnxException {
    Value a = value(0);
    String bt = transposedWeight(1, "B");
    Value w = run.materialize(bt, Optional.empty());
    int azp = (int) optionalConstant(2, "a_zero_point").map(d -> scalar(d, "a_zero_point")).orElse(0L).longValue();
    ImmutableIntArray bzp = optionalConstant(3, "b_zero_point")
        .map(d -> intArray(longs(d)))
        .orElse(ImmutableIntArray.of(0));
    emit(Op.LINEAR_ACC, new Attrs.LinearAcc(azp, bzp), List.of(a, w), Optional.empty());
  }

  private void gemm() throws OnnxException {
    float alpha = floatAttr("alpha", 1f);
    float beta = floatAttr("beta", 1f);
    if (alpha != 1f || (hasInput(2) && beta != 1f) || intAttr("transA", 0) != 0) {
      throw fail("only alpha = 1, beta = 1 and transA = 0 are supported (got alpha " + alpha + ", beta " + beta
          + ", transA " + intAttr("transA", 0) + ")");
    }
    Value a = value(0);
    Value w;
    if (intAttr("transB", 0) != 0) {
      w = value(1);
    } else if (run.isConstant(in(1))) {
      w = run.materialize(transposedWeight(1, "B"), Optional.empty());
    } else {
      w = emitAnonymous(Op.PERMUTE, new Attrs.Permute(ImmutableIntArray.of(1, 0)), List.of(value(1)));
    }
    List<Value> ops = new ArrayList<>(List.of(a, w));
    if (hasInput(2)) {
      int n = w.type().shape().dim(0);
      Shape cs = shapeOf(in(2));
      Value c = value(2);
      if (cs.rank() == 2 && cs.dim(0) == 1 && cs.dim(1) == n) {
        c = emitAnonymous(Op.RESHAPE, new Attrs.Reshape(ImmutableIntArray.of(n)), List.of(c));
      } else if (!(cs.rank() == 1 && cs.dim(0) == n)) {
        throw fail("C of shape " + cs + " is not supported; it must be [" + n + "] or [1, " + n + "]");
      }
      ops.add(c);
    }
    emit(Op.LINEAR, Attrs.None.INSTANCE, ops, Optional.empty());
  }

  // ------------------------------------------------------------------ elementwise

  private void clip() throws OnnxException {
    OptionalDouble min = OptionalDouble.empty();
    OptionalDouble max = OptionalDouble.empty();
    if (run.opset < 11) {
      if (attr("min").isPresent()) {
        min = OptionalDouble.of(floatAttr("min", 0f));
      }
      if (attr("max").isPresent()) {
        max = OptionalDouble.of(floatAttr("max", 0f));
      }
    } else {
      if (hasInput(1)) {
        min = OptionalDouble.of(scalarReal(constant(1, "min")));
      }
      if (hasInput(2)) {
        max = OptionalDouble.of(scalarReal(constant(2, "max")));
      }
    }
    Value x = value(0);
    if (min.isEmpty() && max.isEmpty()) {
      define(x);
      return;
    }
    emit(Op.CLAMP, new Attrs.Clamp(min, max), List.of(x), Optional.empty());
  }

  private double scalarReal(TensorData d) throws OnnxException {
    if (d.size() != 1) {
      throw fail("min and max must hold one value, got " + d.shape());
    }
    return d.elementType().isFloat() ? d.getDouble(0) : d.getLong(0);
  }

  // ------------------------------------------------------------------ pooling

  /** A 2-D pooling window: kernel, strides, dilations and explicit pads [top, left, bottom, right]. */
  record PoolWindow(ImmutableIntArray kernel, ImmutableIntArray strides, ImmutableIntArray dilations,
      ImmutableIntArray pads) {}

  PoolWindow poolWindow(Shape s) throws OnnxException {
    if (s.rank() != 4) {
      throw fail("only two-dimensional pooling (4-D input) is supported, got " + s);
    }
    int[] kernel = intsAttr("kernel_shape", null);
    if (kernel == null || kernel.length != 2) {
      throw fail("kernel_shape needs two values");
    }
    int[] strides = intsAttr("strides", new int[] {1, 1});
    int[] dilations = intsAttr("dilations", new int[] {1, 1});
    int[] pads = padsFor(s, kernel, strides, dilations);
    return new PoolWindow(ImmutableIntArray.copyOf(kernel), ImmutableIntArray.copyOf(strides),
        ImmutableIntArray.copyOf(dilations), ImmutableIntArray.copyOf(pads));
  }

  private void maxPool() throws OnnxException {
    if (intAttr("storage_order", 0) != 0) {
      throw fail("storage_order 1 is not supported");
    }
    Value x = value(0);
    PoolWindow w = poolWindow(x.type().shape());
    emit(Op.MAX_POOL2D, new Attrs.MaxPool2d(w.kernel(), w.strides(), w.pads(), w.dilations(),
        intAttr("ceil_mode", 0) != 0), List.of(x), Optional.empty());
  }

  private void averagePool() throws OnnxException {
    Value x = value(0);
    PoolWindow w = poolWindow(x.type().shape());
    if (w.dilations().get(0) != 1 || w.dilations().get(1) != 1) {
      throw fail("dilated average pooling is not supported");
    }
    emit(Op.AVG_POOL2D, new Attrs.AvgPool2d(w.kernel(), w.strides(), w.pads(), intAttr("ceil_mode", 0) != 0,
        intAttr("count_include_pad", 0) != 0, 0), List.of(x), Optional.empty());
  }

  private void globalAveragePool() throws OnnxException {
    Value x = value(0);
    if (x.type().shape().rank() != 4) {
      throw fail("only 4-D inputs are supported, got " + x.type().shape());
    }
    emit(Op.ADAPTIVE_AVG_POOL2D, new Attrs.AdaptiveAvgPool2d(ImmutableIntArray.of(1, 1)), List.of(x),
        Optional.empty());
  }

  // ------------------------------------------------------------------ data movement

  /** Reshapes a value, or a constant's data (no op). */
  private void reshapeTo(String x, int[] dims) throws OnnxException {
    Optional<TensorData> c = run.constant(x);
    if (c.isPresent()) {
      TensorData d = c.get();
      defineConstant(new TensorData(d.elementType(), Shape.of(dims), d.bytes()));
      return;
    }
    emit(Op.RESHAPE, new Attrs.Reshape(ImmutableIntArray.copyOf(dims)), List.of(run.value(x)), Optional.empty());
  }

  private void flatten() throws OnnxException {
    Shape s = shapeOf(in(0));
    int axis = (int) intAttr("axis", 1);
    axis = axis < 0 ? axis + s.rank() : axis;
    if (axis < 0 || axis > s.rank()) {
      throw fail("axis " + intAttr("axis", 1) + " is outside a tensor of rank " + s.rank());
    }
    long outer = 1;
    for (int i = 0; i < axis; i++) {
      outer *= s.dim(i);
    }
    reshapeTo(in(0), new int[] {Math.toIntExact(outer), Math.toIntExact(s.numElements() / Math.max(1, outer))});
  }

  private void reshape() throws OnnxException {
    Shape s = shapeOf(in(0));
    long[] target = run.opset >= 5 ? longs(constant(1, "shape")) : intsAttr("shape").orElseThrow(
        () -> fail("needs a shape"));
    boolean allowZero = intAttr("allowzero", 0) != 0;
    int[] dims = new int[target.length];
    int infer = -1;
    long known = 1;
    for (int i = 0; i < target.length; i++) {
      long t = target[i];
      if (t == 0 && !allowZero) {
        if (i >= s.rank()) {
          throw fail("shape entry 0 at " + i + " copies a dimension the input (" + s + ") does not have");
        }
        t = s.dim(i);
      }
      if (t == -1) {
        if (infer >= 0) {
          throw fail("shape has more than one -1");
        }
        infer = i;
        continue;
      }
      if (t < 0) {
        throw fail("shape entry " + t + " is invalid");
      }
      dims[i] = Math.toIntExact(t);
      known *= t;
    }
    if (infer >= 0) {
      if (known == 0 || s.numElements() % known != 0) {
        throw fail("cannot infer the -1 of shape " + Arrays.toString(target) + " for an input " + s);
      }
      dims[infer] = Math.toIntExact(s.numElements() / known);
    }
    if (Shape.of(dims).numElements() != s.numElements()) {
      throw fail("cannot reshape " + s + " to " + Arrays.toString(dims));
    }
    reshapeTo(in(0), dims);
  }

  private void squeeze(boolean unsqueeze) throws OnnxException {
    Shape s = shapeOf(in(0));
    Optional<long[]> axesGiven = run.opset >= 13 ? optionalConstant(1, "axes").map(NodeConverter::longs)
        : intsAttr("axes");
    List<Integer> dims = new ArrayList<>();
    if (unsqueeze) {
      long[] axes = axesGiven.orElseThrow(() -> fail("needs axes"));
      int rank = s.rank() + axes.length;
      boolean[] inserted = new boolean[rank];
      for (long a : axes) {
        int ax = axis(a, rank, "axis");
        if (inserted[ax]) {
          throw fail("axis " + a + " is given twice");
        }
        inserted[ax] = true;
      }
      int j = 0;
      for (int i = 0; i < rank; i++) {
        dims.add(inserted[i] ? 1 : s.dim(j++));
      }
    } else {
      boolean[] drop = new boolean[s.rank()];
      if (axesGiven.isEmpty()) {
        for (int i = 0; i < s.rank(); i++) {
          drop[i] = s.dim(i) == 1;
        }
      } else {
        for (long a : axesGiven.get()) {
          int ax = axis(a, s.rank(), "axis");
          if (s.dim(ax) != 1) {
            throw fail("cannot squeeze dimension " + ax + " of size " + s.dim(ax));
          }
          drop[ax] = true;
        }
      }
      for (int i = 0; i < s.rank(); i++) {
        if (!drop[i]) {
          dims.add(s.dim(i));
        }
      }
    }
    reshapeTo(in(0), dims.stream().mapToInt(Integer::intValue).toArray());
  }

  private void transpose() throws OnnxException {
    Value x = value(0);
    int rank = x.type().rank();
    int[] perm = intsAttr("perm", null);
    if (perm == null) {
      perm = new int[rank];
      for (int i = 0; i < rank; i++) {
        perm[i] = rank - 1 - i;
      }
    }
    emit(Op.PERMUTE, new Attrs.Permute(ImmutableIntArray.copyOf(perm)), List.of(x), Optional.empty());
  }

  private void concat() throws OnnxException {
    int n = inputCount();
    int rank = shapeOf(in(0)).rank();
    int axis = axis(intAttr("axis", 0), rank, "axis");
    boolean allConstant = true;
    for (int i = 0; i < n; i++) {
      allConstant &= run.isConstant(in(i));
    }
    if (allConstant && rank == 1 && !run.constant(in(0)).orElseThrow().elementType().isFloat()) {
      List<Long> v = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        for (long x : longs(constant(i, "input"))) {
          v.add(x);
        }
      }
      ElementType e = run.constant(in(0)).orElseThrow().elementType();
      defineConstant(TensorData.ofLongs(e, Shape.of(v.size()), v.stream().mapToLong(Long::longValue).toArray()));
      return;
    }
    List<Value> ops = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ops.add(value(i));
    }
    emit(Op.CAT, new Attrs.Axis(axis), ops, Optional.empty());
  }

  private void batchNorm() throws OnnxException {
    if (intAttr("training_mode", 0) != 0) {
      throw fail("training_mode is not supported");
    }
    float eps = floatAttr("epsilon", 1e-5f);
    emit(Op.BATCH_NORM, new Attrs.BatchNorm(eps), List.of(value(0), value(1), value(2), value(3), value(4)),
        Optional.empty());
  }

  private void pad() throws OnnxException {
    String mode = stringAttr("mode", "constant");
    if (!mode.equals("constant")) {
      throw fail("pad mode " + mode + " is not supported");
    }
    Value x = value(0);
    int rank = x.type().rank();
    long[] pads;
    double fill = 0;
    if (run.opset < 11) {
      pads = intsAttr("pads").orElseThrow(() -> fail("needs pads"));
      fill = floatAttr("value", 0f);
    } else {
      pads = longs(constant(1, "pads"));
      if (hasInput(2)) {
        fill = scalarReal(constant(2, "constant_value"));
      }
      if (hasInput(3)) {
        long[] axes = longs(constant(3, "axes"));
        long[] full = new long[2 * rank];
        for (int i = 0; i < axes.length; i++) {
          int ax = axis(axes[i], rank, "axis");
          full[ax] = pads[i];
          full[ax + rank] = pads[i + axes.length];
        }
        pads = full;
      }
    }
    if (pads.length != 2 * rank) {
      throw fail("pads needs " + 2 * rank + " values for a tensor of rank " + rank + ", got " + pads.length);
    }
    emit(Op.PAD, new Attrs.Pad(ImmutableIntArray.copyOf(toInts(pads, "pads")), fill), List.of(x), Optional.empty());
  }
}
