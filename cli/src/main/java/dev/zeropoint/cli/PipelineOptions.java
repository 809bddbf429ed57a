package dev.zeropoint.cli;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.PipelineException;
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

  /** The graph after the requested pipeline (the graph itself when none was asked for). */
  Graph apply(Graph graph, Path model, PrintWriter err) {
    if (passes == null && !optimize) {
      if (!printAfter.isEmpty() || timePasses) {
        throw new UserError("zeropoint: --print-after and --time-passes need --passes or -O");
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
    PassContext context = new PassContext(false, verifyEach, printAfter, timePasses, err, new LinkedHashMap<>());
    try {
      return manager.run(graph, context);
    } catch (CompileException e) {
      throw new UserError(Models.render(model, e.diagnostics()));
    }
  }
}
