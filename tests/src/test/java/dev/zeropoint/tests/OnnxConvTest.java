package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.zeropoint.backends.Backends;
import dev.zeropoint.backends.accel.AccelBackend;
import dev.zeropoint.backends.c.CCompiler;
import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.backends.jvm.JvmBackend;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Printer;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Quantized conv2d and linear in the {@code onnx} flavour, end to end: models as an ONNX importer
 * emits them for {@code QLinearConv} / {@code QLinearMatMul} (u8 input with i8 per-channel and u8
 * weights, int32 bias, u8 output; and int8 throughout, grouped, strided, dilated, asymmetric padding,
 * then flatten and linear), run on the interpreter as written and after {@code -O}, on the JVM
 * backend, on the C backend (sanitized, and on three threads), and with the layers on the simulated
 * {@code vta-mul} accelerator. Every output integer must equal this test's own plain-loop oracle of
 * ONNX Runtime's CPU arithmetic (written here from qlinearconv.cc and MLAS's
 * {@code MlasRequantizeOutput}, not from Zeropoint's code):
 *
 * <pre>
 *   acc = bias[c] + sum (x - x_zp) * (w - w_zp)                  (int32, padding contributes 0)
 *   m   = f32(f32(x_scale * w_scale[c]) / y_scale)
 *   v   = f32(f32(acc) * m), clamped in float to [qmin - y_zp, qmax - y_zp]
 *   y   = RNE(v) + y_zp
 * </pre>
 */
class OnnxConvTest {

  /** A quantized conv2d as the oracle sees it. */
  private record Conv(int[] w, Shape wShape, double[] wScales, int[] wZp, int[] bias, int[] stride, int[] pad,
      int[] dilation, int groups) {}

  // ---------------------------------------------------------------- the oracle

  /** ONNX Runtime's requantization of one accumulator (MLAS: clamp the float product, then round). */
  private static int ort(int acc, double xScale, double wScale, double yScale, int yZp, ElementType out) {
    float m = (float) xScale * (float) wScale / (float) yScale;
    float v = (float) acc * m;
    float lo = (float) (out.minValue() - yZp);
    float hi = (float) (out.maxValue() - yZp);
    v = Math.max(lo, Math.min(hi, v));
    return (int) Math.rint(v) + yZp;
  }

  /** NCHW conv2d, groups, stride, dilation, padding [top, left, bottom, right]; then ORT's requantization. */
  private static int[] conv(int[] x, Shape xs, double xScale, int xZp, Conv c, double yScale, int yZp, ElementType out,
      Shape ys) {
    int[] acc = convAcc(x, xs, xZp, c, ys);
    int plane = ys.dim(2) * ys.dim(3);
    int[] y = new int[acc.length];
    for (int i = 0; i < acc.length; i++) {
      y[i] = ort(acc[i], xScale, c.wScales()[(i / plane) % ys.dim(1)], yScale, yZp, out);
    }
    return y;
  }

  /** The int32 accumulators of a conv2d (bias included). */
  private static int[] convAcc(int[] x, Shape xs, int xZp, Conv c, Shape ys) {
    int n = xs.dim(0);
    int cin = xs.dim(1);
    int h = xs.dim(2);
    int wd = xs.dim(3);
    int cout = c.wShape().dim(0);
    int cpg = c.wShape().dim(1);
    int kh = c.wShape().dim(2);
    int kw = c.wShape().dim(3);
    int oh = ys.dim(2);
    int ow = ys.dim(3);
    int opg = cout / c.groups();
    int[] y = new int[n * cout * oh * ow];
    for (int b = 0; b < n; b++) {
      for (int o = 0; o < cout; o++) {
        int g = o / opg;
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            long sum = c.bias() == null ? 0 : c.bias()[o];
            for (int ci = 0; ci < cpg; ci++) {
              for (int a = 0; a < kh; a++) {
                for (int e = 0; e < kw; e++) {
                  int r = i * c.stride()[0] - c.pad()[0] + a * c.dilation()[0];
                  int s = j * c.stride()[1] - c.pad()[1] + e * c.dilation()[1];
                  if (r < 0 || r >= h || s < 0 || s >= wd) {
                    continue; // ORT pads with the input zero point: (x_zp - x_zp) * w = 0
                  }
                  int xv = x[((b * cin + g * cpg + ci) * h + r) * wd + s];
                  int wv = c.w()[((o * cpg + ci) * kh + a) * kw + e];
                  sum += (long) (xv - xZp) * (wv - c.wZp()[o]);
                }
              }
            }
            int acc = (int) sum; // int32, as MLAS accumulates (these sums fit)
            assertEquals(sum, acc, "the oracle's sums are meant to fit int32");
            y[((b * cout + o) * oh + i) * ow + j] = acc;
          }
        }
      }
    }
    return y;
  }

  /** x [M, K] times w [N, K]^T plus bias; then ORT's requantization. */
  private static int[] linear(int[] x, int m, int k, double xScale, int xZp, int[] w, int n, double[] wScales,
      int[] wZp, int[] bias, double yScale, int yZp, ElementType out) {
    int[] y = new int[m * n];
    for (int r = 0; r < m; r++) {
      for (int f = 0; f < n; f++) {
        long sum = bias == null ? 0 : bias[f];
        for (int i = 0; i < k; i++) {
          sum += (long) (x[r * k + i] - xZp) * (w[f * k + i] - wZp[f]);
        }
        y[r * n + f] = ort((int) sum, xScale, wScales[f], yScale, yZp, out);
      }
    }
    return y;
  }

  // ---------------------------------------------------------------- building the models

  private static int[] random(Random r, int count, ElementType t) {
    int[] v = new int[count];
    for (int i = 0; i < count; i++) {
      v[i] = (int) t.minValue() + r.nextInt((int) (t.maxValue() - t.minValue() + 1));
    }
    return v;
  }

  private static long[] longs(int[] v) {
    long[] l = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      l[i] = v[i];
    }
    return l;
  }

  private static TensorType weightType(ElementType e, Shape s, double[] scales, int[] zps, boolean perChannel) {
    if (!perChannel) {
      return TensorType.quantized(e, scales[0], zps[0], s);
    }
    return new TensorType(e, s, Optional.of(new Quantization.PerAxis(0, ImmutableDoubleArray.copyOf(scales),
        ImmutableLongArray.copyOf(longs(zps)))));
  }

  private static Value conv(GraphBuilder b, Value x, Conv c, ElementType wType, boolean perChannel, TensorType out) {
    Value w = b.constant(TensorData.ofLongs(wType, c.wShape(), longs(c.w())),
        weightType(wType, c.wShape(), c.wScales(), c.wZp(), perChannel), Optional.empty());
    Attrs.Conv2d attrs = new Attrs.Conv2d(ImmutableIntArray.copyOf(c.stride()), ImmutableIntArray.copyOf(c.pad()),
        ImmutableIntArray.copyOf(c.dilation()), c.groups());
    if (c.bias() == null) {
      return b.add(Op.CONV2D, attrs, out, x, w);
    }
    int cout = c.wShape().dim(0);
    Value bias = b.constant(TensorData.ofLongs(ElementType.I32, Shape.of(cout), longs(c.bias())),
        TensorType.of(ElementType.I32, Shape.of(cout)), Optional.empty());
    return b.add(Op.CONV2D, attrs, out, x, w, bias);
  }

  private static double[] scales(Random r, int n, double lo, double hi) {
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      s[i] = lo + (hi - lo) * r.nextDouble();
    }
    return s;
  }

  private static int[] biases(Random r, int n, int magnitude) {
    int[] b = new int[n];
    for (int i = 0; i < n; i++) {
      b[i] = r.nextInt(2 * magnitude + 1) - magnitude;
    }
    return b;
  }

  /** A model, its input, and the oracle's outputs. */
  private record Case(String what, Graph graph, Map<String, TensorData> inputs, Map<String, int[]> expected) {}

  /**
   * u8: x qu8[1, 3, 7, 6] -> conv 3x3 pad 1, i8 weights per channel (zero point 0), int32 bias ->
   * qu8; -> conv 1x1 stride 2, u8 weights per tensor (zero point 128, the importer's u8 weights), no
   * bias, whose multiplier is exactly 0.5 (s_w = 0.5, s_y = s_x): odd sums are ties -> qu8.
   */
  private static Case u8Model(long seed) {
    Random r = new Random(seed);
    Shape xs = Shape.of(1, 3, 7, 6);
    int xZp = 100 + r.nextInt(40);
    double xScale = 0.05;
    int[] x = random(r, (int) xs.numElements(), ElementType.U8);
    Conv c1 = new Conv(random(r, 4 * 3 * 9, ElementType.I8), Shape.of(4, 3, 3, 3), scales(r, 4, 0.002, 0.02),
        new int[4], biases(r, 4, 20000), new int[] {1, 1}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 1);
    Shape y1s = Shape.of(1, 4, 7, 6);
    double y1Scale = 0.08;
    int y1Zp = 90 + r.nextInt(60);
    int[] w2 = new int[2 * 4]; // near the zero point 128, so that the sums stay mostly inside the range
    for (int i = 0; i < w2.length; i++) {
      w2[i] = 126 + r.nextInt(5);
    }
    Conv c2 = new Conv(w2, Shape.of(2, 4, 1, 1), new double[] {0.5, 0.5}, new int[] {128, 128}, null,
        new int[] {2, 2}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 1);
    Shape y2s = Shape.of(1, 2, 4, 3);
    int y2Zp = 128;

    GraphBuilder b = GraphBuilder.create("onnx_u8_" + seed, Numerics.ONNX);
    Value in = b.input("x", TensorType.quantized(ElementType.U8, xScale, xZp, xs));
    Value v1 = conv(b, in, c1, ElementType.I8, true, TensorType.quantized(ElementType.U8, y1Scale, y1Zp, y1s));
    Value v2 = conv(b, v1, c2, ElementType.U8, false, TensorType.quantized(ElementType.U8, y1Scale, y2Zp, y2s));
    b.output("y1", v1);
    b.output("y2", v2);

    int[] e1 = conv(x, xs, xScale, xZp, c1, y1Scale, y1Zp, ElementType.U8, y1s);
    int[] e2 = conv(e1, y1s, y1Scale, y1Zp, c2, y1Scale, y2Zp, ElementType.U8, y2s);
    int[] ties = new int[2];
    for (int acc : convAcc(e1, y1s, y1Zp, c2, y2s)) {
      if (acc % 2 != 0 && Math.abs(acc) < 250) { // acc * 0.5 = k + 1/2, inside the u8 range around 128
        ties[acc > 0 ? 0 : 1]++;
      }
    }
    Map<String, int[]> expected = new LinkedHashMap<>();
    expected.put("ties", ties);
    expected.put("y1", e1);
    expected.put("y2", e2);
    return new Case("u8 model " + seed, b.build(), Map.of("x", TensorData.ofLongs(ElementType.U8, xs, longs(x))),
        expected);
  }

  /**
   * i8: x qi8[1, 4, 6, 5] -> grouped conv (2 groups) 3x3, stride [2, 1], dilation [1, 2], padding
   * [1, 2, 0, 1], i8 weights per channel, int32 bias -> qi8; flatten; linear with i8 weights per
   * tensor and an int32 bias -> qi8.
   */
  private static Case i8Model(long seed) {
    Random r = new Random(seed);
    Shape xs = Shape.of(1, 4, 6, 5);
    int xZp = r.nextInt(21) - 10;
    double xScale = 0.1;
    int[] x = random(r, (int) xs.numElements(), ElementType.I8);
    Conv c1 = new Conv(random(r, 4 * 2 * 9, ElementType.I8), Shape.of(4, 2, 3, 3), scales(r, 4, 0.003, 0.03),
        new int[4], biases(r, 4, 30000), new int[] {2, 1}, new int[] {1, 2, 0, 1}, new int[] {1, 2}, 2);
    // out rows: (6 + 1 + 0 - 3) / 2 + 1 = 3; columns: (5 + 2 + 1 - (2 * 2 + 1)) / 1 + 1 = 4
    Shape y1s = Shape.of(1, 4, 3, 4);
    double y1Scale = 0.15;
    int y1Zp = r.nextInt(41) - 20;
    int k = 4 * 3 * 4;
    int n = 5;
    int[] w2 = random(r, n * k, ElementType.I8);
    double w2Scale = 0.004;
    int[] b2 = biases(r, n, 5000);
    double y2Scale = 0.9;
    int y2Zp = -7;

    GraphBuilder b = GraphBuilder.create("onnx_i8_" + seed, Numerics.ONNX);
    Value in = b.input("x", TensorType.quantized(ElementType.I8, xScale, xZp, xs));
    Value v1 = conv(b, in, c1, ElementType.I8, true, TensorType.quantized(ElementType.I8, y1Scale, y1Zp, y1s));
    Value flat = b.add(Op.FLATTEN, new Attrs.Flatten(1, -1), v1);
    Value w = b.constant(TensorData.ofLongs(ElementType.I8, Shape.of(n, k), longs(w2)),
        TensorType.quantized(ElementType.I8, w2Scale, 0, Shape.of(n, k)), Optional.empty());
    Value bias = b.constant(TensorData.ofLongs(ElementType.I32, Shape.of(n), longs(b2)),
        TensorType.of(ElementType.I32, Shape.of(n)), Optional.empty());
    Value v2 = b.add(Op.LINEAR, Attrs.None.INSTANCE, TensorType.quantized(ElementType.I8, y2Scale, y2Zp,
        Shape.of(1, n)), flat, w, bias);
    b.output("y1", v1);
    b.output("y2", v2);

    int[] e1 = conv(x, xs, xScale, xZp, c1, y1Scale, y1Zp, ElementType.I8, y1s);
    double[] w2Scales = new double[n];
    java.util.Arrays.fill(w2Scales, w2Scale);
    int[] e2 = linear(e1, 1, k, y1Scale, y1Zp, w2, n, w2Scales, new int[n], b2, y2Scale, y2Zp, ElementType.I8);
    Map<String, int[]> expected = new LinkedHashMap<>();
    expected.put("y1", e1);
    expected.put("y2", e2);
    return new Case("i8 model " + seed, b.build(), Map.of("x", TensorData.ofLongs(ElementType.I8, xs, longs(x))),
        expected);
  }

  // ---------------------------------------------------------------- the runs

  private static void assertOracle(Case c, String how, Map<String, TensorData> actual) {
    for (var e : c.expected().entrySet()) {
      if (e.getKey().equals("ties")) {
        continue; // a count, not an output
      }
      TensorData a = actual.get(e.getKey());
      int[] want = e.getValue();
      assertEquals(want.length, a.size(), c.what() + " " + how + " " + e.getKey());
      for (int i = 0; i < want.length; i++) {
        int index = i;
        assertEquals(want[i], a.getLong(i), () -> c.what() + " " + how + ": output " + e.getKey() + " element "
            + index + "\n" + Printer.print(c.graph()));
      }
    }
  }

  private static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      cases.add(u8Model(seed));
      cases.add(i8Model(seed));
    }
    return cases;
  }

  /**
   * The oracle's outputs are not degenerate: the first layers reach both ends of the range and many
   * values between; the u8 models' second conv (multiplier exactly 0.5) has ties (odd sums) inside
   * the range, positive and negative, where rounding half to even matters.
   */
  @Test
  void theModelsReachBothEndsOfTheRangeAndTies() {
    int positiveTies = 0;
    int negativeTies = 0;
    for (Case c : cases()) {
      ElementType t = c.graph().outputs().get(0).value().type().elementType();
      int[] y1 = c.expected().get("y1");
      assertTrue(java.util.Arrays.stream(y1).anyMatch(v -> v == t.minValue()), c.what() + ": no qmin");
      assertTrue(java.util.Arrays.stream(y1).anyMatch(v -> v == t.maxValue()), c.what() + ": no qmax");
      assertTrue(java.util.Arrays.stream(y1).distinct().count() > 10, c.what() + ": few distinct values");
      if (c.expected().containsKey("ties")) {
        positiveTies += c.expected().get("ties")[0];
        negativeTies += c.expected().get("ties")[1];
      }
    }
    assertTrue(positiveTies > 3 && negativeTies > 3, "ties: " + positiveTies + " positive, " + negativeTies
        + " negative");
  }

  @Test
  void interpreterAsWrittenAndAfterO() throws Exception {
    for (Case c : cases()) {
      assertOracle(c, "interpreter", new Interpreter().prepare(c.graph()).run(c.inputs()));
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(c.graph(), PassContext.forTests());
      assertTrue(optimized.nodes().stream().anyMatch(n -> n.op() == Op.REQUANTIZE_ACC),
          c.what() + ": -O did not lower the layers\n" + Printer.print(optimized));
      assertFalse(optimized.nodes().stream().anyMatch(n -> n.op() == Op.CONV2D || n.op() == Op.LINEAR));
      assertOracle(c, "interpreter -O", new Interpreter().prepare(optimized).run(c.inputs()));
    }
  }

  @Test
  void jvmBackend() throws Exception {
    for (Case c : cases()) {
      assertOracle(c, "jvm", new JvmBackend().prepare(c.graph()).run(c.inputs()));
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(c.graph(), PassContext.forTests());
      var executable = new JvmBackend().prepare(optimized);
      dev.zeropoint.runtime.Parallel.setThreads(3);
      try {
        assertOracle(c, "jvm -O, 3 threads", executable.run(c.inputs()));
      } finally {
        dev.zeropoint.runtime.Parallel.setThreads(1);
      }
    }
  }

  @Test
  void cBackend() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(CCompiler.find().isPresent(), "no C compiler");
    for (Case c : cases()) {
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(c.graph(), PassContext.forTests());
      // u8 outputs with multipliers below 1 run PyTorch's float kernels (fused into the matrix
      // product): the same integers (Requantize.floatClampIsFloat); int8 outputs need float_clamp's own.
      String source = dev.zeropoint.backends.c.CEmitter.emit(Lowering.pipeline(optimized)).source();
      boolean u8 = c.graph().outputs().get(0).value().type().elementType() == ElementType.U8;
      assertEquals(!u8, source.contains("requantizeFloatClamp"), c.what());
      assertEquals(u8, source.contains("conv2dRequantizeFloat"), c.what());
      assertOracle(c, "c", CBackendTest.SANITIZED.prepare(c.graph()).run(c.inputs()));
      assertOracle(c, "c -O, 3 threads", CBackendTest.THREADED.prepare(optimized).run(c.inputs()));
    }
  }

  /** The convolutions run on the simulated vta-mul accelerator (float_clamp as a lane program). */
  @Test
  void accelerator() throws Exception {
    AccelBackend backend = (AccelBackend) Backends.named("vta-mul").orElseThrow();
    for (Case c : cases()) {
      AccelBackend.Compiled compiled = backend.prepare(Lowering.pipeline(c.graph()));
      assertFalse(compiled.programs().isEmpty(), c.what() + ": nothing ran on the accelerator");
      assertOracle(c, "vta-mul", compiled.run(c.inputs()));
    }
  }
}
