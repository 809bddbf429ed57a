package dev.zeropoint.passes.qdq;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.RewritePass;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code propagate-qparams}: moves quantization parameters through the float ops of a QDQ region
 * (a PyTorch FX reference graph, an ONNX QDQ model) that keep them, so the ops run on the integers.
 * Rewrites, each fired only when the check named is true for the parameters at hand:
 * <pre>
 *   reshape | flatten | permute (dequantize(%q))      -&gt; dequantize(op(%q))     data movement only
 *   split | chunk (dequantize(%q))                    -&gt; dequantize(op(%q))_i   data movement only
 *   max_pool2d(dequantize(%q))                        -&gt; dequantize(max_pool2d(%q))
 *       dequantize ordered ({@link QdqNumerics#dequantizeIsOrdered}); no 1x1 window; no padding with
 *       dilation (QNNPACK moves padding taps to the edge, which then adds a tap)
 *   pad(dequantize(%q)) {value = v}                   -&gt; dequantize(pad(%q))
 *       the quantized fill (the zero point for 0.0) dequantizes to exactly f32(v): not for -0.0
 *   relu | relu6 | hardtanh | clamp (dequantize(%q))  -&gt; dequantize(op(%q))     {@link QdqClamps#floatExact}
 *   cat(dequantize(%a), dequantize(%b), ...)          -&gt; dequantize(cat(%a, %b, ...))
 *       every operand has the same type's parameters and they round-trip (quantized cat requantizes)
 *   quantize(dequantize(%q)) : type of %q             -&gt; %q                     {@link QdqNumerics#roundTripIsIdentity}
 *   quantize(dequantize(%q)) : other parameters       -&gt; requantize(%q)         pytorch-qnnpack: requantize IS
 *       dequantize then quantize (PyTorchAtenQuantized.requantize), in the same float arithmetic
 *   quantize(clamp(dequantize(%q))) : type of %q      -&gt; clamp(%q)              {@link QdqClamps#integerExact}
 * </pre>
 * A moved dequantize keeps the old value's name. On pytorch-qnnpack a rewrite must also leave the
 * PyTorch strides of the value it replaces unchanged ({@link PyTorchLayout}) when the graph has a
 * quantized average pool or quint8 relu6 / hardtanh / clamp, which pick their kernel (or PyTorch's
 * permutation) from the strides. Ops on per-axis tensors, other ops, and regions whose
 * parameters the checks refuse stay in float. A quantized op whose written parameters contradict
 * those it keeps cannot reach this pass: the type rules already reject it when it is written.
 */
public final class PropagateQparams extends RewritePass {
  @Override
  public String name() {
    return "propagate-qparams";
  }

  @Override
  public String description() {
    return "run float ops that keep quantization parameters (pools, reshapes, clamps, cat) on the integers of a QDQ region";
  }

  @Override
  protected Optional<List<Value>> rewrite(Graph graph, Node n, List<Value> operands, GraphRewriter.Rewrite b,
      PassContext context) throws TypeError {
    Numerics numerics = graph.numerics();
    if (operands.isEmpty() || !QdqNumerics.hasQuantize(numerics)) {
      return Optional.empty();
    }
    if (n.op() == Op.QUANTIZE) {
      return quantize(graph, n, operands.get(0), b);
    }
    List<Value> quantized = new ArrayList<>();
    for (Value v : operands) {
      Optional<Value> q = dequantized(v);
      if (q.isEmpty() || q.get().type().perTensor().isEmpty()) {
        return Optional.empty();
      }
      quantized.add(q.get());
    }
    if (!keepsParameters(n, quantized, numerics)) {
      return Optional.empty();
    }
    Value q = quantized.get(0);
    List<TensorType> types = n.results().stream()
        .map(r -> new TensorType(q.type().elementType(), r.type().shape(), q.type().quantization())).toList();
    List<String> names = n.results().stream().map(r -> b.freshName(r.name() + ".q")).toList();
    List<Value> moved = b.add(n.op(), quantized, n.attrs(), types, names, n);
    for (int i = 0; i < moved.size(); i++) {
      if (!sameStrides(graph, n.results().get(i), like(moved.get(i), graph.numerics()))) {
        return Optional.empty(); // the moved op is left dead, for canonicalize
      }
    }
    List<Value> out = new ArrayList<>();
    for (int i = 0; i < moved.size(); i++) {
      Value old = n.results().get(i);
      out.add(b.add(Op.DEQUANTIZE, List.of(moved.get(i)), Attrs.None.INSTANCE, List.of(old.type()),
          List.of(old.name()), n).get(0));
    }
    return Optional.of(out);
  }

  /** Whether {@code n}, applied to the quantized operands, computes exactly the dequantized float result. */
  private static boolean keepsParameters(Node n, List<Value> quantized, Numerics numerics) {
    Value q = quantized.get(0);
    boolean pytorch = numerics.isPyTorch();
    return switch (n.op()) {
      case RESHAPE, FLATTEN, PERMUTE, SPLIT, CHUNK -> true;
      case MAX_POOL2D -> pytorch && QdqNumerics.dequantizeIsOrdered(q.type(), numerics)
          && maxPoolKeeps((Attrs.MaxPool2d) n.attrs());
      case PAD -> pytorch && padKeeps((Attrs.Pad) n.attrs(), q, numerics);
      case RELU, RELU6, HARDTANH, CLAMP -> QdqClamps.floatExact(n, q, numerics);
      case CAT -> numerics == Numerics.PYTORCH_QNNPACK
          && quantized.stream().allMatch(v -> v.type().elementType() == q.type().elementType()
              && v.type().quantization().equals(q.type().quantization()))
          && QdqNumerics.roundTripIsIdentity(q.type(), numerics);
      default -> false;
    };
  }

  private static boolean maxPoolKeeps(Attrs.MaxPool2d a) {
    boolean padded = a.padding().stream().anyMatch(p -> p != 0);
    boolean dilated = a.dilation().stream().anyMatch(d -> d != 1);
    return a.kernel().get(0) * a.kernel().get(1) > 1 && !(padded && dilated);
  }

  /** The interpreter's quantized fill: the zero point for 0.0 (and -0.0), else the bound quantized. */
  private static boolean padKeeps(Attrs.Pad a, Value q, Numerics numerics) {
    var p = q.type().perTensor().orElseThrow();
    ElementType storage = q.type().elementType();
    long fill = a.value() == 0.0 ? p.zeroPoint()
        : QdqNumerics.quantize(numerics, (float) a.value(), p.scale(), p.zeroPoint(), storage);
    return QdqNumerics.dequantizeIsOrdered(q.type(), numerics)
        && QdqNumerics.dequantizesTo(q.type(), numerics, fill, (float) a.value());
  }

  /** quantize(dequantize(q)), quantize(clamp(dequantize(q))). */
  private static Optional<List<Value>> quantize(Graph graph, Node n, Value x, GraphRewriter.Rewrite b)
      throws TypeError {
    Numerics numerics = graph.numerics();
    TensorType target = n.result().type();
    Node producer = x.producer();
    if (producer == null) {
      return Optional.empty();
    }
    Optional<Value> source = dequantized(x);
    if (source.isPresent() && source.get().type().equals(target)
        && QdqNumerics.roundTripIsIdentity(target, numerics)) {
      Value q = source.get();
      return sameStrides(graph, n.result(), strides(q, numerics)) ? Optional.of(List.of(q)) : Optional.empty();
    }
    if (source.isPresent() && numerics == Numerics.PYTORCH_QNNPACK) {
      if (!sameStrides(graph, n.result(), like(source.get(), numerics))) {
        return Optional.empty();
      }
      return Optional.of(b.add(Op.REQUANTIZE, List.of(source.get()), Attrs.None.INSTANCE, List.of(target),
          List.of(n.result().name()), n));
    }
    if (QdqClamps.isClamp(producer)) {
      Optional<Value> q = dequantized(producer.operand(0));
      if (q.isPresent() && q.get().type().equals(target) && QdqClamps.integerExact(producer, q.get(), numerics)) {
        // PyTorch's quantized relu keeps its input's format; relu6, hardtanh and clamp write contiguous.
        long[] clampStrides = producer.op() == Op.RELU ? like(q.get(), numerics)
            : PyTorchLayout.contiguous(target.shape().toArray());
        if (sameStrides(graph, n.result(), clampStrides)) {
          return Optional.of(b.add(producer.op(), List.of(q.get()), producer.attrs(), List.of(target),
              List.of(n.result().name()), n));
        }
      }
    }
    return Optional.empty();
  }

  /** The quantized tensor {@code v} dequantizes, when its producer (in the new graph) is a dequantize. */
  static Optional<Value> dequantized(Value v) {
    Node p = v.producer();
    return p != null && p.op() == Op.DEQUANTIZE ? Optional.of(p.operand(0)) : Optional.empty();
  }

  /** PyTorch's strides of {@code v} (only pytorch-qnnpack's integers depend on them). */
  private static long[] strides(Value v, Numerics numerics) {
    return numerics == Numerics.PYTORCH_QNNPACK ? PyTorchLayout.strides(v, numerics) : new long[0];
  }

  /** The strides of an op that makes {@code v} dense in its suggested format (dequantize, requantize, relu). */
  private static long[] like(Value v, Numerics numerics) {
    if (numerics != Numerics.PYTORCH_QNNPACK) {
      return new long[0];
    }
    int[] shape = v.type().shape().toArray();
    return PyTorchLayout.dense(shape, PyTorchLayout.suggestsChannelsLast(shape, strides(v, numerics)));
  }

  /**
   * On pytorch-qnnpack, whether the replacement of {@code old} has its PyTorch strides, so no later
   * kernel choice changes, or whether no op of the graph picks its integers by layout (quantized
   * average pools and quint8 relu6 / hardtanh / clamp). Other flavours have no layout-dependent
   * integers. Clamps this pass creates decide their own layout question on the new graph.
   */
  private static boolean sameStrides(Graph graph, Value old, long[] replacement) {
    return graph.numerics() != Numerics.PYTORCH_QNNPACK
        || Arrays.equals(PyTorchLayout.strides(old, graph.numerics()), replacement)
        || graph.nodes().stream().noneMatch(PropagateQparams::layoutSensitive);
  }

  private static boolean layoutSensitive(Node n) {
    return switch (n.op()) {
      case AVG_POOL2D, ADAPTIVE_AVG_POOL2D -> n.operand(0).type().isQuantized();
      case AVG_POOL2D_INT, ADAPTIVE_AVG_POOL2D_INT -> true;
      case RELU6, HARDTANH, CLAMP -> n.operand(0).type().elementType() == ElementType.U8
          && n.operand(0).type().isQuantized();
      default -> false;
    };
  }
}
