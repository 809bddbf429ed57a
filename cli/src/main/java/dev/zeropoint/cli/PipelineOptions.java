package dev.zeropoint.cli;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.PipelineException;
import dev.zeropoint.passes.lower.IntegerOnly;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Set;
import picocli.CommandLine.Option;

/** The pass pipeline options shared by print, run and compile. */
final class PipelineOptions {
  @Option(names = "--passes", paramLabel = "a,b,...", description = "Run these passes, in order, on the model.")
  String passes;

  @Option(names = "-O", description = "Run the default pipeline.")
  boolean optimize;

  @Option(names = "--print-after", paramLabel = "PASS|all", split = ",",
      description = "Print the IR to stderr after these passes (or all).")
  Set<String> printAfter = Set.of();

  @Option(names = "--time-passes", description = "Print each pass's time to stderr.")
  boolean timePasses;

  @Option(names = "--verify-each", description = "Verify the IR after every pass (tests always do).")
  boolean verifyEach;

  @Option(names = "--integer-only", description = {"Lower to integer arithmetic only: the inputs and outputs become",
      "the quantized tensors, and every op still needing floating point is an error."})
  boolean integerOnly;

  /** The graph after the requested pipeline (the graph itself when none was asked for). */
  Graph apply(Graph graph, Path model, PrintWriter err) {
    if (passes == null && !optimize) {
      if (!printAfter.isEmpty() || timePasses || integerOnly) {
        throw new UserError("zeropoint: --print-after, --time-passes and --integer-only need --passes or -O");
      }
      return graph;
    }
    if (passes != null && optimize) {
      throw new UserError("zeropoint: give either --passes or -O, not both");
    }
    PassRegistry registry = PassRegistry.load();
    PassManager manager;
    try {
      manager = optimize ? PassManager.defaultPipeline(registry) : PassManager.parse(passes, registry);
    } catch (PipelineException e) {
      throw new UserError("zeropoint: " + e.getMessage());
    }
    PassContext context = new PassContext(integerOnly, verifyEach, printAfter, timePasses, err, new LinkedHashMap<>());
    try {
      Graph result = manager.run(graph, context);
      return integerOnly ? IntegerOnly.finish(result) : result;
    } catch (CompileException e) {
      throw new UserError(Models.render(model, e.diagnostics()));
    }
  }
}
