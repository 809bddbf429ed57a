package dev.zeropoint.passes.lower;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.IntegerOnlyRequant;
import dev.zeropoint.ir.numerics.PoolRescale;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.numerics.PyTorchQnnpackPooling;
import dev.zeropoint.ir.numerics.PyTorchTensorIterator;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.Pass;
import dev.zeropoint.passes.PassContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code lower-integer} (integer-only pipelines, flavour pytorch-qnnpack): the quantized ops that
 * PyTorch computes with float32 become integer ops giving the same integers, every constant taken
 * from the numerics library:
 *
 * <ul>
 *   <li>{@code avg_pool2d}, {@code adaptive_avg_pool2d} -&gt; {@code avg_pool2d_int} / {@code
 *       adaptive_avg_pool2d_int}: the kernel PyTorch picks ({@link PyTorchQnnpackPooling}, the
 *       layout from {@link PyTorchLayout}), each float multiplier as mantissa and exponent ({@link
 *       PoolRescale}); an adaptive pool QNNPACK runs becomes the avg_pool2d_int of its windows;
 *   <li>{@code mul} (quint8) -&gt; {@code mul_acc} + {@code requantize_acc} scheme mantissa, when
 *       {@code 65025 * m < 2^31} (then PyTorch's scalar and vector lambdas agree, and both are the
 *       mantissa requantization of the exact product);
 *   <li>{@code requantize}, and each {@code cat} operand with other parameters than the result -&gt;
 *       {@code lookup}, the 256 results of {@link PyTorchAtenQuantized#requantize};
 *   <li>quantized {@code batch_norm} with constant parameters -&gt; a per-channel {@code lookup};
 *   <li>{@code add} of differently shaped (broadcast) quint8 operands, both contiguous -&gt; {@code
 *       binary_lookup}: the 256 x 256 results of each of PyTorch's float-path lambdas that some
 *       element uses, and which elements use which ({@link PyTorchTensorIterator}).
 * </ul>
 *
 * Anything outside these domains stays, and {@link IntegerOnly} reports it. Outside integer-only
 * pipelines the pass changes nothing.
 */
public final class LowerInteger implements Pass {
  /** Above this multiplier a product of two 8-bit differences (|c| <= 255^2) can leave int32. */
  private static final double MUL_MULTIPLIER_LIMIT = 0x1p31 / (255.0 * 255.0);

  @Override
  public String name() {
    return "lower-integer";
  }

  @Override
  public String description() {
    return "integer-only: quantized pools, mul, cat, requantize, batch norm and broadcast add -> exact integer ops "
        + "(pytorch-qnnpack)";
  }

  @Override
  public Graph run(Graph graph, PassContext context) throws CompileException {
    if (!context.integerOnly() || graph.numerics() != Numerics.PYTORCH_QNNPACK) {
      return graph;
    }
    try {
      return GraphRewriter.rewrite(graph, (n, operands, b) -> lower(graph, n, operands, b), new boolean[1]);
    } catch (TypeError e) {
      throw new CompileException(SourceLocation.UNKNOWN, name() + ": " + e.getMessage());
    }
  }

  private static Optional<List<Value>> lower(Graph graph, Node n, List<Value> operands, GraphRewriter.Rewrite b)
      throws TypeError {
    if (n.results().size() != 1 || !n.result().type().isQuantized()) {
      return Optional.empty();
    }
    return switch (n.op()) {
      case AVG_POOL2D -> avgPool(graph, n, operands, b);
      case ADAPTIVE_AVG_POOL2D -> adaptivePool(graph, n, operands, b);
      case ADD -> broadcastAdd(graph, n, operands, b);
      case MUL -> mul(n, operands, b);
      case REQUANTIZE -> perTensor(n.operand(0).type()).isPresent() && perTensor(n.result().type()).isPresent()
          ? Optional.of(List.of(lookup(n, operands.get(0), n.result().type(), n.result().name(), b)))
          : Optional.empty();
      case CAT -> cat(n, operands, b);
      case BATCH_NORM -> batchNorm(n, operands, b);
      default -> Optional.empty();
    };
  }

  // ---------------------------------------------------------------- pools

  private static Optional<List<Value>> avgPool(Graph graph, Node n, List<Value> operands, GraphRewriter.Rewrite b)
      throws TypeError {
    Attrs.AvgPool2d a = (Attrs.AvgPool2d) n.attrs();
    Optional<Params> p = Params.of(n);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    Params q = p.get();
    int kH = a.kernel().get(0);
    int kW = a.kernel().get(1);
    Optional<PoolRescale> rescale;
    if (PyTorchQnnpackPooling.avgPoolUsesQnnpack(q.storage, a.ceilMode())) {
      rescale = rescale(PoolRescale.Kind.QNNPACK, 1, 1,
          () -> PyTorchQnnpackPooling.qnnpackScale(q.inScale, q.outScale, kH * kW), q.outZeroPoint);
    } else {
      boolean nhwc = PyTorchLayout.isChannelsLastContiguous(n.operand(0), graph.numerics());
      PoolRescale.Kind kind = nhwc ? PoolRescale.Kind.ATEN_NHWC : PoolRescale.Kind.ATEN_NCHW;
      boolean single = a.divisorOverride() > 0;
      PoolRescale.Multiplier m = (rows, cols) -> {
        int divisor = single ? a.divisorOverride() : rows * cols;
        return nhwc ? PyTorchQnnpackPooling.atenNhwcMultiplier(q.inScale, q.outScale, divisor)
            : PyTorchQnnpackPooling.atenNchwMultiplier(q.inScale, q.outScale, divisor);
      };
      rescale = rescale(kind, single ? 1 : kH, single ? 1 : kW, m, q.outZeroPoint);
    }
    if (rescale.isEmpty()) {
      return Optional.empty();
    }
    Attrs.AvgPool2dInt attrs = new Attrs.AvgPool2dInt(a, q.inZeroPoint, rescale.get());
    return Optional.of(b.add(Op.AVG_POOL2D_INT, operands, attrs, List.of(n.result().type()),
        List.of(n.result().name()), n));
  }

  private static Optional<List<Value>> adaptivePool(Graph graph, Node n, List<Value> operands,
      GraphRewriter.Rewrite b) throws TypeError {
    Attrs.AdaptiveAvgPool2d a = (Attrs.AdaptiveAvgPool2d) n.attrs();
    Optional<Params> p = Params.of(n);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    Params q = p.get();
    int inH = n.operand(0).type().shape().dim(2);
    int inW = n.operand(0).type().shape().dim(3);
    int outH = a.outputSize().get(0);
    int outW = a.outputSize().get(1);
    if (PyTorchQnnpackPooling.adaptiveUsesQnnpack(q.storage, inH, inW, outH, outW)) {
      int kH = inH / outH;
      int kW = inW / outW;
      Optional<PoolRescale> rescale = rescale(PoolRescale.Kind.QNNPACK, 1, 1,
          () -> PyTorchQnnpackPooling.qnnpackScale(q.inScale, q.outScale, kH * kW), q.outZeroPoint);
      if (rescale.isEmpty()) {
        return Optional.empty();
      }
      Attrs.AvgPool2d window = new Attrs.AvgPool2d(ImmutableIntArray.of(kH, kW), ImmutableIntArray.of(kH, kW),
          ImmutableIntArray.of(0, 0, 0, 0), false, true, 0);
      return Optional.of(b.add(Op.AVG_POOL2D_INT, operands, new Attrs.AvgPool2dInt(window, q.inZeroPoint,
          rescale.get()), List.of(n.result().type()), List.of(n.result().name()), n));
    }
    boolean nhwc = PyTorchLayout.isChannelsLastContiguous(n.operand(0), graph.numerics());
    int rows = maxWindow(inH, outH);
    int cols = maxWindow(inW, outW);
    if ((long) rows * cols * 256 >= 1L << 31) {
      return Optional.empty(); // window sums could leave int32
    }
    Optional<PoolRescale> rescale = nhwc
        ? rescale(PoolRescale.Kind.ATEN_NHWC, rows, cols,
            (r, c) -> PyTorchQnnpackPooling.atenNhwcMultiplier(q.inScale, q.outScale, r * c), q.outZeroPoint)
        : rescale(PoolRescale.Kind.ATEN_ADAPTIVE_NCHW, rows, cols,
            PyTorchQnnpackPooling::atenAdaptiveNchwReciprocal, q.outZeroPoint);
    if (rescale.isEmpty()) {
      return Optional.empty();
    }
    // ATen's NCHW adaptive kernel averages the stored values themselves: the sum of q, no zero point.
    int inZeroPoint = nhwc ? q.inZeroPoint : 0;
    return Optional.of(b.add(Op.ADAPTIVE_AVG_POOL2D_INT, operands,
        new Attrs.AdaptiveAvgPool2dInt(a, inZeroPoint, rescale.get()), List.of(n.result().type()),
        List.of(n.result().name()), n));
  }

  /** The tallest adaptive window: {@code ceil((o + 1) in / out) - floor(o in / out)} over o. */
  private static int maxWindow(int in, int out) {
    int max = 0;
    for (int o = 0; o < out; o++) {
      int start = (int) Math.floorDiv((long) o * in, out);
      int end = (int) -Math.floorDiv(-(long) (o + 1) * in, out);
      max = Math.max(max, end - start);
    }
    return max;
  }

  private static Optional<PoolRescale> rescale(PoolRescale.Kind kind, int rows, int cols,
      PoolRescale.Multiplier m, int outZeroPoint) {
    try {
      return Optional.of(PoolRescale.of(kind, rows, cols, m, outZeroPoint));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // PyTorch refuses the pool, or a multiplier is outside the exact domain
    }
  }

  private static Optional<PoolRescale> rescale(PoolRescale.Kind kind, int rows, int cols,
      java.util.function.Supplier<Float> m, int outZeroPoint) {
    try {
      float scale = m.get();
      return rescale(kind, rows, cols, (r, c) -> scale, outZeroPoint);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- mul

  private static Optional<List<Value>> mul(Node n, List<Value> operands, GraphRewriter.Rewrite b) throws TypeError {
    TensorType out = n.result().type();
    Optional<Quantization.PerTensor> qa = perTensor(n.operand(0).type());
    Optional<Quantization.PerTensor> qb = perTensor(n.operand(1).type());
    Optional<Quantization.PerTensor> qo = perTensor(out);
    boolean u8 = out.elementType() == ElementType.U8 && n.operand(0).type().elementType() == ElementType.U8
        && n.operand(1).type().elementType() == ElementType.U8;
    if (qa.isEmpty() || qb.isEmpty() || qo.isEmpty() || !u8) {
      return Optional.empty();
    }
    float m = PyTorchAtenQuantized.mulMultiplier(qa.get().scale(), qb.get().scale(), qo.get().scale());
    if (!(m > 0 && m < MUL_MULTIPLIER_LIMIT)) {
      return Optional.empty();
    }
    IntegerOnlyRequant r = IntegerOnlyRequant.of(m);
    String name = n.result().name();
    Value acc = b.add(Op.MUL_ACC, operands,
        new Attrs.MulAcc((int) qa.get().zeroPoint(), (int) qb.get().zeroPoint()), List.of(),
        List.of(b.freshName(name + ".acc")), n).get(0);
    Requantizer.Scheme scheme = Requantizer.Scheme.MANTISSA;
    Attrs.RequantizeAcc requant = new Attrs.RequantizeAcc(scheme, com.google.common.primitives.ImmutableDoubleArray.of(),
        ImmutableIntArray.of(r.mantissa()), ImmutableIntArray.of(r.exponent()), 0, (int) qo.get().zeroPoint(), 0, 255);
    return Optional.of(b.add(Op.REQUANTIZE_ACC, List.of(acc), requant, List.of(out), List.of(name), n));
  }

  // ---------------------------------------------------------------- broadcast add

  /**
   * quint8 add of differently shaped operands -&gt; {@code binary_lookup}. PyTorch runs ATen's float
   * path: each element is the vectorized or the scalar lambda ({@link
   * PyTorchAtenQuantized#floatAddVectorized}, {@link PyTorchAtenQuantized#floatAddScalar}) of its
   * two 8-bit inputs, the lambda fixed by the element's position ({@link PyTorchTensorIterator}). So
   * the lowered op holds each lambda's 256 x 256 results (only the lambdas some element uses:
   * vectorized first) and the partition: rows of {@code row} elements whose first {@code head} are
   * vectorized. The partition is modelled for contiguous operands only: an operand PyTorch holds
   * channels-last (any quantized conv's output) or as a strided view keeps the float add.
   * {@code %y = add(%a, %b)} -&gt; {@code %y.tables = const [...] : u8[T, 256, 256]}, {@code %y =
   * binary_lookup(%a, %b, %y.tables) {row = L, head = V}}.
   */
  private static Optional<List<Value>> broadcastAdd(Graph graph, Node n, List<Value> operands,
      GraphRewriter.Rewrite b) throws TypeError {
    TensorType ta = n.operand(0).type();
    TensorType tb = n.operand(1).type();
    TensorType out = n.result().type();
    Optional<Quantization.PerTensor> qa = perTensor(ta);
    Optional<Quantization.PerTensor> qb = perTensor(tb);
    Optional<Quantization.PerTensor> qo = perTensor(out);
    boolean u8 = ta.elementType() == ElementType.U8 && tb.elementType() == ElementType.U8
        && out.elementType() == ElementType.U8;
    // Same-shape quint8 add is QNNPACK's fixed point and qint8 add XNNPACK's: integer ops already.
    if (qa.isEmpty() || qb.isEmpty() || qo.isEmpty() || !u8 || ta.shape().equals(tb.shape())
        || !PyTorchLayout.isContiguous(n.operand(0), graph.numerics())
        || !PyTorchLayout.isContiguous(n.operand(1), graph.numerics())) {
      return Optional.empty();
    }
    PyTorchTensorIterator.Partition split = PyTorchTensorIterator.binary(out.shape(), ta.shape(), tb.shape(),
        PyTorchTensorIterator.INT8_LANES);
    PyTorchAtenQuantized.FloatAddParams p = PyTorchAtenQuantized.floatAddParams(qa.get().scale(),
        (int) qa.get().zeroPoint(), qb.get().scale(), (int) qb.get().zeroPoint(), qo.get().scale(),
        (int) qo.get().zeroPoint(), ElementType.U8);
    Attrs.BinaryLookup attrs = new Attrs.BinaryLookup(Math.toIntExact(split.rowLength()),
        Math.toIntExact(split.vectorizedPerRow()));
    List<AddLambda> lambdas = new ArrayList<>();
    if (attrs.head() > 0) {
      lambdas.add(PyTorchAtenQuantized::floatAddVectorized);
    }
    if (attrs.head() < attrs.row()) {
      lambdas.add(PyTorchAtenQuantized::floatAddScalar);
    }
    long[] table = new long[lambdas.size() << 16];
    for (int t = 0; t < lambdas.size(); t++) {
      for (int x = 0; x < 256; x++) {
        for (int y = 0; y < 256; y++) {
          table[(t << 16) + (x << 8) + y] = lambdas.get(t).apply(x, y, p);
        }
      }
    }
    Shape tablesShape = Shape.of(lambdas.size(), 256, 256);
    TensorType tablesType = TensorType.of(ElementType.U8, tablesShape);
    String name = n.result().name();
    Value tables = b.add(Op.CONST, List.of(), new Attrs.Const(TensorData.ofLongs(ElementType.U8, tablesShape, table),
        Optional.empty()), List.of(tablesType), List.of(b.freshName(name + ".tables")), n).get(0);
    return Optional.of(b.add(Op.BINARY_LOOKUP, List.of(operands.get(0), operands.get(1), tables), attrs,
        List.of(out), List.of(name), n));
  }

  /** One of the float-path add lambdas of {@link PyTorchAtenQuantized}. */
  @FunctionalInterface
  private interface AddLambda {
    int apply(int a, int b, PyTorchAtenQuantized.FloatAddParams p);
  }

  // ---------------------------------------------------------------- cat, requantize

  private static Optional<List<Value>> cat(Node n, List<Value> operands, GraphRewriter.Rewrite b) throws TypeError {
    TensorType out = n.result().type();
    if (perTensor(out).isEmpty()) {
      return Optional.empty();
    }
    for (Value v : n.operands()) {
      if (perTensor(v.type()).isEmpty() || v.type().elementType() != out.elementType()) {
        return Optional.empty();
      }
    }
    List<Value> inputs = new ArrayList<>();
    for (int i = 0; i < operands.size(); i++) {
      TensorType same = out.withShape(operands.get(i).type().shape());
      Value v = operands.get(i);
      inputs.add(v.type().equals(same) ? v : lookup(n, v, same, b.freshName(v.name() + ".requant"), b));
    }
    return Optional.of(b.add(Op.CAT, ImmutableList.copyOf(inputs), n.attrs(), List.of(out),
        List.of(n.result().name()), n));
  }

  /**
   * Quantized batch norm -> a per-channel lookup: element q of channel c is a function of q and c
   * alone ({@link PyTorchAtenQuantized#batchNorm}), so 256 entries per channel hold it exactly.
   * {@code %y = batch_norm(%x, %w, %b, %m, %v)} -> {@code %y = lookup(%x) {table = [...], axis = 1}}.
   */
  private static Optional<List<Value>> batchNorm(Node n, List<Value> operands, GraphRewriter.Rewrite b)
      throws TypeError {
    TensorType x = operands.get(0).type();
    TensorType out = n.result().type();
    var qx = perTensor(x);
    var qo = perTensor(out);
    ElementType storage = out.elementType();
    if (qx.isEmpty() || qo.isEmpty() || x.elementType() != storage
        || (storage != ElementType.U8 && storage != ElementType.I8)) {
      return Optional.empty();
    }
    float[][] params = new float[4][];
    for (int i = 1; i <= 4; i++) {
      Node p = operands.get(i).producer();
      if (p == null || p.op() != Op.CONST || operands.get(i).type().elementType() != ElementType.F32) {
        return Optional.empty();
      }
      var data = ((Attrs.Const) p.attrs()).data();
      params[i - 1] = new float[(int) data.size()];
      for (int k = 0; k < params[i - 1].length; k++) {
        params[i - 1][k] = (float) data.getDouble(k);
      }
    }
    double eps = ((Attrs.BatchNorm) n.attrs()).eps();
    int channels = x.shape().dim(1);
    int min = (int) storage.minValue();
    int[] table = new int[256 * channels];
    for (int c = 0; c < channels; c++) {
      PyTorchAtenQuantized.BatchNormChannel p = PyTorchAtenQuantized.batchNormChannel(params[0][c], params[1][c],
          params[2][c], params[3][c], eps, qx.get().scale(), qo.get().scale());
      for (int q = min; q < min + 256; q++) {
        table[256 * c + q - min] = PyTorchAtenQuantized.batchNorm(q, c, channels, (int) qx.get().zeroPoint(), p,
            (int) qo.get().zeroPoint(), storage);
      }
    }
    return Optional.of(b.add(Op.LOOKUP, List.of(operands.get(0)), new Attrs.Lookup(ImmutableIntArray.copyOf(table), 1),
        List.of(out), List.of(n.result().name()), n));
  }

  /** {@code lookup(x)} to {@code type}: the 256 results of PyTorch's dequantize-quantize. */
  private static Value lookup(Node n, Value x, TensorType type, String name, GraphRewriter.Rewrite b)
      throws TypeError {
    Quantization.PerTensor in = perTensor(x.type()).orElseThrow();
    Quantization.PerTensor to = perTensor(type).orElseThrow();
    long min = x.type().elementType().minValue();
    int[] table = new int[256];
    for (int i = 0; i < 256; i++) {
      table[i] = PyTorchAtenQuantized.requantize((int) (min + i), in.scale(), in.zeroPoint(), to.scale(),
          to.zeroPoint(), type.elementType());
    }
    return b.add(Op.LOOKUP, List.of(x), new Attrs.Lookup(ImmutableIntArray.copyOf(table)), List.of(type),
        List.of(name), n).get(0);
  }

  private static Optional<Quantization.PerTensor> perTensor(TensorType t) {
    ElementType e = t.elementType();
    return e == ElementType.U8 || e == ElementType.I8 ? t.perTensor() : Optional.empty();
  }

  /** A pool's per-tensor 8-bit parameters. */
  private record Params(ElementType storage, double inScale, int inZeroPoint, double outScale, int outZeroPoint) {
    static Optional<Params> of(Node n) {
      Optional<Quantization.PerTensor> in = perTensor(n.operand(0).type());
      Optional<Quantization.PerTensor> out = perTensor(n.result().type());
      if (in.isEmpty() || out.isEmpty() || n.operand(0).type().elementType() != n.result().type().elementType()) {
        return Optional.empty();
      }
      return Optional.of(new Params(n.result().type().elementType(), in.get().scale(), (int) in.get().zeroPoint(),
          out.get().scale(), (int) out.get().zeroPoint()));
    }
  }
}
