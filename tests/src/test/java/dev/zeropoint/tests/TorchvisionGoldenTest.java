package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zeropoint.backends.jvm.JvmBackend;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The torchvision quantizable models (ResNet-18/50, MobileNetV2/V3, ShuffleNetV2, GoogLeNet,
 * InceptionV3) at reduced input sizes, generated fresh with PyTorch by
 * {@code tools/torch/make_goldens.py --large} and compared exactly like the committed goldens, on
 * the interpreter (as written and after {@code -O}) and on the jvm backend.
 * Runs where PyTorch is installed ({@code /usr/bin/python3} with torch and torchvision; CI installs
 * them), is skipped with the reason elsewhere. {@code -Dgolden.torchvision=false} skips it.
 */
class TorchvisionGoldenTest {
  static final String PYTHON = System.getProperty("golden.python", "/usr/bin/python3");

  @TestFactory
  Stream<DynamicTest> torchvisionModelsMatchPyTorchExactly() throws Exception {
    Assumptions.assumeFalse("false".equals(System.getProperty("golden.torchvision")), "disabled");
    String missing = Subprocess.run(List.of(PYTHON, "-c", "import torch, torchvision"), 120).problem();
    Assumptions.assumeTrue(missing == null, () -> "PyTorch is not installed (" + missing + ")");
    Path out = Path.of("target/torchvision-goldens");
    String failed = Subprocess.run(List.of(PYTHON, "../tools/torch/make_goldens.py", "--large", out.toString()), 900).problem();
    assertEquals(null, failed, "make_goldens.py --large failed");
    List<Path> models;
    try (Stream<Path> dirs = Files.list(out)) {
      models = dirs.filter(d -> Files.isRegularFile(d.resolve("case.json"))).sorted().toList();
    }
    assertEquals(7, models.size(), "torchvision models generated: " + models);
    return models.stream().flatMap(d -> Stream.of(
        DynamicTest.dynamicTest(d.getFileName().toString(), () -> GoldenTest.check(d, false)),
        DynamicTest.dynamicTest(d.getFileName() + " -O", () -> GoldenTest.check(d, true)),
        DynamicTest.dynamicTest(d.getFileName() + " jvm", () -> checkJvm(d))));
  }

  /** The jvm backend (compiled in memory, 2 threads) gives PyTorch's outputs bit for bit. */
  static void checkJvm(Path dir) throws Exception {
    JsonNode spec = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
    Graph parsed = ModelParser.create().parse(dir.resolve(spec.get("model").asText()));
    Map<String, TensorData> inputs = new HashMap<>();
    for (JsonNode in : spec.get("inputs")) {
      inputs.put(in.get("name").asText(), Npy.read(dir.resolve(in.get("file").asText())));
    }
    Map<String, TensorData> actual;
    dev.zeropoint.runtime.Parallel.setThreads(2);
    try {
      actual = new JvmBackend().prepare(parsed).run(inputs);
    } finally {
      dev.zeropoint.runtime.Parallel.setThreads(1);
    }
    for (JsonNode out : spec.get("outputs")) {
      String name = out.get("name").asText();
      TensorData expected = Npy.read(dir.resolve(out.get("file").asText()));
      assertEquals(expected.size(), GoldenTest.countEqual(expected, actual.get(name)),
          "jvm " + dir.getFileName() + ": output " + name + " differs from PyTorch's");
    }
  }

}
