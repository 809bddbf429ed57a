package dev.zeropoint.passes.qdq;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
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
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.RewritePass;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code qdq-to-integer}: the {@code dequantize -> float op -> quantize} regions of a PyTorch FX
 * reference graph (or an ONNX QDQ model of a PyTorch-quantized network) become the quantized ops
 * PyTorch deploys for them: what {@code torch.ao.quantization.convert_fx} lowers the pattern to,
 * equivalently the eager quantized modules.
 * <pre>
 *   quantize(conv2d(dequantize(%x), dequantize(%w), %b)) : T        -&gt; conv2d(%x, %w, %b) : T
 *   quantize(relu(conv2d(dequantize(%x), dequantize(%w), %b))) : T  -&gt; relu(conv2d(%x, %w, %b) : T)
 *   quantize(linear(...)) : T, quantize(relu(linear(...))) : T       -&gt; likewise (Linear, LinearReLU)
 *   quantize(add(dequantize(%a), dequantize(%b))) : T               -&gt; add(%a, %b) : T
 *   quantize(relu(add(dequantize(%a), dequantize(%b)))) : T         -&gt; relu(add(%a, %b) : T)  (add_relu)
 *   quantize(avg_pool2d(dequantize(%q))) : T, adaptive_avg_pool2d    -&gt; avg_pool2d(%q) : T  (T with %q's parameters)
 * </pre>
 * with %x qu8 and %a, %b per tensor (T of their storage; conv and linear give qu8 on QNNPACK), %w qi8 (per tensor or per channel along axis 0), %b absent
 * or float. {@code relu(op : T)} is PyTorch's fused ReLU exactly: the fused kernels clamp the
 * requantized integers to [zero point, qmax], and {@code relu} on a quantized tensor is
 * {@code max(q, zp)}; on add's float path relu before quantize equals relu after, as quantize is
 * monotone (below 2^63 output steps, where x86's conversion wraps) and quantizes 0 to the zero point.
 * The IR writes PyTorch's add_relu as {@code relu(add)} already (golden {@code add_relu}).
 *
 * <p><b>This pass changes what the graph computes</b>: from the reference semantics (float conv of
 * dequantized tensors, then one rounding) to the framework's integer kernels (int32 accumulation,
 * bias rounded to int32, requantization in float32), which differ by one step on some elements.
 * That is the point of it (the model as PyTorch deploys it), and why it is not in {@code -O}.
 * pytorch-qnnpack is rewritten as above. In the {@code onnx} flavour the regions become what ONNX
 * Runtime's QDQ fusion makes of them, with its CPU kernels' integers ({@link OnnxRuntimeQLinear}):
 * <pre>
 *   quantize(conv2d(...)) : T, linear, with relu as above             -&gt; conv2d / linear : T  (QLinearConv, QLinearMatMul / QGemm)
 *   quantize(add(dequantize(%a), dequantize(%b))) : T               -&gt; binary_lookup(%a, %b, %tables) : T  (QLinearAdd)
 *   quantize(adaptive_avg_pool2d(dequantize(%x)) {1x1}) : T         -&gt; requantize_acc(conv2d_acc(%x, ones)) : T  (QLinearGlobalAveragePool)
 * </pre>
 * (u)int8 operands, the int32 bias of a {@code dequantize} taken as is; add needs operands of T's
 * storage broadcasting to T's shape (the table of ONNX Runtime's path for the shapes); a relu before the add's or
 * pool's quantize is dropped when T's zero point is the storage minimum (ONNX Runtime removes it;
 * the kernel's saturation clamps the same), and otherwise keeps the region float, as ONNX Runtime
 * does; a float op or relu with other users than its region keeps it float too (ONNX Runtime fuses
 * no such node unit). Other pools stay float.
 * hardtanh / relu6 / clamp after a conv are not fused (PyTorch's lowered model runs them as separate
 * quantized ops, which {@code propagate-qparams} handles).
 */
public final class QdqToInteger extends RewritePass {
  /**
   * The passes that make a QDQ graph the model its framework deploys (PyTorch's quantized modules,
   * ONNX Runtime's fused integer kernels): what importing an ONNX model runs.
   */
  public static final String DEPLOYED_PIPELINE = "qdq-to-integer,propagate-qparams,canonicalize";

  @Override
  public String name() {
    return "qdq-to-integer";
  }

  @Override
  public String description() {
    return "turn dequantize -> conv2d / linear / add / pooling (-> relu) -> quantize regions into the framework's "
        + "integer kernels (PyTorch's quantized ops, ONNX Runtime's QLinear ops)";
  }

  @Override
  protected Optional<List<Value>> rewrite(Graph graph, Node n, List<Value> operands, GraphRewriter.Rewrite b,
      PassContext context) throws TypeError {
    boolean pytorch = graph.numerics() == Numerics.PYTORCH_QNNPACK;
    boolean onnx = graph.numerics() == Numerics.ONNX;
    if (n.op() != Op.QUANTIZE || !(pytorch || onnx) || n.result().type().perTensor().isEmpty()) {
      return Optional.empty();
    }
    TensorType target = n.result().type();
    Node op = operands.get(0).producer();
    boolean relu = op != null && op.op() == Op.RELU;
    if (relu) {
      op = op.operand(0).producer();
    }
    if (op == null) {
      return Optional.empty();
    }
    if (onnx && (op.op() == Op.ADD || op.op() == Op.ADAPTIVE_AVG_POOL2D)) {
      return onnxFusedRegion(graph, n, op, relu, b);
    }
    Optional<List<Value>> quantizedOperands = switch (op.op()) {
      // QNNPACK's conv and linear take and give quint8; ONNX Runtime's QLinearConv / QLinearMatMul
      // take and give (u)int8.
      case CONV2D, LINEAR -> pytorch && target.elementType() != ElementType.U8 ? Optional.empty()
          : weighted(op, pytorch);
      case ADD -> added(op).filter(ab -> ab.get(0).type().elementType() == target.elementType());
      case AVG_POOL2D, ADAPTIVE_AVG_POOL2D -> !pytorch || relu ? Optional.empty() : pooled(op, target);
      default -> Optional.empty();
    };
    if (quantizedOperands.isEmpty()) {
      return Optional.empty();
    }
    String name = n.result().name();
    Value y = b.add(op.op(), quantizedOperands.get(), op.attrs(), List.of(target),
        List.of(relu ? b.freshName(name + ".pre_relu") : name), n).get(0);
    if (relu) {
      y = b.add(Op.RELU, List.of(y), Attrs.None.INSTANCE, List.of(target), List.of(name), n).get(0);
    }
    return Optional.of(List.of(y));
  }

  /**
   * conv2d / linear (dequantize(x), dequantize(w), b?) -> (x, w, b?), as PyTorch's quantized modules
   * (x qu8, w qi8, b float) or ONNX Runtime's QLinearConv / QLinearMatMul (x, w 8-bit) take them. A
   * bias {@code dequantize(qi32 with zero point 0)} passes its integers (what both add to the
   * accumulator: PyTorch's pre-rounded bias, ONNX Runtime's int32 B).
   */
  private static Optional<List<Value>> weighted(Node op, boolean pytorch) {
    Optional<Value> x = PropagateQparams.dequantized(op.operand(0));
    Optional<Value> w = PropagateQparams.dequantized(op.operand(1));
    if (x.isEmpty() || w.isEmpty() || x.get().type().perTensor().isEmpty()) {
      return Optional.empty();
    }
    ElementType xe = x.get().type().elementType();
    ElementType we = w.get().type().elementType();
    boolean types = pytorch ? xe == ElementType.U8 && we == ElementType.I8
        : (xe == ElementType.U8 || xe == ElementType.I8) && (we == ElementType.U8 || we == ElementType.I8);
    if (!types) {
      return Optional.empty();
    }
    List<Value> out = new ArrayList<>(List.of(x.get(), w.get()));
    if (op.operands().size() > 2) {
      Value bias = op.operand(2);
      Optional<Value> q = PropagateQparams.dequantized(bias).filter(v -> v.type().elementType() == ElementType.I32
          && v.type().quantization().map(qq -> zeroPointsAreZero(qq)).orElse(false));
      if (q.isPresent()) {
        out.add(q.get());
      } else if (pytorch && bias.type().elementType() == ElementType.F32) {
        out.add(bias);
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(out);
  }

  private static boolean zeroPointsAreZero(dev.zeropoint.ir.Quantization q) {
    return switch (q) {
      case dev.zeropoint.ir.Quantization.PerTensor t -> t.zeroPoint() == 0;
      case dev.zeropoint.ir.Quantization.PerAxis a -> java.util.stream.IntStream.range(0, a.size())
          .allMatch(i -> a.zeroPoint(i) == 0);
    };
  }

  // ---------------------------------------------------------------- onnx: QLinearAdd, QLinearGlobalAveragePool

  /**
   * The onnx flavour's add and global average pool regions, as ONNX Runtime fuses them: {@code
   * quantize(add(dequantize(a), dequantize(b)))} into QLinearAdd, {@code
   * quantize(adaptive_avg_pool2d(dequantize(x)) {1x1})} into QLinearGlobalAveragePool. ONNX
   * Runtime fuses a node unit only when the float op (and a relu between it and the quantize) feeds
   * nothing but the next node of the unit, and it drops a relu before a quantize whose zero point is
   * the storage minimum ({@code ReluQuantTransformer}), where the quantize's own saturation clamps
   * the same. A relu before any other zero point stays, and then so does the float op: ONNX Runtime
   * runs that region in float (DequantizeLinear, Add, Relu, QuantizeLinear), as the graph already
   * says.
   */
  private static Optional<List<Value>> onnxFusedRegion(Graph graph, Node n, Node op, boolean relu,
      GraphRewriter.Rewrite b) throws TypeError {
    TensorType target = n.result().type();
    Quantization.PerTensor qy = target.perTensor().orElseThrow();
    ElementType storage = target.elementType();
    if (storage != ElementType.U8 && storage != ElementType.I8) {
      return Optional.empty();
    }
    // The same region in the old graph, for its uses.
    Value quantized = n.operand(0);
    if (relu) {
      if (qy.zeroPoint() != storage.minValue() || !feedsOnly(graph, quantized)) {
        return Optional.empty();
      }
      quantized = quantized.producer().operand(0);
    }
    if (!feedsOnly(graph, quantized)) {
      return Optional.empty();
    }
    return op.op() == Op.ADD ? qlinearAdd(op, target, n, b) : qlinearGlobalAveragePool(op, target, n, b);
  }

  /** Whether {@code v} (of the old graph) has exactly one user and is no graph output. */
  private static boolean feedsOnly(Graph graph, Value v) {
    return graph.users(v).size() == 1 && graph.outputs().stream().noneMatch(o -> o.value() == v);
  }

  /**
   * QLinearAdd of per-tensor operands of the result's storage (broadcasting) -&gt; {@code
   * binary_lookup(%a, %b, %y.tables) {row = 1, head = 1}}, the table holding ONNX Runtime's result
   * ({@link OnnxRuntimeQLinear#addTable}) for every pair of stored integers: its result depends on the
   * two inputs and the broadcast path the shapes take ({@link OnnxRuntimeQLinear#addPath}; ONNX
   * Runtime fuses a broadcast QDQ add into a broadcasting QLinearAdd), not on the position.
   */
  private static Optional<List<Value>> qlinearAdd(Node op, TensorType target, Node n, GraphRewriter.Rewrite b)
      throws TypeError {
    Optional<List<Value>> ab = added(op);
    if (ab.isEmpty()) {
      return Optional.empty();
    }
    Value a = ab.get().get(0);
    Value c = ab.get().get(1);
    ElementType storage = target.elementType();
    if (a.type().elementType() != storage
        || !Shape.broadcast(a.type().shape(), c.type().shape()).equals(Optional.of(target.shape()))) {
      return Optional.empty();
    }
    Quantization.PerTensor qa = a.type().perTensor().orElseThrow();
    Quantization.PerTensor qc = c.type().perTensor().orElseThrow();
    Quantization.PerTensor qy = target.perTensor().orElseThrow();
    long[] table = OnnxRuntimeQLinear.addTable(qa.scale(), (int) qa.zeroPoint(), qc.scale(), (int) qc.zeroPoint(),
        qy.scale(), (int) qy.zeroPoint(), storage,
        OnnxRuntimeQLinear.addPath(a.type().shape().toArray(), c.type().shape().toArray()));
    Shape tablesShape = Shape.of(1, 256, 256);
    String name = n.result().name();
    Value tables = b.add(Op.CONST, List.of(), new Attrs.Const(TensorData.ofLongs(storage, tablesShape, table),
        Optional.empty()), List.of(TensorType.of(storage, tablesShape)), List.of(b.freshName(name + ".tables")), n)
        .get(0);
    return Optional.of(b.add(Op.BINARY_LOOKUP, List.of(a, c, tables), new Attrs.BinaryLookup(1, 1), List.of(target),
        List.of(name), n));
  }

  /**
   * QLinearGlobalAveragePool (an adaptive_avg_pool2d to 1x1 of a per-tensor operand of the result's
   * storage) -&gt; the plane sums minus {@code H * W * x_zp} as a depthwise {@code conv2d_acc} with an
   * all-ones weight over the whole plane, then {@code requantize_acc} scheme {@code float_clamp} with
   * ONNX Runtime's multiplier ({@link OnnxRuntimeQLinear#globalAveragePoolScale}): MLAS's rule
   * exactly. A pool ONNX Runtime refuses (plane of 2^24 or more, multiplier outside [2^-32, 256))
   * stays float.
   */
  private static Optional<List<Value>> qlinearGlobalAveragePool(Node op, TensorType target, Node n,
      GraphRewriter.Rewrite b) throws TypeError {
    Optional<Value> q = PropagateQparams.dequantized(op.operand(0));
    Attrs.AdaptiveAvgPool2d attrs = (Attrs.AdaptiveAvgPool2d) op.attrs();
    if (q.isEmpty() || q.get().type().perTensor().isEmpty() || q.get().type().elementType() != target.elementType()
        || !attrs.outputSize().equals(ImmutableIntArray.of(1, 1)) || q.get().type().shape().rank() != 4) {
      return Optional.empty();
    }
    Value x = q.get();
    Shape shape = x.type().shape();
    int channels = shape.dim(1);
    long plane = (long) shape.dim(2) * shape.dim(3);
    Quantization.PerTensor qx = x.type().perTensor().orElseThrow();
    Quantization.PerTensor qy = target.perTensor().orElseThrow();
    Optional<Float> scale = OnnxRuntimeQLinear.globalAveragePoolScale(qx.scale(), qy.scale(), plane);
    if (scale.isEmpty()) {
      return Optional.empty();
    }
    String name = n.result().name();
    Shape weightShape = Shape.of(channels, 1, shape.dim(2), shape.dim(3));
    long[] ones = new long[Math.toIntExact(weightShape.numElements())];
    java.util.Arrays.fill(ones, 1);
    Value w = b.add(Op.CONST, List.of(), new Attrs.Const(TensorData.ofLongs(ElementType.I8, weightShape, ones),
        Optional.empty()), List.of(TensorType.of(ElementType.I8, weightShape)), List.of(b.freshName(name + ".ones")),
        n).get(0);
    Attrs.Conv2d window = new Attrs.Conv2d(ImmutableIntArray.of(1, 1), ImmutableIntArray.of(0, 0, 0, 0),
        ImmutableIntArray.of(1, 1), channels);
    Value acc = b.add(Op.CONV2D_ACC, List.of(x, w), new Attrs.Conv2dAcc(window, (int) qx.zeroPoint(),
        ImmutableIntArray.of(0)), List.of(), List.of(b.freshName(name + ".acc")), n).get(0);
    ElementType storage = target.elementType();
    Attrs.RequantizeAcc requant = new Attrs.RequantizeAcc(Requantizer.Scheme.FLOAT_CLAMP,
        ImmutableDoubleArray.of(scale.get()), ImmutableIntArray.of(), ImmutableIntArray.of(), 1,
        (int) qy.zeroPoint(), (int) storage.minValue(), (int) storage.maxValue());
    return Optional.of(b.add(Op.REQUANTIZE_ACC, List.of(acc), requant, List.of(target), List.of(name), n));
  }

  /**
   * avg_pool2d / adaptive_avg_pool2d (dequantize(q)) quantized again with q's own parameters -> (q):
   * PyTorch's quantized pooling, which keeps its input's parameters.
   */
  private static Optional<List<Value>> pooled(Node op, TensorType target) {
    Optional<Value> q = PropagateQparams.dequantized(op.operand(0));
    if (q.isEmpty() || q.get().type().perTensor().isEmpty() || q.get().type().elementType() != target.elementType()
        || !q.get().type().quantization().equals(target.quantization())) {
      return Optional.empty();
    }
    return Optional.of(List.of(q.get()));
  }

  /** add(dequantize(a), dequantize(b)) -> (a, b), both per tensor, of one storage type. */
  private static Optional<List<Value>> added(Node op) {
    Optional<Value> a = PropagateQparams.dequantized(op.operand(0));
    Optional<Value> c = PropagateQparams.dequantized(op.operand(1));
    if (a.isEmpty() || c.isEmpty() || a.get().type().perTensor().isEmpty() || c.get().type().perTensor().isEmpty()
        || a.get().type().elementType() != c.get().type().elementType()) {
      return Optional.empty();
    }
    return Optional.of(List.of(a.get(), c.get()));
  }
}
