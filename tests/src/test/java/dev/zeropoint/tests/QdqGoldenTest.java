package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * QDQ models (dequantize -> float op -> quantize, as FX reference graphs and ONNX QDQ models are) whose
 * expected outputs are what PyTorch 1.13's LOWERED model computes: the quantized modules and ops,
 * engine qnnpack ({@code tools/torch/make_qdq_goldens.py}). After {@code qdq-to-integer,
 * propagate-qparams}, then also after {@code -O} and {@code -O --integer-only}, the interpreter must
 * give PyTorch's outputs bit for bit, and no float conv2d / linear / add / pool may remain.
 */
class QdqGoldenTest {
  static final Path DIR = Path.of("src/test/resources/qdq");
  static final List<String> QDQ = List.of("qdq-to-integer", "propagate-qparams", "canonicalize");

  static List<Path> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(DIR)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("case.json"))).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> qdqPassesGivePyTorchsLoweredOutputs() throws IOException {
    List<Path> cases = cases();
    assertFalse(cases.isEmpty(), "no QDQ goldens under " + DIR.toAbsolutePath());
    return cases.stream().flatMap(dir -> Stream.of(
        DynamicTest.dynamicTest(dir.getFileName() + " qdq", () -> check(dir, false)),
        DynamicTest.dynamicTest(dir.getFileName() + " qdq -O", () -> check(dir, true)),
        DynamicTest.dynamicTest(dir.getFileName() + " qdq -O --integer-only", () -> checkIntegerOnly(dir))));
  }

  /**
   * The goldens tell the float reference from the lowered model: without {@code qdq-to-integer} the
   * QDQ graph (float conv then one rounding) misses some of PyTorch's integers, so the tests above
   * could fail if the pass did nothing.
   */
  @Test
  void referenceSemanticsDifferFromTheLoweredModel() throws Exception {
    int mismatches = 0;
    StringBuilder report = new StringBuilder("qdq goldens without passes:");
    for (Path dir : cases()) {
      int wrong = 0;
      JsonNode spec = spec(dir);
      Graph g = parse(dir, spec);
      Map<Value, Tensor> values = Interpreter.evaluate(g, floatInputs(dir, spec));
      for (JsonNode out : spec.get("outputs")) {
        Value q = output(g, out).producer().operand(0);
        TensorData expected = Npy.read(dir.resolve(out.get("int_file").asText()));
        wrong += (int) expected.size() - GoldenTest.countEqual(expected, values.get(q).toData());
      }
      report.append(' ').append(dir.getFileName()).append(' ').append(wrong);
      mismatches += wrong;
    }
    System.out.println(report);
    assertTrue(mismatches > 0, report.toString());
  }

  static void check(Path dir, boolean optimize) throws Exception {
    JsonNode spec = spec(dir);
    List<String> pipeline = new ArrayList<>(QDQ);
    if (optimize) {
      pipeline.addAll(PassManager.DEFAULT_PIPELINE);
    }
    Graph g = PassManager.parse(String.join(",", pipeline), PassRegistry.load()).run(parse(dir, spec),
        PassContext.forTests());
    for (Node n : g.nodes()) {
      boolean floatCompute = switch (n.op()) {
        case CONV2D, LINEAR, ADD, MAX_POOL2D, CAT, FLATTEN, HARDTANH, RELU -> !n.result().type().isQuantized();
        default -> false;
      };
      assertFalse(floatCompute, "float op left after " + pipeline + ": " + n);
    }
    Map<Value, Tensor> values = Interpreter.evaluate(g, floatInputs(dir, spec));
    StringBuilder report = new StringBuilder("qdq golden " + dir.getFileName() + (optimize ? " -O" : "") + ":");
    Set<String> mismatches = new java.util.HashSet<>();
    for (JsonNode out : spec.get("outputs")) {
      String name = out.get("name").asText();
      Value v = output(g, out);
      int equal = GoldenTest.countEqual(Npy.read(dir.resolve(out.get("file").asText())), values.get(v).toData());
      Tensor q = values.get(v.producer().operand(0));
      int equalInts = GoldenTest.countEqual(Npy.read(dir.resolve(out.get("int_file").asText())), q.toData());
      report.append(' ').append(name).append(' ').append(equal).append('/').append(q.size())
          .append(" (integers ").append(equalInts).append(')');
      if (equal != q.size() || equalInts != q.size()) {
        mismatches.add(name);
      }
    }
    System.out.println(report);
    assertEquals(Set.of(), mismatches, report.toString());
  }

  static void checkIntegerOnly(Path dir) throws Exception {
    JsonNode spec = spec(dir);
    Graph parsed = parse(dir, spec);
    List<String> pipeline = new ArrayList<>(QDQ);
    pipeline.addAll(PassManager.DEFAULT_PIPELINE);
    PassContext context = new PassContext(true, true, Set.of(), false, new PrintWriter(System.err, true),
        new LinkedHashMap<>());
    Graph integer = IntegerOnly.finish(PassManager.parse(String.join(",", pipeline), PassRegistry.load())
        .run(parsed, context));
    for (Node n : integer.nodes()) {
      assertTrue(IntegerOnly.floatReason(n, integer.numerics()).isEmpty(), "float op left: " + n);
      n.results().forEach(v -> assertFalse(v.type().isFloat(), "float value left: " + v + " : " + v.type()));
    }
    // The integer graph's inputs are the quantized inputs: what the model's own quantize computes.
    Map<Value, Tensor> reference = Interpreter.evaluate(parsed, floatInputs(dir, spec));
    Map<String, TensorData> inputs = new HashMap<>();
    for (Value in : integer.inputs()) {
      Value original = parsed.input(in.name()).orElseThrow();
      Value quantized = parsed.users(original).stream().filter(u -> u.op() == Op.QUANTIZE).findFirst()
          .orElseThrow().result();
      inputs.put(in.name(), reference.get(quantized).toData());
    }
    Map<String, TensorData> outputs = new Interpreter().prepare(integer).run(inputs);
    StringBuilder report = new StringBuilder("qdq golden " + dir.getFileName() + " -O --integer-only:");
    Set<String> mismatches = new java.util.HashSet<>();
    for (JsonNode out : spec.get("outputs")) {
      String name = out.get("name").asText();
      TensorData actual = outputs.get(name);
      int equal = GoldenTest.countEqual(Npy.read(dir.resolve(out.get("int_file").asText())), actual);
      report.append(' ').append(name).append(' ').append(equal).append('/').append(actual.size());
      if (equal != actual.size()) {
        mismatches.add(name);
      }
    }
    System.out.println(report);
    assertEquals(Set.of(), mismatches, report.toString());
  }

  private static JsonNode spec(Path dir) throws IOException {
    return new ObjectMapper().readTree(dir.resolve("case.json").toFile());
  }

  private static Graph parse(Path dir, JsonNode spec) throws Exception {
    return ModelParser.create().parse(dir.resolve(spec.get("model").asText()));
  }

  private static Map<String, TensorData> floatInputs(Path dir, JsonNode spec) throws Exception {
    Map<String, TensorData> inputs = new HashMap<>();
    for (JsonNode in : spec.get("inputs")) {
      inputs.put(in.get("name").asText(), Npy.read(dir.resolve(in.get("file").asText())));
    }
    return inputs;
  }

  /** The value of an output, which dequantizes the quantized tensor whose integers are compared. */
  private static Value output(Graph g, JsonNode out) {
    Value v = g.outputs().stream().filter(o -> o.name().equals(out.get("name").asText())).findFirst()
        .orElseThrow().value();
    assertEquals(Op.DEQUANTIZE, v.producer().op(), "output " + out.get("name") + " must dequantize");
    return v;
  }
}
