package dev.zeropoint.passes.qdq;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
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
 * pytorch-qnnpack is rewritten as above. In the {@code onnx} flavour only conv2d and linear are, as
 * ONNX Runtime's QDQ fusion makes them QLinearConv / QLinearMatMul ((u)int8 operands, the int32 bias
 * of a {@code dequantize} taken as is); add and pooling stay float there;
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
    return "turn dequantize -> conv2d / linear / add (-> relu) -> quantize regions into PyTorch's quantized ops";
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
    Optional<List<Value>> quantizedOperands = switch (op.op()) {
      // QNNPACK's conv and linear take and give quint8; ONNX Runtime's QLinearConv / QLinearMatMul
      // take and give (u)int8.
      case CONV2D, LINEAR -> pytorch && target.elementType() != ElementType.U8 ? Optional.empty()
          : weighted(op, pytorch);
      case ADD -> pytorch ? added(op).filter(ab -> ab.get(0).type().elementType() == target.elementType())
          : Optional.empty();
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
