package dev.zeropoint.backends.accel;

import dev.zeropoint.backends.Backend;
import dev.zeropoint.backends.Executable;
import dev.zeropoint.backends.InputException;
import dev.zeropoint.backends.Inputs;
import dev.zeropoint.backends.jvm.JvmBackend;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --backend <target>}: the graph partitioned ({@link Partition}); accelerator regions compiled
 * to programs and run on the {@link Simulator}, host regions compiled by the host backend (the JVM
 * backend unless told otherwise), with the tensors copied between them.
 */
public final class AccelBackend implements Backend {
  private final AccelTarget target;
  private final Backend host;

  public AccelBackend(AccelTarget target) {
    this(target, new JvmBackend());
  }

  public AccelBackend(AccelTarget target, Backend host) {
    this.target = target;
    this.host = host;
  }

  @Override
  public String name() {
    return target.name();
  }

  @Override
  public Compiled prepare(Graph graph) throws CompileException {
    return build(graph, true);
  }

  /**
   * The partition and the accelerator programs only, for writing them to files: the host regions are
   * not compiled, so the result cannot {@link Compiled#run}.
   */
  public Compiled programs(Graph graph) throws CompileException {
    return build(graph, false);
  }

  private Compiled build(Graph graph, boolean withHost) throws CompileException {
    Graph g = Lowering.pipeline(graph);
    Partition p = Partition.of(g, target.description());
    List<Object> steps = new ArrayList<>();
    for (Partition.Region r : p.regions()) {
      if (r instanceof Partition.AccelRegion a) {
        try {
          steps.add(RegionProgram.compile(a, target.description()));
        } catch (Layer.Unsupported e) {
          // located at the region's first node (the model's file and line rather than "<unknown>")
          SourceLocation at = a.layers().isEmpty() ? SourceLocation.UNKNOWN : a.layers().get(0).nodes().get(0).location();
          throw new CompileException(at, "the " + target.name() + " target cannot compile the region that starts here: "
              + e.getMessage());
        }
      } else if (withHost) {
        steps.add(host.prepare(((Partition.HostRegion) r).graph()));
      } else {
        steps.add(null);
      }
    }
    return new Compiled(g, p, steps, new Simulator(target.description()));
  }

  /** A prepared model; {@link #stats()} accumulates the simulator's counts over every run. */
  public static final class Compiled implements Executable {
    private final Graph graph;
    private final Partition partition;
    private final List<Object> steps;
    private final Simulator simulator;
    private SimStats stats;
    private final List<byte[][]> images = new ArrayList<>();
    private boolean keepImages;
    private boolean everyStartOrder;

    Compiled(Graph graph, Partition partition, List<Object> steps, Simulator simulator) {
      this.graph = graph;
      this.partition = partition;
      this.steps = steps;
      this.simulator = simulator;
    }

    public Partition partition() {
      return partition;
    }

    /** The lowered graph the partition splits. */
    public Graph graph() {
      return graph;
    }

    /** The compiled accelerator regions, in order. */
    public List<RegionProgram> programs() {
      return steps.stream().filter(RegionProgram.class::isInstance).map(RegionProgram.class::cast).toList();
    }

    /** The simulator's counts summed over every accelerator call so far (null before the first). */
    public SimStats stats() {
      return stats;
    }

    /** Runs each program under every start order of the queues and checks they agree (tests). */
    public void everyStartOrder(boolean every) {
      everyStartOrder = every;
    }

    /** Keeps, for every accelerator call, the image handed to it and the image after it ran. */
    public void keepImages(boolean keep) {
      keepImages = keep;
    }

    /** The kept images: {before, after} per accelerator call, in call order. */
    public List<byte[][]> images() {
      return images;
    }

    @Override
    public LinkedHashMap<String, TensorData> run(Map<String, TensorData> inputs) throws InputException {
      Inputs.check(graph, inputs);
      Map<Value, TensorData> env = new IdentityHashMap<>();
      for (Value v : graph.inputs()) {
        env.put(v, inputs.get(v.name()));
      }
      List<Partition.Region> regions = partition.regions();
      for (int i = 0; i < regions.size(); i++) {
        Partition.Region r = regions.get(i);
        Object step = steps.get(i);
        if (step instanceof RegionProgram program) {
          Map<Value, TensorData> in = new IdentityHashMap<>();
          r.inputs().forEach(v -> in.put(v, env.get(v)));
          byte[] image = program.image(in);
          byte[] before = keepImages ? image.clone() : null;
          SimStats s = everyStartOrder ? simulator.runEveryStartOrder(image, program.insnOffset(), program.insnCount())
              : simulator.run(image, program.insnOffset(), program.insnCount());
          stats = stats == null ? s : stats.plus(s);
          if (keepImages) {
            images.add(new byte[][] {before, image.clone()});
          }
          env.putAll(program.outputs(image));
        } else if (step == null) {
          throw new IllegalStateException("compiled for its programs only: the host regions were not prepared");
        } else {
          Map<String, TensorData> in = new LinkedHashMap<>();
          Partition.HostRegion h = (Partition.HostRegion) r;
          r.inputs().forEach(v -> in.put(v.name(), h.nhwc().contains(v) ? nhwc(env.get(v)) : env.get(v)));
          LinkedHashMap<String, TensorData> out = ((Executable) step).run(in);
          for (Value v : r.outputs()) {
            env.put(v, out.get(v.name()));
          }
        }
      }
      LinkedHashMap<String, TensorData> result = new LinkedHashMap<>();
      for (Graph.Output o : graph.outputs()) {
        TensorData d = env.get(o.value());
        if (d == null) {
          // An output no region computes: a constant of the graph.
          d = graph.nodes().stream().filter(n -> n.op() == dev.zeropoint.ir.op.Op.CONST && n.result() == o.value())
              .map(n -> ((dev.zeropoint.ir.op.Attrs.Const) n.attrs()).data()).findFirst().orElseThrow(
                  () -> new IllegalStateException("output " + o.name() + " was not computed"));
        }
        result.put(o.name(), d);
      }
      return result;
    }
  }

  /** An NCHW tensor's elements in NHWC order, as a tensor of shape [N, H, W, C]. */
  static TensorData nhwc(TensorData d) {
    int[] s = d.shape().toArray();
    dev.zeropoint.ir.Shape shape = dev.zeropoint.ir.Shape.of(s[0], s[2], s[3], s[1]);
    int[] source = nhwcSource(d.shape());
    long[] v = new long[source.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = d.getLong(source[i]);
    }
    return TensorData.ofLongs(d.elementType(), shape, v);
  }

  /**
   * The conversion of a host region's NHWC input ({@link Partition.HostRegion#nhwc()}): element {@code i} of the
   * NHWC tensor is element {@code source[i]} of the NCHW tensor of shape {@code nchw}.
   */
  static int[] nhwcSource(dev.zeropoint.ir.Shape nchw) {
    int[] s = nchw.toArray();
    return dev.zeropoint.backends.IndexMaps.permute(nchw, dev.zeropoint.ir.Shape.of(s[0], s[2], s[3], s[1]),
        com.google.common.primitives.ImmutableIntArray.of(0, 2, 3, 1));
  }
}
