package dev.zeropoint.backends.accel;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Diagnostic;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A lowered graph split into accelerator regions and host regions, in execution order. A node runs
 * on the accelerator when the target can run it exactly ({@link ConvLayer}: a {@code conv2d_acc} or
 * {@code linear_acc} whose only user is its {@code requantize_acc}; {@link MaxPoolLayer}: {@code
 * max_pool2d} on 8-bit tensors; {@link AvgPoolLayer}: QNNPACK's quantized average pooling; {@link
 * ClampLayer}: a quantized clamp; {@link AddLayer}: QNNPACK's same-shape quint8 add, with or without a
 * multiplier; {@link ReshapeLayer}: a flatten or reshape of an accelerator layer's output that moves no
 * byte); consecutive accelerator layers form one
 * region, whose intermediate tensors stay in the accelerator's DRAM. Everything else runs on the host.
 * The values crossing between regions are the explicit copies: each region lists the values it reads
 * from elsewhere and the values others read from it.
 */
public final class Partition {
  /** A region: its values from outside and its values used outside (or graph outputs). */
  public sealed interface Region {
    List<Value> inputs();

    List<Value> outputs();
  }

  /**
   * Host nodes, as a graph of their own whose inputs and outputs are named after the values. An input
   * that PyTorch holds channels-last in the whole graph (a convolution's output) is, in {@code graph},
   * an NHWC input permuted back to NCHW, so that the ops whose integers depend on PyTorch's memory
   * layout ({@link dev.zeropoint.ir.numerics.PyTorchLayout}) see the strides they see in the whole
   * graph; {@code nhwc} lists those inputs.
   */
  public record HostRegion(List<Node> nodes, List<Value> inputs, List<Value> outputs, Graph graph, Set<Value> nhwc)
      implements Region {}

  /** Accelerator layers, in order. */
  public record AccelRegion(List<Layer> layers, List<Value> inputs, List<Value> outputs) implements Region {}

  /** A node left on the host although its kind can run on the accelerator, and why. */
  public record HostReason(Node node, String why) {}

  private final List<Region> regions;
  private final List<HostReason> reasons;
  private final long acceleratorMacs;
  private final long totalMacs;

  private Partition(List<Region> regions, List<HostReason> reasons, long acceleratorMacs, long totalMacs) {
    this.regions = regions;
    this.reasons = reasons;
    this.acceleratorMacs = acceleratorMacs;
    this.totalMacs = totalMacs;
  }

  public List<Region> regions() {
    return regions;
  }

  public List<HostReason> hostReasons() {
    return reasons;
  }

  /** Multiply-accumulates of the layers on the accelerator. */
  public long acceleratorMacs() {
    return acceleratorMacs;
  }

  /** Multiply-accumulates of every conv and linear layer of the graph. */
  public long totalMacs() {
    return totalMacs;
  }

  /**
   * Splits a lowered graph. A layer whose requantization the target cannot do exactly is an error
   * naming each such layer (the user chooses another target or rounds the scales to powers of two).
   */
  public static Partition of(Graph graph, TargetDescription target) throws CompileException {
    List<Object> units = new ArrayList<>(); // Layer or Node
    Set<Node> taken = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<HostReason> reasons = new ArrayList<>();
    Set<Value> onAccelerator = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<Diagnostic> requantProblems = new ArrayList<>();
    long accMacs = 0;
    long allMacs = 0;
    for (Node n : graph.nodes()) {
      if (taken.contains(n) || n.op() == Op.CONST) {
        continue;
      }
      try {
        Layer layer = switch (n.op()) {
          case RELU, RELU6, HARDTANH, CLAMP -> {
            var bounds = dev.zeropoint.backends.lowering.Lowering.clampBounds(n, graph.numerics());
            yield bounds.isPresent() && !PyTorchLayout.permutesNhwcAsNchw(n, graph.numerics())
                ? new ClampLayer(n, bounds.get(), target) : null;
          }
          case ADD -> n.result().type().isQuantized() ? new AddLayer(n, target, graph.numerics()) : null;
          case MAX_POOL2D -> new MaxPoolLayer(n, target, graph.numerics());
          case AVG_POOL2D, ADAPTIVE_AVG_POOL2D ->
              n.operand(0).type().isQuantized() ? new AvgPoolLayer(n, target, graph.numerics()) : null;
          case AVG_POOL2D_INT, ADAPTIVE_AVG_POOL2D_INT -> new AvgPoolLayer(n, target, graph.numerics());
          // Only after an accelerator layer: alone it would open a region of its own.
          case FLATTEN, RESHAPE -> onAccelerator.contains(n.operand(0)) ? new ReshapeLayer(n, target) : null;
          default -> null;
        };
        if (layer != null) {
          units.add(layer);
          onAccelerator.add(layer.output());
          continue;
        }
      } catch (Layer.Unsupported e) {
        reasons.add(new HostReason(n, e.getMessage()));
      }
      if (n.op() == Op.CONV2D_ACC || n.op() == Op.LINEAR_ACC) {
        allMacs += ConvLayer.macs(n);
        List<Node> users = graph.users(n.result());
        boolean output = graph.outputs().stream().anyMatch(o -> o.value() == n.result());
        if (users.size() == 1 && users.get(0).op() == Op.REQUANTIZE_ACC && !output) {
          try {
            ConvLayer layer = new ConvLayer(n, users.get(0), target);
            units.add(layer);
            onAccelerator.add(layer.output());
            taken.add(users.get(0));
            accMacs += layer.macs();
            continue;
          } catch (Layer.Unsupported e) {
            reasons.add(new HostReason(n, e.getMessage()));
          } catch (RequantizeLanes.UnsupportedRequantizationException e) {
            requantProblems.add(Diagnostic.error(users.get(0).location(), "%" + users.get(0).result().name()
                + ": the " + target.name() + " target cannot requantize it exactly: " + e.getMessage()
                + (target.multiplies() ? "" : " (use a target with a multiplier such as vta-mul, or --requantize pow2"
                    + " to round the scales to powers of two)")));
            continue;
          }
        } else {
          reasons.add(new HostReason(n, "its accumulators are not requantized by exactly one requantize_acc"));
        }
      }
      units.add(n);
    }
    if (!requantProblems.isEmpty()) {
      throw new CompileException(requantProblems);
    }
    // Group consecutive units of the same kind.
    List<List<Object>> groups = new ArrayList<>();
    for (Object u : units) {
      boolean accel = u instanceof Layer;
      if (groups.isEmpty() || (groups.get(groups.size() - 1).get(0) instanceof Layer) != accel) {
        groups.add(new ArrayList<>());
      }
      groups.get(groups.size() - 1).add(u);
    }
    // Which values each group defines and reads.
    List<Region> regions = new ArrayList<>();
    Map<Value, Integer> definedIn = new IdentityHashMap<>();
    List<Set<Value>> reads = new ArrayList<>();
    for (int gi = 0; gi < groups.size(); gi++) {
      Set<Value> r = new LinkedHashSet<>();
      for (Object u : groups.get(gi)) {
        for (Node n : nodesOf(u)) {
          for (Value v : n.operands()) {
            if (n.op() == Op.CONST || isConst(v)) {
              continue;
            }
            r.add(v);
          }
          for (Value v : n.results()) {
            definedIn.put(v, gi);
          }
        }
      }
      reads.add(r);
    }
    Set<Value> graphOutputs = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    graph.outputs().forEach(o -> graphOutputs.add(o.value()));
    for (int gi = 0; gi < groups.size(); gi++) {
      List<Value> ins = new ArrayList<>();
      for (Value v : reads.get(gi)) {
        if (definedIn.get(v) == null || definedIn.get(v) != gi) {
          ins.add(v);
        }
      }
      List<Value> outs = new ArrayList<>();
      for (Object u : groups.get(gi)) {
        for (Node n : nodesOf(u)) {
          for (Value v : n.results()) {
            boolean usedLater = false;
            for (int later = gi + 1; later < groups.size(); later++) {
              usedLater |= reads.get(later).contains(v);
            }
            if (usedLater || graphOutputs.contains(v)) {
              outs.add(v);
            }
          }
        }
      }
      List<Object> g = groups.get(gi);
      if (g.get(0) instanceof Layer) {
        regions.add(new AccelRegion(g.stream().map(Layer.class::cast).toList(), ins, outs));
      } else {
        List<Node> nodes = g.stream().map(Node.class::cast).toList();
        Set<Value> nhwc = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value v : ins) {
          if (!v.isInput() && v.type().rank() == 4 && !PyTorchLayout.isContiguous(v, graph.numerics())
              && PyTorchLayout.isChannelsLastContiguous(v, graph.numerics())) {
            nhwc.add(v);
          }
        }
        regions.add(new HostRegion(nodes, ins, outs, subgraph(graph, gi, nodes, ins, outs, nhwc), nhwc));
      }
    }
    return new Partition(regions, reasons, accMacs, allMacs);
  }

  private static List<Node> nodesOf(Object unit) {
    return unit instanceof Layer l ? l.nodes() : List.of((Node) unit);
  }

  private static boolean isConst(Value v) {
    return v.producer() != null && v.producer().op() == Op.CONST;
  }

  /** The host nodes as a graph: inputs and outputs named after the values, constants copied in. */
  private static Graph subgraph(Graph g, int index, List<Node> nodes, List<Value> ins, List<Value> outs,
      Set<Value> nhwc) {
    GraphBuilder b = GraphBuilder.create(g.name() + "_host" + index, g.numerics());
    Map<Value, Value> map = new IdentityHashMap<>();
    try {
      for (Value v : ins) {
        if (nhwc.contains(v)) {
          int[] d = v.type().shape().toArray();
          Value in = b.input(v.name(), v.type().withShape(dev.zeropoint.ir.Shape.of(d[0], d[2], d[3], d[1])),
              v.location());
          map.put(v, b.add(Op.PERMUTE, List.of(in), new Attrs.Permute(
              com.google.common.primitives.ImmutableIntArray.of(0, 3, 1, 2)), List.of(v.type()),
              List.of(v.name() + ".nchw"), v.location()).get(0));
        } else {
          map.put(v, b.input(v.name(), v.type(), v.location()));
        }
      }
      for (Node n : nodes) {
        List<Value> operands = new ArrayList<>();
        for (Value v : n.operands()) {
          if (!map.containsKey(v) && isConst(v)) {
            Attrs.Const c = new Attrs.Const(((Attrs.Const) v.producer().attrs()).data(), java.util.Optional.empty());
            map.put(v, b.add(Op.CONST, List.of(), c, List.of(v.type()), List.of(v.name()), v.location()).get(0));
          }
          operands.add(map.get(v));
        }
        List<Value> results = b.add(n.op(), operands, n.attrs(), n.results().stream().map(Value::type).toList(),
            n.results().stream().map(Value::name).toList(), n.location());
        for (int i = 0; i < results.size(); i++) {
          map.put(n.results().get(i), results.get(i));
        }
      }
    } catch (TypeError e) {
      throw new IllegalStateException("a host region does not type-check: " + e.getMessage(), e);
    }
    for (Value v : outs) {
      b.output(v.name(), map.get(v));
    }
    return b.build();
  }

  /** A readable summary: one line per region. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    for (Region r : regions) {
      if (r instanceof AccelRegion a) {
        s.append("accelerator: ").append(a.layers().size()).append(" layers\n");
      } else if (r instanceof HostRegion h) {
        Map<String, Integer> ops = new LinkedHashMap<>();
        h.nodes().forEach(n -> ops.merge(n.op().keyword(), 1, Integer::sum));
        s.append("host: ").append(ops).append('\n');
      }
    }
    return s.toString();
  }
}
