package com.example.zeropoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example pass, packaged as its own jar, is found by the zeropoint command when the jar is on
 * the class path, and does its job; without the jar the pipeline is refused.
 */
class CustomPassTest {
  @TempDir
  Path dir;

  static final String MODEL = """
      model m {
        input %x : f32[2, 3]
        %same = reshape(%x) {shape = [2, 3]}
        %flat = flatten(%same) {start_dim = 0, end_dim = -1}
        output y = %flat
      }
      """;

  private record Result(int status, String out) {}

  private Result zeropoint(String classPath, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-cp", classPath, "dev.zeropoint.cli.Main"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return new Result(p.exitValue(), out);
  }

  @Test
  void theJarOnTheClassPathAddsThePass() throws Exception {
    Path model = dir.resolve("m.qg");
    Files.writeString(model, MODEL);
    String jar = System.getProperty("customPassJar");
    assertTrue(Files.isRegularFile(Path.of(jar)), "the example jar is built before this test: " + jar);
    String zeropointOnly = System.getProperty("java.class.path");
    Result with = zeropoint(jar + File.pathSeparator + zeropointOnly, "print", model.toString(), "--passes",
        "remove-identity-reshapes,canonicalize");
    assertEquals(0, with.status(), with.out());
    assertEquals("""
        model m numerics(pytorch-qnnpack) {
          input %x : f32[2, 3]
          %flat = flatten(%x) {start_dim = 0, end_dim = -1} : f32[6]
          output y = %flat
        }
        """, with.out());
    Result without = zeropoint(zeropointOnly.replace(jar, ""), "print", model.toString(), "--passes",
        "remove-identity-reshapes");
    assertEquals(1, without.status(), without.out());
    assertTrue(without.out().startsWith("zeropoint: unknown pass 'remove-identity-reshapes'"), without.out());
  }
}
