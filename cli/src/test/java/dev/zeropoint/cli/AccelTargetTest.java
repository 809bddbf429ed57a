package dev.zeropoint.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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

  /**
   * --host c writes, beside the programs, listings and plan, the model as one C program driving VTA: its source,
   * header, harness and driver header, which compile with the strict flags (linking needs a VTA driver library;
   * CHostProgramTest in the tests module links a fake one and runs the programs).
   */
  @Test
  void compileWithTheHostInCWritesACProgram() throws Exception {
    Path out = dir.resolve("vta");
    CliTest.Result r = CliTest.run("compile", MODEL, "--target", "vta", "--requantize", "pow2", "--host", "c", "-o",
        out.toString());
    assertEquals(0, r.status(), r.err());
    for (String f : new String[] {"region000.zpa", "region000.lst", "host000.qg", "plan.json", "conv_bn_relu_x3.c",
        "conv_bn_relu_x3.h", "conv_bn_relu_x3_main.c", "zp_vta_driver.h"}) {
      assertTrue(Files.exists(out.resolve(f)), f);
      assertTrue(r.out().contains("wrote " + out.resolve(f) + "\n"), r.out());
    }
    String header = Files.readString(out.resolve("conv_bn_relu_x3.h"));
    for (String declared : new String[] {"int conv_bn_relu_x3_init(void);", "void conv_bn_relu_x3_teardown(void);",
        "int conv_bn_relu_x3_run(const float *in_x, float *out_output, void *arena);", "#define CONV_BN_RELU_X3_ARENA_SIZE ",
        "#define CONV_BN_RELU_X3_IMAGE0_SIZE ", "#define CONV_BN_RELU_X3_ACCELERATOR_REGIONS 1\n"}) {
      assertTrue(header.contains(declared), declared + " in\n" + header);
    }
    String driver = Files.readString(out.resolve("zp_vta_driver.h"));
    assertTrue(driver.contains("int VTADeviceRun(VTADeviceHandle device, vta_phy_addr_t insn_phy_addr, uint32_t "
        + "insn_count, uint32_t wait_cycles);"), driver);
    String source = Files.readString(out.resolve("conv_bn_relu_x3.c"));
    assertEquals(List.of("<stdint.h>", "<stddef.h>", "<string.h>", "\"zp_vta_driver.h\"", "\"conv_bn_relu_x3.h\""),
        source.lines().filter(l -> l.startsWith("#include")).map(l -> l.substring(9).strip()).toList());
    if (CompileCommandTest.onPath("gcc")) {
      for (String c : new String[] {"conv_bn_relu_x3.c", "conv_bn_relu_x3_main.c"}) {
        Process p = new ProcessBuilder("gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic",
            "-ffp-contract=off", "-I" + out, "-c", out.resolve(c).toString(), "-o", dir.resolve(c + ".o").toString())
            .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), c + ": " + log);
      }
    }
  }

  /** --host misused, a model with no accelerator layer, a host region C cannot run: exit 1, no output files. */
  @Test
  void hostErrorsAreOneLineAndWriteNothing() throws Exception {
    Path out = dir.resolve("out");
    CliTest.Result r = CliTest.run("compile", MODEL, "--target", "c", "--host", "c", "-o", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: --host is for accelerator targets (vta, vta-mul)\n", r.err());
    r = CliTest.run("compile", MODEL, "--target", "vta-mul", "--host", "cuda", "-o", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: --host takes qg or c, not 'cuda'\n", r.err());
    Path hostOnly = dir.resolve("hostonly.qg");
    Files.writeString(hostOnly, """
        model hostonly {
          input %x : f32[4]
          %r = relu(%x)
          output y = %r
        }
        """);
    r = CliTest.run("compile", hostOnly.toString(), "--target", "vta-mul", "--host", "c", "-o", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: " + hostOnly + ": no layer of hostonly runs on the vta-mul accelerator: compile it with "
        + "--target c\n", r.err());
    // The conv runs on the accelerator; the f64 relu is a host region the C backend cannot compile. With the host
    // as .qg models the compile succeeds; with C, nothing is written, not even the programs.
    Path mixed = dir.resolve("mixed.qg");
    Files.writeString(mixed, """
        model mixed numerics(pytorch-qnnpack) {
          input %x : f32[1, 2, 3, 3]
          input %z : f64[4]
          %q = quantize(%x) : qu8<0.02:128>[1, 2, 3, 3]
          %w = const [1, -2, 3, 4, -5, 6] : qi8<0.01:0>[3, 2, 1, 1]
          %c = conv2d(%q, %w) {stride = [1, 1], padding = [0, 0, 0, 0], dilation = [1, 1], groups = 1} : qu8<0.03:70>[1, 3, 3, 3]
          %d = dequantize(%c) : f32[1, 3, 3, 3]
          %r = relu(%z)
          output y = %d
          output r = %r
        }
        """);
    r = CliTest.run("compile", mixed.toString(), "--target", "vta-mul", "--host", "c", "-o", out.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith(mixed + ":3:9: error: the c backend does not run f64 values yet (%z)\n"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(out));
    r = CliTest.run("compile", mixed.toString(), "--target", "vta-mul", "-o", out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.exists(out.resolve("region000.zpa")));
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
