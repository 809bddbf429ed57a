package dev.zeropoint.tests.onnx;

import static dev.zeropoint.tests.onnx.OnnxRuntimeQLinearTest.node;
import static dev.zeropoint.onnx.OnnxTestModels.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zeropoint.backends.Backends;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.numerics.OnnxRuntimeQLinear;
import dev.zeropoint.onnx.proto.OnnxModel.AttributeProto;
import dev.zeropoint.onnx.proto.OnnxModel.GraphProto;
import dev.zeropoint.onnx.proto.OnnxModel.ModelProto;
import dev.zeropoint.onnx.proto.OnnxModel.NodeProto;
import dev.zeropoint.onnx.proto.OnnxModel.OperatorSetIdProto;
import dev.zeropoint.onnx.proto.OnnxModel.TensorProto;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's com.microsoft QOperator ops imported with onnx numerics (ContribOps) against ONNX
 * Runtime 1.20 itself (CPU provider, graph optimizations off so the contrib kernel runs as written,
 * {@code session.x64quantprecision = 1}): seeded random parameters (scales over several decades,
 * zero points across the range, u8 and i8), every input value of the table ops (all 256 for the
 * unary ones, all 65,536 pairs for the binary ones, also through broadcasting), random tensors for
 * the others. Every output element of every model must equal ONNX Runtime's bit for bit on the
 * interpreter (as imported and after {@code -O}) and on the jvm, c and vta-mul backends; no expected
 * value comes from Zeropoint. Each op's outputs must also take many distinct values, so a wrong
 * formula cannot pass by saturation.
 */
class OnnxContribOpsTest {
  @TempDir
  Path dir;

  static final List<String> RUNS = List.of("interp", "interp -O", "jvm", "c", "vta-mul");

  private static final int U8 = TensorProto.DataType.UINT8_VALUE;
  private static final int I8 = TensorProto.DataType.INT8_VALUE;

  private static OnnxRuntimeOracle.Options ort() {
    return OnnxRuntimeOracle.Options.defaults().withOptimization(OptLevel.NO_OPT)
        .withConfig(OnnxRuntimeOracle.X64_QUANT_PRECISION, "1");
  }

  // ================================================================== model building

  /** One test model: contrib nodes, each with its own inputs and output. */
  static final class Model {
    final String name;
    final GraphProto.Builder g;
    final Map<String, TensorData> inputs = new LinkedHashMap<>();
    int counter;

    Model(String name) {
      this.name = name;
      this.g = GraphProto.newBuilder().setName(name);
    }

    String fresh(String prefix) {
      return prefix + counter++;
    }

    String input(ElementType t, Shape s, long[] values) {
      String n = fresh("x");
      g.addInput(tensor(n, onnxType(t), s));
      inputs.put(n, TensorData.ofLongs(t, s, values));
      return n;
    }

    String scale(float v) {
      String n = fresh("s");
      g.addInitializer(OnnxRuntimeQLinearTest.scale(n, v));
      return n;
    }

    String zp(ElementType t, int v) {
      String n = fresh("z");
      g.addInitializer(OnnxRuntimeQLinearTest.zeroPoint(n, onnxType(t), v));
      return n;
    }

    String initializer(TensorProto t) {
      g.addInitializer(t);
      return t.getName();
    }

    /** A contrib node whose output is a graph output of type {@code out} (ONNX elem type) and shape. */
    String add(String op, List<String> in, int outType, Shape outShape, AttributeProto... attrs) {
      String y = fresh("y");
      g.addNode(node(op, "com.microsoft", in, y, attrs));
      g.addOutput(tensor(y, outType, outShape));
      return y;
    }
  }

  static int onnxType(ElementType t) {
    return switch (t) {
      case U8 -> U8;
      case I8 -> I8;
      case I32 -> TensorProto.DataType.INT32_VALUE;
      default -> TensorProto.DataType.FLOAT_VALUE;
    };
  }

  static AttributeProto intAttr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  static AttributeProto floatAttr(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
  }

  static AttributeProto intsAttr(String name, long... v) {
    AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      b.addInts(x);
    }
    return b.build();
  }

  Path write(Model m) throws Exception {
    ModelProto proto = ModelProto.newBuilder().setIrVersion(8).setGraph(m.g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1)).build();
    Path p = dir.resolve(m.name + ".onnx");
    Files.write(p, proto.toByteArray());
    return p;
  }

  // ================================================================== comparison

  /** Totals over the test class's models. */
  record Counts(long elements, int outputs, int distinct, Map<String, TensorData> expected) {}

  /**
   * Runs {@code m} on ONNX Runtime and on every Zeropoint run; every output element must have ONNX
   * Runtime's bits. Returns the elements compared per run and the distinct values of the outputs.
   */
  Counts check(Model m) throws Exception {
    Path file = write(m);
    Map<String, TensorData> expected = OnnxRuntimeOracle.run(file, ort(), m.inputs);
    Graph imported = OnnxTorchvisionTest.imported(file, Numerics.ONNX);
    // The imported graph (quantize_add_round, a quantized linear_acc, tables) reads back from its .qg text.
    String text = dev.zeropoint.ir.Printer.print(imported);
    Graph reread = dev.zeropoint.frontend.ModelParser.create().parse(m.name + ".qg", text, dir);
    assertEquals(java.util.Optional.empty(), dev.zeropoint.ir.GraphComparison.firstDifference(imported, reread));
    Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(imported, PassContext.forTests());
    List<String> failures = new ArrayList<>();
    long elements = 0;
    Set<Long> distinct = new HashSet<>();
    for (TensorData e : expected.values()) {
      elements += e.size();
      for (long i = 0; i < e.size(); i++) {
        distinct.add(e.getRawBits(i));
      }
    }
    List<List<TensorData>> everyRun = outputsOfEveryRun(imported, optimized, m.inputs);
    for (int r = 0; r < RUNS.size(); r++) {
      String run = RUNS.get(r);
      List<TensorData> outs = everyRun.get(r);
      int k = 0;
      for (Map.Entry<String, TensorData> e : expected.entrySet()) {
        TensorData want = e.getValue();
        TensorData got = outs.get(k++);
        if (!got.shape().equals(want.shape()) || got.elementType() != want.elementType()) {
          failures.add(run + " " + e.getKey() + ": " + got.elementType() + got.shape() + ", ONNX Runtime "
              + want.elementType() + want.shape());
          continue;
        }
        long bad = 0;
        for (long i = 0; i < want.size(); i++) {
          bad += got.getRawBits(i) == want.getRawBits(i) ? 0 : 1;
        }
        if (bad > 0) {
          failures.add(m.name + " " + run + " " + e.getKey() + ": " + bad + " of " + want.size()
              + " elements differ from ONNX Runtime");
        }
      }
    }
    assertEquals(List.of(), failures, m.name);
    System.out.printf("%-28s %3d outputs, %8d elements x %d runs equal to ONNX Runtime; %d distinct values%n",
        m.name, expected.size(), elements, RUNS.size(), distinct.size());
    return new Counts(elements, expected.size(), distinct.size(), expected);
  }

  /**
   * The outputs of each of {@link #RUNS}, in the graph's order: the interpreter on the imported
   * graph, every other run on the optimized one; two runs at a time.
   */
  static List<List<TensorData>> outputsOfEveryRun(Graph imported, Graph optimized, Map<String, TensorData> inputs) {
    List<java.util.concurrent.Callable<List<TensorData>>> jobs = new ArrayList<>();
    for (String run : RUNS) {
      String backend = run.startsWith("interp") ? "interp" : run;
      Graph g = run.equals("interp") ? imported : optimized;
      jobs.add(() -> new ArrayList<>(Backends.named(backend).orElseThrow().prepare(g).run(inputs).values()));
    }
    return dev.zeropoint.tests.Concurrently.run(jobs);
  }

  /** Fills a model with nodes for one storage type. */
  interface Nodes {
    /** Adds nodes; {@code afterwards} receive ONNX Runtime's outputs by name once the model has run. */
    void add(Model m, ElementType t, Random r, List<java.util.function.Consumer<Map<String, TensorData>>> afterwards)
        throws Exception;
  }

  /**
   * A model per storage type (u8, i8) named {@code name}, filled by {@code nodes}, checked with {@link
   * #checkSpread}; returns the elements compared per run.
   */
  long perStorage(String name, long seed, int minDistinct, Nodes nodes) throws Exception {
    Random r = new Random(seed);
    long elements = 0;
    for (ElementType t : STORAGES) {
      Model m = new Model(name + "_" + t);
      List<java.util.function.Consumer<Map<String, TensorData>>> afterwards = new ArrayList<>();
      nodes.add(m, t, r, afterwards);
      Counts c = checkSpread(m, minDistinct);
      elements += c.elements();
      afterwards.forEach(a -> a.accept(c.expected()));
    }
    return elements;
  }

  /** {@link #check}, and the outputs must take at least {@code minDistinct} distinct values. */
  Counts checkSpread(Model m, int minDistinct) throws Exception {
    Counts c = check(m);
    assertTrue(c.distinct() >= minDistinct, m.name + ": only " + c.distinct() + " distinct outputs");
    return c;
  }

  // ================================================================== parameters

  private static float decades(Random r, double lo, double hi) {
    return (float) Math.pow(10, lo + (hi - lo) * r.nextDouble());
  }

  private static int zeroPoint(Random r, ElementType t) {
    return (int) t.minValue() + r.nextInt(256);
  }

  private static long[] all256(ElementType t) {
    long[] v = new long[256];
    for (int i = 0; i < 256; i++) {
      v[i] = t.minValue() + i;
    }
    return v;
  }

  private static long[] random(Random r, ElementType t, int n) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = t.minValue() + r.nextInt(256);
    }
    return v;
  }

  private static final List<ElementType> STORAGES = List.of(ElementType.U8, ElementType.I8);

  // ================================================================== QLinearAdd / QLinearMul

  /**
   * Per storage and parameter set: every pair laid out elementwise ([1, 65536] + [1, 65536]), every
   * pair through broadcasting with either operand the scalar of ONNX Runtime's spans ([256, 1] + [1,
   * 256] and the converse), a middle-dimension broadcast, a scalar operand, and a one-element add.
   */
  private void binary(String op, int sets, long seed) throws Exception {
    Map<String, Long> readings = new LinkedHashMap<>();
    long elements = perStorage(op, seed, 200, (m, t, r, afterwards) -> {
      for (int s = 0; s < sets; s++) {
        // The last set is searched for (seeded) so that every other reading below disagrees with the
        // formula on some pair: ONNX Runtime's outputs then tell them apart.
        float sa;
        float sb;
        float sc;
        int za;
        int zb;
        int zc;
        for (int tries = 0; ; tries++) {
          sa = decades(r, -3, 0);
          sb = sa * decades(r, -1, 1);
          sc = op.equals("QLinearAdd") ? Math.max(sa, sb) * decades(r, -0.5, 1) : sa * sb * 128 * decades(r, -1, 0.5);
          za = zeroPoint(r, t);
          zb = zeroPoint(r, t);
          zc = zeroPoint(r, t);
          if (s < sets - 1 || separatesReadings(op, sa, za, sb, zb, sc, zc, t)) {
            break;
          }
          if (tries == 5_000) {
            throw new IllegalStateException("no parameters separate the readings of " + op);
          }
        }
        float[] fs = {sa, sb, sc};
        int[] fz = {za, zb, zc};
        long[] a = new long[65536];
        long[] b = new long[65536];
        for (int i = 0; i < 65536; i++) {
          a[i] = t.minValue() + (i >> 8);
          b[i] = t.minValue() + (i & 255);
        }
        List<Shape[]> shapes = List.of(
            new Shape[] {Shape.of(1, 65536), Shape.of(1, 65536)},
            new Shape[] {Shape.of(256, 1), Shape.of(1, 256)},
            new Shape[] {Shape.of(1, 256), Shape.of(256, 1)},
            new Shape[] {Shape.of(2, 3, 4, 5), Shape.of(3, 1, 5)},
            new Shape[] {Shape.of(3, 40), Shape.of()},
            new Shape[] {Shape.of(), Shape.of(2, 33)},
            new Shape[] {Shape.of(1, 1), Shape.of(1, 1)});
        for (Shape[] ab : shapes) {
          long[] av = ab[0].numElements() == 65536 ? a : ab[0].numElements() == 256 ? all256(t)
              : random(r, t, (int) ab[0].numElements());
          long[] bv = ab[1].numElements() == 65536 ? b : ab[1].numElements() == 256 ? all256(t)
              : random(r, t, (int) ab[1].numElements());
          Shape out = Shape.broadcast(ab[0], ab[1]).orElseThrow();
          String y = m.add(op, List.of(m.input(t, ab[0], av), m.scale(sa), m.zp(t, za), m.input(t, ab[1], bv),
              m.scale(sb), m.zp(t, zb), m.scale(sc), m.zp(t, zc)), onnxType(t), out);
          if (out.numElements() == 65536) {
            // Every pair: count where other readings of the kernels disagree with ONNX Runtime.
            boolean aScalar = ab[0].dim(1) == 1;
            boolean broadcast = ab[0].numElements() == 256;
            afterwards.add(expected -> {
              TensorData got = expected.get(y);
              for (int i = 0; i < 65536; i++) {
                int x0 = (int) (broadcast ? av[aScalar ? i >> 8 : i & 255] : av[i]);
                int x1 = (int) (broadcast ? bv[aScalar ? i & 255 : i >> 8] : bv[i]);
                long want = got.getLong(i);
                for (Map.Entry<String, Integer> e : otherReadings(op, x0, x1, fs[0], fz[0], fs[1], fz[1], fs[2],
                    fz[2], t,
                    broadcast ? (aScalar ? OnnxRuntimeQLinear.AddPath.SCALAR_A : OnnxRuntimeQLinear.AddPath.SCALAR_B)
                        : OnnxRuntimeQLinear.AddPath.ELEMENTWISE).entrySet()) {
                  readings.merge(e.getKey(), e.getValue() == want ? 0L : 1L, Long::sum);
                }
              }
            });
          }
        }
      }
    });
    System.out.printf("%s: %d elements compared on %d runs; other readings' mismatches with ONNX Runtime on the "
        + "all-pairs outputs: %s%n", op, elements, RUNS.size(), readings);
    readings.forEach((k, v) -> assertTrue(v > 0, "nothing here separates " + op + " from the reading " + k));
  }

  /**
   * Plausible other readings of MLAS's kernels, each of which must disagree with ONNX Runtime on some
   * pair (so the tests pin the formula down): for add, the broadcast paths computed as the elementwise
   * one, and the scalar's term folded in with a separate multiply and add (not contracted); for mul,
   * a fused multiply-add for {@code p * m + zC}, and the multiplier {@code sA * (sB / sC)}.
   */
  private static Map<String, Integer> otherReadings(String op, int a, int b, float sa, int za, float sb, int zb,
      float sc, int zc, ElementType t, OnnxRuntimeQLinear.AddPath path) {
    Map<String, Integer> r = new LinkedHashMap<>();
    if (op.equals("QLinearAdd")) {
      if (path == OnnxRuntimeQLinear.AddPath.ELEMENTWISE) {
        return r;
      }
      r.put("broadcast as elementwise", OnnxRuntimeQLinear.add(a, b, OnnxRuntimeQLinear.addParams(sa, za, sb, zb, sc,
          zc, t)));
      boolean swap = path == OnnxRuntimeQLinear.AddPath.SCALAR_A;
      OnnxRuntimeQLinear.AddParams p = swap ? OnnxRuntimeQLinear.addParams(sb, zb, sa, za, sc, zc, t)
          : OnnxRuntimeQLinear.addParams(sa, za, sb, zb, sc, zc, t);
      float vector = swap ? b : a;
      float scalar = swap ? a : b;
      float v = Math.fma(vector, p.ratioA(), p.fixed() + scalar * p.ratioB());
      r.put("scalar term not fused", (int) dev.zeropoint.ir.numerics.Rounding.saturate(
          dev.zeropoint.ir.numerics.Rounding.saturateToInt16(
              dev.zeropoint.ir.numerics.Rounding.x86FloatToInt32RoundHalfEven(v)), t));
    } else {
      float m = OnnxRuntimeQLinear.mulMultiplier(sa, sb, sc);
      int product = (a - za) * (b - zb);
      r.put("fused multiply-add", sat(Math.fma((float) product, m, (float) zc), t));
      r.put("sA * (sB / sC)", sat((float) product * (sa * (sb / sc)) + (float) zc, t));
    }
    return r;
  }

  /** Whether each other reading differs from the formula on some pair (for add, on either broadcast path). */
  private static boolean separatesReadings(String op, float sa, int za, float sb, int zb, float sc, int zc,
      ElementType t) {
    List<OnnxRuntimeQLinear.AddPath> paths = op.equals("QLinearAdd")
        ? List.of(OnnxRuntimeQLinear.AddPath.SCALAR_A, OnnxRuntimeQLinear.AddPath.SCALAR_B)
        : List.of(OnnxRuntimeQLinear.AddPath.ELEMENTWISE);
    Set<String> separated = new HashSet<>();
    int readings = 2;
    int min = (int) t.minValue();
    float m = OnnxRuntimeQLinear.mulMultiplier(sa, sb, sc);
    for (OnnxRuntimeQLinear.AddPath path : paths) {
      long[] table = op.equals("QLinearAdd") ? OnnxRuntimeQLinear.addTable(sa, za, sb, zb, sc, zc, t, path) : null;
      for (int i = 0; i < 65536 && separated.size() < readings; i++) {
        int a = min + (i >> 8);
        int b = min + (i & 255);
        long formula = table != null ? table[i] : OnnxRuntimeQLinear.mul(a, b, za, zb, m, zc, t);
        for (Map.Entry<String, Integer> e : otherReadings(op, a, b, sa, za, sb, zb, sc, zc, t, path).entrySet()) {
          if (e.getValue() != formula) {
            separated.add(e.getKey());
          }
        }
      }
    }
    return separated.size() == readings;
  }

  private static int sat(float v, ElementType t) {
    return (int) dev.zeropoint.ir.numerics.Rounding.saturate(dev.zeropoint.ir.numerics.Rounding.saturateToInt16(
        dev.zeropoint.ir.numerics.Rounding.x86FloatToInt32RoundHalfEven(v)), t);
  }

  @Test
  void qlinearAddOnEveryPairAndBroadcast() throws Exception {
    binary("QLinearAdd", 4, 101);
  }

  @Test
  void qlinearMulOnEveryPairAndBroadcast() throws Exception {
    binary("QLinearMul", 4, 102);
  }

  /**
   * ONNX Runtime's QDQ fusion makes a broadcast {@code DequantizeLinear -> Add -> QuantizeLinear} a
   * broadcasting QLinearAdd (checked on the graph it saves); {@code qdq-to-integer} makes the same
   * table of the broadcast path: every pair through both broadcast directions, and a middle-dimension
   * broadcast, equal to ONNX Runtime (ALL_OPT) on every run.
   */
  @Test
  void qdqBroadcastAddIsOnnxRuntimesFusedAdd() throws Exception {
    Random r = new Random(103);
    for (ElementType t : STORAGES) {
      GraphProto.Builder g = GraphProto.newBuilder().setName("qdq_broadcast_add_" + t);
      Map<String, TensorData> inputs = new LinkedHashMap<>();
      List<Shape[]> shapes = List.of(new Shape[] {Shape.of(256, 1), Shape.of(1, 256)},
          new Shape[] {Shape.of(1, 256), Shape.of(256, 1)}, new Shape[] {Shape.of(2, 3, 4, 5), Shape.of(3, 1, 5)});
      int k = 0;
      for (Shape[] ab : shapes) {
        float sa = decades(r, -3, 0);
        float sb = sa * decades(r, -1, 1);
        float sc = Math.max(sa, sb) * decades(r, -0.5, 1);
        String p = "n" + k++ + "_";
        for (int i = 0; i < 2; i++) {
          String x = p + "x" + i;
          g.addInput(tensor(x, onnxType(t), ab[i]));
          inputs.put(x, TensorData.ofLongs(t, ab[i], ab[i].numElements() == 256 ? all256(t)
              : random(r, t, (int) ab[i].numElements())));
          g.addInitializer(OnnxRuntimeQLinearTest.scale(p + "s" + i, i == 0 ? sa : sb))
              .addInitializer(OnnxRuntimeQLinearTest.zeroPoint(p + "z" + i, onnxType(t), zeroPoint(r, t)))
              .addNode(node("DequantizeLinear", "", List.of(x, p + "s" + i, p + "z" + i), p + "f" + i));
        }
        g.addInitializer(OnnxRuntimeQLinearTest.scale(p + "sc", sc))
            .addInitializer(OnnxRuntimeQLinearTest.zeroPoint(p + "zc", onnxType(t), zeroPoint(r, t)))
            .addNode(node("Add", "", List.of(p + "f0", p + "f1"), p + "sum"))
            .addNode(node("QuantizeLinear", "", List.of(p + "sum", p + "sc", p + "zc"), p + "y"))
            .addOutput(tensor(p + "y", onnxType(t), Shape.broadcast(ab[0], ab[1]).orElseThrow()));
      }
      Path file = dir.resolve("qdq_broadcast_add_" + t + ".onnx");
      Files.write(file, ModelProto.newBuilder().setIrVersion(8).setGraph(g)
          .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build().toByteArray());
      Path fused = dir.resolve("qdq_broadcast_add_" + t + ".fused.onnx");
      Map<String, TensorData> expected = OnnxRuntimeOracle.run(file, OnnxRuntimeOracle.Options.defaults()
          .withConfig(OnnxRuntimeOracle.X64_QUANT_PRECISION, "1").savingOptimizedModel(fused), inputs);
      assertEquals(List.of("QLinearAdd", "QLinearAdd", "QLinearAdd"), OnnxRuntimeQLinearTest.opTypes(fused));
      Graph imported = OnnxTorchvisionTest.imported(file, Numerics.ONNX);
      assertTrue(imported.nodes().stream().noneMatch(nd -> nd.op() == dev.zeropoint.ir.op.Op.ADD), imported.toString());
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(imported, PassContext.forTests());
      long elements = 0;
      for (String run : RUNS) {
        String backend = run.startsWith("interp") ? "interp" : run;
        List<TensorData> outs = new ArrayList<>(Backends.named(backend).orElseThrow()
            .prepare(run.equals("interp") ? imported : optimized).run(inputs).values());
        int i = 0;
        elements = 0;
        for (TensorData want : expected.values()) {
          TensorData got = outs.get(i++);
          for (long j = 0; j < want.size(); j++) {
            assertEquals(want.getLong(j), got.getLong(j), t + " " + run + " output " + (i - 1) + " element " + j);
          }
          elements += want.size();
        }
      }
      System.out.printf("QDQ broadcast add %s: %d elements x %d runs equal to ONNX Runtime's fused QLinearAdd%n", t,
          elements, RUNS.size());
    }
  }

  // ================================================================== QLinearSigmoid / QLinearLeakyRelu

  private void unary(String op, int sets, long seed) throws Exception {
    long[] genericMismatches = {0};
    perStorage(op, seed, 100, (m, t, r, afterwards) -> {
      for (int s = 0; s < sets; s++) {
        float sx = decades(r, -3, 0);
        int zx = zeroPoint(r, t);
        float sy;
        int zy;
        AttributeProto[] attrs = {};
        if (op.equals("QLinearSigmoid")) {
          // The first set is searched for (seeded): one where MLAS's generic kernel would give another table.
          for (int tries = 0; ; tries++) {
            sy = decades(r, -3, -2);
            zy = (int) t.minValue() + r.nextInt(64);
            float fsx = sx;
            float fsy = sy;
            int fzx = zx;
            int fzy = zy;
            if (s > 0 || !java.util.Arrays.equals(OnnxRuntimeQLinear.lookupTable(fsx, fzx, fsy, fzy, t,
                v -> OnnxRuntimeQLinear.logistic((float) v)), OnnxRuntimeQLinear.lookupTable(fsx, fzx, fsy, fzy, t,
                v -> genericLogistic((float) v)))) {
              break;
            }
            if (tries == 200_000) {
              throw new IllegalStateException("no parameters separate the FMA3 logistic from the generic one");
            }
            sx = decades(r, -3, 0);
            zx = zeroPoint(r, t);
          }
        } else {
          float alpha = s == 0 ? 0.01f : s == 1 ? 0.2f : (float) r.nextDouble();
          attrs = new AttributeProto[] {floatAttr("alpha", alpha)};
          sy = sx * decades(r, -0.3, 0.3);
          zy = zeroPoint(r, t);
        }
        String y = m.add(op, List.of(m.input(t, Shape.of(2, 128), all256(t)), m.scale(sx), m.zp(t, zx), m.scale(sy),
            m.zp(t, zy)), onnxType(t), Shape.of(2, 128), attrs);
        if (op.equals("QLinearSigmoid")) {
          // MLAS's generic logistic kernel (no FMA, clamped to [0, 1]), which ONNX Runtime does not run here.
          long[] generic = OnnxRuntimeQLinear.lookupTable(sx, zx, sy, zy, t, v -> genericLogistic((float) v));
          afterwards.add(expected -> {
            for (int i = 0; i < 256; i++) {
              genericMismatches[0] += generic[i] == expected.get(y).getLong(i) ? 0 : 1;
            }
          });
        }
      }
    });
    if (op.equals("QLinearSigmoid")) {
      System.out.printf("QLinearSigmoid: MLAS's generic (non-FMA) logistic kernel differs from ONNX Runtime on %d "
          + "table entries%n", genericMismatches[0]);
      assertTrue(genericMismatches[0] > 0, "nothing here separates the FMA3 logistic kernel from the generic one");
    }
  }

  @Test
  void qlinearSigmoidOnEveryInput() throws Exception {
    unary("QLinearSigmoid", 8, 201);
  }

  /** MlasLogisticKernel (logistic.cpp), the portable kernel: each step rounded, clamped to [0, 1]. */
  static float genericLogistic(float x) {
    float v = Math.min(18f, Math.max(-18f, x));
    float x2 = v * v;
    float p = x2 * 4.37031012579801e-11f + 1.15627324459942e-07f;
    p = p * x2 + 6.08574864600143e-05f;
    p = p * x2 + 8.51377133304701e-03f;
    p = p * x2 + 2.48287947061529e-01f;
    p = p * v;
    float q = x2 * 6.10247389755681e-13f + 5.76102136993427e-09f;
    q = q * x2 + 6.29106785017040e-06f;
    q = q * x2 + 1.70198817374094e-03f;
    q = q * x2 + 1.16817656904453e-01f;
    q = q * x2 + 9.93151921023180e-01f;
    return Math.min(1f, Math.max(0f, p / q + 0.5f));
  }

  @Test
  void qlinearLeakyReluOnEveryInput() throws Exception {
    unary("QLinearLeakyRelu", 6, 202);
  }

  // ================================================================== QLinearConcat

  @Test
  void qlinearConcatRequantizesEachInput() throws Exception {
    perStorage("QLinearConcat", 301, 200, (m, t, r, afterwards) -> {
      for (int axis : new int[] {1, -1, 0, 2}) {
        float sy = decades(r, -2, 0);
        int zy = zeroPoint(r, t);
        List<String> in = new ArrayList<>(List.of(m.scale(sy), m.zp(t, zy)));
        int[] base = {2, 3, 4, 5};
        int total = 0;
        for (int k = 0; k < 3; k++) {
          int[] dims = base.clone();
          int ax = axis < 0 ? axis + 4 : axis;
          dims[ax] = 1 + r.nextInt(4);
          total += dims[ax];
          Shape s = Shape.of(dims);
          boolean same = k == 1;  // an input with the output's parameters: ONNX Runtime copies it
          in.addAll(List.of(m.input(t, s, random(r, t, (int) s.numElements())), m.scale(same ? sy
              : sy * decades(r, -0.5, 0.5)), m.zp(t, same ? zy : zeroPoint(r, t))));
        }
        int[] out = base.clone();
        out[axis < 0 ? axis + 4 : axis] = total;
        m.add("QLinearConcat", in, onnxType(t), Shape.of(out), intAttr("axis", axis));
      }
    });
  }

  // ================================================================== pooling

  @Test
  void qlinearGlobalAveragePoolNchwAndNhwc() throws Exception {
    perStorage("QLinearGlobalAveragePool", 401, 100, (m, t, r, afterwards) -> {
      int[][] shapes = {{1, 190, 7, 7}, {2, 80, 3, 5}, {1, 33, 1, 1}, {1, 160, 13, 11}};
      for (int[] s : shapes) {
        for (boolean last : List.of(false, true)) {
          float sx = decades(r, -3, 0);
          float sy = sx * decades(r, -0.7, 0);
          Shape in = last ? Shape.of(s[0], s[2], s[3], s[1]) : Shape.of(s);
          Shape out = last ? Shape.of(s[0], 1, 1, s[1]) : Shape.of(s[0], s[1], 1, 1);
          m.add("QLinearGlobalAveragePool", List.of(m.input(t, in, random(r, t, (int) in.numElements())), m.scale(sx),
              m.zp(t, zeroPoint(r, t)), m.scale(sy), m.zp(t, zeroPoint(r, t))), onnxType(t), out,
              intAttr("channels_last", last ? 1 : 0));
        }
      }
    });
  }

  /**
   * QLinearAveragePool: windows covering the whole plane (ONNX Runtime's integer global pool) and
   * ONNX Runtime's float path with random non-square kernels, strides, pads, count_include_pad,
   * ceil_mode, auto_pad and channels_last.
   */
  @Test
  void qlinearAveragePoolWindowsPadsAndLayouts() throws Exception {
    Random r = new Random(402);
    for (ElementType t : STORAGES) {
      Model m = new Model("QLinearAveragePool_" + t);
      // A 1x1 window on every value with x_scale 0.5 + 2^-22 (y_scale 1): odd values land just above a
      // half-integer, where adding the zero point in float first (ONNX Runtime) rounds to even instead.
      float tieScale = 0.5f + 0x1p-22f;
      int tieZero = (int) t.minValue() + 100;
      String ties = m.add("QLinearAveragePool", List.of(m.input(t, Shape.of(1, 1, 16, 16), all256(t)),
          m.scale(tieScale), m.zp(t, 0), m.scale(1f), m.zp(t, tieZero)), onnxType(t), Shape.of(1, 1, 16, 16),
          intsAttr("kernel_shape", 1, 1));
      int cases = 0;
      while (cases < 24) {
        boolean last = r.nextBoolean();
        int n = 1 + r.nextInt(2);
        int ch = 1 + r.nextInt(12);
        int h = 1 + r.nextInt(9);
        int w = 1 + r.nextInt(9);
        boolean whole = cases < 4;
        int[] k = whole ? new int[] {h, w} : new int[] {1 + r.nextInt(Math.min(4, h)), 1 + r.nextInt(Math.min(4, w))};
        int[] st = {1 + r.nextInt(3), 1 + r.nextInt(3)};
        int[] pads = new int[4];
        String autoPad = whole || r.nextInt(5) > 0 ? "NOTSET" : r.nextBoolean() ? "SAME_UPPER" : "VALID";
        boolean ceil = !whole && r.nextBoolean();
        boolean include = r.nextBoolean();
        int[] in = {h, w};
        int[] out = new int[2];
        boolean refused = false;
        for (int d = 0; d < 2; d++) {
          if (autoPad.equals("SAME_UPPER")) {
            out[d] = (in[d] + st[d] - 1) / st[d];
            int total = Math.max(0, (out[d] - 1) * st[d] + k[d] - in[d]);
            pads[d] = total / 2;
            pads[d + 2] = total - pads[d];
            refused |= pads[d] > k[d] / 2 || pads[d + 2] > k[d] / 2;
            continue;
          }
          if (autoPad.equals("NOTSET") && !whole) {
            pads[d] = r.nextInt(k[d] / 2 + 1);
            pads[d + 2] = r.nextInt(k[d] / 2 + 1);
          }
          int span = in[d] + pads[d] + pads[d + 2] - k[d];
          out[d] = (ceil ? (span + st[d] - 1) / st[d] : span / st[d]) + 1;
          // ONNX Runtime versions and PyTorch differ on a last window past the input (refused by the importer).
          refused |= ceil && (out[d] - 1) * st[d] >= in[d] + pads[d];
        }
        if (refused || (autoPad.equals("SAME_UPPER") && ceil)) {
          continue;
        }
        cases++;
        float sx = decades(r, -3, 0);
        float sy = sx * decades(r, -0.5, 0.2);
        Shape inShape = last ? Shape.of(n, h, w, ch) : Shape.of(n, ch, h, w);
        Shape outShape = last ? Shape.of(n, out[0], out[1], ch) : Shape.of(n, ch, out[0], out[1]);
        List<AttributeProto> attrs = new ArrayList<>(List.of(intsAttr("kernel_shape", k[0], k[1]),
            intAttr("channels_last", last ? 1 : 0), intAttr("count_include_pad", include ? 1 : 0),
            intAttr("ceil_mode", ceil ? 1 : 0), intsAttr("strides", st[0], st[1])));
        if (autoPad.equals("NOTSET")) {
          attrs.add(intsAttr("pads", pads[0], pads[1], pads[2], pads[3]));
        } else {
          attrs.add(AttributeProto.newBuilder().setName("auto_pad").setType(AttributeProto.AttributeType.STRING)
              .setS(com.google.protobuf.ByteString.copyFromUtf8(autoPad)).build());
        }
        m.add("QLinearAveragePool", List.of(m.input(t, inShape, random(r, t, (int) inShape.numElements())),
            m.scale(sx), m.zp(t, zeroPoint(r, t)), m.scale(sy), m.zp(t, zeroPoint(r, t))), onnxType(t), outShape,
            attrs.toArray(AttributeProto[]::new));
      }
      Counts c = checkSpread(m, 150);
      long[] values = all256(t);
      long roundedFirst = 0;
      for (int i = 0; i < 256; i++) {
        float real = dev.zeropoint.ir.numerics.FlavourQuantize.onnxDequantize((int) values[i], tieScale, 0);
        long quantize = dev.zeropoint.ir.numerics.FlavourQuantize.onnxQuantize(real, 1f, tieZero, t);
        roundedFirst += quantize == c.expected().get(ties).getLong(i) ? 0 : 1;
      }
      System.out.printf("QLinearAveragePool %s: ONNX's quantize (zero point added after rounding) differs from ONNX "
          + "Runtime on %d of 256 values of the 1x1 window%n", t, roundedFirst);
      assertTrue(roundedFirst > 0, "nothing here separates quantize_add_round from quantize");
    }
  }

  // ================================================================== QGemm

  @Test
  void qgemmWithAndWithoutBiasAlphaTransposesFloatOutput() throws Exception {
    Random r = new Random(501);
    // (a, b): ONNX Runtime's kernels take u8 x u8, u8 x s8 and s8 x s8; the output has a's type.
    ElementType[][] types = {{ElementType.U8, ElementType.U8}, {ElementType.U8, ElementType.I8},
        {ElementType.I8, ElementType.I8}};
    for (ElementType[] ab : types) {
      ElementType ta = ab[0];
      ElementType tb = ab[1];
      Model m = new Model("QGemm_" + ta + "_" + tb);
      int variant = 0;
      for (float alpha : new float[] {1f, 0.75f, 2.5f}) {
        for (boolean transB : List.of(false, true)) {
          for (int b3 = 0; b3 < 4; b3++) {
            boolean bias = b3 % 2 == 1;
            boolean floatOut = b3 >= 2;  // no y_scale: float32 acc * alpha * a_scale * b_scale
            int mm = 1 + r.nextInt(6);
            int k = 1 + r.nextInt(40);
            int n = 1 + r.nextInt(24);
            boolean perColumn = variant++ % 3 == 1;
            float sa = decades(r, -3, 0);
            int channels = perColumn ? n : 1;
            float[] sb = new float[channels];
            long[] zb = new long[channels];
            for (int i = 0; i < channels; i++) {
              sb[i] = decades(r, -3, -1);
              zb[i] = ta == ElementType.U8 && tb == ElementType.I8 ? zeroPoint(r, tb) >> 1 : zeroPoint(r, tb);
            }
            float sy = sa * sb[0] * Math.abs(alpha) * (float) Math.sqrt(k) * 40 * decades(r, -0.5, 0.3);
            Shape bs = transB ? Shape.of(n, k) : Shape.of(k, n);
            String b = m.fresh("w");
            long[] bv = random(r, tb, (int) bs.numElements());
            if (ta == ElementType.U8 && tb == ElementType.I8) {
              // u8 x s8 on AVX2 without VNNI: vpmaddubsw saturates pairs of products to int16, and QGemm
              // does so even with x64quantprecision. 7-bit weights (ONNX Runtime's reduce_range) never do.
              for (int i = 0; i < bv.length; i++) {
                bv[i] = bv[i] >> 1;
              }
            }
            m.initializer(TensorProto.newBuilder().setName(b).setDataType(onnxType(tb)).addAllDims(
                List.of((long) bs.dim(0), (long) bs.dim(1))).addAllInt32Data(ints(bv)).build());
            String sbName = m.fresh("s");
            String zbName = m.fresh("z");
            TensorProto.Builder sbT = TensorProto.newBuilder().setName(sbName)
                .setDataType(TensorProto.DataType.FLOAT_VALUE);
            TensorProto.Builder zbT = TensorProto.newBuilder().setName(zbName).setDataType(onnxType(tb));
            if (perColumn) {
              sbT.addDims(n);
              zbT.addDims(n);
            }
            for (int i = 0; i < channels; i++) {
              sbT.addFloatData(sb[i]);
              zbT.addInt32Data((int) zb[i]);
            }
            m.initializer(sbT.build());
            m.initializer(zbT.build());
            boolean transA = variant % 4 == 2;
            Shape as = transA ? Shape.of(k, mm) : Shape.of(mm, k);
            List<String> in = new ArrayList<>(List.of(m.input(ta, as, random(r, ta, mm * k)), m.scale(sa),
                m.zp(ta, zeroPoint(r, ta)), b, sbName, zbName));
            if (bias) {
              String c = m.fresh("c");
              long[] cv = new long[n];
              for (int i = 0; i < n; i++) {
                cv[i] = r.nextInt(20001) - 10000;
              }
              TensorProto.Builder cT = TensorProto.newBuilder().setName(c).setDataType(TensorProto.DataType.INT32_VALUE)
                  .addAllInt32Data(ints(cv));
              if (n > 1 || r.nextBoolean()) {
                cT.addDims(n);
              }
              m.initializer(cT.build());
              in.add(c);
            } else if (!floatOut) {
              in.add("");
            }
            if (!floatOut) {
              in.addAll(List.of(m.scale(sy), m.zp(ta, zeroPoint(r, ta))));
            }
            m.add("QGemm", in, floatOut ? TensorProto.DataType.FLOAT_VALUE : onnxType(ta), Shape.of(mm, n),
                floatAttr("alpha", alpha), intAttr("transA", transA ? 1 : 0), intAttr("transB", transB ? 1 : 0));
          }
        }
      }
      checkSpread(m, 100);
    }
  }

  private static List<Integer> ints(long[] v) {
    List<Integer> out = new ArrayList<>();
    for (long x : v) {
      out.add((int) x);
    }
    return out;
  }

  // ================================================================== whole models written by ONNX Runtime

  /**
   * PyTorch's QDQ exports (the side-by-side goldens) optimized by ONNX Runtime at EXTENDED level and
   * saved: ONNX Runtime's own QOperator graph (QLinearConv, QLinearAdd, QLinearGlobalAveragePool,
   * QGemm, ...). Zeropoint imports the saved file and must give ONNX Runtime's outputs for that file
   * (run as written, x64quantprecision) on every backend.
   */
  @Test
  void qoperatorModelsSavedByOnnxRuntime() throws Exception {
    for (Path golden : OnnxRuntimeSideBySideTest.goldens()) {
      JsonNode spec = new ObjectMapper().readTree(golden.resolve("case.json").toFile());
      Path qdq = golden.resolve(spec.get("model").asText());
      Map<String, TensorData> inputs = OnnxRuntimeSideBySideTest.inputsFor(qdq);
      Path saved = dir.resolve(golden.getFileName() + "_qoperator.onnx");
      OnnxRuntimeOracle.run(qdq, OnnxRuntimeOracle.Options.defaults().withOptimization(OptLevel.EXTENDED_OPT)
          .withConfig(OnnxRuntimeOracle.X64_QUANT_PRECISION, "1").savingOptimizedModel(saved), inputs);
      Set<String> ops = new TreeSet<>();
      for (NodeProto n : ModelProto.parseFrom(Files.readAllBytes(saved)).getGraph().getNodeList()) {
        ops.add((n.getDomain().isEmpty() ? "" : n.getDomain() + ".") + n.getOpType());
      }
      System.out.println(saved.getFileName() + " ops: " + ops);
      assertTrue(ops.contains("com.microsoft.QLinearAdd") || ops.contains("com.microsoft.QLinearGlobalAveragePool"),
          ops.toString());
      Model m = new Model(golden.getFileName() + "_qoperator");
      m.inputs.putAll(inputs);
      Map<String, TensorData> expected = OnnxRuntimeOracle.run(saved, ort(), inputs);
      Graph imported = OnnxTorchvisionTest.imported(saved, Numerics.ONNX);
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(imported, PassContext.forTests());
      List<String> failures = new ArrayList<>();
      long elements = 0;
      for (TensorData e : expected.values()) {
        elements += e.size();
      }
      List<List<TensorData>> everyRun = outputsOfEveryRun(imported, optimized, inputs);
      for (int r = 0; r < RUNS.size(); r++) {
        String run = RUNS.get(r);
        List<TensorData> outs = everyRun.get(r);
        int k = 0;
        long equal = 0;
        for (TensorData want : expected.values()) {
          TensorData got = outs.get(k++);
          assertEquals(want.shape(), got.shape(), run);
          for (long i = 0; i < want.size(); i++) {
            equal += got.getRawBits(i) == want.getRawBits(i) ? 1 : 0;
          }
        }
        System.out.printf("%s %-9s elements equal to ONNX Runtime's: %d of %d%n", saved.getFileName(), run, equal,
            elements);
        if (equal != elements) {
          failures.add(saved.getFileName() + " " + run + ": " + (elements - equal) + " of " + elements + " differ");
        }
      }
      assertEquals(List.of(), failures);
    }
  }
}
