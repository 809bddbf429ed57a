package dev.zeropoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zeropoint compile --target params: the JSON read back and compared with hand-computed values (the
 * models and their arithmetic are those of {@link ExplainCommandTest}), the C header compiled by gcc,
 * and the one-line errors.
 */
class CompileCommandTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private JsonNode compile(String model, String... extra) throws Exception {
    Path out = dir.resolve("out");
    List<String> args = new ArrayList<>(List.of("compile", write("m.qg", model).toString(), "--target", "params",
        "-o", out.toString()));
    args.addAll(List.of(extra));
    CliTest.Result r = CliTest.run(args.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    String name = model.substring("model ".length(), model.indexOf(' ', "model ".length()));
    assertEquals("wrote " + out.resolve(name + ".params.json") + "\nwrote " + out.resolve(name + ".params.h") + "\n",
        r.out());
    return new ObjectMapper().readTree(out.resolve(name + ".params.json").toFile());
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asLong()));
    return out;
  }

  @Test
  void convParamsInPytorchQnnpack() throws Exception {
    JsonNode root = compile(ExplainCommandTest.CONV);
    assertEquals("conv_qnnpack", root.get("model").asText());
    assertEquals("pytorch-qnnpack", root.get("numerics").asText());
    JsonNode layer = root.get("layers").get(0);
    assertEquals(1, root.get("layers").size());
    assertEquals("y", layer.get("name").asText());
    assertEquals("conv2d", layer.get("op").asText());
    assertEquals(0.5, layer.get("input").get("scale").asDouble());
    assertEquals(10, layer.get("input").get("zero_point").asInt());
    assertEquals(List.of(2L), longs(layer.get("weight").get("data")));
    assertEquals(List.of(0L), longs(layer.get("weight").get("zero_points")));
    assertEquals(List.of(1L, 1L, 1L, 1L), longs(layer.get("weight").get("shape")));
    assertEquals(List.of(1L, 1L), longs(layer.get("stride")));
    assertEquals(List.of(0L, 0L, 0L, 0L), longs(layer.get("padding")));
    assertEquals(1, layer.get("groups").asInt());
    // bias RNE(1.0 / (0.5 * 0.25)) = 8; scale 0.5 * 0.25 / 1.0 = 0.125; clamp the u8 range.
    assertEquals(List.of(8L), longs(layer.get("bias")));
    JsonNode rq = layer.get("requantize");
    assertEquals("float", rq.get("scheme").asText());
    assertEquals(0.125, rq.get("scales").get(0).asDouble());
    assertFalse(rq.has("multipliers"));
    assertEquals(5, rq.get("output_zero_point").asInt());
    assertEquals(0, rq.get("min").asInt());
    assertEquals(255, rq.get("max").asInt());
    // 1 * 245 * 2 + 8 (see ExplainCommandTest).
    assertEquals(498, layer.get("accumulator_bound").asLong());
  }

  @Test
  void integerOnlyWritesMantissaAndExponent() throws Exception {
    JsonNode rq = compile(ExplainCommandTest.CONV, "--integer-only").get("layers").get(0).get("requantize");
    // 0.125 = 8388608 * 2^-26.
    assertEquals("mantissa", rq.get("scheme").asText());
    assertEquals(List.of(8388608L), longs(rq.get("multipliers")));
    assertEquals(List.of(-26L), longs(rq.get("shifts")));
    assertFalse(rq.has("scales"));
  }

  @Test
  void linearParamsInTflite() throws Exception {
    JsonNode layer = compile(ExplainCommandTest.LINEAR_TFLITE).get("layers").get(0);
    assertEquals("linear", layer.get("op").asText());
    assertFalse(layer.has("stride"));
    assertEquals(-3, layer.get("input").get("zero_point").asInt());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), longs(layer.get("weight").get("data")));
    assertEquals(List.of(7L, -7L), longs(layer.get("bias")));
    JsonNode rq = layer.get("requantize");
    // 0.125 = 2^30 * 2^(-2 - 31).
    assertEquals("tflite_double", rq.get("scheme").asText());
    assertEquals(List.of(1073741824L, 1073741824L), longs(rq.get("multipliers")));
    assertEquals(List.of(-2L, -2L), longs(rq.get("shifts")));
    assertEquals(4, rq.get("output_zero_point").asInt());
    assertEquals(-128, rq.get("min").asInt());
    assertEquals(127, rq.get("max").asInt());
  }

  /** Two layers whose names are not C identifiers and sanitise alike ("1.conv_out", "1_conv_out"). */
  static final String TWO_LAYERS = """
      model two_layers {
        input %x : f32[1, 2, 3, 3]
        %q = quantize(%x) : qu8<0.5:10>[1, 2, 3, 3]
        %w = const [1, -2, 3, -4, 5, -6, 7, -8, 9, -128, 127, 0, 1, 2, 3, 4, 5, 6] : qi8<axis 0: {0.25:0, 0.5:0}>[2, 1, 3, 3]
        %b = const [1.0, -2.5] : f32[2]
        %1.conv_out = conv2d(%q, %w, %b) {stride = [2, 2], padding = [1, 1, 1, 1], groups = 2} : qu8<1.0:5>[1, 2, 2, 2]
        %f = flatten(%1.conv_out) {start_dim = 1}
        %w2 = const [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] : qi8<0.25:0>[2, 8]
        %1_conv_out = linear(%f, %w2) : qu8<2.0:3>[1, 2]
        %z = dequantize(%1_conv_out)
        output z = %z
      }
      """;

  @Test
  void headerCompilesWithGcc() throws Exception {
    Assumptions.assumeTrue(onPath("gcc"), "gcc is not on the PATH");
    for (String option : new String[] {"-O", "--integer-only"}) {
      List<String> extra = option.equals("-O") ? List.of() : List.of("-O", option);
      compile(TWO_LAYERS, extra.toArray(String[]::new));
      Path out = dir.resolve("out");
      String header = Files.readString(out.resolve("two_layers.params.h"));
      // "1.conv_out" becomes a C identifier with a letter first; "1_conv_out" would be the same, so it gets _2.
      assertTrue(header.contains("static const struct two_layers_v1_conv_out_params two_layers_v1_conv_out = {"),
          header);
      assertTrue(header.contains("static const struct two_layers_v1_conv_out_2_params two_layers_v1_conv_out_2 = {"),
          header);
      Path c = out.resolve("use.c");
      Files.writeString(c, """
          #include "two_layers.params.h"
          int use(void);
          int use(void) { return two_layers_v1_conv_out.channels + two_layers_v1_conv_out_2.weight[0]
              + two_layers_v1_conv_out_2.bias[0]; }
          """);
      Process gcc = new ProcessBuilder("gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c",
          c.toString(), "-o", out.resolve("use.o").toString()).redirectErrorStream(true).start();
      String log = new String(gcc.getInputStream().readAllBytes());
      assertTrue(gcc.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, gcc.exitValue(), option + ": " + log + "\n" + header);
    }
  }

  static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void unknownTargetListsTheAvailableOnes() throws Exception {
    Path out = dir.resolve("out");
    CliTest.Result r = CliTest.run("compile", write("m.qg", ExplainCommandTest.CONV).toString(), "--target", "gpu",
        "-o", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: unknown target 'gpu' (available: params, jvm, c, vta, vta-mul)\n", r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void jvmTargetWritesARunnableJar() throws Exception {
    Path out = dir.resolve("out");
    CliTest.Result r = CliTest.run("compile", write("m.qg", ExplainCommandTest.CONV).toString(), "--target", "jvm",
        "-o", out.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals("wrote " + out.resolve("conv_qnnpack.jar") + "\n", r.out());
    try (var jar = new java.util.jar.JarFile(out.resolve("conv_qnnpack.jar").toFile())) {
      assertEquals("zeropoint.models.conv_qnnpack", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      assertTrue(jar.getEntry("zeropoint/models/conv_qnnpack.class") != null);
      assertTrue(jar.getEntry("zeropoint/models/conv_qnnpack.zpk") != null);
    }
  }

  @Test
  void jvmTargetNamesAnOpItCannotRunAndWritesNothing() throws Exception {
    Path out = dir.resolve("out");
    String model = """
        model wide {
          input %x : f64[4]
          %r = relu(%x)
          output y = %r
        }
        """;
    CliTest.Result r = CliTest.run("compile", write("m.qg", model).toString(), "--target", "jvm", "-o", out.toString());
    assertEquals(1, r.status());
    assertEquals(dir.resolve("m.qg") + ":3:3: error: the jvm backend does not run f64 values yet (%r)\n"
        + "  %r = relu(%x)\n  ^\n", r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void unwritableDirectoryIsOneLineAndWritesNothing() throws Exception {
    Path file = write("plain-file", "not a directory");
    Path out = file.resolve("sub");
    CliTest.Result r = CliTest.run("compile", write("m.qg", ExplainCommandTest.CONV).toString(), "--target", "params",
        "-o", out.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("zeropoint: " + out + ": cannot create the output directory ("), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals(List.of("m.qg", "plain-file"), Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList());
  }

  @Test
  void aFailedMoveLeavesNoPartialOutput() throws Exception {
    Path out = dir.resolve("out");
    // A non-empty directory where the header goes: the JSON is moved first, the header's move fails.
    Files.createDirectories(out.resolve("conv_qnnpack.params.h").resolve("in-the-way"));
    CliTest.Result r = CliTest.run("compile", write("m.qg", ExplainCommandTest.CONV).toString(), "--target", "params",
        "-o", out.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("zeropoint: " + out + ": cannot write the output ("), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals(List.of("conv_qnnpack.params.h"), Files.list(out).map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void modelErrorsWriteNothing() throws Exception {
    Path out = dir.resolve("out");
    CliTest.Result r = CliTest.run("compile", write("m.qg", "model broken {\n").toString(), "--target", "params",
        "-o", out.toString());
    assertEquals(1, r.status());
    assertFalse(Files.exists(out));
  }
}
