package dev.zeropoint.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.lower.IntegerOnly;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** The models every backend's differential tests run against the interpreter, with their inputs. */
final class BackendRuns {
  private BackendRuns() {}

  /** A model to run on a backend and on the interpreter. */
  record Run(String what, Graph graph, Map<String, TensorData> inputs) {}

  /**
   * Every golden model after {@code -O}, and after {@code -O --integer-only} where that pipeline
   * finishes (GoldenTest reports the others), on the golden inputs.
   */
  static List<Run> golden() throws Exception {
    List<Run> runs = new ArrayList<>();
    for (Path dir : GoldenTest.cases()) {
      JsonNode spec = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
      Graph parsed = ModelParser.create().parse(dir.resolve(spec.get("model").asText()));
      Map<String, TensorData> floatInputs = new HashMap<>();
      for (JsonNode in : spec.get("inputs")) {
        floatInputs.put(in.get("name").asText(), Npy.read(dir.resolve(in.get("file").asText())));
      }
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(parsed, PassContext.forTests());
      runs.add(new Run(dir.getFileName() + " -O", optimized, floatInputs));
      Graph integer;
      try {
        integer = IntegerOnly.finish(PassManager.defaultPipeline(PassRegistry.load()).run(parsed,
            JvmBackendTest.integerContext()));
      } catch (CompileException e) {
        continue; // not integer-only yet (GoldenTest reports it)
      }
      runs.add(new Run(dir.getFileName() + " -O --integer-only", integer,
          GoldenTest.integerInputs(parsed, integer, floatInputs)));
    }
    return runs;
  }

  /**
   * Every pass test graph ({@code src/test/resources/passes/*.qg}) that is not expected to fail: as
   * written and after each of its RUN lines' pipelines, on seeded random inputs.
   */
  static List<Run> passGraphs() throws Exception {
    List<Run> runs = new ArrayList<>();
    for (PassFileCheckTest.Case c : PassFileCheckTest.cases()) {
      if (c.lines().stream().anyMatch(l -> l.contains("expected-error"))) {
        continue; // a case about a diagnostic: its graph does not compile by design
      }
      String where = c.where();
      Graph parsed = ModelParser.create().parse("case", String.join("\n", c.lines()) + "\n", Path.of("."));
      Random random = new Random(where.hashCode());
      runs.add(new Run(where, parsed, JvmPassGraphsTest.randomInputs(parsed, random)));
      for (String run : c.runs()) {
        List<String> words = Arrays.asList(run.split("\\s+"));
        boolean integerOnly = words.contains("--integer-only");
        PassManager pipeline = words.contains("-O") ? PassManager.defaultPipeline(PassRegistry.load())
            : PassManager.parse(words.get(words.indexOf("--passes") + 1), PassRegistry.load());
        PassContext context = new PassContext(integerOnly, true, Set.of(), false,
            new java.io.PrintWriter(java.io.Writer.nullWriter()), new LinkedHashMap<>());
        Graph after = pipeline.run(parsed, context);
        runs.add(new Run(where + " after " + String.join(" ", words.subList(2, words.size())), after,
            JvmPassGraphsTest.randomInputs(after, random)));
      }
    }
    return runs;
  }
}
