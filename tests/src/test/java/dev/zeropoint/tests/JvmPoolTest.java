package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.lower.IntegerOnly;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The jvm backend's pools and batch norms against the interpreter on the kernel variants the golden
 * models do not all reach: float pools, qint8 and ceil_mode (ATen's NCHW kernels), pytorch-fbgemm,
 * channels-last inputs (ATen's NHWC kernels, after a quantized batch norm), and batch norms whose
 * channels split into vector blocks and a scalar tail; after {@code -O} and, where the model lowers,
 * after {@code -O --integer-only}.
 */
class JvmPoolTest {
  /** Runs today (the rest wait for ops other than pools and batch norms: lookup, qi8 conv2d). */
  static final int MIN_RUNS = 74;

  private static final String Q8 = "qu8<0.03:101>";
  private static final String QI8 = "qi8<0.03:-7>";

  @Test
  void poolsAndBatchNormsMatchTheInterpreterBitForBit() throws Exception {
    List<String[]> cases = new ArrayList<>();
    // {name, numerics, input shape, body (reads %q or %x, defines %y), result type of %y}
    String pool = "kernel = [3, 3], stride = [2, 2], padding = [1, 1, 1, 1]";
    for (String t : List.of(Q8, QI8)) {
      String tag = t == Q8 ? "u8" : "i8";
      cases.add(quantized("max_dilated_" + tag, "pytorch-qnnpack", t, 1, 3, 9, 9,
          "max_pool2d(%q) {kernel = [2, 3], stride = [2, 1], padding = [1, 1, 1, 1], dilation = [2, 2], ceil_mode = false}",
          "[1, 3, 5, 7]"));
      cases.add(quantized("max_ceil_" + tag, "pytorch-qnnpack", t, 1, 2, 8, 7,
          "max_pool2d(%q) {kernel = [3, 3], stride = [2, 2], padding = [1, 1, 1, 1], dilation = [1, 1], ceil_mode = true}",
          "[1, 2, 5, 4]"));
      for (String numerics : List.of("pytorch-qnnpack", "pytorch-fbgemm")) {
        String n = tag + "_" + numerics.substring(8);
        cases.add(quantized("avg_exclude_" + n, numerics, t, 2, 3, 9, 8, "avg_pool2d(%q) {" + pool
            + ", ceil_mode = false, count_include_pad = false, divisor_override = 0}", "[2, 3, 5, 4]"));
        cases.add(quantized("avg_ceil_" + n, numerics, t, 1, 3, 8, 8, "avg_pool2d(%q) {" + pool
            + ", ceil_mode = true, count_include_pad = true, divisor_override = 0}", "[1, 3, 5, 5]"));
        cases.add(quantized("avg_ceil_exclude_" + n, numerics, t, 1, 3, 8, 8, "avg_pool2d(%q) {" + pool
            + ", ceil_mode = true, count_include_pad = false, divisor_override = 0}", "[1, 3, 5, 5]"));
        cases.add(quantized("avg_divisor_" + n, numerics, t, 1, 2, 7, 7, "avg_pool2d(%q) {" + pool
            + ", ceil_mode = false, count_include_pad = true, divisor_override = 5}", "[1, 2, 4, 4]"));
        cases.add(quantized("adaptive_uneven_" + n, numerics, t, 1, 3, 7, 5,
            "adaptive_avg_pool2d(%q) {output_size = [3, 2]}", "[1, 3, 3, 2]"));
        cases.add(quantized("adaptive_even_" + n, numerics, t, 1, 3, 8, 6,
            "adaptive_avg_pool2d(%q) {output_size = [4, 2]}", "[1, 3, 4, 2]"));
        cases.add(quantized("adaptive_global_" + n, numerics, t, 2, 3, 5, 5,
            "adaptive_avg_pool2d(%q) {output_size = [1, 1]}", "[2, 3, 1, 1]"));
      }
      // channels-last inputs: a quantized batch norm's result (ATen's NHWC kernels)
      String bnType = (t == Q8 ? "qu8<0.04:99>" : "qi8<0.04:-3>");
      cases.add(quantized("nhwc_avg_" + tag, "pytorch-qnnpack", t, 1, 3, 9, 8, batchNorm("q", 3) + " : " + bnType
          + "[1, 3, 9, 8]\n  %y = avg_pool2d(%bn) {" + pool
          + ", ceil_mode = true, count_include_pad = false, divisor_override = 0}", bnType + "[1, 3, 5, 5]"));
      cases.add(quantized("nhwc_adaptive_" + tag, "pytorch-qnnpack", t, 1, 3, 7, 5, batchNorm("q", 3) + " : " + bnType
          + "[1, 3, 7, 5]\n  %y = adaptive_avg_pool2d(%bn) {output_size = [3, 2]}", bnType + "[1, 3, 3, 2]"));
      // channels-last inputs from a quantized 1x1 conv, which also lowers integer-only
      String conv = "%cw = const [40, -3, 7, 2, 35, -9, -5, 11, 30] : qi8<0.01:0>[3, 3, 1, 1]\n  %c = conv2d(%q, %cw) "
          + "{stride = [1, 1], padding = [0, 0, 0, 0], dilation = [1, 1], groups = 1} : " + bnType;
      cases.add(quantized("conv_avg_" + tag, "pytorch-qnnpack", t, 1, 3, 9, 8, conv + "[1, 3, 9, 8]\n  %y = avg_pool2d(%c) {"
          + pool + ", ceil_mode = true, count_include_pad = false, divisor_override = 0}", bnType + "[1, 3, 5, 5]"));
      cases.add(quantized("conv_avg_pad_" + tag, "pytorch-qnnpack", t, 1, 3, 9, 8, conv + "[1, 3, 9, 8]\n  %y = avg_pool2d(%c) {"
          + pool + ", ceil_mode = true, count_include_pad = true, divisor_override = 0}", bnType + "[1, 3, 5, 5]"));
      cases.add(quantized("conv_adaptive_" + tag, "pytorch-qnnpack", t, 1, 3, 7, 5, conv
          + "[1, 3, 7, 5]\n  %y = adaptive_avg_pool2d(%c) {output_size = [3, 2]}", bnType + "[1, 3, 3, 2]"));
      // batch norms of 45 channels: 32 + 8 vectorized, 5 scalar
      cases.add(quantized("bn45_" + tag, "pytorch-qnnpack", t, 2, 45, 3, 2,
          batchNorm("q", 45).replace("%bn = ", "%y = "), bnType + "[2, 45, 3, 2]"));
    }
    for (String numerics : List.of("pytorch-qnnpack", "pytorch-fbgemm")) {
      cases.add(floating("fmax_" + numerics, numerics, 1, 3, 9, 9,
          "max_pool2d(%x) {kernel = [2, 3], stride = [2, 1], padding = [1, 1, 1, 1], dilation = [2, 2], ceil_mode = true}",
          "[1, 3, 5, 7]"));
      cases.add(floating("favg_" + numerics, numerics, 1, 3, 8, 8, "avg_pool2d(%x) {" + pool
          + ", ceil_mode = true, count_include_pad = false, divisor_override = 0}", "[1, 3, 5, 5]"));
      cases.add(floating("favg_pad_" + numerics, numerics, 1, 3, 8, 8, "avg_pool2d(%x) {" + pool
          + ", ceil_mode = true, count_include_pad = true, divisor_override = 0}", "[1, 3, 5, 5]"));
      cases.add(floating("favg_divisor_" + numerics, numerics, 1, 3, 8, 8, "avg_pool2d(%x) {" + pool
          + ", ceil_mode = false, count_include_pad = true, divisor_override = 7}", "[1, 3, 4, 4]"));
      cases.add(floating("fadaptive_" + numerics, numerics, 1, 3, 7, 5,
          "adaptive_avg_pool2d(%x) {output_size = [3, 2]}", "[1, 3, 3, 2]"));
      cases.add(new String[] {"fbn_" + numerics, numerics, "[2, 11, 3, 5]", batchNorm("x", 11).replace("%bn = ", "%y = "),
          "f32[2, 11, 3, 5]"});
    }

    int ran = 0;
    List<String> unsupported = new ArrayList<>();
    for (String[] c : cases) {
      String text = "model " + c[0].replace('-', '_') + " numerics(" + c[1] + ") {\n  input %x : f32" + c[2] + "\n  " + c[3]
          + " : " + c[4] + (c[4].startsWith("f32") ? "\n  output output = %y\n}\n" : "\n  %out = dequantize(%y) : f32"
          + c[4].substring(c[4].indexOf('[')) + "\n  output output = %out\n}\n");
      Graph parsed;
      try {
        parsed = ModelParser.create().parse(c[0], text, Path.of("."));
      } catch (CompileException e) {
        throw new AssertionError(c[0] + ": " + e.getMessage() + "\n" + text, e);
      }
      int[] dims = java.util.Arrays.stream(c[2].replaceAll("[\\[\\] ]", "").split(",")).mapToInt(Integer::parseInt)
          .toArray();
      Random random = new Random(c[0].hashCode());
      float[] values = new float[java.util.Arrays.stream(dims).reduce(1, (a, b) -> a * b)];
      for (int i = 0; i < values.length; i++) {
        // on the quantization grid half of the time, so window sums meet rounding ties
        values[i] = random.nextBoolean() ? (random.nextInt(256) - 128) * 0.03f : (float) (random.nextGaussian() * 2);
      }
      Map<String, TensorData> inputs = Map.of("x", TensorData.ofFloats(Shape.of(dims), values));
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(parsed,
          dev.zeropoint.passes.PassContext.forTests());
      ran += JvmBackendTest.compare(c[0] + " -O", optimized, inputs, unsupported);
      Graph integer;
      try {
        integer = IntegerOnly.finish(PassManager.defaultPipeline(PassRegistry.load()).run(parsed,
            JvmBackendTest.integerContext()));
      } catch (CompileException e) {
        continue;
      }
      ran += JvmBackendTest.compare(c[0] + " -O --integer-only", integer,
          GoldenTest.integerInputs(parsed, integer, inputs), unsupported);
    }
    System.out.println("jvm pools: " + ran + " runs exact; not run: " + unsupported);
    List<String> mine = unsupported.stream().filter(u -> u.matches(
        ".*does not run (max_pool2d|avg_pool2d|adaptive_avg_pool2d|avg_pool2d_int|adaptive_avg_pool2d_int|batch_norm)$"))
        .toList();
    assertEquals(List.of(), mine);
    assertTrue(ran >= MIN_RUNS, "only " + ran + " runs: " + unsupported);
  }

  /** A model quantizing %x to {@code type} as %q, then {@code body} (defining %y, or ending in %y's expression). */
  private static String[] quantized(String name, String numerics, String type, int n, int c, int h, int w,
      String body, String outShape) {
    String shape = "[" + n + ", " + c + ", " + h + ", " + w + "]";
    String q = "%q = quantize(%x) : " + type + shape + "\n  ";
    String b = body.contains("%y = ") ? body : "%y = " + body;
    return new String[] {name, numerics, shape, q + b, outShape.startsWith("[") ? type + outShape : outShape};
  }

  private static String[] floating(String name, String numerics, int n, int c, int h, int w, String body,
      String outShape) {
    return new String[] {name, numerics, "[" + n + ", " + c + ", " + h + ", " + w + "]", "%y = " + body,
        "f32" + outShape};
  }

  /** Constants and a batch_norm of %{@code in} ({@code c} channels) defining %bn, up to its attributes. */
  private static String batchNorm(String in, int c) {
    Random random = new Random(c * 31L + in.hashCode());
    StringBuilder s = new StringBuilder();
    for (String p : List.of("w", "b", "m", "v")) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < c; i++) {
        double v = switch (p) {
          case "w" -> 0.2 + random.nextDouble() * 1.5;
          case "b", "m" -> random.nextGaussian() * 0.5;
          default -> 0.05 + random.nextDouble() * 2;
        };
        values.add(Float.toString((float) v));
      }
      s.append("%bn_").append(p).append(" = const ").append(values).append(" : f32[").append(c).append("]\n  ");
    }
    return s.append("%bn = batch_norm(%").append(in).append(", %bn_w, %bn_b, %bn_m, %bn_v) {eps = 1e-05}").toString();
  }
}
