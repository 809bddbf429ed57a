package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every example runs on its input ({@code NAME.INPUT.npy}, written with the model by
 * tools/torch/make_examples.py) and gives exactly PyTorch's output ({@code NAME.expected.npy}).
 */
class ExamplesTest {
  static final Path EXAMPLES = Path.of("../examples");

  @TestFactory
  Stream<DynamicTest> examplesReproducePyTorch() throws IOException {
    List<Path> models;
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      models = files.filter(p -> p.toString().endsWith(".qg")).sorted().toList();
    }
    assertFalse(models.isEmpty());
    return models.stream().map(m -> DynamicTest.dynamicTest(m.getFileName().toString(), () -> check(m)));
  }

  private static void check(Path model) throws Exception {
    Graph g = ModelParser.create().parse(model);
    String stem = model.getFileName().toString().replaceFirst("\\.qg$", "");
    Map<String, TensorData> inputs = new HashMap<>();
    for (var in : g.inputs()) {
      inputs.put(in.name(), Npy.read(model.resolveSibling(stem + "." + in.name() + ".npy")));
    }
    Map<String, TensorData> outputs = new Interpreter().prepare(g).run(inputs);
    TensorData expected = Npy.read(model.resolveSibling(stem + ".expected.npy"));
    TensorData actual = outputs.values().iterator().next();
    assertEquals(expected.size(), GoldenTest.countEqual(expected, actual), stem + ": outputs equal to PyTorch's");
  }
}
