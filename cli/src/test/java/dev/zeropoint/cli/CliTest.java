package dev.zeropoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line contract: exit statuses, where messages go and what they say. */
class CliTest {
  record Result(int status, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(status, out.toString(), err.toString());
  }

  @TempDir
  Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static final String GOOD = """
      model tiny numerics(pytorch-qnnpack) {
        input %x : f32[1, 4]
        %q = quantize(%x) : qu8<0.1:3>[1, 4]   // comments are not kept
        %r = relu(%q)
        %y = dequantize(%r)
        output y = %y
      }
      """;

  @Test
  void checkAcceptsAValidModel() throws IOException {
    Path m = write("tiny.qg", GOOD);
    Result r = run("check", m.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals(m + ": ok: model tiny, 1 inputs, 3 ops, 1 outputs\n", r.out());
    assertEquals("", r.err());
  }

  @Test
  void printWritesTheCanonicalText() throws IOException {
    Result r = run("print", write("tiny.qg", GOOD).toString());
    assertEquals(0, r.status(), r.err());
    assertEquals("""
        model tiny numerics(pytorch-qnnpack) {
          input %x : f32[1, 4]
          %q = quantize(%x) : qu8<0.1:3>[1, 4]
          %r = relu(%q) : qu8<0.1:3>[1, 4]
          %y = dequantize(%r) : f32[1, 4]
          output y = %y
        }
        """, r.out());
  }

  @Test
  void errorsShowTheSourceLineAndACaretAndExitWithOne() throws IOException {
    Path m = write("bad.qg", GOOD.replace("qu8<0.1:3>", "qu8<0.1:300>"));
    Result r = run("check", m.toString());
    assertEquals(1, r.status());
    assertEquals("", r.out());
    assertEquals(m + ":3:31: error: zero point 300 outside u8 range 0..255\n"
        + "  %q = quantize(%x) : qu8<0.1:300>[1, 4]   // comments are not kept\n"
        + "                              ^\n", r.err());
  }

  @Test
  void everyErrorOfOneRunIsReported() throws IOException {
    Path m = write("bad.qg", GOOD.replace("qu8<0.1:3>", "qu8<0.0:3>").replace("relu(%q)", "relu(%nothing)"));
    Result r = run("print", m.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains(m + ":3:27: error: scale 0.0 is not positive\n"), r.err());
    assertTrue(r.err().contains(m + ":4:13: error: undefined value %nothing\n"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void aMissingModelFileIsOneLineNamingIt() {
    Path m = dir.resolve("absent.qg");
    Result r = run("check", m.toString());
    assertEquals(1, r.status());
    assertEquals(m + ": error: no such file\n", r.err());
  }

  @Test
  void aDirectoryIsNotAModel() {
    Result r = run("check", dir.toString());
    assertEquals(1, r.status());
    assertEquals(dir + ": error: is a directory, not a model file\n", r.err());
  }

  @Test
  void aBinaryFileIsNotAModel() throws IOException {
    Path m = dir.resolve("binary.qg");
    Files.write(m, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
    Result r = run("check", m.toString());
    assertEquals(1, r.status());
    assertEquals(m + ": error: not a UTF-8 text file\n", r.err());
  }

  @Test
  void usageErrorsExitWithOneAndPointToHelp() {
    Result r = run("check");
    assertEquals(1, r.status());
    assertEquals("zeropoint: Missing required parameter: 'MODEL.qg|MODEL.onnx'\n"
        + "Try 'zeropoint check --help' for more information.\n", r.err());
    Result unknown = run("frobnicate");
    assertEquals(1, unknown.status());
    assertTrue(unknown.err().startsWith("zeropoint: Unmatched argument at index 0: 'frobnicate'"), unknown.err());
    Result none = run();
    assertEquals(1, none.status());
    assertEquals("zeropoint: missing command (check, print, run, bench, explain, compile)\nTry 'zeropoint --help' for more information.\n",
        none.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "check", "print", "run", "bench", "explain", "compile"})
  void everyCommandHasHelp(String command) {
    Result r = command.isEmpty() ? run("--help") : run(command, "--help");
    assertEquals(0, r.status());
    assertTrue(r.out().startsWith("Usage: zeropoint" + (command.isEmpty() ? "" : " " + command)), r.out());
    assertTrue(r.out().contains("-h, --help"), r.out());
  }
}
