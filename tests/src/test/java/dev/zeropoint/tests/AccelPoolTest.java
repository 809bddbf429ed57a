package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.backends.accel.AccelBackend;
import dev.zeropoint.backends.accel.AccelTarget;
import dev.zeropoint.backends.accel.Partition;
import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.numerics.PyTorchQnnpackPooling;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * QNNPACK's quantized average pooling on the accelerator ({@code AvgPoolLayer}) against the
 * interpreter, as written ({@code avg_pool2d}, {@code adaptive_avg_pool2d}) and lowered integer-only
 * ({@code avg_pool2d_int}), on {@code vta-mul}, the test target {@code tiny8} and {@code vta}, every
 * program run in all six start orders of the queues. Seeded random windows (global 7x7 and 4x4, 2x2,
 * 3x3 with padding, uneven strides), channels that are not a multiple of the block, batches 1 and 2,
 * {@code count_include_pad} both ways (QNNPACK ignores it), random scales and zero points (a pool keeps
 * its input's), inputs near the zero point so that {@code f32(acc) * m} meets exact ties. On {@code vta} (no MUL) only power-of-two multipliers run on the
 * accelerator; the others, and ATen's ceil_mode path everywhere, stay on the host with the reason.
 */
class AccelPoolTest {
  private static final List<String> TARGETS = List.of("vta-mul", "tiny8", "vta");

  /** One pool: the node's text (reading %x) and its result shape, the input and the quantization. */
  record Case(String name, int n, int c, int h, int w, String op, int oh, int ow, double si, int zi, boolean ceil) {
    int[] window() {
      return op.startsWith("adaptive") ? new int[] {h / oh, w / ow, h / oh, w / ow, 0, 0}
          : parse(op.substring(op.indexOf("kernel = [")));
    }

    private static int[] parse(String attrs) {
      int[] k = ints(attrs, "kernel = [");
      int[] s = ints(attrs, "stride = [");
      int[] p = ints(attrs, "padding = [");
      return new int[] {k[0], k[1], s[0], s[1], p[0], p[1]};
    }

    private static int[] ints(String text, String key) {
      int i = text.indexOf(key) + key.length();
      String[] parts = text.substring(i, text.indexOf(']', i)).split(",");
      int[] out = new int[parts.length];
      for (int j = 0; j < parts.length; j++) {
        out[j] = Integer.parseInt(parts[j].trim());
      }
      return out;
    }

    /** Whether m = f32(s / f32(s k)) is a power of two. */
    boolean pow2() {
      int[] g = window();
      float m = PyTorchQnnpackPooling.qnnpackScale(si, si, g[0] * g[1]);
      return (Float.floatToRawIntBits(m) & 0x7FFFFF) == 0;
    }
  }

  private static String avg(int kh, int kw, int sy, int sx, int p0, int p1, boolean ceil, boolean include) {
    return "avg_pool2d(%x) {kernel = [" + kh + ", " + kw + "], stride = [" + sy + ", " + sx + "], padding = [" + p0
        + ", " + p1 + ", " + p0 + ", " + p1 + "], ceil_mode = " + ceil + ", count_include_pad = " + include
        + ", divisor_override = 0}";
  }

  private static int outSize(int in, int k, int s, int p, boolean ceil) {
    int num = in + 2 * p - k;
    int o = (ceil ? -Math.floorDiv(-num, s) : Math.floorDiv(num, s)) + 1;
    if (ceil && (o - 1) * s >= in + p) {
      o--;
    }
    return o;
  }

  static List<Case> cases() {
    Random r = new Random(7);
    int[][] windows = { // kh, kw, sy, sx, pad h, pad w
        {2, 2, 2, 2, 0, 0}, {3, 3, 2, 2, 1, 1}, {3, 3, 1, 1, 1, 1}, {2, 3, 1, 2, 1, 1}, {4, 4, 4, 4, 0, 0},
        {3, 2, 2, 1, 0, 1}};
    int[] channels = {3, 16, 20, 33};
    List<Case> out = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      int n = 1 + (i / 6) % 2;
      int c = channels[i % channels.length];
      double si = 0.01 + 0.1 * r.nextDouble();
      int zi = i % 3 == 0 ? 128 : r.nextInt(256);
      String name;
      String op;
      int[] d; // h, w, oh, ow
      boolean ceil = false;
      switch (i % 6) {
        case 0 -> { // global 7x7, as ResNet-18 and MobileNetV2 end
          d = new int[] {7, 7, 1, 1};
          op = "adaptive_avg_pool2d(%x) {output_size = [1, 1]}";
          name = "global7";
        }
        case 1 -> { // global 4x4 as avg_pool2d
          d = new int[] {4, 4, 1, 1};
          op = avg(4, 4, 4, 4, 0, 0, false, i % 4 == 1);
          name = "avg4x4";
        }
        case 2 -> { // adaptive, even windows 2x3
          d = new int[] {8, 9, 4, 3};
          op = "adaptive_avg_pool2d(%x) {output_size = [4, 3]}";
          name = "adaptive8x9to4x3";
        }
        default -> {
          int[] g = windows[(i / 6 + i) % windows.length];
          int h = 5 + r.nextInt(10);
          int w = 5 + r.nextInt(10);
          boolean include = i % 4 == 0 || i % 4 == 3;
          ceil = i % 12 == 5;
          d = new int[] {h, w, outSize(h, g[0], g[2], g[4], ceil), outSize(w, g[1], g[3], g[5], ceil)};
          op = avg(g[0], g[1], g[2], g[3], g[4], g[5], ceil, include);
          name = "avg" + g[0] + "x" + g[1] + "s" + g[2] + g[3] + "p" + g[4] + g[5] + (include ? "incl" : "excl")
              + (ceil ? "ceil" : "");
        }
      }
      out.add(new Case(name + "_" + i, n, c, d[0], d[1], op, d[2], d[3], si, zi, ceil));
    }
    return out;
  }

  static Stream<Arguments> runs() {
    List<Arguments> out = new ArrayList<>();
    for (String t : TARGETS) {
      for (Case k : cases()) {
        out.add(Arguments.of(t, false, k));
        out.add(Arguments.of(t, true, k));
      }
    }
    return out.stream();
  }

  private static Graph graph(Case k, boolean integerOnly) throws Exception {
    String text = """
        model pool numerics(pytorch-qnnpack) {
          input %x : qu8<SI:ZI>[N, C, H, W]
          %y = OP : qu8<SI:ZI>[N, C, OH, OW]
          output y = %y
        }
        """.replace("SI", Double.toString(k.si())).replace("ZI", Integer.toString(k.zi()))
        .replace("N, C, H, W", k.n() + ", " + k.c() + ", " + k.h() + ", " + k.w())
        .replace("N, C, OH, OW", k.n() + ", " + k.c() + ", " + k.oh() + ", " + k.ow()).replace("OP", k.op());
    Graph g = ModelParser.create().parse("pool.qg", text, Path.of("."));
    if (!integerOnly) {
      return g;
    }
    Graph lowered = PassManager.defaultPipeline(PassRegistry.load()).run(g, JvmBackendTest.integerContext());
    assertTrue(lowered.nodes().stream().anyMatch(n -> n.op() == Op.AVG_POOL2D_INT
        || n.op() == Op.ADAPTIVE_AVG_POOL2D_INT), k.name() + ": not lowered");
    return lowered;
  }

  /** Inputs mostly near the zero point (small sums, many ties), some anywhere. */
  private static TensorData input(Case k) {
    Random r = new Random(k.name().hashCode());
    Shape shape = Shape.of(k.n(), k.c(), k.h(), k.w());
    long[] x = new long[Math.toIntExact(shape.numElements())];
    for (int i = 0; i < x.length; i++) {
      x[i] = i % 5 == 0 ? r.nextInt(256) : Math.max(0, Math.min(255, k.zi() + r.nextInt(9) - 4));
    }
    return TensorData.ofLongs(ElementType.U8, shape, x);
  }

  /** Whether a run of {@code k} on {@code target} must use the accelerator. */
  private static boolean accelerated(String target, Case k) {
    return !k.ceil() && (!target.equals("vta") || k.pow2());
  }

  @ParameterizedTest
  @MethodSource("runs")
  void poolsGiveTheInterpretersIntegers(String target, boolean integerOnly, Case k) throws Exception {
    Graph g = graph(k, integerOnly);
    Map<String, TensorData> inputs = Map.of("x", input(k));
    TensorData expected = new Interpreter().prepare(g).run(inputs).get("y");
    AccelBackend.Compiled c = new AccelBackend(AccelTarget.named(target).orElseThrow()).prepare(g);
    Partition p = c.partition();
    boolean onAccelerator = p.regions().stream().anyMatch(r -> r instanceof Partition.AccelRegion a
        && a.layers().stream().flatMap(l -> l.nodes().stream()).anyMatch(AccelPoolTest::isPool));
    if (accelerated(target, k)) {
      assertTrue(onAccelerator, k + ": " + p.describe() + p.hostReasons());
      assertEquals(1, p.regions().size(), p.describe());
    } else {
      assertTrue(!onAccelerator && p.hostReasons().size() == 1, k + ": " + p.describe());
      String why = p.hostReasons().get(0).why();
      assertTrue(why.contains(k.ceil() ? "ATen" : "no MUL"), why);
    }
    c.everyStartOrder(true);
    TensorData actual = c.run(inputs).get("y");
    assertTrue(expected.contentEquals(actual), k + " on " + target);
  }

  private static boolean isPool(Node n) {
    return n.op() == Op.AVG_POOL2D || n.op() == Op.ADAPTIVE_AVG_POOL2D || n.op() == Op.AVG_POOL2D_INT;
  }

  /**
   * The cases are what the class comment says: each window kind, both batches, channels off the
   * block, pools that run on vta (power-of-two multipliers), ceil_mode, and many exact ties of
   * {@code f32(acc) * m} at 0.5 over the cases' window sums.
   */
  @Test
  void theCasesCoverWhatTheyClaim() {
    List<Case> cases = cases();
    assertTrue(cases.stream().anyMatch(k -> k.name().startsWith("global7") && k.n() == 2));
    assertTrue(cases.stream().anyMatch(k -> k.name().startsWith("avg4x4")));
    assertTrue(cases.stream().anyMatch(k -> k.ceil()));
    assertTrue(cases.stream().anyMatch(k -> k.op().contains("count_include_pad = true") && k.op().contains("[1, 1")));
    assertTrue(cases.stream().anyMatch(k -> k.op().contains("count_include_pad = false") && k.op().contains("[1, 1")));
    assertTrue(cases.stream().filter(k -> !k.ceil() && k.pow2()).count() >= 4, "pools vta runs");
    assertTrue(cases.stream().anyMatch(k -> k.c() % 16 != 0 && k.n() == 2));
    long ties = 0;
    for (Case k : cases) {
      if (k.ceil()) {
        continue;
      }
      int[] g = k.window();
      float m = PyTorchQnnpackPooling.qnnpackScale(k.si(), k.si(), g[0] * g[1]);
      TensorData x = input(k);
      for (int plane = 0; plane < k.n() * k.c(); plane++) {
        for (int oy = 0; oy < k.oh(); oy++) {
          for (int ox = 0; ox < k.ow(); ox++) {
            long acc = 0;
            for (int y = oy * g[2] - g[4]; y < oy * g[2] - g[4] + g[0]; y++) {
              for (int xx = ox * g[3] - g[5]; xx < ox * g[3] - g[5] + g[1]; xx++) {
                if (y >= 0 && y < k.h() && xx >= 0 && xx < k.w()) {
                  acc += x.getLong((plane * k.h() + y) * k.w() + xx) - k.zi();
                }
              }
            }
            float v = (float) acc * m;
            ties += Math.abs(v - Math.floor(v) - 0.5) == 0 ? 1 : 0;
          }
        }
      }
    }
    assertTrue(ties >= 100, ties + " ties");
  }
}
