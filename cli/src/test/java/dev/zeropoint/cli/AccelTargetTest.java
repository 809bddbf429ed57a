package dev.zeropoint.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accelerator targets on the command line: run --backend vta-mul gives PyTorch's bytes; vta stops
 * with a diagnostic per layer unless the scales are rounded (--requantize pow2, which reports what it
 * changed); --stats, --save-programs and compile --target vta write what docs/accel.md says.
 */
class AccelTargetTest {
  static final Path EXAMPLES = Path.of("../examples");
  static final String MODEL = EXAMPLES.resolve("conv_bn_relu_x3.qg").toString();
  static final String INPUT = "x=" + EXAMPLES.resolve("conv_bn_relu_x3.x.npy");

  @TempDir
  Path dir;

  @Test
  void vtaMulWritesPyTorchsOutputByteForByte() throws Exception {
    Path out = dir.resolve("out");
    CliTest.Result r = CliTest.run("run", MODEL, "--backend", "vta-mul", "--input", INPUT, "--output-dir",
        out.toString(), "--stats");
    assertEquals(0, r.status(), r.err());
    assertArrayEquals(Files.readAllBytes(EXAMPLES.resolve("conv_bn_relu_x3.expected.npy")),
        Files.readAllBytes(out.resolve("output.npy")));
    assertTrue(r.out().contains("MACs on the accelerator: "), r.out());
    assertTrue(r.out().contains("(100.0%)"), r.out());
    assertTrue(r.out().matches("(?s).*estimated cycles: [1-9][0-9]*.*"), r.out());
  }

  @Test
  void vtaStopsWithADiagnosticPerLayerAndWritesNothing() {
    Path out = dir.resolve("out");
    CliTest.Result r = CliTest.run("run", MODEL, "--backend", "vta", "--input", INPUT, "--output-dir", out.toString());
    assertEquals(1, r.status());
    String[] errors = Arrays.stream(r.err().split("\n")).filter(l -> l.contains(": error: ")).toArray(String[]::new);
    assertEquals(3, errors.length, r.err());
    for (String e : errors) {
      assertTrue(e.matches(".*conv_bn_relu_x3\\.qg:\\d+:\\d+: error: %\\S+: the vta target cannot requantize it "
          + "exactly: .*--requantize pow2.*"), e);
    }
    assertTrue(r.err().contains("^"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void requantizePow2ReportsTheChangesAndSavesEveryImage() throws Exception {
    Path out = dir.resolve("out");
    Path programs = dir.resolve("programs");
    CliTest.Result r = CliTest.run("run", MODEL, "--backend", "vta", "--requantize", "pow2", "--input", INPUT,
        "--output-dir", out.toString(), "--save-programs", programs.toString(), "--stats");
    assertEquals(0, r.status(), r.err());
    assertEquals(3, r.err().lines().filter(l -> l.matches("zeropoint: --requantize pow2: %\\S+: scale .* becomes .*"))
        .count(), r.err());
    assertTrue(r.err().lines().anyMatch(l -> l.matches(
        "zeropoint: --requantize pow2: output output: \\d+ of \\d+ elements differ .*")), r.err());
    byte[] before = Files.readAllBytes(programs.resolve("000.bin"));
    byte[] after = Files.readAllBytes(programs.resolve("000.after.bin"));
    assertEquals(before.length, after.length);
    assertFalse(Arrays.equals(before, after), "the accelerator wrote its outputs into the image");
    assertFalse(Files.exists(programs.resolve("001.bin")), "one accelerator region, called once");
    assertTrue(Files.exists(out.resolve("output.npy")));
  }

  @Test
  void compileWritesProgramsListingsHostModelsAndAPlan() throws Exception {
    Path out = dir.resolve("vta");
    CliTest.Result r = CliTest.run("compile", MODEL, "--target", "vta", "--requantize", "pow2", "-o", out.toString());
    assertEquals(0, r.status(), r.err());
    byte[] program = Files.readAllBytes(out.resolve("region000.zpa"));
    assertEquals("ZPVTAPRG", new String(program, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
    String listing = Files.readString(out.resolve("region000.lst"));
    assertTrue(listing.contains("GEMM") && listing.contains("FINISH"), listing);
    String plan = Files.readString(out.resolve("plan.json"));
    assertTrue(plan.contains("\"accelerator\" : \"region000.zpa\"") && plan.contains("\"host\" : \"host000.qg\""),
        plan);
    // The host regions are models of their own that the compiler reads back.
    for (String host : new String[] {"host000.qg", "host001.qg"}) {
      CliTest.Result c = CliTest.run("check", out.resolve(host).toString());
      assertEquals(0, c.status(), host + ": " + c.err());
    }
  }

  @Test
  void misusedOptionsAreOneLineErrors() {
    Path out = dir.resolve("out");
    CliTest.Result r = CliTest.run("run", MODEL, "--backend", "vta", "--requantize", "pow3", "--input", INPUT,
        "--output-dir", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: --requantize takes pow2, not 'pow3'", r.err().strip());
    r = CliTest.run("run", MODEL, "--backend", "jvm", "--stats", "--input", INPUT, "--output-dir", out.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().strip().startsWith("zeropoint: --requantize, --save-programs and --stats are for accelerator"),
        r.err());
    r = CliTest.run("compile", MODEL, "--target", "vta", "-o", out.toString());
    assertEquals(1, r.status());
    assertFalse(Files.exists(out));
  }
}
