package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The jvm backend on every pass test graph ({@code src/test/resources/passes/*.qg}, the cases that
 * are not expected to fail): the graph as written and after each of its RUN lines' pipelines, on
 * seeded random inputs, equal the interpreter's outputs to the bit (and on 3 threads).
 */
class JvmPassGraphsTest {
  @Test
  void everyPassTestGraphRunsExactlyAsInTheInterpreter() throws Exception {
    int graphs = 0;
    List<String> unsupported = new ArrayList<>();
    for (PassFileCheckTest.Case c : PassFileCheckTest.cases()) {
      List<String> caseLines = c.lines();
      String where = c.where();
      if (caseLines.stream().anyMatch(l -> l.contains("expected-error"))) {
        continue; // a case about a diagnostic: its graph does not compile by design
      }
      Graph parsed = ModelParser.create().parse("case", String.join("\n", caseLines) + "\n", Path.of("."));
      Random random = new Random(where.hashCode());
      graphs += JvmBackendTest.compare(where, parsed, randomInputs(parsed, random), unsupported);
      for (String run : c.runs()) {
        List<String> words = Arrays.asList(run.split("\\s+"));
        boolean integerOnly = words.contains("--integer-only");
        PassManager pipeline = words.contains("-O") ? PassManager.defaultPipeline(PassRegistry.load())
            : PassManager.parse(words.get(words.indexOf("--passes") + 1), PassRegistry.load());
        PassContext context = new PassContext(integerOnly, true, Set.of(), false,
            new java.io.PrintWriter(java.io.Writer.nullWriter()), new LinkedHashMap<>());
        Graph after = pipeline.run(parsed, context);
        graphs += JvmBackendTest.compare(where + " after " + String.join(" ", words.subList(2, words.size())), after,
            randomInputs(after, random), unsupported);
      }
    }
    System.out.println("jvm backend: " + graphs + " pass test graphs exact; not run: " + unsupported);
    assertEquals(List.of(), unsupported, "pass test graphs the jvm backend does not run");
    assertTrue(graphs >= 100, "only " + graphs + " pass test graphs ran");
  }

  /**
   * Inputs of every type: floats on a grid of 1/64 over [-8, 8] (exact ties for the tests' scales),
   * integers over their storage's whole range.
   */
  static Map<String, TensorData> randomInputs(Graph g, Random random) {
    Map<String, TensorData> inputs = new LinkedHashMap<>();
    for (Value in : g.inputs()) {
      var type = in.type();
      int n = Math.toIntExact(type.shape().numElements());
      ElementType e = type.elementType();
      if (e.isFloat()) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = (random.nextInt(1025) - 512) / 64.0;
        }
        inputs.put(in.name(), TensorData.ofDoubles(e, type.shape(), v));
      } else {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = e.minValue() + (long) (random.nextDouble() * (e.maxValue() - e.minValue() + 1));
        }
        inputs.put(in.name(), TensorData.ofLongs(e, type.shape(), v));
      }
    }
    return inputs;
  }
}
