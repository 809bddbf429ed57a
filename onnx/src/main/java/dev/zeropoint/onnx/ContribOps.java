package dev.zeropoint.onnx;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.OnnxRuntimeQLinear;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * ONNX Runtime's com.microsoft QOperator ops, as its CPU kernels compute them ({@link
 * OnnxRuntimeQLinear}; docs/numerics.md). Each becomes integer IR ops whose every output equals
 * ONNX Runtime's:
 * <ul>
 *   <li>QLinearAdd, QLinearMul: {@code binary_lookup} of a 256 x 256 table of ONNX Runtime's result
 *       for every pair (broadcasting; the table of the MLAS path the shapes take);
 *   <li>QLinearSigmoid, QLinearLeakyRelu: {@code lookup} of ONNX Runtime's 256-entry table;
 *   <li>QLinearConcat: {@code cat}, each input of other parameters first through a {@code lookup}
 *       of ONNX Runtime's requantization table;
 *   <li>QLinearGlobalAveragePool (and a QLinearAveragePool whose window is the whole plane, which
 *       ONNX Runtime runs as one): the QDQ form, which {@code qdq-to-integer} makes MLAS's kernel;
 *   <li>QLinearAveragePool otherwise: ONNX Runtime's float path, {@code dequantize}, float {@code
 *       avg_pool2d}, {@code quantize_add_round};
 *   <li>QGemm: {@code linear} (alpha = 1) or {@code linear_acc} and {@code requantize_acc} scheme
 *       {@code float_clamp} with ONNX Runtime's scales; without y_scale (float output) {@code
 *       dequantize} of the {@code linear_acc} accumulators quantized with ONNX Runtime's scales.
 * </ul>
 * What ONNX Runtime computes but the IR cannot express is an error naming the node.
 */
final class ContribOps {
  static final String DOMAIN = "com.microsoft";

  static final Set<String> OPS = Set.of("QLinearAdd", "QLinearMul", "QLinearSigmoid", "QLinearLeakyRelu",
      "QLinearConcat", "QLinearGlobalAveragePool", "QLinearAveragePool", "QGemm");

  private final NodeConverter c;

  ContribOps(NodeConverter c) {
    this.c = c;
  }

  void convert(String op) throws OnnxException {
    OnnxImporter.Run run = c.run();
    if (run.msOpset < 0) {
      throw c.fail("the model does not import the com.microsoft domain (no opset_import for it)");
    }
    if (run.options.numerics() != Numerics.ONNX) {
      throw c.fail("com.microsoft ops are ONNX Runtime's kernels; import the model with --numerics onnx (got "
          + run.options.numerics().keyword() + ")");
    }
    switch (op) {
      case "QLinearAdd", "QLinearMul" -> binary(op.equals("QLinearAdd"));
      case "QLinearSigmoid" -> unary(v -> OnnxRuntimeQLinear.logistic((float) v));
      case "QLinearLeakyRelu" -> {
        float alpha = c.floatAttr("alpha", 0.01f);
        unary(v -> OnnxRuntimeQLinear.leakyRelu((float) v, alpha));
      }
      case "QLinearConcat" -> concat();
      case "QLinearGlobalAveragePool" -> globalAveragePool();
      case "QLinearAveragePool" -> averagePool();
      case "QGemm" -> gemm();
      default -> throw c.fail("unsupported op " + DOMAIN + "." + op);
    }
  }

  // ------------------------------------------------------------------ operands

  /** The element type an operand holds (a constant's, a graph input's declared one, a value's). */
  private ElementType storageOf(int i) throws OnnxException {
    String name = c.in(i);
    OnnxImporter.Run run = c.run();
    Optional<TensorData> d = run.constant(name);
    if (d.isPresent()) {
      return d.get().elementType();
    }
    if (run.isPendingInput(name)) {
      return run.pendingInputElementType(name).orElse(ElementType.U8);
    }
    return run.value(name).type().elementType();
  }

  /** An 8-bit operand's per-tensor parameters (scale input, zero point input), of {@code storage}. */
  private NodeConverter.QParams perTensor(int scale, int zeroPoint, ElementType storage, String what)
      throws OnnxException {
    if (c.constant(scale, what + " scale").size() != 1
        || c.optionalConstant(zeroPoint, what + " zero point").map(z -> z.size() != 1).orElse(false)) {
      throw c.fail(what + " must be quantized per tensor (a scalar scale and zero point)");
    }
    NodeConverter.QParams p = c.qparams(scale, zeroPoint, Shape.of(), 0, storage, what);
    if (p.storage() != storage) {
      throw c.fail(what + " zero point is " + p.storage() + " but the tensor holds " + storage);
    }
    if (storage != ElementType.U8 && storage != ElementType.I8) {
      throw c.fail(what + " holds " + storage + "; ONNX Runtime's kernel takes uint8 or int8");
    }
    return p;
  }

  private static Quantization.PerTensor q(NodeConverter.QParams p) {
    return (Quantization.PerTensor) p.q();
  }

  private Value table(long[] entries, ElementType storage) throws OnnxException {
    Shape s = Shape.of(1, 256, 256);
    String name = c.out() + "\u0000tables";
    c.run().constants.put(name, TensorData.ofLongs(storage, s, entries));
    return c.run().materialize(name, Optional.empty());
  }

  // ------------------------------------------------------------------ elementwise

  /** QLinearAdd / QLinearMul (A, A_scale, A_zp?, B, B_scale, B_zp?, C_scale, C_zp?), numpy broadcasting. */
  private void binary(boolean add) throws OnnxException {
    ElementType storage = storageOf(0);
    if (storageOf(3) != storage) {
      throw c.fail("A holds " + storage + " and B " + storageOf(3) + "; ONNX Runtime's kernel takes one type");
    }
    NodeConverter.QParams pa = perTensor(1, 2, storage, "A");
    NodeConverter.QParams pb = perTensor(4, 5, storage, "B");
    NodeConverter.QParams pc = perTensor(6, 7, storage, "C");
    Value a = c.quantizedOperand(0, pa, "A");
    Value b = c.quantizedOperand(3, pb, "B");
    Quantization.PerTensor qa = q(pa);
    Quantization.PerTensor qb = q(pb);
    Quantization.PerTensor qc = q(pc);
    long[] entries;
    if (add) {
      OnnxRuntimeQLinear.AddPath path = OnnxRuntimeQLinear.addPath(a.type().shape().toArray(),
          b.type().shape().toArray());
      entries = OnnxRuntimeQLinear.addTable(qa.scale(), (int) qa.zeroPoint(), qb.scale(), (int) qb.zeroPoint(),
          qc.scale(), (int) qc.zeroPoint(), storage, path);
    } else {
      entries = OnnxRuntimeQLinear.mulTable(qa.scale(), (int) qa.zeroPoint(), qb.scale(), (int) qb.zeroPoint(),
          qc.scale(), (int) qc.zeroPoint(), storage);
    }
    Shape out = broadcast(a.type().shape(), b.type().shape());
    c.emit(Op.BINARY_LOOKUP, new Attrs.BinaryLookup(1, 1), List.of(a, b, table(entries, storage)),
        Optional.of(NodeConverter.quantizedType(pc, out)));
  }

  private Shape broadcast(Shape a, Shape b) throws OnnxException {
    return Shape.broadcast(a, b).orElseThrow(() -> c.fail("shapes " + a + " and " + b
        + " cannot be broadcast together"));
  }

  /** QLinearSigmoid / QLinearLeakyRelu (X, X_scale, X_zp?, Y_scale, Y_zp?): ONNX Runtime's table. */
  private void unary(DoubleUnaryOperator fn) throws OnnxException {
    ElementType storage = storageOf(0);
    NodeConverter.QParams px = perTensor(1, 2, storage, "X");
    NodeConverter.QParams py = perTensor(3, 4, storage, "Y");
    Value x = c.quantizedOperand(0, px, "X");
    long[] table = OnnxRuntimeQLinear.lookupTable(q(px).scale(), (int) q(px).zeroPoint(), q(py).scale(),
        (int) q(py).zeroPoint(), storage, fn);
    c.emit(Op.LOOKUP, new Attrs.Lookup(NodeConverter.intArray(table)), List.of(x),
        Optional.of(NodeConverter.quantizedType(py, x.type().shape())));
  }

  /** QLinearConcat (Y_scale, Y_zp, then X, X_scale, X_zp per input) {axis}. */
  private void concat() throws OnnxException {
    int n = c.inputCount();
    if (n < 5 || (n - 2) % 3 != 0) {
      throw c.fail("needs Y_scale, Y_zero_point and (X, X_scale, X_zero_point) per input; got " + n + " inputs");
    }
    if (c.attr("axis").isEmpty()) {
      throw c.fail("needs the axis attribute");
    }
    ElementType storage = c.constant(1, "Y_zero_point").elementType();
    NodeConverter.QParams py = perTensor(0, 1, storage, "Y");
    Quantization.PerTensor qy = q(py);
    List<Value> parts = new ArrayList<>();
    int rank = -1;
    for (int i = 2; i < n; i += 3) {
      String what = "input " + (i - 2) / 3;
      if (!c.hasInput(i + 2)) {
        throw c.fail(what + " needs its zero point");
      }
      NodeConverter.QParams px = perTensor(i + 1, i + 2, storage, what);
      if (storageOf(i) != storage) {
        throw c.fail(what + " holds " + storageOf(i) + ", the output " + storage);
      }
      Value x = c.quantizedOperand(i, px, what);
      rank = x.type().rank();
      Quantization.PerTensor qx = q(px);
      if ((float) qx.scale() == (float) qy.scale() && qx.zeroPoint() == qy.zeroPoint()) {
        parts.add(x); // ONNX Runtime copies an input of the output's parameters
        continue;
      }
      long[] table = OnnxRuntimeQLinear.lookupTable(qx.scale(), (int) qx.zeroPoint(), qy.scale(),
          (int) qy.zeroPoint(), storage, v -> v);
      parts.add(c.emitAnonymous(Op.LOOKUP, new Attrs.Lookup(NodeConverter.intArray(table)), List.of(x),
          Optional.of(NodeConverter.quantizedType(py, x.type().shape()))));
    }
    int axis = c.axis(c.intAttr("axis", 0), rank, "axis");
    c.emit(Op.CAT, new Attrs.Axis(axis), parts, Optional.empty());
  }

  // ------------------------------------------------------------------ pooling

  /** QLinearGlobalAveragePool (X, x_scale, x_zp, y_scale, y_zp) {channels_last}. */
  private void globalAveragePool() throws OnnxException {
    boolean channelsLast = c.intAttr("channels_last", 0) != 0;
    Shape s = c.shapeOf(c.in(0));
    if (s.rank() != 4) {
      throw c.fail("only two-dimensional pooling (4-D input) is supported, got " + s);
    }
    pooledPlane(0, channelsLast);
  }

  /**
   * The whole plane pooled as MLAS's QLinearGlobalAveragePool: the QDQ form {@code
   * quantize(adaptive_avg_pool2d(dequantize(x)) {1x1})}, which {@code qdq-to-integer} (run by the
   * importer) turns into ONNX Runtime's kernel (its conditions hold here: per-tensor parameters of one
   * 8-bit type, a pool feeding only its quantize, and a multiplier ONNX Runtime accepts, checked
   * below). NHWC input ({@code channels_last}) is permuted to NCHW and the result back to [N, 1, 1, C].
   */
  private void pooledPlane(int scaleInput, boolean channelsLast) throws OnnxException {
    ElementType storage = storageOf(0);
    NodeConverter.QParams px = perTensor(scaleInput + 1, scaleInput + 2, storage, "x");
    NodeConverter.QParams py = perTensor(scaleInput + 3, scaleInput + 4, storage, "y");
    Value x = c.quantizedOperand(0, px, "x");
    Shape s = x.type().shape();
    long plane = channelsLast ? (long) s.dim(1) * s.dim(2) : (long) s.dim(2) * s.dim(3);
    if (OnnxRuntimeQLinear.globalAveragePoolScale(q(px).scale(), q(py).scale(), plane).isEmpty()) {
      throw c.fail("ONNX Runtime refuses this pool: a plane of " + plane + " elements with x_scale " + q(px).scale()
          + " and y_scale " + q(py).scale() + " gives a multiplier outside [2^-32, 256) or a plane of 2^24 or more");
    }
    if (channelsLast) {
      x = c.emitAnonymous(Op.PERMUTE, new Attrs.Permute(ImmutableIntArray.of(0, 3, 1, 2)), List.of(x),
          Optional.empty());
    }
    Value real = c.emitAnonymous(Op.DEQUANTIZE, Attrs.None.INSTANCE, List.of(x), Optional.empty());
    Value pooled = c.emitAnonymous(Op.ADAPTIVE_AVG_POOL2D, new Attrs.AdaptiveAvgPool2d(ImmutableIntArray.of(1, 1)),
        List.of(real), Optional.empty());
    Shape nchw = pooled.type().shape();
    TensorType yType = NodeConverter.quantizedType(py, nchw);
    if (!channelsLast) {
      c.emit(Op.QUANTIZE, Attrs.None.INSTANCE, List.of(pooled), Optional.of(yType));
      return;
    }
    Value y = c.emitAnonymous(Op.QUANTIZE, Attrs.None.INSTANCE, List.of(pooled), Optional.of(yType));
    c.emit(Op.RESHAPE, new Attrs.Reshape(ImmutableIntArray.of(nchw.dim(0), 1, 1, nchw.dim(1))), List.of(y),
        Optional.empty());
  }

  /**
   * QLinearAveragePool (X, x_scale, x_zp?, y_scale, y_zp?) {kernel_shape, strides, pads, auto_pad,
   * count_include_pad, ceil_mode, channels_last}. A window covering the whole unpadded plane runs
   * ONNX Runtime's global pool (integer kernel, {@link #pooledPlane}). Any other runs its float path
   * (qlinear_pool.cc): {@code dequantize}, the window's in-bounds floats summed row by row in float32
   * and divided by the kernel area (count_include_pad) or the in-bounds count ({@code avg_pool2d} with
   * {@code divisor_override} = the kernel area for count_include_pad: ONNX Runtime counts the whole
   * kernel even where it overhangs the padding), then {@code quantize_add_round}. Refused: dilations,
   * a ceil_mode whose last window would start past the input and head padding (ONNX Runtime versions
   * differ there from PyTorch's output size, which the IR uses), and windows with no input element
   * without count_include_pad (ONNX Runtime divides 0 by 0).
   */
  private void averagePool() throws OnnxException {
    boolean channelsLast = c.intAttr("channels_last", 0) != 0;
    Shape s = c.shapeOf(c.in(0));
    if (s.rank() != 4) {
      throw c.fail("only two-dimensional pooling (4-D input) is supported, got " + s);
    }
    Shape nchw = channelsLast ? Shape.of(s.dim(0), s.dim(3), s.dim(1), s.dim(2)) : s;
    NodeConverter.PoolWindow w = c.poolWindow(nchw);
    if (w.dilations().get(0) != 1 || w.dilations().get(1) != 1) {
      throw c.fail("dilations are not supported (ONNX Runtime's QLinearAveragePool does not apply them)");
    }
    boolean whole = w.kernel().get(0) == nchw.dim(2) && w.kernel().get(1) == nchw.dim(3)
        && w.pads().stream().allMatch(p -> p == 0);
    if (whole) {
      pooledPlane(0, channelsLast);
      return;
    }
    boolean ceil = c.intAttr("ceil_mode", 0) != 0;
    boolean includePad = c.intAttr("count_include_pad", 0) != 0;
    for (int d = 0; d < 2; d++) {
      int in = nchw.dim(2 + d);
      int k = w.kernel().get(d);
      int stride = w.strides().get(d);
      int head = w.pads().get(d);
      long span = (long) in + head + w.pads().get(d + 2) - k;
      if (span < 0) {
        throw c.fail("the kernel " + w.kernel() + " does not fit the padded input " + nchw);
      }
      long out = (ceil ? Math.floorDiv(span + stride - 1, stride) : span / stride) + 1;
      if (ceil && (out - 1) * stride >= (long) in + head) {
        throw c.fail("with ceil_mode the last window would start past the input and its head padding (input " + in
            + ", kernel " + k + ", stride " + stride + ", pads " + w.pads() + "); not supported");
      }
      for (long o = 0; o < out && !includePad; o++) {
        long start = o * stride - head;
        if (Math.min(start + k, in) <= Math.max(start, 0)) {
          throw c.fail("a window covers no input element and count_include_pad is 0 (ONNX Runtime divides 0 by 0)");
        }
      }
    }
    ElementType storage = storageOf(0);
    NodeConverter.QParams px = perTensor(1, 2, storage, "x");
    NodeConverter.QParams py = perTensor(3, 4, storage, "y");
    Value x = c.quantizedOperand(0, px, "x");
    if (channelsLast) {
      x = c.emitAnonymous(Op.PERMUTE, new Attrs.Permute(ImmutableIntArray.of(0, 3, 1, 2)), List.of(x),
          Optional.empty());
    }
    Value real = c.emitAnonymous(Op.DEQUANTIZE, Attrs.None.INSTANCE, List.of(x), Optional.empty());
    int area = w.kernel().get(0) * w.kernel().get(1);
    Value pooled = c.emitAnonymous(Op.AVG_POOL2D, new Attrs.AvgPool2d(w.kernel(), w.strides(), w.pads(), ceil,
        includePad, includePad ? area : 0), List.of(real), Optional.empty());
    TensorType yType = NodeConverter.quantizedType(py, pooled.type().shape());
    if (!channelsLast) {
      c.emit(Op.QUANTIZE_ADD_ROUND, Attrs.None.INSTANCE, List.of(pooled), Optional.of(yType));
      return;
    }
    Value y = c.emitAnonymous(Op.QUANTIZE_ADD_ROUND, Attrs.None.INSTANCE, List.of(pooled), Optional.of(yType));
    c.emit(Op.PERMUTE, new Attrs.Permute(ImmutableIntArray.of(0, 2, 3, 1)), List.of(y), Optional.empty());
  }

  // ------------------------------------------------------------------ QGemm

  /**
   * QGemm (A, a_scale, a_zp, B, b_scale, b_zp, C?, y_scale?, y_zp?) {alpha, transA, transB} (A
   * transposed by a {@code permute}): {@code acc = C + sum((a - a_zp) * (b - b_zp[n]))}, requantized
   * by MLAS's {@code float_clamp} with {@code f32(f32(f32(alpha * a_scale) * b_scale[n]) / y_scale)}.
   */
  private void gemm() throws OnnxException {
    float alpha = c.floatAttr("alpha", 1f);
    ElementType aStorage = storageOf(0);
    NodeConverter.QParams pa = perTensor(1, 2, aStorage, "A");
    Value a = c.quantizedOperand(0, pa, "A");
    if (a.type().rank() != 2) {
      throw c.fail("A must be a matrix, got " + a.type().shape());
    }
    Shape aGiven = a.type().shape();
    boolean transA = c.intAttr("transA", 0) != 0;
    if (transA) {
      a = c.emitAnonymous(Op.PERMUTE, new Attrs.Permute(ImmutableIntArray.of(1, 0)), List.of(a), Optional.empty());
    }
    int k = a.type().shape().dim(1);
    boolean transB = c.intAttr("transB", 0) != 0;
    TensorData bData = c.constant(3, "B");
    if (bData.shape().rank() != 2) {
      throw c.fail("B must be a matrix, got " + bData.shape());
    }
    String wName = transB ? c.in(3) : c.transposedWeight(3, "B");
    TensorData w = c.run().constants.get(wName);
    int n = w.shape().dim(0);
    if (w.shape().dim(1) != k) {
      throw c.fail("A " + aGiven + (transA ? " (transA)" : "") + " and B " + bData.shape()
          + (transB ? " (transB)" : "") + " do not multiply");
    }
    NodeConverter.QParams pb = c.qparams(4, 5, w.shape(), 0, w.elementType(), "B");
    if (pb.storage() != w.elementType()) {
      throw c.fail("B holds " + w.elementType() + " but its zero point is " + pb.storage());
    }
    Optional<Value> cBias = c.hasInput(6) ? Optional.of(bias(c.constant(6, "C"), n)) : Optional.empty();
    Quantization qb = pb.q();
    int channels = qb instanceof Quantization.PerAxis p ? p.size() : 1;
    int[] bZeroPoints = new int[channels];
    for (int i = 0; i < channels; i++) {
      bZeroPoints[i] = Math.toIntExact(qb.zeroPointAt(i));
    }
    Attrs.LinearAcc accAttrs = new Attrs.LinearAcc((int) q(pa).zeroPoint(), ImmutableIntArray.copyOf(bZeroPoints));
    Shape outShape = Shape.of(a.type().shape().dim(0), n);
    if (!c.hasInput(7)) {
      // Float output: f32(f32(acc) * f32(alpha * a_scale * b_scale[n])), the accumulators quantized with
      // those scales (zero point 0) and dequantized.
      if (c.hasInput(8)) {
        throw c.fail("y_zero_point without y_scale");
      }
      double[] scales = new double[channels];
      for (int i = 0; i < channels; i++) {
        scales[i] = OnnxRuntimeQLinear.gemmScale(alpha, q(pa).scale(), qb.scaleAt(i), OptionalDouble.empty());
      }
      Quantization accQ = channels == 1 ? new Quantization.PerTensor(scales[0], 0)
          : new Quantization.PerAxis(1, ImmutableDoubleArray.copyOf(scales),
              com.google.common.primitives.ImmutableLongArray.copyOf(new long[channels]));
      List<Value> ops = new ArrayList<>(List.of(a, c.run().materialize(wName, Optional.empty())));
      cBias.ifPresent(ops::add);
      Value acc = c.emitAnonymous(Op.LINEAR_ACC, accAttrs, ops,
          Optional.of(new TensorType(ElementType.I32, outShape, Optional.of(accQ))));
      c.emit(Op.DEQUANTIZE, Attrs.None.INSTANCE, List.of(acc), Optional.empty());
      return;
    }
    ElementType yStorage = c.hasInput(8) ? c.constant(8, "y_zero_point").elementType() : aStorage;
    NodeConverter.QParams py = perTensor(7, 8, yStorage, "y");
    TensorType yType = NodeConverter.quantizedType(py, outShape);
    if (alpha == 1f) {
      // The quantized linear's multiplier f32(f32(s_a * s_b) / s_y) is QGemm's with alpha = 1.
      List<Value> ops = new ArrayList<>(List.of(a, c.run().materialize(wName,
          Optional.of(NodeConverter.quantizedType(pb, w.shape())))));
      cBias.ifPresent(ops::add);
      c.emit(Op.LINEAR, Attrs.None.INSTANCE, ops, Optional.of(yType));
      return;
    }
    List<Value> ops = new ArrayList<>(List.of(a, c.run().materialize(wName, Optional.empty())));
    cBias.ifPresent(ops::add);
    double[] scales = new double[channels];
    for (int i = 0; i < channels; i++) {
      scales[i] = OnnxRuntimeQLinear.gemmScale(alpha, q(pa).scale(), qb.scaleAt(i),
          OptionalDouble.of(q(py).scale()));
    }
    Value acc = c.emitAnonymous(Op.LINEAR_ACC, accAttrs, ops, Optional.empty());
    c.emit(Op.REQUANTIZE_ACC, new Attrs.RequantizeAcc(Requantizer.Scheme.FLOAT_CLAMP,
        ImmutableDoubleArray.copyOf(scales), ImmutableIntArray.of(), ImmutableIntArray.of(), 1,
        (int) q(py).zeroPoint(), (int) yStorage.minValue(), (int) yStorage.maxValue()), List.of(acc),
        Optional.of(yType));
  }

  /** QGemm's int32 C as the linear's bias [N]: a scalar, [N] or [1, N] ([M, N] and [M, 1] are refused). */
  private Value bias(TensorData cData, int n) throws OnnxException {
    if (cData.elementType() != ElementType.I32) {
      throw c.fail("C must be int32, got " + cData.elementType());
    }
    Shape cs = cData.shape();
    long[] v;
    if (cData.size() == 1) {
      v = new long[n];
      Arrays.fill(v, cData.getLong(0));
    } else if ((cs.rank() == 1 && cs.dim(0) == n) || (cs.rank() == 2 && cs.dim(0) == 1 && cs.dim(1) == n)) {
      v = NodeConverter.longs(cData);
    } else {
      throw c.fail("C of shape " + cs + " is not supported; it must be a scalar, [" + n + "] or [1, " + n + "]");
    }
    String name = c.in(6) + "\u0000bias";
    c.run().constants.put(name, TensorData.ofLongs(ElementType.I32, Shape.of(n), v));
    return c.run().materialize(name, Optional.empty());
  }
}
