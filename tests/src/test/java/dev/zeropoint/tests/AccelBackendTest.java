package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zeropoint.backends.Backends;
import dev.zeropoint.backends.accel.AccelBackend;
import dev.zeropoint.backends.accel.AccelTarget;
import dev.zeropoint.backends.accel.Partition;
import dev.zeropoint.backends.accel.Pow2Requantization;
import dev.zeropoint.backends.accel.TargetDescription;
import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The accelerator targets compute the interpreter's outputs to the bit. Every golden model (after
 * {@code -O} and after {@code -O --integer-only}) and the shared random models run with their conv
 * and linear layers on the simulated accelerator and the rest on the host (the JVM backend):
 *
 * <ul>
 *   <li>on {@code vta} (no multiplier) with the requantization scales rounded to powers of two
 *       ({@code --requantize pow2}), against the interpreter on the same rounded graph;
 *   <li>on {@code vta-mul} and on the test target {@code tiny8} (8x8 tiles, tiny buffers) exactly as
 *       written, and rounded as well.
 * </ul>
 *
 * Each run goes through the simulator for every start order of the three queues, so a missing
 * dependency token shows as a difference between orders.
 */
class AccelBackendTest {
  /** Golden runs that must use the accelerator (run a region on it); raise it as ops are added. */
  static final int MIN_ACCELERATED_GOLDEN = 96;
  /** Random-model runs that must use it (of 60 models, per graph variant). */
  static final int MIN_ACCELERATED_RANDOM = 40;

  @ParameterizedTest
  @ValueSource(strings = {"vta", "vta-mul", "tiny8"})
  void goldenModelsMatchTheInterpreter(String target) throws Exception {
    check(target, BackendRuns.golden(), MIN_ACCELERATED_GOLDEN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"vta", "vta-mul", "tiny8"})
  void randomModelsMatchTheInterpreter(String target) throws Exception {
    List<BackendRuns.Run> runs = new ArrayList<>();
    for (int seed = 0; seed < 60; seed++) {
      RandomModels.Case c = new RandomModels(seed).next("random_" + seed);
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(c.graph(), PassContext.forTests());
      runs.add(new BackendRuns.Run("random " + seed, optimized, Map.of("x", c.input())));
    }
    check(target, runs, MIN_ACCELERATED_RANDOM);
  }

  /**
   * On {@code vta} (no MUL) QNNPACK's adds run on the accelerator: in every golden run, no host
   * region holds a same-shape quint8 add, and the partition is the one of {@code vta-mul}. The residual
   * block is one accelerator region (conv, conv, add; {@code -O} drops the relus of zero point 0)
   * between the input's quantize and the output's dequantize, where the add used to run on the host.
   * The golden adds without a convolution, which {@code --requantize pow2} leaves as they are, give
   * PyTorch's output bytes.
   */
  @Test
  void qnnpackAddsRunOnTheAcceleratorOnVta() throws Exception {
    int adds = 0;
    for (BackendRuns.Run run : BackendRuns.golden()) {
      Pow2Requantization.Result pow2;
      try {
        pow2 = Pow2Requantization.apply(Lowering.pipeline(run.graph()));
      } catch (CompileException e) {
        continue;
      }
      Graph g = pow2.graph();
      Partition vta = Partition.of(g, TargetDescription.vta());
      // Average pools whose multiplier is not a power of two need vta-mul's MUL; everything else is the same.
      if (vta.hostReasons().stream().noneMatch(r -> AVERAGE_POOLS.contains(r.node().op()))) {
        assertEquals(Partition.of(g, TargetDescription.vtaMul()).describe(), vta.describe(), run.what());
      }
      for (Partition.Region r : vta.regions()) {
        if (r instanceof Partition.HostRegion h) {
          for (Node n : h.nodes()) {
            boolean qnnpackAdd = n.op() == Op.ADD && g.numerics() == Numerics.PYTORCH_QNNPACK
                && n.result().type().elementType() == ElementType.U8
                && n.operands().stream().allMatch(v -> v.type().shape().equals(n.result().type().shape())
                    && v.type().elementType() == ElementType.U8);
            if (qnnpackAdd) {
              fail(run.what() + ": %" + n.result().name() + " on the host: " + vta.hostReasons());
            }
          }
        } else {
          adds += (int) ((Partition.AccelRegion) r).layers().stream().flatMap(l -> l.nodes().stream())
              .filter(n -> n.op() == Op.ADD).count();
        }
      }
      if (run.what().equals("residual_block -O")) {
        assertEquals("host: {quantize=1}\naccelerator: 3 layers\nhost: {dequantize=1}\n", vta.describe());
        assertEquals(List.of(List.of(Op.CONV2D_ACC, Op.REQUANTIZE_ACC), List.of(Op.CONV2D_ACC, Op.REQUANTIZE_ACC),
            List.of(Op.ADD)), ((Partition.AccelRegion) vta.regions().get(1)).layers().stream()
            .map(l -> l.nodes().stream().map(Node::op).toList()).toList());
      }
      if (run.what().matches("add(_relu|_ties)? -O")) {
        assertEquals(List.of(), pow2.changes(), run.what());
        String name = run.what().substring(0, run.what().length() - 3);
        Map<String, TensorData> actual = ((AccelBackend) Backends.named("vta").orElseThrow()).prepare(g)
            .run(run.inputs());
        TensorData expected = Npy.read(GoldenTest.GOLDEN.resolve(name).resolve("output.npy"));
        assertEquals(expected.size(), GoldenTest.countEqual(expected, actual.get("output")), run.what());
      }
    }
    assertTrue(adds >= 10, adds + " adds on the accelerator");
  }

  private static final java.util.Set<Op> AVERAGE_POOLS = java.util.EnumSet.of(Op.AVG_POOL2D, Op.ADAPTIVE_AVG_POOL2D,
      Op.AVG_POOL2D_INT, Op.ADAPTIVE_AVG_POOL2D_INT);

  /**
   * The end of ResNet-18 and MobileNetV2 (conv, global average pool, flatten, linear) is one
   * accelerator region on vta-mul and tiny8, where the pool and the flatten used to split it into two
   * accelerator regions around a host region: 1 + 2 regions instead of 2 + 3, with the interpreter's
   * outputs. On vta (no MUL) the 7x7 pool's multiplier f32(1/49) is not a power of two: it stays on the
   * host with the reason, and the region splits as before (scales of the conv and the linear rounded to
   * powers of two).
   */
  @ParameterizedTest
  @ValueSource(strings = {"vta-mul", "tiny8", "vta"})
  void aGlobalPoolJoinsTheAcceleratorRegion(String targetName) throws Exception {
    java.util.Random r = new java.util.Random(3);
    StringBuilder cw = new StringBuilder();
    for (int i = 0; i < 20 * 3; i++) {
      cw.append(i == 0 ? "" : ", ").append(r.nextInt(255) - 127);
    }
    StringBuilder lw = new StringBuilder();
    for (int i = 0; i < 5 * 20; i++) {
      lw.append(i == 0 ? "" : ", ").append(r.nextInt(255) - 127);
    }
    String text = """
        model tail numerics(pytorch-qnnpack) {
          input %x : f32[1, 3, 7, 7]
          %q = quantize(%x) : qu8<0.02:128>[1, 3, 7, 7]
          %cw = const [CW] : qi8<0.01:0>[20, 3, 1, 1]
          %c = conv2d(%q, %cw) {stride = [1, 1], padding = [0, 0, 0, 0], dilation = [1, 1], groups = 1} : qu8<0.03:70>[1, 20, 7, 7]
          %p = adaptive_avg_pool2d(%c) {output_size = [1, 1]} : qu8<0.03:70>[1, 20, 1, 1]
          %f = flatten(%p) {start_dim = 1, end_dim = -1} : qu8<0.03:70>[1, 20]
          %lw = const [LW] : qi8<0.005:0>[5, 20]
          %y = linear(%f, %lw) : qu8<0.05:120>[1, 5]
          %d = dequantize(%y) : f32[1, 5]
          output output = %d
        }
        """.replace("CW", cw).replace("LW", lw);
    Graph g = Lowering.pipeline(dev.zeropoint.frontend.ModelParser.create().parse("tail.qg", text,
        java.nio.file.Path.of(".")));
    if (targetName.equals("vta")) {
      g = Pow2Requantization.apply(g).graph();
    }
    float[] x = new float[3 * 49];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextGaussian() * 1.5);
    }
    Map<String, TensorData> inputs = Map.of("x", TensorData.ofFloats(dev.zeropoint.ir.Shape.of(1, 3, 7, 7), x));
    AccelBackend.Compiled c = new AccelBackend(AccelTarget.named(targetName).orElseThrow()).prepare(g);
    if (targetName.equals("vta")) {
      assertEquals("host: {quantize=1}\naccelerator: 1 layers\nhost: {adaptive_avg_pool2d=1, flatten=1}\naccelerator: 1 layers\n"
          + "host: {dequantize=1}\n", c.partition().describe());
      assertTrue(c.partition().hostReasons().get(0).why().contains("no MUL"), c.partition().hostReasons().toString());
    } else {
      assertEquals("host: {quantize=1}\naccelerator: 4 layers\nhost: {dequantize=1}\n", c.partition().describe());
    }
    c.everyStartOrder(true);
    TensorData expected = new Interpreter().prepare(g).run(inputs).get("output");
    assertTrue(expected.contentEquals(c.run(inputs).get("output")), targetName);
  }

  private static void check(String targetName, List<BackendRuns.Run> runs, int minAccelerated) throws Exception {
    AccelTarget target = AccelTarget.named(targetName).orElseThrow();
    AccelBackend backend = (AccelBackend) Backends.named(targetName).orElseThrow();
    boolean exact = target.description().multiplies();
    List<String> failures = new ArrayList<>();
    int ran = 0;
    int accelerated = 0;
    for (BackendRuns.Run run : runs) {
      Graph lowered = Lowering.pipeline(run.graph());
      List<Graph> graphs = new ArrayList<>();
      if (exact) {
        graphs.add(lowered);
      }
      try {
        graphs.add(Pow2Requantization.apply(lowered).graph());
      } catch (CompileException e) {
        // a scale above 1: no power-of-two right shift; the exact graph (if any) still runs
      }
      for (Graph g : graphs) {
        Map<String, TensorData> expected = new Interpreter().prepare(g).run(run.inputs());
        AccelBackend.Compiled c;
        try {
          c = backend.prepare(g);
          c.everyStartOrder(true);
          Map<String, TensorData> actual = c.run(run.inputs());
          for (var e : expected.entrySet()) {
            if (!e.getValue().contentEquals(actual.get(e.getKey()))) {
              failures.add(run.what() + ": output " + e.getKey() + " differs");
            }
          }
        } catch (CompileException | RuntimeException e) {
          failures.add(run.what() + ": " + e);
          continue;
        }
        ran++;
        if (!c.programs().isEmpty()) {
          accelerated++;
        }
      }
    }
    System.out.println(targetName + ": " + ran + " runs exact, " + accelerated + " of them on the accelerator; "
        + failures.size() + " failures");
    failures.stream().limit(20).forEach(System.out::println);
    assertEquals(0, failures.size(), "runs that failed or differ on " + targetName);
    assertTrue(accelerated >= minAccelerated, "only " + accelerated + " runs used the accelerator");
  }
}
