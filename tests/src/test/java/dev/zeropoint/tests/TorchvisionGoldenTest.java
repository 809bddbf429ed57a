package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The torchvision quantizable models (ResNet-18/50, MobileNetV2/V3, ShuffleNetV2, GoogLeNet,
 * InceptionV3) at reduced input sizes, generated fresh with PyTorch by
 * {@code tools/torch/make_goldens.py --large} and compared exactly like the committed goldens.
 * Runs where PyTorch is installed ({@code /usr/bin/python3} with torch and torchvision; CI installs
 * them), is skipped with the reason elsewhere. {@code -Dgolden.torchvision=false} skips it.
 */
class TorchvisionGoldenTest {
  static final String PYTHON = System.getProperty("golden.python", "/usr/bin/python3");

  @TestFactory
  Stream<DynamicTest> torchvisionModelsMatchPyTorchExactly() throws Exception {
    Assumptions.assumeFalse("false".equals(System.getProperty("golden.torchvision")), "disabled");
    String missing = run(List.of(PYTHON, "-c", "import torch, torchvision"), 120);
    Assumptions.assumeTrue(missing == null, () -> "PyTorch is not installed (" + missing + ")");
    Path out = Path.of("target/torchvision-goldens");
    String failed = run(List.of(PYTHON, "../tools/torch/make_goldens.py", "--large", out.toString()), 900);
    assertEquals(null, failed, "make_goldens.py --large failed");
    List<Path> models;
    try (Stream<Path> dirs = Files.list(out)) {
      models = dirs.filter(d -> Files.isRegularFile(d.resolve("case.json"))).sorted().toList();
    }
    assertEquals(7, models.size(), "torchvision models generated: " + models);
    return models.stream().flatMap(d -> Stream.of(
        DynamicTest.dynamicTest(d.getFileName().toString(), () -> GoldenTest.check(d, false)),
        DynamicTest.dynamicTest(d.getFileName() + " -O", () -> GoldenTest.check(d, true))));
  }

  /** Runs a command; null when it succeeded, else its exit status and the end of its output. */
  private static String run(List<String> command, int seconds) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return e.getMessage();
    }
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "timed out after " + seconds + " s";
    }
    if (p.exitValue() == 0) {
      return null;
    }
    String text = new String(output, StandardCharsets.UTF_8);
    return "exit " + p.exitValue() + ": " + text.substring(Math.max(0, text.length() - 2000));
  }
}
