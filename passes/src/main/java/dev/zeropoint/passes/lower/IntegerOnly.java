package dev.zeropoint.passes.lower;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Diagnostic;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.canonicalize.Canonicalize;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code --integer-only}: the graph's inputs and outputs become its quantized tensors (a float input
 * whose only users quantize it becomes that quantized input; an output that dequantizes becomes the
 * quantized tensor, its parameters kept in the type), then no float value or float arithmetic may
 * remain. Every op that still needs floating point is reported with the reason.
 */
public final class IntegerOnly {
  private IntegerOnly() {}

  public static Graph finish(Graph graph) throws CompileException {
    Graph g;
    try {
      g = moveBoundary(graph);
    } catch (TypeError e) {
      throw new IllegalStateException("integer-only boundary produced an ill-typed graph: " + e.getMessage(), e);
    }
    g = new Canonicalize().run(g, PassContext.forTests());
    try {
      g = dropUnusedFloatInputs(g);
    } catch (TypeError e) {
      throw new IllegalStateException("dropping unused inputs produced an ill-typed graph: " + e.getMessage(), e);
    }
    List<Diagnostic> problems = problems(g);
    if (!problems.isEmpty()) {
      throw new CompileException(problems);
    }
    return g;
  }

  /**
   * Whether the graph computes with integers only, as {@link #finish} leaves it: no float input, and
   * no node that needs floating point ({@link #floatReason}). Backends keep such a graph's code free
   * of float arithmetic.
   */
  public static boolean holds(Graph g) {
    return problems(g).isEmpty();
  }

  /** Each float input and each node that needs floating point, with the reason. */
  private static List<Diagnostic> problems(Graph g) {
    List<Diagnostic> problems = new ArrayList<>();
    for (Value in : g.inputs()) {
      if (in.type().isFloat()) {
        problems.add(Diagnostic.error(in.location(), "integer-only: input " + in.name() + " is " + in.type()
            + " (it is not only quantized, so the boundary cannot move past it)"));
      }
    }
    for (Node n : g.nodes()) {
      floatReason(n, g.numerics()).ifPresent(reason -> problems.add(Diagnostic.error(n.location(),
          "integer-only: " + n.op() + " %" + n.results().get(0).name() + " needs floating point: " + reason)));
    }
    return problems;
  }

  /** Why the node needs floating point at run time, or empty when it runs on integers only. */
  public static Optional<String> floatReason(Node n, Numerics numerics) {
    TensorType out = n.results().get(0).type();
    if (n.results().stream().anyMatch(v -> v.type().isFloat())) {
      return Optional.of(n.op() == Op.DEQUANTIZE ? "it converts to float inside the graph"
          : "it computes a float tensor (" + out + ")");
    }
    if (n.op() == Op.QUANTIZE || n.op() == Op.QUANTIZE_ADD_ROUND) {
      return Optional.of("it converts a float tensor inside the graph");
    }
    boolean quantized = out.isQuantized();
    return switch (n.op()) {
      case REQUANTIZE_ACC -> switch (((Attrs.RequantizeAcc) n.attrs()).scheme()) {
        case FLOAT -> Optional.of("scheme float multiplies in float32 (lower with --integer-only for the mantissa "
            + "scheme)");
        case FLOAT_CLAMP -> Optional.of("scheme float_clamp (ONNX Runtime's requantization) multiplies in float32; "
            + "it has no integer-only form yet");
        default -> Optional.empty();
      };
      case CONV2D, LINEAR, MATMUL -> quantized
          ? Optional.of(n.op() + " requantizes in float32: lower-requantize did not lower it (constant weights and bias needed)")
          : Optional.empty();
      case ADD -> quantized && !integerAdd(n, numerics)
          ? Optional.of("this add dequantizes to float (PyTorch's path for broadcast quint8 operands; lower-integer "
              + "makes it a binary_lookup table in pytorch-qnnpack when both operands are contiguous, not "
              + "channels-last as after a quantized conv)")
          : Optional.empty();
      case MUL -> quantized ? Optional.of("quantized mul rescales with a float32 multiply (lower-integer lowers "
          + "quint8 mul with multiplier below 2^31 / 255^2 only)") : Optional.empty();
      case CAT -> quantized && n.operands().stream().anyMatch(v -> !v.type().equals(sameParams(v, out)))
          ? Optional.of("inputs with other parameters are requantized through float (lower-integer lowers "
              + "per-tensor 8-bit inputs only)") : Optional.empty();
      case REQUANTIZE -> Optional.of("requantize goes through float (dequantize, quantize; lower-integer lowers "
          + "per-tensor 8-bit ones only)");
      case AVG_POOL2D, ADAPTIVE_AVG_POOL2D -> quantized
          ? Optional.of("average pooling rescales its sums with a float32 multiply (lower-integer did not lower "
              + "it: a multiplier outside the exact domain, or a pool PyTorch refuses)") : Optional.empty();
      case BATCH_NORM -> quantized
          ? Optional.of("quantized batch norm uses a float fused multiply-add (lower-integer makes it a per-channel "
              + "table when its parameters are constant)")
          : Optional.empty();
      case CONST, QUANTIZE, QUANTIZE_ADD_ROUND, DEQUANTIZE, CONV2D_ACC, LINEAR_ACC, AVG_POOL2D_INT,
          ADAPTIVE_AVG_POOL2D_INT, MUL_ACC,
          LOOKUP, BINARY_LOOKUP, RELU, RELU6, HARDTANH, CLAMP, HARDSWISH, HARDSIGMOID,
          SIGMOID, MAX_POOL2D, FLATTEN, RESHAPE, PERMUTE, SPLIT, CHUNK, PAD -> Optional.empty();
    };
  }

  /** PyTorch qnnpack's same-shape quint8 add is fixed point; qint8 add runs XNNPACK's fixed point. */
  private static boolean integerAdd(Node n, Numerics numerics) {
    TensorType a = n.operand(0).type();
    TensorType b = n.operand(1).type();
    if (numerics != Numerics.PYTORCH_QNNPACK) {
      return false;
    }
    return (a.elementType() == ElementType.U8 && a.shape().equals(b.shape()) && b.elementType() == ElementType.U8)
        || a.elementType() == ElementType.I8;
  }

  private static TensorType sameParams(Value v, TensorType out) {
    return out.withShape(v.type().shape());
  }

  /**
   * Moves the boundary to the quantized tensors. Every quantize of a float value computed from the
   * inputs by float ops only (the float prefix: preprocessing that runs on the host) becomes an
   * input: named after the graph input when it quantizes an input directly and is its only kind of
   * user, else after the quantized value itself. Each output that dequantizes becomes the quantized
   * tensor. Float inputs nothing uses any more are dropped; float values still needed remain (and
   * are reported).
   */
  private static Graph moveBoundary(Graph graph) throws TypeError {
    java.util.Set<Value> prefix = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    graph.inputs().stream().filter(v -> v.type().isFloat()).forEach(prefix::add);
    for (Node n : graph.nodes()) {
      boolean floatOnly = n.op() != Op.QUANTIZE && n.results().stream().allMatch(v -> v.type().isFloat())
          && n.operands().stream().allMatch(prefix::contains);
      if (floatOnly) {
        prefix.addAll(n.results());
      }
    }
    java.util.Set<Node> boundary = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    graph.nodes().stream().filter(n -> n.op() == Op.QUANTIZE && prefix.contains(n.operand(0))).forEach(boundary::add);

    GraphBuilder b = GraphBuilder.create(graph.name(), graph.numerics());
    graph.weightsFile().ifPresent(b::weightsFile);
    Map<Value, Value> map = new IdentityHashMap<>();
    java.util.Set<Node> moved = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Value in : graph.inputs()) {
      List<Node> users = graph.users(in);
      boolean onlyQuantized = !users.isEmpty() && users.stream().allMatch(boundary::contains)
          && users.stream().map(u -> u.result().type()).distinct().count() == 1;
      if (onlyQuantized) {
        Value q = b.input(in.name(), users.get(0).result().type(), in.location());
        users.forEach(u -> map.put(u.result(), q));
        moved.addAll(users);
      } else {
        map.put(in, b.input(in.name(), in.type(), in.location()));
      }
    }
    for (Node q : boundary) {
      if (!moved.contains(q)) {
        map.put(q.result(), b.input(q.result().name(), q.result().type(), q.location()));
      }
    }
    for (Node n : graph.nodes()) {
      if (boundary.contains(n)) {
        continue; // a boundary quantize, now an input
      }
      List<Value> operands = n.operands().stream().map(map::get).toList();
      List<Value> results = b.add(n.op(), operands, n.attrs(), n.results().stream().map(Value::type).toList(),
          n.results().stream().map(Value::name).toList(), n.location());
      for (int i = 0; i < results.size(); i++) {
        map.put(n.results().get(i), results.get(i));
      }
    }
    for (Graph.Output o : graph.outputs()) {
      Node p = o.value().producer();
      Value v = p != null && p.op() == Op.DEQUANTIZE ? p.operand(0) : o.value();
      b.output(o.name(), map.get(v), o.location());
    }
    return b.build();
  }

  /** The graph without the float inputs nothing uses (the preprocessing they fed has moved out). */
  private static Graph dropUnusedFloatInputs(Graph g) throws TypeError {
    GraphBuilder b = GraphBuilder.create(g.name(), g.numerics());
    g.weightsFile().ifPresent(b::weightsFile);
    Map<Value, Value> map = new IdentityHashMap<>();
    for (Value in : g.inputs()) {
      boolean used = !g.users(in).isEmpty() || g.outputs().stream().anyMatch(o -> o.value() == in);
      if (used || !in.type().isFloat()) {
        map.put(in, b.input(in.name(), in.type(), in.location()));
      }
    }
    for (Node n : g.nodes()) {
      List<Value> results = b.add(n.op(), n.operands().stream().map(map::get).toList(), n.attrs(),
          n.results().stream().map(Value::type).toList(), n.results().stream().map(Value::name).toList(), n.location());
      for (int i = 0; i < results.size(); i++) {
        map.put(n.results().get(i), results.get(i));
      }
    }
    for (Graph.Output o : g.outputs()) {
      b.output(o.name(), map.get(o.value()), o.location());
    }
    return b.build();
  }
}
