package dev.zeropoint.passes;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Diagnostic;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Printer;
import dev.zeropoint.ir.Suggestions;
import dev.zeropoint.ir.Verifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a pipeline: a list of passes by name ({@code "canonicalize,fold-batchnorm"}), or the default
 * pipeline of {@code -O}. Verifies after each pass when asked (a pass that breaks the IR is a
 * compiler bug, reported with the pass's name), prints the IR after chosen passes, times them.
 */
public final class PassManager {
  /** The pipeline {@code -O} runs. */
  public static final List<String> DEFAULT_PIPELINE = List.of("propagate-qparams", "elide-elementwise", "fold-bias",
      "lower-requantize", "lower-integer", "fuse-activation", "canonicalize");

  private final List<Pass> passes;

  private PassManager(List<Pass> passes) {
    this.passes = List.copyOf(passes);
  }

  public static PassManager of(List<Pass> passes) {
    return new PassManager(passes);
  }

  /** Builds a pipeline from comma-separated pass names. */
  public static PassManager parse(String pipeline, PassRegistry registry) throws PipelineException {
    List<Pass> out = new ArrayList<>();
    for (String raw : pipeline.split(",", -1)) {
      String name = raw.trim();
      if (name.isEmpty()) {
        throw new PipelineException("empty pass name in pipeline '" + pipeline + "'");
      }
      out.add(registry.named(name).orElseThrow(() -> new PipelineException("unknown pass '" + name + "'"
          + Suggestions.closest(name, registry.names()) + " (passes: " + String.join(", ", registry.names()) + ")")));
    }
    return new PassManager(out);
  }

  public static PassManager defaultPipeline(PassRegistry registry) {
    try {
      return parse(String.join(",", DEFAULT_PIPELINE), registry);
    } catch (PipelineException e) {
      throw new IllegalStateException("the default pipeline names a missing pass", e);
    }
  }

  public List<String> names() {
    return passes.stream().map(Pass::name).toList();
  }

  public Graph run(Graph graph, PassContext context) throws CompileException {
    Graph g = graph;
    for (Pass p : passes) {
      long start = System.nanoTime();
      g = p.run(g, context);
      long elapsed = System.nanoTime() - start;
      if (context.timePasses()) {
        context.timingsNanos().merge(p.name(), elapsed, Long::sum);
        context.log().printf("pass %-24s %8.3f ms%n", p.name(), elapsed / 1e6);
      }
      if (context.verifyEach()) {
        List<Diagnostic> problems = Verifier.verify(g);
        if (!problems.isEmpty()) {
          throw new IllegalStateException("pass " + p.name() + " produced invalid IR: " + problems + "\n"
              + Printer.print(g));
        }
      }
      if (context.printsAfter(p.name())) {
        context.log().println("// ----- IR after " + p.name());
        context.log().print(Printer.print(g));
        context.log().flush();
      }
    }
    return g;
  }
}
