package dev.zeropoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zeropoint explain and the check-accumulators pass. Every expected number is computed by hand in
 * the comment above its assertion.
 */
class ExplainCommandTest {
  @TempDir
  Path dir;

  /** The conv of tests/.../passes/lower-requantize.qg: x qu8(0.5, 10), w qi8(0.25, 0) = [2], bias 1.0, y qu8(1.0, 5). */
  static final String CONV = """
      model conv_qnnpack {
        input %x : f32[1, 1, 2, 2]
        %q = quantize(%x) : qu8<0.5:10>[1, 1, 2, 2]
        %w = const [2] : qi8<0.25:0>[1, 1, 1, 1]
        %b = const [1.0] : f32[1]
        %y = conv2d(%q, %w, %b) : qu8<1.0:5>[1, 1, 2, 2]
        %z = dequantize(%y)
        output z = %z
      }
      """;

  static final String LINEAR_TFLITE = """
      model linear_tflite numerics(tflite) {
        input %x : f32[1, 3]
        %q = quantize(%x) : qi8<0.5:-3>[1, 3]
        %w = const [1, 2, 3, 4, 5, 6] : qi8<0.25:0>[2, 3]
        %b = const [7, -7] : i32[2]
        %y = linear(%q, %w, %b) : qi8<1.0:4>[1, 2]
        %z = dequantize(%y)
        output z = %z
      }
      """;

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private static List<String> lines(CliTest.Result r) {
    assertEquals(0, r.status(), r.err());
    return r.out().lines().toList();
  }

  @Test
  void convInPytorchQnnpack() throws Exception {
    List<String> out = lines(CliTest.run("explain", write("conv.qg", CONV).toString()));
    assertEquals("model conv_qnnpack numerics(pytorch-qnnpack), after -O", out.get(0));
    assertTrue(out.contains("%y: conv2d, kernel 1x1, stride [1, 1], padding [0, 0, 0, 0], dilation [1, 1], groups 1,"
        + " 1 output channels (lowered: %y.acc = conv2d_acc, %y = requantize_acc)"), String.join("\n", out));
    assertTrue(out.contains("  input   %q: u8, scale 0.5, zero point 10"));
    assertTrue(out.contains("  weight  %w: [1, 1, 1, 1] i8, scale 0.25, zero point 0"));
    assertTrue(out.contains("  output  %y: u8, scale 1.0, zero point 5"));
    // K = 1 input channel * 1 * 1 kernel.
    assertTrue(out.contains("  formula acc[c] = bias[c] + sum of K = 1 products (x - 10) * (w - w_zp[c]);"
        + "  y = clamp(5 + RNE(f32(acc) * scale[c]), 0, 255)"), String.join("\n", out));
    // Bias: RNE(1.0 / f32(0.5 * 0.25)) = 1.0 / 0.125 = 8.
    assertTrue(out.contains("  bias    int32 [8]"));
    // 0.5 * 0.25 / 1.0 = 0.125, a power of two: the float32 scale is exact, the error 0.
    assertTrue(out.contains("  s_in*s_w/s_out [0.125]"));
    assertTrue(out.contains("  requantize float: f32 scale [0.125]"));
    // |acc| <= K * max(10 - 0, 255 - 10) * |2 - 0| + |8| = 1 * 245 * 2 + 8 = 498.
    assertTrue(out.contains("  approximation max |m - s| / s = 0 (channel 0); at |acc| <= 498 that is 0 output LSB"));
    assertTrue(out.contains("  clamp   [0, 255]: the u8 storage range (no fused activation)"));
    assertTrue(out.contains("  accumulator |acc| <= K * max|x - x_zp| * max|w - w_zp| + max|bias|"
        + " = 1 * 245 * 2 + 8 <= 498: fits int32"));
    assertTrue(out.contains("  next    %z (dequantize) converts it to float: (q - zero point) * scale"));
  }

  @Test
  void anUnloweredLayerShowsTheConstantsLoweringWouldGive() throws Exception {
    List<String> out = lines(CliTest.run("explain", write("conv.qg", CONV).toString(), "--passes", "canonicalize"));
    assertEquals("model conv_qnnpack numerics(pytorch-qnnpack), after --passes canonicalize", out.get(0));
    assertTrue(out.get(2).endsWith(", 1 output channels (not lowered)"), out.get(2));
    // The same hand-computed bias and scale as the lowered layer.
    assertTrue(out.contains("  bias    int32 [8]"));
    assertTrue(out.contains("  requantize float: f32 scale [0.125]"));
  }

  @Test
  void integerOnlyShowsMantissaAndExponent() throws Exception {
    List<String> out = lines(CliTest.run("explain", write("conv.qg", CONV).toString(), "--integer-only"));
    assertEquals("model conv_qnnpack numerics(pytorch-qnnpack), after -O --integer-only", out.get(0));
    // 0.125 = 2^23 * 2^-26: the 24-bit mantissa 8388608 = 2^23, exponent -26.
    assertTrue(out.contains("  requantize mantissa: mantissa [8388608], exponent [-26] (m = mantissa * 2^exponent)"),
        String.join("\n", out));
    assertTrue(out.contains("  formula acc[c] = bias[c] + sum of K = 1 products (x - 10) * (w - w_zp[c]);"
        + "  y = clamp(5 + RNE(f32(acc) * mantissa[c] * 2^exponent[c]) in integers, 0, 255)"));
  }

  @Test
  void linearInTflite() throws Exception {
    List<String> out = lines(CliTest.run("explain", write("lin.qg", LINEAR_TFLITE).toString()));
    // 0.5 * 0.25 / 1.0 = 0.125 = 0.5 * 2^-2: M = round(0.5 * 2^31) = 2^30 = 1073741824, shift -2.
    assertTrue(out.contains("  requantize tflite_double: multiplier [1073741824, 1073741824], shift [-2, -2]"
        + " (m = multiplier * 2^(shift - 31))"), String.join("\n", out));
    assertTrue(out.contains("  bias    int32 [7, -7]"));
    assertTrue(out.contains("  clamp   [-128, 127]: the i8 storage range (no fused activation)"));
    // K = 3; max|x - (-3)| over i8 = max(-3 + 128, 127 + 3) = 130; max|w| = 6; |bias| <= 7: 3 * 130 * 6 + 7 = 2347.
    assertTrue(out.contains("  accumulator |acc| <= K * max|x - x_zp| * max|w - w_zp| + max|bias|"
        + " = 3 * 130 * 6 + 7 <= 2347: fits int32"));
    assertTrue(out.contains("  formula acc[c] = bias[c] + sum of K = 3 products (x - (-3)) * (w - w_zp[c]);"
        + "  y = clamp(4 + MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]), -128, 127)"));
  }

  @Test
  void nodeSelectsOneLayerAndSuggestsCloseNames() throws Exception {
    Path m = write("conv.qg", CONV);
    List<String> out = lines(CliTest.run("explain", m.toString(), "--node", "%y"));
    assertEquals("%y: conv2d", out.get(2).substring(0, 10));
    assertEquals(out, lines(CliTest.run("explain", m.toString(), "--node", "y.acc")));
    CliTest.Result bad = CliTest.run("explain", m.toString(), "--node", "yy");
    assertEquals(1, bad.status());
    assertEquals("zeropoint: no value %yy in model conv_qnnpack (did you mean '%y'?)\n", bad.err());
    List<String> quantize = lines(CliTest.run("explain", m.toString(), "--node", "q"));
    assertEquals("%q: no integer parameters to explain (not a quantized conv2d, linear, add, mul, pool or clamp)",
        quantize.get(2));
  }

  @Test
  void reluShowsItsIntegerClamp() throws Exception {
    String model = CONV.replace("%z = dequantize(%y)", "%r = relu(%y)\n  %z = dequantize(%r)");
    Path file = write("relu.qg", model);
    // PyTorch's quantized relu is max(q, zero point 5). Without fusion it is its own clamp:
    List<String> out = lines(CliTest.run("explain", file.toString(), "--passes", "lower-requantize,canonicalize"));
    assertTrue(out.contains("  clamp   [5, 255] on the integers"), String.join("\n", out));
    assertTrue(out.contains("  next    %r (relu) reads it with the same scale and zero point"));
    // -O fuses it into the conv's requantization: its clamp becomes [5, 255].
    out = lines(CliTest.run("explain", file.toString()));
    assertTrue(out.contains("  clamp   [5, 255]: a fused relu (real 0 is the zero point 5)"), String.join("\n", out));
  }

  @Test
  void broadcastAddShowsItsTablesAndPartition() throws Exception {
    // a [1, 2, 100] + b [1, 2, 1]: PyTorch's rows of 100, b one value per row, so the first 64 of each
    // row are vectorized (2 x 32 lanes) and 36 scalar: two tables. Ratios 0.5 / 1 and 0.25 / 1.
    Path file = write("badd.qg", """
        model badd {
          input %x : f32[1, 2, 100]
          input %v : f32[1, 2, 1]
          %a = quantize(%x) : qu8<0.5:0>[1, 2, 100]
          %b = quantize(%v) : qu8<0.25:0>[1, 2, 1]
          %y = add(%a, %b) : qu8<1.0:0>[1, 2, 100]
          %z = dequantize(%y)
          output z = %z
        }
        """);
    List<String> out = lines(CliTest.run("explain", file.toString(), "--integer-only"));
    assertTrue(out.contains("%y: binary_lookup(%x, %v, %y.tables)"), String.join("\n", out));
    assertTrue(out.contains("  rescale s_a/s_out = 0.5, s_b/s_out = 0.25, as 2 tables of 256 x 256 results made at "
        + "compile time (%y.tables)"), String.join("\n", out));
    assertTrue(out.contains("  tables  rows of 100 elements: the first 64 read table 0, the other 36 table 1"),
        String.join("\n", out));
  }

  /** A linear with K inputs, u8 zero point 0 (max |x - zp| = 255) and every weight -128 (zero point 0). */
  static String wideLinear(int k) {
    String weights = String.join(", ", Collections.nCopies(k, "-128"));
    return "model wide {\n"
        + "  input %x : f32[1, " + k + "]\n"
        + "  %q = quantize(%x) : qu8<0.1:0>[1, " + k + "]\n"
        + "  %w = const [" + weights + "] : qi8<0.01:0>[1, " + k + "]\n"
        + "  %y = linear(%q, %w) : qu8<1.0:0>[1, 1]\n"
        + "  %z = dequantize(%y)\n"
        + "  output z = %z\n"
        + "}\n";
  }

  @Test
  void accumulatorOverflowIsFlagged() throws Exception {
    Path m = write("wide.qg", wideLinear(70000));
    // 70000 * 255 * 128 = 2284800000 > 2^31 - 1 = 2147483647.
    List<String> out = lines(CliTest.run("explain", m.toString()));
    assertTrue(out.contains("  accumulator |acc| <= K * max|x - x_zp| * max|w - w_zp| + max|bias|"
        + " = 70000 * 255 * 128 + 0 <= 2284800000: MAY OVERFLOW int32 (channel 0)"), String.join("\n", out));
    CliTest.Result check = CliTest.run("print", m.toString(), "--passes", "check-accumulators");
    assertEquals(1, check.status());
    assertTrue(check.err().startsWith(m + ":5:3: error: int32 accumulator of %y (linear) may overflow: |acc| <= "
        + "70000 * 255 * 128 + 0 = 2284800000 > 2147483647 (channel 0)\n"), check.err());
    // After lowering, the same bound is found on linear_acc.
    CliTest.Result lowered = CliTest.run("print", m.toString(), "--passes", "lower-requantize,check-accumulators");
    assertEquals(1, lowered.status());
    assertTrue(lowered.err().contains("error: int32 accumulator of %y.acc (linear_acc) may overflow"), lowered.err());
  }

  @Test
  void accumulatorWithinInt32Passes() throws Exception {
    // 65000 * 255 * 128 = 2121600000 <= 2147483647.
    Path m = write("wide.qg", wideLinear(65000));
    CliTest.Result check = CliTest.run("print", m.toString(), "--passes", "lower-requantize,check-accumulators");
    assertEquals(0, check.status(), check.err());
    assertTrue(lines(CliTest.run("explain", m.toString())).contains("  accumulator |acc| <= K * max|x - x_zp|"
        + " * max|w - w_zp| + max|bias| = 65000 * 255 * 128 + 0 <= 2121600000: fits int32"));
  }
}
