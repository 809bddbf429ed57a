package dev.zeropoint.tests.onnx;

import static dev.zeropoint.onnx.OnnxTestModels.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.zeropoint.backends.Backends;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.numerics.OnnxRuntimeQLinear;
import dev.zeropoint.ir.numerics.Rounding;
import dev.zeropoint.ir.op.Op;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OnnxRuntimeQLinear} against ONNX Runtime itself (the {@code onnxruntime} jar, CPU provider,
 * on this machine: AVX2 and FMA, no VNNI): tiny QDQ models that ONNX Runtime fuses into {@code
 * QLinearAdd} and {@code QLinearGlobalAveragePool} (checked on the graph it saves after optimizing),
 * and the com.microsoft ops written directly, run on inputs that cover every pair of 8-bit integers
 * (add) or chosen plane sums (pool), compared element by element with the formula. ONNX Runtime is
 * the oracle: no expected value comes from Zeropoint's compiler.
 *
 * <p>Each test also checks that it can tell the formula from the plausible other readings of the
 * source (another FMA contraction, no FMA, the float QDQ path, another scale formula, another
 * rounding): each of them disagrees with ONNX Runtime on some element here, so a test that passes
 * pins the formula down.
 */
class OnnxRuntimeQLinearTest {
  @TempDir
  Path dir;

  private static final int U8 = TensorProto.DataType.UINT8_VALUE;
  private static final int I8 = TensorProto.DataType.INT8_VALUE;

  /** ONNX Runtime's exact configuration (s8 weights moved to u8; changes nothing for add and pooling). */
  private static OnnxRuntimeOracle.Options ort() {
    return OnnxRuntimeOracle.Options.defaults().withConfig(OnnxRuntimeOracle.X64_QUANT_PRECISION, "1");
  }

  // ================================================================== QLinearAdd

  /** Scales and zero points of one add (zero points as u8; i8 runs shift them by -128). */
  record AddSet(String origin, float sa, int za, float sb, int zb, float sc, int zc) {}

  /**
   * The parameters of the adds in PyTorch's exports of torchvision's quantized ResNet-18 (with
   * their ReLU, zero point 0) and MobileNetV2 (64x64 inputs, make_onnx_goldens.py), and some that
   * separate the readings of the source (found by search: for each, some reading below differs from
   * the formula on some pair).
   */
  static final List<AddSet> ADD_SETS = List.of(
      new AddSet("resnet18 layer1.0", 0.037998903542757034f, 123, 0.01935596391558647f, 0, 0.027947627007961273f, 0),
      new AddSet("resnet18 layer2.0", 0.0377347394824028f, 122, 0.04355519637465477f, 127, 0.025252869352698326f, 0),
      new AddSet("resnet18 layer4.0", 0.03837155923247337f, 128, 0.03884591534733772f, 119, 0.022867312654852867f, 0),
      new AddSet("mobilenet_v2 features.3", 0.042684346437454224f, 123, 0.038999833166599274f, 137,
          0.053096238523721695f, 133),
      new AddSet("mobilenet_v2 features.6", 0.052727121859788895f, 126, 0.03687657415866852f, 127,
          0.062464382499456406f, 116),
      new AddSet("mobilenet_v2 features.16", 0.04293898865580559f, 129, 0.03627711161971092f, 116,
          0.054560575634241104f, 129),
      new AddSet("search 1", 1.7730485f, 56, 0.08176113f, 134, 0.33996928f, 20),
      new AddSet("search 2", 0.0049487404f, 56, 0.037264727f, 151, 0.0021234564f, 246),
      new AddSet("search 3", 0.2071421f, 34, 0.012687499f, 242, 0.075467125f, 149),
      new AddSet("search 4", 0.018476278f, 52, 0.16928455f, 214, 0.006357682f, 210),
      new AddSet("search 5", 1.202561f, 136, 0.0423664f, 124, 0.013602323f, 93),
      new AddSet("search 6", 0.09690877f, 176, 0.018344194f, 106, 0.0055400473f, 69),
      new AddSet("search 7", 0.061895702f, 164, 0.23226412f, 181, 0.11134324f, 59));

  /**
   * Other readings of MLAS's add, each of which some pair of some set above gives differently from
   * ONNX Runtime (the test asserts that): two products in the fixed part, {@code rB * zB} fused
   * instead, a's term first, no FMA at all, and the float QDQ graph (DequantizeLinear, Add,
   * QuantizeLinear as ONNX Runtime runs it without fusion).
   */
  enum AddReading {
    FIXED_TWO_PRODUCTS, FIXED_B_FUSED, A_FIRST, NO_FMA, FLOAT_QDQ;

    int apply(int a, int b, AddSet s, int za, int zb, int zc, ElementType storage) {
      float ra = s.sa() / s.sc();
      float rb = s.sb() / s.sc();
      float fixed = switch (this) {
        case FIXED_TWO_PRODUCTS, NO_FMA -> (float) zc - (ra * za + rb * zb);
        case FIXED_B_FUSED -> (float) zc - Math.fma(rb, (float) zb, ra * za);
        default -> (float) zc - Math.fma(ra, (float) za, rb * zb);
      };
      float v = switch (this) {
        case A_FIRST -> Math.fma((float) b, rb, Math.fma((float) a, ra, fixed));
        case NO_FMA -> (fixed + a * ra) + b * rb;
        case FLOAT_QDQ -> (float) Math.rint(((float) (a - za) * s.sa() + (float) (b - zb) * s.sb()) / s.sc()) + zc;
        default -> Math.fma((float) a, ra, Math.fma((float) b, rb, fixed));
      };
      return (int) Rounding.saturate(Rounding.x86FloatToInt32RoundHalfEven(v), storage);
    }
  }

  /** Every pair of 8-bit integers, as two inputs of 65,536 + 29 elements (the last 29 again, a partial vector). */
  private static long[][] allPairs(ElementType storage, int[] order) {
    int n = order.length;
    long[] a = new long[n];
    long[] b = new long[n];
    long min = storage.minValue();
    for (int i = 0; i < n; i++) {
      a[i] = min + (order[i] >> 8);
      b[i] = min + (order[i] & 255);
    }
    return new long[][] {a, b};
  }

  private static int[] pairOrder(boolean permuted, Random rnd) {
    int[] order = new int[65536 + 29];
    for (int i = 0; i < order.length; i++) {
      order[i] = i < 65536 ? i : rnd.nextInt(65536);
    }
    if (permuted) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  @Test
  void qlinearAddIsTheFormulaOnEveryPairInEveryPosition() throws Exception {
    Random rnd = new Random(20261123);
    List<String> failures = new ArrayList<>();
    Map<AddReading, Long> readingMismatches = new LinkedHashMap<>();
    long compared = 0;
    for (AddSet s : ADD_SETS) {
      for (ElementType storage : List.of(ElementType.U8, ElementType.I8)) {
        int shift = storage == ElementType.U8 ? 0 : -128;
        int za = s.za() + shift;
        int zb = s.zb() + shift;
        int zc = s.zc() + shift;
        OnnxRuntimeQLinear.AddParams p = OnnxRuntimeQLinear.addParams(s.sa(), za, s.sb(), zb, s.sc(), zc, storage);
        // ReLU before the quantize: ONNX Runtime drops it where the zero point is the storage minimum.
        boolean relu = zc == storage.minValue();
        for (boolean permuted : List.of(false, true)) {
          int[] order = pairOrder(permuted, rnd);
          long[][] ab = allPairs(storage, order);
          Path model = qdqAdd(storage, s.sa(), za, s.sb(), zb, s.sc(), zc, order.length, relu);
          Path optimized = dir.resolve("add.optimized.onnx");
          OnnxRuntimeOracle.Options options = permuted ? ort().withThreads(2) : ort();
          TensorData y = OnnxRuntimeOracle.run(model, options.savingOptimizedModel(optimized), Map.of(
              "a", TensorData.ofLongs(storage, Shape.of(1, order.length), ab[0]),
              "b", TensorData.ofLongs(storage, Shape.of(1, order.length), ab[1]))).get("y");
          assertEquals(List.of("QLinearAdd"), opTypes(optimized), s + " " + storage);
          long bad = 0;
          for (int i = 0; i < order.length; i++) {
            int a = (int) ab[0][i];
            int b = (int) ab[1][i];
            long expected = y.getLong(i);
            bad += OnnxRuntimeQLinear.add(a, b, p) == expected ? 0 : 1;
            for (AddReading r : AddReading.values()) {
              if (r.apply(a, b, s, za, zb, zc, storage) != expected) {
                readingMismatches.merge(r, 1L, Long::sum);
              }
            }
          }
          compared += order.length;
          if (bad > 0) {
            failures.add(s + " " + storage + (permuted ? " permuted" : " in order") + ": " + bad + " of "
                + order.length + " elements differ from ONNX Runtime");
          }
        }
      }
    }
    System.out.printf("QLinearAdd: %d elements (%d sets x u8/i8 x in order/permuted), formula mismatches: %d; "
        + "other readings' mismatches: %s%n", compared, ADD_SETS.size(), failures.size(), readingMismatches);
    assertEquals(List.of(), failures);
    for (AddReading r : AddReading.values()) {
      assertTrue(readingMismatches.getOrDefault(r, 0L) > 0, "nothing here separates the formula from " + r);
    }
  }

  @Test
  void theComMicrosoftQLinearAddIsTheSameKernel() throws Exception {
    // The op written directly (no optimizer), on every pair, u8 and i8: the QDQ fusion adds nothing.
    for (ElementType storage : List.of(ElementType.U8, ElementType.I8)) {
      AddSet s = ADD_SETS.get(9);
      int shift = storage == ElementType.U8 ? 0 : -128;
      int[] order = pairOrder(true, new Random(5));
      long[][] ab = allPairs(storage, order);
      Path model = qlinearAdd(storage, s.sa(), s.za() + shift, s.sb(), s.zb() + shift, s.sc(), s.zc() + shift,
          order.length);
      TensorData y = OnnxRuntimeOracle.run(model, ort().withOptimization(OptLevel.NO_OPT), Map.of(
          "a", TensorData.ofLongs(storage, Shape.of(1, order.length), ab[0]),
          "b", TensorData.ofLongs(storage, Shape.of(1, order.length), ab[1]))).get("y");
      OnnxRuntimeQLinear.AddParams p = OnnxRuntimeQLinear.addParams(s.sa(), s.za() + shift, s.sb(), s.zb() + shift,
          s.sc(), s.zc() + shift, storage);
      assertEquals(0, mismatches(order.length, i -> OnnxRuntimeQLinear.add((int) ab[0][i], (int) ab[1][i], p), y),
          storage.toString());
    }
  }

  @Test
  void aReluBeforeAnotherZeroPointStaysFloatInOnnxRuntime() throws Exception {
    // ReluQuantTransformer removes a Relu only before a zero point of 0 (u8) / -128 (i8); otherwise the
    // Add is no node unit and the region runs in float, as Zeropoint leaves it.
    Path model = qdqAdd(ElementType.U8, 0.05f, 120, 0.04f, 130, 0.07f, 10, 64, true);
    Path optimized = dir.resolve("relu.optimized.onnx");
    OnnxRuntimeOracle.run(model, ort().savingOptimizedModel(optimized), Map.of(
        "a", TensorData.ofLongs(ElementType.U8, Shape.of(1, 64), new long[64]),
        "b", TensorData.ofLongs(ElementType.U8, Shape.of(1, 64), new long[64])));
    assertEquals(List.of("DequantizeLinear", "DequantizeLinear", "Add", "Relu", "QuantizeLinear"), opTypes(optimized));
  }

  @Test
  void zeropointImportsTheFusedAddAsOnnxRuntimeComputesIt() throws Exception {
    // The whole path: the QDQ file imported with onnx numerics, qdq-to-integer and -O, run by the
    // interpreter and the JVM backend, equals ONNX Runtime on every pair.
    for (ElementType storage : List.of(ElementType.U8, ElementType.I8)) {
      for (AddSet s : List.of(ADD_SETS.get(0), ADD_SETS.get(4), ADD_SETS.get(7))) {
        int shift = storage == ElementType.U8 ? 0 : -128;
        int zc = s.zc() + shift;
        int[] order = pairOrder(true, new Random(11));
        long[][] ab = allPairs(storage, order);
        Path model = qdqAdd(storage, s.sa(), s.za() + shift, s.sb(), s.zb() + shift, s.sc(), zc, order.length,
            zc == storage.minValue());
        Map<String, TensorData> inputs = Map.of(
            "a", TensorData.ofLongs(storage, Shape.of(1, order.length), ab[0]),
            "b", TensorData.ofLongs(storage, Shape.of(1, order.length), ab[1]));
        TensorData expected = OnnxRuntimeOracle.run(model, ort(), inputs).get("y");
        Graph g = OnnxTorchvisionTest.imported(model, Numerics.ONNX);
        assertTrue(g.nodes().stream().anyMatch(nd -> nd.op() == Op.BINARY_LOOKUP), g.toString());
        assertTrue(g.nodes().stream().noneMatch(nd -> nd.op() == Op.ADD), g.toString());
        Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(g, PassContext.forTests());
        for (String backend : List.of("interp", "jvm")) {
          TensorData actual = Backends.named(backend).orElseThrow().prepare(backend.equals("interp") ? g : optimized)
              .run(inputs).get("y");
          assertEquals(0, mismatches(order.length, i -> (int) actual.getLong(i), expected), s + " " + storage + " "
              + backend);
        }
      }
    }
  }

  // ================================================================== QLinearGlobalAveragePool

  /**
   * Other readings of MLAS's global average pool: the multiplier {@code f32(f32(x_scale / y_scale) /
   * N)}, rounding half away from zero, and the float QDQ graph (ONNX Runtime's float
   * GlobalAveragePool: its sum in plane order, then one division by N).
   */
  enum PoolReading {
    SCALE_RATIO_FIRST, HALF_AWAY, FLOAT_QDQ;

    int apply(long[] plane, float sx, int zx, float sy, int zy, ElementType storage) {
      int n = plane.length;
      long sum = 0;
      for (long q : plane) {
        sum += q;
      }
      int acc = (int) (sum - (long) n * zx);
      float v = switch (this) {
        case SCALE_RATIO_FIRST -> (float) acc * ((sx / sy) / (float) n);
        case HALF_AWAY -> (float) acc * (sx / (sy * (float) n));
        case FLOAT_QDQ -> {
          float s = 0;
          for (long q : plane) {
            s += (float) (q - zx) * sx;
          }
          yield (s / n) / sy;
        }
      };
      long r = this == HALF_AWAY ? Rounding.roundHalfAwayFromZero(v) : Rounding.x86FloatToInt32RoundHalfEven(v);
      return (int) Rounding.saturate(r + zy, storage);
    }
  }

  /** The formula: plane sum minus N * x_zp, MLAS's multiplier, scheme float_clamp's rounding. */
  private static int poolFormula(long[] plane, float sx, int zx, float sy, int zy, ElementType storage) {
    long sum = 0;
    for (long q : plane) {
      sum += q;
    }
    int acc = (int) (sum - (long) plane.length * zx);
    float m = OnnxRuntimeQLinear.globalAveragePoolScale(sx, sy, plane.length).orElseThrow();
    return dev.zeropoint.runtime.kernels.Requantize.floatClamp(acc, m, zy, (int) storage.minValue(),
        (int) storage.maxValue(), storage);
  }

  record PoolCase(String origin, int channels, int height, int width, float sx, int zx, float sy, int zy) {}

  /**
   * The torchvision models' pools (input and output parameters equal, zero point 0: ResNet-18 and
   * MobileNetV2 at 64x64 and 224x224 inputs) and mixed parameters, on planes of several sizes; the
   * channel counts not multiples of 8 exercise MLAS's partial vectors.
   */
  static List<PoolCase> poolCases() {
    List<PoolCase> cases = new ArrayList<>(List.of(
        new PoolCase("resnet18 64x64", 512, 2, 2, 0.02907935157418251f, 0, 0.02907935157418251f, 0),
        new PoolCase("resnet18 224x224", 512, 7, 7, 0.02907935157418251f, 0, 0.02907935157418251f, 0),
        new PoolCase("mobilenet_v2 64x64", 1280, 2, 2, 0.021641824394464493f, 0, 0.021641824394464493f, 0),
        new PoolCase("mobilenet_v2 224x224", 1280, 7, 7, 0.021641824394464493f, 0, 0.021641824394464493f, 0),
        new PoolCase("1x1", 19, 1, 1, 0.05f, 100, 0.07f, 120)));
    // Mixed parameters where f32(x_scale / f32(y_scale * N)) and f32(f32(x_scale / y_scale) / N)
    // differ on some sum inside the output range (found by a seeded search).
    Random rnd = new Random(42);
    // (N a power of two makes the two readings equal: y_scale * N and the division by N are exact.)
    int[][] planes = {{7, 7}, {3, 5}, {13, 11}, {6, 6}, {15, 17}};
    for (int[] hw : planes) {
      int found = 0;
      for (int tries = 0; found < 2; tries++) {
        if (tries == 10_000) {
          throw new IllegalStateException("no discriminating parameters for " + hw[0] + "x" + hw[1]);
        }
        float sx = (float) Math.exp(rnd.nextGaussian() - 3.5);
        float sy = sx * (float) Math.exp(rnd.nextGaussian() * 0.3);
        int zx = rnd.nextInt(256);
        int zy = rnd.nextInt(256);
        if (!disagreeingSums(hw[0] * hw[1], sx, zx, sy, zy, ElementType.U8).isEmpty()) {
          cases.add(new PoolCase("search " + hw[0] + "x" + hw[1], 37 + 8 * found, hw[0], hw[1], sx, zx, sy, zy));
          found++;
        }
      }
    }
    return cases;
  }

  /** Plane sums (u8 storage units) where the two multiplier readings round to different outputs in range. */
  private static List<Integer> disagreeingSums(int n, float sx, int zx, float sy, int zy, ElementType storage) {
    float m0 = sx / (sy * (float) n);
    float m1 = (sx / sy) / (float) n;
    List<Integer> sums = new ArrayList<>();
    if (m0 == m1) {
      return sums;
    }
    long min = storage.minValue();
    for (long sum = n * min; sum <= n * (min + 255); sum++) {
      int acc = (int) (sum - (long) n * zx);
      int r0 = Rounding.x86FloatToInt32RoundHalfEven((float) acc * m0) + zy;
      int r1 = Rounding.x86FloatToInt32RoundHalfEven((float) acc * m1) + zy;
      if (r0 != r1 && r0 >= min && r0 <= min + 255 && r1 >= min && r1 <= min + 255) {
        sums.add((int) sum);
      }
    }
    return sums;
  }

  /**
   * Planes for one case: half the channels with a sum where the multiplier readings disagree (if
   * any), a quarter at a tie of the pool's exact mean ({@code acc * m} = k + 1/2 where m is exact),
   * the rest random.
   */
  private static long[] poolInput(PoolCase c, ElementType storage, Random rnd) {
    int n = c.height() * c.width();
    int shift = storage == ElementType.U8 ? 0 : -128;
    List<Integer> disagree = disagreeingSums(n, c.sx(), c.zx(), c.sy(), c.zy(), ElementType.U8);
    long[] x = new long[c.channels() * n];
    for (int ch = 0; ch < c.channels(); ch++) {
      int sum;
      if (!disagree.isEmpty() && ch % 2 == 0) {
        sum = disagree.get(rnd.nextInt(disagree.size()));
      } else if (ch % 4 == 1) {
        sum = Math.min(255 * n, n * (rnd.nextInt(255)) + n / 2);  // mean k + 1/2 (a tie when m is exact)
      } else {
        sum = rnd.nextInt(255 * n + 1);
      }
      int rest = sum;
      for (int k = 0; k < n; k++) {
        int left = n - 1 - k;
        int lo = Math.max(0, rest - 255 * left);
        int hi = Math.min(255, rest);
        int v = lo + rnd.nextInt(hi - lo + 1);
        x[ch * n + k] = v + shift;
        rest -= v;
      }
    }
    return x;
  }

  @Test
  void qlinearGlobalAveragePoolIsTheFormula() throws Exception {
    Random rnd = new Random(7);
    List<String> failures = new ArrayList<>();
    Map<PoolReading, Long> readingMismatches = new LinkedHashMap<>();
    long compared = 0;
    for (PoolCase c : poolCases()) {
      for (ElementType storage : List.of(ElementType.U8, ElementType.I8)) {
        int shift = storage == ElementType.U8 ? 0 : -128;
        int zx = c.zx() + shift;
        int zy = c.zy() + shift;
        int n = c.height() * c.width();
        long[] x = poolInput(c, storage, rnd);
        for (boolean channelsLast : List.of(false, true)) {
          TensorData y;
          if (channelsLast) {
            // com.microsoft.QLinearGlobalAveragePool {channels_last = 1} on the NHWC layout: MLAS's NHWC kernel.
            long[] nhwc = new long[x.length];
            for (int ch = 0; ch < c.channels(); ch++) {
              for (int k = 0; k < n; k++) {
                nhwc[k * c.channels() + ch] = x[ch * n + k];
              }
            }
            Path model = qlinearGlobalAveragePool(storage, c, zx, zy);
            y = OnnxRuntimeOracle.run(model, ort().withOptimization(OptLevel.NO_OPT), Map.of("x",
                TensorData.ofLongs(storage, Shape.of(1, c.height(), c.width(), c.channels()), nhwc))).get("y");
          } else {
            Path model = qdqGlobalAveragePool(storage, c, zx, zy);
            Path optimized = dir.resolve("gap.optimized.onnx");
            y = OnnxRuntimeOracle.run(model, ort().savingOptimizedModel(optimized), Map.of("x",
                TensorData.ofLongs(storage, Shape.of(1, c.channels(), c.height(), c.width()), x))).get("y");
            assertEquals(List.of("QLinearGlobalAveragePool"), opTypes(optimized), c.toString());
          }
          long bad = 0;
          for (int ch = 0; ch < c.channels(); ch++) {
            long[] plane = java.util.Arrays.copyOfRange(x, ch * n, ch * n + n);
            long expected = y.getLong(ch);
            bad += poolFormula(plane, c.sx(), zx, c.sy(), zy, storage) == expected ? 0 : 1;
            for (PoolReading r : PoolReading.values()) {
              if (r.apply(plane, c.sx(), zx, c.sy(), zy, storage) != expected) {
                readingMismatches.merge(r, 1L, Long::sum);
              }
            }
          }
          compared += c.channels();
          if (bad > 0) {
            failures.add(c + " " + storage + (channelsLast ? " NHWC" : " NCHW") + ": " + bad + " of " + c.channels()
                + " outputs differ from ONNX Runtime");
          }
        }
      }
    }
    System.out.printf("QLinearGlobalAveragePool: %d outputs, failures %d; other readings' mismatches: %s%n", compared,
        failures.size(), readingMismatches);
    assertEquals(List.of(), failures);
    for (PoolReading r : PoolReading.values()) {
      assertTrue(readingMismatches.getOrDefault(r, 0L) > 0, "nothing here separates the formula from " + r);
    }
  }

  @Test
  void zeropointImportsTheFusedPoolAsOnnxRuntimeComputesIt() throws Exception {
    Random rnd = new Random(3);
    List<PoolCase> cases = poolCases();
    for (PoolCase c : List.of(cases.get(0), cases.get(1), cases.get(4), cases.get(5), cases.get(7))) {
      for (ElementType storage : List.of(ElementType.U8, ElementType.I8)) {
        int shift = storage == ElementType.U8 ? 0 : -128;
        long[] x = poolInput(c, storage, rnd);
        Path model = qdqGlobalAveragePool(storage, c, c.zx() + shift, c.zy() + shift);
        Map<String, TensorData> inputs = Map.of("x",
            TensorData.ofLongs(storage, Shape.of(1, c.channels(), c.height(), c.width()), x));
        TensorData expected = OnnxRuntimeOracle.run(model, ort(), inputs).get("y");
        Graph g = OnnxTorchvisionTest.imported(model, Numerics.ONNX);
        assertTrue(g.nodes().stream().map(Node::op).noneMatch(o -> o == Op.ADAPTIVE_AVG_POOL2D), g.toString());
        Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(g, PassContext.forTests());
        for (String backend : List.of("interp", "jvm")) {
          TensorData actual = Backends.named(backend).orElseThrow().prepare(backend.equals("interp") ? g : optimized)
              .run(inputs).get("y");
          assertEquals(0, mismatches(c.channels(), i -> (int) actual.getLong(i), expected), c + " " + storage + " "
              + backend);
        }
      }
    }
  }

  // ================================================================== models

  private static long mismatches(int n, java.util.function.IntUnaryOperator actual, TensorData expected) {
    long bad = 0;
    for (int i = 0; i < n; i++) {
      bad += actual.applyAsInt(i) == expected.getLong(i) ? 0 : 1;
    }
    return bad;
  }

  private static int onnxType(ElementType storage) {
    return storage == ElementType.U8 ? U8 : I8;
  }

  static TensorProto scale(String name, float v) {
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(v)
        .build();
  }

  static TensorProto zeroPoint(String name, int type, int v) {
    return TensorProto.newBuilder().setName(name).setDataType(type).addInt32Data(v).build();
  }

  static NodeProto node(String op, String domain, List<String> in, String out, AttributeProto... attrs) {
    return NodeProto.newBuilder().setOpType(op).setDomain(domain).setName(op + "_" + out).addAllInput(in)
        .addOutput(out).addAllAttribute(List.of(attrs)).build();
  }

  private Path write(GraphProto g, String file, boolean microsoft) throws Exception {
    ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8).setGraph(g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13));
    if (microsoft) {
      m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1));
    }
    Path p = dir.resolve(file);
    Files.write(p, m.build().toByteArray());
    return p;
  }

  /** DequantizeLinear a, b -> Add (-> Relu) -> QuantizeLinear: y, all [1, n]. */
  private Path qdqAdd(ElementType storage, float sa, int za, float sb, int zb, float sc, int zc, int n, boolean relu)
      throws Exception {
    int t = onnxType(storage);
    GraphProto.Builder g = GraphProto.newBuilder().setName("qdq_add")
        .addInput(tensor("a", t, 1, n)).addInput(tensor("b", t, 1, n)).addOutput(tensor("y", t, 1, n))
        .addInitializer(scale("sa", sa)).addInitializer(zeroPoint("za", t, za))
        .addInitializer(scale("sb", sb)).addInitializer(zeroPoint("zb", t, zb))
        .addInitializer(scale("sc", sc)).addInitializer(zeroPoint("zc", t, zc))
        .addNode(node("DequantizeLinear", "", List.of("a", "sa", "za"), "af"))
        .addNode(node("DequantizeLinear", "", List.of("b", "sb", "zb"), "bf"))
        .addNode(node("Add", "", List.of("af", "bf"), "sum"));
    if (relu) {
      g.addNode(node("Relu", "", List.of("sum"), "r"));
    }
    g.addNode(node("QuantizeLinear", "", List.of(relu ? "r" : "sum", "sc", "zc"), "y"));
    return write(g.build(), "qdq_add.onnx", false);
  }

  /** com.microsoft.QLinearAdd(a, sa, za, b, sb, zb, sc, zc): y, all [1, n]. */
  private Path qlinearAdd(ElementType storage, float sa, int za, float sb, int zb, float sc, int zc, int n)
      throws Exception {
    int t = onnxType(storage);
    GraphProto g = GraphProto.newBuilder().setName("qlinear_add")
        .addInput(tensor("a", t, 1, n)).addInput(tensor("b", t, 1, n)).addOutput(tensor("y", t, 1, n))
        .addInitializer(scale("sa", sa)).addInitializer(zeroPoint("za", t, za))
        .addInitializer(scale("sb", sb)).addInitializer(zeroPoint("zb", t, zb))
        .addInitializer(scale("sc", sc)).addInitializer(zeroPoint("zc", t, zc))
        .addNode(node("QLinearAdd", "com.microsoft", List.of("a", "sa", "za", "b", "sb", "zb", "sc", "zc"), "y"))
        .build();
    return write(g, "qlinear_add.onnx", true);
  }

  /** DequantizeLinear -> GlobalAveragePool -> QuantizeLinear on [1, C, H, W]. */
  private Path qdqGlobalAveragePool(ElementType storage, PoolCase c, int zx, int zy) throws Exception {
    int t = onnxType(storage);
    GraphProto g = GraphProto.newBuilder().setName("qdq_gap")
        .addInput(tensor("x", t, 1, c.channels(), c.height(), c.width()))
        .addOutput(tensor("y", t, 1, c.channels(), 1, 1))
        .addInitializer(scale("sx", c.sx())).addInitializer(zeroPoint("zx", t, zx))
        .addInitializer(scale("sy", c.sy())).addInitializer(zeroPoint("zy", t, zy))
        .addNode(node("DequantizeLinear", "", List.of("x", "sx", "zx"), "xf"))
        .addNode(node("GlobalAveragePool", "", List.of("xf"), "m"))
        .addNode(node("QuantizeLinear", "", List.of("m", "sy", "zy"), "y"))
        .build();
    return write(g, "qdq_gap.onnx", false);
  }

  /** com.microsoft.QLinearGlobalAveragePool {channels_last = 1} on [1, H, W, C]. */
  private Path qlinearGlobalAveragePool(ElementType storage, PoolCase c, int zx, int zy) throws Exception {
    int t = onnxType(storage);
    GraphProto g = GraphProto.newBuilder().setName("qlinear_gap")
        .addInput(tensor("x", t, 1, c.height(), c.width(), c.channels()))
        .addOutput(tensor("y", t, 1, 1, 1, c.channels()))
        .addInitializer(scale("sx", c.sx())).addInitializer(zeroPoint("zx", t, zx))
        .addInitializer(scale("sy", c.sy())).addInitializer(zeroPoint("zy", t, zy))
        .addNode(node("QLinearGlobalAveragePool", "com.microsoft", List.of("x", "sx", "zx", "sy", "zy"), "y",
            AttributeProto.newBuilder().setName("channels_last").setType(AttributeProto.AttributeType.INT).setI(1)
                .build()))
        .build();
    return write(g, "qlinear_gap.onnx", true);
  }

  static List<String> opTypes(Path model) throws Exception {
    return ModelProto.parseFrom(Files.readAllBytes(model)).getGraph().getNodeList().stream()
        .map(NodeProto::getOpType).toList();
  }
}
