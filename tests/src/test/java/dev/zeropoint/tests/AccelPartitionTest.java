package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.backends.accel.AccelBackend;
import dev.zeropoint.backends.accel.AccelTarget;
import dev.zeropoint.backends.accel.AluOp;
import dev.zeropoint.backends.accel.Partition;
import dev.zeropoint.backends.accel.Pow2Requantization;
import dev.zeropoint.backends.accel.ProgramFile;
import dev.zeropoint.backends.accel.RegionProgram;
import dev.zeropoint.backends.accel.Simulator;
import dev.zeropoint.backends.accel.TargetDescription;
import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How graphs are split into accelerator and host regions, and what crosses between them. */
class AccelPartitionTest {
  /** Two convolutions, a max pool, a third convolution, a hardtanh: scales chosen so that s_in s_w / s_out = 2^-8. */
  private static final String MODEL = """
      model part numerics(pytorch-qnnpack) {
        input %x : f32[1, 3, 6, 6]
        %q = quantize(%x) : qu8<0.0625:120>[1, 3, 6, 6]
        %w = const [%W] : qi8<0.015625:0>[4, 3, 3, 3]
        %w2 = const [%W2] : qi8<0.015625:0>[4, 4, 3, 3]
        %b = const [0.5, -0.25, 1.0, 0.0] : f32[4]
        %c1 = conv2d(%q, %w, %b) {stride = [1, 1], padding = [1, 1, 1, 1]} : qu8<0.25:3>[1, 4, 6, 6]
        %c2 = conv2d(%c1, %w2, %b) {stride = [1, 1], padding = [1, 1, 1, 1]} : qu8<0.25:7>[1, 4, 6, 6]
        %p = max_pool2d(%c2) {kernel = [2, 2], stride = [2, 2]} : qu8<0.25:7>[1, 4, 3, 3]
        %c3 = conv2d(%p, %w2, %b) {stride = [1, 1], padding = [0, 0, 0, 0]} : qu8<0.25:0>[1, 4, 1, 1]
        %h = hardtanh(%c2) {min = 0.0, max = 6.0} : qu8<0.25:7>[1, 4, 6, 6]
        %y = dequantize(%c3) : f32[1, 4, 1, 1]
        %z = dequantize(%h) : f32[1, 4, 6, 6]
        output y = %y
        output z = %z
        output c1 = %c1
      }
      """;

  static Graph model(String text) throws CompileException {
    Random r = new Random(5);
    String t = text.replace("%W2", ints(r, 4 * 4 * 9)).replace("%W", ints(r, 4 * 3 * 9));
    return Lowering.pipeline(ModelParser.create().parse("part.qg", t, Path.of(".")));
  }

  private static String ints(Random r, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ", ").append(r.nextInt(255) - 127);
    }
    return b.toString();
  }

  static TensorData input(int seed) {
    Random r = new Random(seed);
    float[] x = new float[3 * 36];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextGaussian() * 3);
    }
    return TensorData.ofFloats(Shape.of(1, 3, 6, 6), x);
  }

  private static List<String> names(List<Value> values) {
    return values.stream().map(Value::name).toList();
  }

  /** The model with its scales as powers of two in the pow2 scheme (vta runs no other). */
  static Graph pow2(String text) throws CompileException {
    return Pow2Requantization.apply(model(text)).graph();
  }

  @Test
  void consecutiveLayersShareARegionAndOnlyBoundaryValuesAreCopied() throws Exception {
    Graph g = pow2(MODEL);
    Partition p = Partition.of(g, TargetDescription.vta());
    List<Partition.Region> rs = p.regions();
    assertEquals(3, rs.size(), p.describe());
    assertInstanceOf(Partition.HostRegion.class, rs.get(0));
    Partition.AccelRegion a = assertInstanceOf(Partition.AccelRegion.class, rs.get(1));
    // conv, conv, max pool, conv: one region; p and the tensor between the first two stay in its memory.
    assertEquals(4, a.layers().size());
    assertEquals(List.of("q"), names(a.inputs()));
    // c1 is a graph output; c2 feeds the hardtanh on the host as well as the pool; c3 is dequantized there.
    assertEquals(List.of("c1", "c2", "c3"), names(a.outputs()));
    Partition.HostRegion last = assertInstanceOf(Partition.HostRegion.class, rs.get(2));
    assertEquals(List.of("c2", "c3"), names(last.inputs()));
    // c2 is a convolution's output: channels-last in PyTorch, so the host sees it through an NHWC input.
    assertTrue(last.nhwc().stream().anyMatch(v -> v.name().equals("c2")));
    assertTrue(last.nhwc().stream().noneMatch(v -> v.name().equals("c3")), "c3 is [1, 4, 1, 1]: both layouts");
    assertEquals(p.totalMacs(), p.acceleratorMacs());
    assertEquals(4L * 36 * 27 + 4L * 36 * 36 + 4L * 36, p.totalMacs());
  }

  @Test
  void requantizationsVtaCannotRunAreErrorsNamingEachLayer() throws Exception {
    Graph g = model(MODEL.replace("qu8<0.25:3>", "qu8<0.3:3>").replace("qu8<0.25:0>", "qu8<0.2:0>"));
    CompileException e = assertThrows(CompileException.class, () -> Partition.of(g, TargetDescription.vta()));
    assertEquals(3, e.diagnostics().size(), e.getMessage());
    for (int i = 0; i < 3; i++) {
      assertTrue(e.diagnostics().get(i).toString().contains("%c" + (i + 1)), e.getMessage());
      assertTrue(e.diagnostics().get(i).toString().contains("--requantize pow2"), e.getMessage());
    }
    // Rounded to powers of two, the same graph compiles; every scale changed (c2 reads c1's new output scale).
    // The unmodified model's scales are powers of two already: rounding reports no change.
    Pow2Requantization.Result r = Pow2Requantization.apply(g);
    assertEquals(List.of("c1", "c2", "c3"), r.changes().stream().map(c -> c.node().result().name()).toList());
    assertEquals(List.of(), Pow2Requantization.apply(model(MODEL)).changes());
    assertEquals(4, Partition.of(r.graph(), TargetDescription.vta()).regions().stream()
        .filter(x -> x instanceof Partition.AccelRegion).mapToInt(x -> ((Partition.AccelRegion) x).layers().size())
        .sum());
  }

  @Test
  void layersTheTargetCannotRunStayOnTheHostWithTheReason() throws Exception {
    Graph g = pow2(MODEL.replace("%c3 = conv2d(%p, %w2, %b) {stride = [1, 1], padding = [0, 0, 0, 0]} : "
        + "qu8<0.25:0>[1, 4, 1, 1]", "%c3 = conv2d(%p, %w2, %b) {stride = [1, 1], padding = [16, 16, 16, 16]} : "
        + "qu8<0.25:0>[1, 4, 33, 33]").replace("f32[1, 4, 1, 1]", "f32[1, 4, 33, 33]"));
    Partition p = Partition.of(g, TargetDescription.vta());
    assertEquals(1, p.hostReasons().size());
    assertTrue(p.hostReasons().get(0).why().contains("padding"), p.hostReasons().get(0).why());
    assertEquals(3, p.regions().size(), p.describe()); // host; accelerator (c1, c2, pool); host (c3 and the rest)
    Map<String, TensorData> in = Map.of("x", input(1));
    assertOutputs(g, in);
  }

  @Test
  void theModelRunsExactlyAndItsProgramsSurviveTheProgramFile() throws Exception {
    Graph g = pow2(MODEL);
    Map<String, TensorData> in = Map.of("x", input(2));
    assertOutputs(g, in);
    AccelBackend.Compiled c = new AccelBackend(AccelTarget.named("vta").orElseThrow()).prepare(g);
    c.keepImages(true);
    c.run(in);
    RegionProgram first = c.programs().get(0);
    byte[] file = ProgramFile.write(first, TargetDescription.vta());
    ProgramFile.Contents back = ProgramFile.read(file, "vta");
    assertEquals(TargetDescription.vta(), back.target());
    assertArrayEquals(first.built().image(), back.image());
    assertEquals(first.insnCount(), back.insnCount());
    assertEquals(List.of("q", "c1", "c2", "c3"), back.tensors().stream().map(ProgramFile.Tensor::name).toList());
    // The image kept for the first call, run again by a fresh simulator from the file's sections, gives the
    // image kept after the call: another implementation can replay it byte for byte.
    byte[] image = c.images().get(0)[0].clone();
    new Simulator(back.target()).run(image, Math.toIntExact(back.sections()[4]), back.insnCount());
    assertArrayEquals(c.images().get(0)[1], image);
    String listing = ProgramFile.listing(first, TargetDescription.vta());
    assertTrue(listing.contains("; weights of %c2"), listing);
    assertTrue(listing.contains("%q block 0 rows 0..5"), listing);
  }

  /**
   * QNNPACK's add runs on vta (no MUL) as on vta-mul; on a target that cannot shift by 1 it stays on
   * the host with the reason, and so does a broadcasting add.
   */
  @Test
  void addsRunOnVtaAndStayOnTheHostWithTheReasonElsewhere() throws Exception {
    Graph g = ModelParser.create().parse("add.qg", """
        model adds numerics(pytorch-qnnpack) {
          input %a : qu8<0.05:100>[1, 16, 4, 4]
          input %b : qu8<0.03:120>[1, 16, 4, 4]
          input %c : qu8<0.03:120>[1, 16, 1, 1]
          %y = add(%a, %b) : qu8<0.07:110>[1, 16, 4, 4]
          %z = add(%y, %c) : qu8<0.07:110>[1, 16, 4, 4]
          output z = %z
        }
        """, Path.of("."));
    Graph lowered = Lowering.pipeline(g);
    for (TargetDescription t : List.of(TargetDescription.vta(), TargetDescription.vtaMul())) {
      Partition p = Partition.of(lowered, t);
      assertEquals("accelerator: 1 layers\nhost: {add=1}\n", p.describe(), t.name());
      assertEquals(List.of("z"), p.hostReasons().stream().map(r -> r.node().result().name()).toList());
      assertEquals("the operands' and the result's layouts differ", p.hostReasons().get(0).why());
    }
    TargetDescription noShiftBy1 = new TargetDescription("no-shift-by-1", 1, 16, 16, 8192, 2048, 1024, 2048,
        java.util.EnumSet.of(AluOp.MIN, AluOp.MAX, AluOp.ADD, AluOp.SHR), 2, 15, 16, 14);
    Partition p = Partition.of(lowered, noShiftBy1);
    assertEquals("host: {add=2}\n", p.describe());
    assertEquals("QNNPACK's add needs shifts by 1, target no-shift-by-1 has 2..15", p.hostReasons().get(0).why());
  }

  private static void assertOutputs(Graph g, Map<String, TensorData> in) throws Exception {
    Map<String, TensorData> expected = new Interpreter().prepare(g).run(in);
    AccelBackend.Compiled c = new AccelBackend(AccelTarget.named("vta").orElseThrow()).prepare(g);
    c.everyStartOrder(true);
    Map<String, TensorData> actual = c.run(in);
    for (var e : expected.entrySet()) {
      assertTrue(e.getValue().contentEquals(actual.get(e.getKey())), e.getKey());
      long distinct = java.util.stream.LongStream.range(0, e.getValue().size()).map(e.getValue()::getRawBits)
          .distinct().count();
      assertTrue(distinct > 2 || e.getValue().size() <= 4, e.getKey() + " has only " + distinct + " values");
    }
  }
}
