package dev.zeropoint.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zeropoint.backends.c.CCompiler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zeropoint compile --target c: the three files, built with the command the header gives, run on an
 * example's input, write PyTorch's output byte for byte; the harness's errors are one line with exit
 * status 1 and leave no output file; run --backend c gives the same output.
 */
class CTargetTest {
  static final Path EXAMPLES = Path.of("../examples");

  @TempDir
  Path dir;

  record Proc(int status, String out, String err) {}

  static Proc exec(Path cwd, List<String> cmd) throws Exception {
    Path out = Files.createTempFile("proc", ".out");
    Path err = Files.createTempFile("proc", ".err");
    try {
      Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile())
          .redirectError(err.toFile()).start();
      assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + cmd);
      return new Proc(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private Path build() throws Exception {
    return build(1);
  }

  /** Compiles the example for at most {@code threads} threads and builds it as its header says. */
  private Path build(int threads) throws Exception {
    CCompiler cc = CCompiler.find().orElse(null);
    assumeTrue(cc != null, "no C compiler (scripts/install-test-deps.sh installs gcc)");
    Path out = dir.resolve("gen" + threads);
    List<String> args = new ArrayList<>(List.of("compile", EXAMPLES.resolve("conv_bn_relu_x3.qg").toString(),
        "--target", "c", "-o", out.toString()));
    if (threads > 1) {
      args.addAll(List.of("--threads", Integer.toString(threads)));
    }
    CliTest.Result r = CliTest.run(args.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("wrote " + out.resolve("conv_bn_relu_x3.c") + "\nwrote "
        + out.resolve("conv_bn_relu_x3.h") + "\nwrote " + out.resolve("conv_bn_relu_x3_main.c") + "\narena "), r.out());
    String header = Files.readString(out.resolve("conv_bn_relu_x3.h"));
    assertTrue(header.contains("#define CONV_BN_RELU_X3_ARENA_SIZE "), header);
    assertTrue(header.contains("#define CONV_BN_RELU_X3_WEIGHT_SIZE "), header);
    assertTrue(header.contains("void conv_bn_relu_x3_run(const float *in_x, float *out_output, void *arena);"),
        header);
    assertTrue(header.contains("#define CONV_BN_RELU_X3_MAX_THREADS " + threads + "\n"), header);
    assertTrue(header.contains("void conv_bn_relu_x3_run_parallel(const float *in_x, float *out_output, void *arena, "
        + "int32_t threads, void (*parallel)(void *context, void (*task)(void *args, int32_t part, int32_t parts), "
        + "void *args, int32_t parts), void *context);"), header);
    String source = Files.readString(out.resolve("conv_bn_relu_x3.c"));
    String[] lines = source.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith("#include")) {
        // the vector intrinsics only when compiled for AVX2 (-march=x86-64-v3)
        assertTrue(List.of("#include <stdint.h>", "#include <stddef.h>", "#include <string.h>",
            "#include \"conv_bn_relu_x3.h\"").contains(lines[i])
            || (lines[i].equals("#include <immintrin.h>") && lines[i - 1].equals("#if defined(__AVX2__)")), lines[i]);
      }
    }
    assertFalse(source.contains("malloc"), "the model allocates");
    // The build command of the header, with every warning an error.
    List<String> cmd = new ArrayList<>(List.of(cc.command(), "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic",
        "-O2", "-ffp-contract=off", "-pthread", "conv_bn_relu_x3.c", "conv_bn_relu_x3_main.c", "-o", "model"));
    Proc p = exec(out, cmd);
    assertEquals(0, p.status(), p.out() + p.err());
    return out;
  }

  @Test
  void theCompiledExampleWritesPyTorchsOutputByteForByte() throws Exception {
    Path out = build();
    Path results = dir.resolve("results");
    Proc p = exec(out, List.of("./model", "--input", "x=" + EXAMPLES.resolve("conv_bn_relu_x3.x.npy").toAbsolutePath(),
        "--output-dir", results.toString()));
    assertEquals(0, p.status(), p.err());
    assertArrayEquals(Files.readAllBytes(EXAMPLES.resolve("conv_bn_relu_x3.expected.npy")),
        Files.readAllBytes(results.resolve("output.npy")));
    try (var files = Files.list(results)) {
      assertEquals(1, files.count(), "only output.npy, no temporary file");
    }
  }

  @Test
  void compiledForTwoThreadsItWritesPyTorchsOutputOnOneAndTwo() throws Exception {
    Path out = build(2);
    for (String threads : List.of("1", "2")) {
      Path results = dir.resolve("results" + threads);
      Proc p = exec(out, List.of("./model", "--input", "x=" + EXAMPLES.resolve("conv_bn_relu_x3.x.npy").toAbsolutePath(),
          "--output-dir", results.toString(), "--threads", threads));
      assertEquals(0, p.status(), p.err());
      assertArrayEquals(Files.readAllBytes(EXAMPLES.resolve("conv_bn_relu_x3.expected.npy")),
          Files.readAllBytes(results.resolve("output.npy")), threads + " threads");
    }
    Proc p = exec(out, List.of("./model", "--input", "x=" + EXAMPLES.resolve("conv_bn_relu_x3.x.npy").toAbsolutePath(),
        "--repeat", "3", "--threads", "2"));
    assertEquals(0, p.status(), p.err());
    assertTrue(p.out().startsWith("median_ms "), p.out());
  }

  @Test
  void aThreadCountOutOfRangeIsOneLineAndWritesNothing() throws Exception {
    Path out = dir.resolve("zero");
    CliTest.Result r = CliTest.run("compile", EXAMPLES.resolve("conv_bn_relu_x3.qg").toString(), "--target", "c",
        "-o", out.toString(), "--threads", "0");
    assertEquals(1, r.status());
    assertEquals("zeropoint: --threads takes 1 to 1024, not 0", r.err().strip());
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void runWithTheCBackendWritesPyTorchsOutput() throws Exception {
    assumeTrue(CCompiler.find().isPresent(), "no C compiler");
    Path results = dir.resolve("run");
    CliTest.Result r = CliTest.run("run", EXAMPLES.resolve("conv_bn_relu_x3.qg").toString(), "--backend", "c",
        "--input", "x=" + EXAMPLES.resolve("conv_bn_relu_x3.x.npy"), "--output-dir", results.toString());
    assertEquals(0, r.status(), r.err());
    assertArrayEquals(Files.readAllBytes(EXAMPLES.resolve("conv_bn_relu_x3.expected.npy")),
        Files.readAllBytes(results.resolve("output.npy")));
  }

  @Test
  void harnessErrorsAreOneLineWithStatusOneAndWriteNothing() throws Exception {
    Path out = build();
    Path x = EXAMPLES.resolve("conv_bn_relu_x3.x.npy").toAbsolutePath();
    Path results = dir.resolve("none");
    Files.createDirectories(results);
    Path u8 = dir.resolve("u8.npy");
    dev.zeropoint.runtime.Npy.write(u8, "u8", new int[] {1, 3, 8, 8}, new int[192]);
    Path shape = dir.resolve("shape.npy");
    dev.zeropoint.runtime.Npy.write(shape, "f32", new int[] {1, 3, 8, 7}, new float[168]);
    Path junk = dir.resolve("junk.npy");
    Files.writeString(junk, "not an array");
    Path truncated = dir.resolve("truncated.npy");
    byte[] whole = Files.readAllBytes(x);
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 5));
    String[][] cases = {
        {"--input", "x=" + dir.resolve("missing.npy"), "--output-dir", results.toString()},
        {"--input", "x=" + u8, "--output-dir", results.toString()},
        {"--input", "x=" + shape, "--output-dir", results.toString()},
        {"--input", "x=" + junk, "--output-dir", results.toString()},
        {"--input", "x=" + truncated, "--output-dir", results.toString()},
        {"--input", "y=" + x, "--output-dir", results.toString()},
        {"--output-dir", results.toString()},
        {"--input", "x=" + x},
        {"--input", "x=" + x, "--output-dir", results.toString(), "--bogus"},
        {"--input", "x=" + x, "--output-dir", u8.resolve("sub").toString()},
        {"--input", "x=" + x, "--output-dir", results.toString(), "--threads", "2"},
        {"--input", "x=" + x, "--output-dir", results.toString(), "--threads", "0"},
    };
    String[] expected = {"cannot read " + dir.resolve("missing.npy"), "dtype |u1, but input x is <f4 (1, 3, 8, 8)",
        "(1, 3, 8, 7), but input x is <f4 (1, 3, 8, 8)", "not a .npy file", "does not match its shape",
        "no input named in y=", "missing --input x", "--output-dir DIR is required", "unexpected --bogus",
        "cannot create the output directory " + u8.resolve("sub"),
        "--threads takes 1 to 1 (the model was compiled for at most 1; zeropoint compile --threads N), not 2",
        "--threads takes 1 to 1"};
    for (int i = 0; i < cases.length; i++) {
      List<String> cmd = new ArrayList<>(List.of("./model"));
      cmd.addAll(List.of(cases[i]));
      Proc p = exec(out, cmd);
      assertEquals(1, p.status(), String.join(" ", cases[i]) + ": " + p.err());
      assertTrue(p.err().contains(expected[i]), p.err());
      assertEquals(1, p.err().strip().split("\n").length, p.err());
      assertTrue(p.err().startsWith("./model: error: "), p.err());
      try (var files = Files.list(results)) {
        assertEquals(0, files.count(), "no output file after " + String.join(" ", cases[i]));
      }
    }
  }
}
