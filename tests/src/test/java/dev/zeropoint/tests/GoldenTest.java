package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.backends.interp.Tensor;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.lower.IntegerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden conformance suite: models, inputs and outputs produced by PyTorch 1.13 (engine
 * qnnpack) with tools/torch/make_goldens.py. The interpreter must reproduce every output exactly:
 * the float outputs bit for bit, and the integers of the quantized tensor each output dequantizes.
 * Prints one line per case; a case the interpreter cannot run fails. {@code -Dgolden.only=prefix}
 * runs the cases whose name starts so.
 */
class GoldenTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden");

  @TestFactory
  Stream<DynamicTest> interpreterMatchesPyTorchExactly() throws IOException {
    List<Path> cases = cases();
    assertTrue(!cases.isEmpty(), "no golden cases under " + GOLDEN.toAbsolutePath());
    return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
  }

  /** The case folders, those starting with {@code -Dgolden.only} when it is given. */
  static List<Path> cases() throws IOException {
    String only = System.getProperty("golden.only", "");
    try (Stream<Path> dirs = Files.list(GOLDEN)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("case.json")))
          .filter(d -> d.getFileName().toString().startsWith(only)).sorted().toList();
    }
  }

  /** The default pipeline must not change a single output integer. */
  @TestFactory
  Stream<DynamicTest> optimizedModelsStillMatchPyTorchExactly() throws IOException {
    List<Path> cases = cases();
    return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName() + " -O", () -> check(dir, true)));
  }

  /**
   * After {@code -O --integer-only} the model runs on the quantized inputs (what the model's own
   * quantize computes from the golden inputs) and must give PyTorch's output integers exactly. Every
   * golden model must be integer-only: an op that still needs floating point fails the case.
   */
  @TestFactory
  Stream<DynamicTest> integerOnlyModelsMatchPyTorchExactly() throws IOException {
    List<Path> cases = cases();
    return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName() + " -O --integer-only",
        () -> checkIntegerOnly(dir)));
  }

  static void checkIntegerOnly(Path dir) throws Exception {
    JsonNode spec = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
    Graph parsed = ModelParser.create().parse(dir.resolve(spec.get("model").asText()));
    PassContext context = new PassContext(true, true, java.util.Set.of(), false,
        new java.io.PrintWriter(System.err, true), new java.util.LinkedHashMap<>());
    // Every golden model must lower: an op left needing float fails here (CompileException).
    Graph integer = IntegerOnly.finish(PassManager.defaultPipeline(PassRegistry.load()).run(parsed, context));
    for (Node n : integer.nodes()) {
      assertTrue(IntegerOnly.floatReason(n, integer.numerics()).isEmpty(), "float op left: " + n);
      n.results().forEach(v -> assertTrue(!v.type().isFloat(), "float value left: " + v + " : " + v.type()));
    }
    Map<String, TensorData> floatInputs = new HashMap<>();
    for (JsonNode in : spec.get("inputs")) {
      floatInputs.put(in.get("name").asText(), Npy.read(dir.resolve(in.get("file").asText())));
    }
    Map<String, TensorData> inputs = integerInputs(parsed, integer, floatInputs);
    Map<String, TensorData> outputs = new Interpreter().prepare(integer).run(inputs);
    StringBuilder report = new StringBuilder("golden " + dir.getFileName() + " -O --integer-only:");
    Set<String> mismatches = new HashSet<>();
    for (JsonNode out : spec.get("outputs")) {
      String name = out.get("name").asText();
      TensorData actual = outputs.get(name);
      boolean quantized = !actual.elementType().isFloat();
      TensorData expected = Npy.read(dir.resolve(out.get(quantized ? "int_file" : "file").asText()));
      int equal = countEqual(expected, actual);
      report.append(' ').append(name).append(' ').append(equal).append('/').append(actual.size()).append(" equal");
      if (equal != actual.size()) {
        mismatches.add(name);
      }
    }
    System.out.println(report);
    assertEquals(Set.of(), mismatches, report.toString());
  }

  /**
   * The inputs of an integer-only graph: each is a graph input (then its quantize, if quantized
   * now) or a quantized value the float preprocessing computed; a run of the original graph has them all.
   */
  static Map<String, TensorData> integerInputs(Graph parsed, Graph integer, Map<String, TensorData> floatInputs)
      throws Exception {
    Map<Value, Tensor> reference = Interpreter.evaluate(parsed, floatInputs);
    Map<String, TensorData> inputs = new HashMap<>();
    for (Value in : integer.inputs()) {
      Value source = parsed.input(in.name()).map(original -> in.type().equals(original.type()) ? original
          : parsed.users(original).stream().filter(u -> u.op() == Op.QUANTIZE).findFirst().orElseThrow().result())
          .orElseGet(() -> parsed.nodes().stream().flatMap(n -> n.results().stream())
              .filter(v -> v.name().equals(in.name())).findFirst().orElseThrow());
      inputs.put(in.name(), reference.get(source).toData());
    }
    return inputs;
  }

  static void check(Path dir) throws Exception {
    check(dir, false);
  }

  static void check(Path dir, boolean optimize) throws Exception {
    JsonNode spec = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
    Graph parsed = ModelParser.create().parse(dir.resolve(spec.get("model").asText()));
    Graph graph = optimize ? PassManager.defaultPipeline(PassRegistry.load()).run(parsed, PassContext.forTests())
        : parsed;
    Map<String, TensorData> inputs = new HashMap<>();
    for (JsonNode in : spec.get("inputs")) {
      inputs.put(in.get("name").asText(), Npy.read(dir.resolve(in.get("file").asText())));
    }
    Map<Value, Tensor> values = Interpreter.evaluate(graph, inputs);
    StringBuilder report = new StringBuilder("golden " + dir.getFileName() + (optimize ? " -O" : "") + ":");
    Set<String> mismatches = new HashSet<>();
    for (JsonNode out : spec.get("outputs")) {
      String name = out.get("name").asText();
      Value v = graph.outputs().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow().value();
      int equal = countEqual(Npy.read(dir.resolve(out.get("file").asText())), values.get(v).toData());
      int total = values.get(v).size();
      report.append(' ').append(name).append(' ').append(equal).append('/').append(total).append(" equal");
      if (equal != total) {
        mismatches.add(name);
      }
      Node producer = v.producer();
      if (out.has("int_file") && !out.get("int_file").isNull() && producer != null && producer.op() == Op.DEQUANTIZE) {
        Tensor q = values.get(producer.operand(0));
        int equalInts = countEqual(Npy.read(dir.resolve(out.get("int_file").asText())), q.toData());
        report.append(" (integers ").append(equalInts).append('/').append(q.size()).append(')');
        if (equalInts != q.size()) {
          mismatches.add(name + " integers");
        }
      }
    }
    System.out.println(report);
    assertEquals(Set.of(), mismatches, report.toString());
  }

  /** Elements equal bit for bit (floats by their bits; u8 vs NumPy's uint8 by value). */
  static int countEqual(TensorData expected, TensorData actual) {
    assertEquals(expected.shape(), actual.shape(), "shape");
    assertEquals(expected.elementType(), actual.elementType(), "element type");
    int equal = 0;
    for (long i = 0; i < expected.size(); i++) {
      if (expected.getRawBits(i) == actual.getRawBits(i)) {
        equal++;
      }
    }
    return equal;
  }
}
