package dev.zeropoint.cli;

import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Suggestions;
import dev.zeropoint.ir.Value;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {"Explain every quantized layer's integer arithmetic, with its numbers.",
        "Scales and zero points, the int32 bias, the requantization multiplier and shift (or float scale),",
        "clamp bounds, the error of the fixed-point approximation and the accumulator bound.",
        "Runs -O unless --passes is given."})
final class ExplainCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.qg|MODEL.onnx", description = "The model to explain.")
  Path model;

  @picocli.CommandLine.Mixin
  OnnxOptions onnx;

  @Option(names = "--node", paramLabel = "NAME", description = "Only the layer or op computing this value.")
  String node;

  @Option(names = "--memory", description = "Also show the c backend's static memory plan: every activation "
      + "buffer's offset, size and lifetime in one arena, against one buffer per tensor.")
  boolean memory;

  @picocli.CommandLine.Mixin
  PipelineOptions pipeline = new PipelineOptions();

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (pipeline.passes == null) {
      pipeline.optimize = true; // explain the lowered parameters unless told otherwise
    }
    Graph g = pipeline.apply(Models.load(model, onnx), model, spec.commandLine().getErr());
    List<Explainer.Section> sections = new Explainer(g, pipeline.integerOnly).sections();
    if (node != null) {
      sections = select(g, sections, node.startsWith("%") ? node.substring(1) : node);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("model " + g.name() + " numerics(" + g.numerics() + "), after "
        + (pipeline.passes != null ? "--passes " + pipeline.passes : "-O") + (pipeline.integerOnly ? " --integer-only" : ""));
    if (sections.isEmpty() && node == null) {
      out.println("no quantized layers");
    }
    for (Explainer.Section s : sections) {
      out.println();
      s.lines().forEach(out::println);
    }
    if (node == null) {
      out.println();
      memoryPlan(g, out);
    }
    out.flush();
    return 0;
  }

  /** The c backend's arena against the naive sum; with --memory, every buffer. */
  private void memoryPlan(Graph g, PrintWriter out) {
    dev.zeropoint.backends.c.MemoryPlan plan;
    try {
      plan = dev.zeropoint.backends.c.CEmitter.plan(dev.zeropoint.backends.lowering.Lowering.pipeline(g));
    } catch (dev.zeropoint.ir.CompileException e) {
      out.println("memory plan (c backend): none, " + e.diagnostics().get(0).message());
      return;
    }
    long naive = plan.naiveSize();
    out.printf("memory plan (c backend): arena %,d bytes for %d activation tensors; one buffer per tensor: %,d bytes"
        + "%s%n", plan.size(), plan.buffers().size(), naive,
        naive == 0 ? "" : String.format(" (the arena is %.1f%% of that)", 100.0 * plan.size() / naive));
    if (memory) {
      out.printf("  %-32s %12s %12s %s%n", "tensor", "offset", "bytes", "live in steps");
      for (int i = 0; i < plan.buffers().size(); i++) {
        var b = plan.buffers().get(i);
        out.printf("  %-32s %12d %12d %d..%d%n", "%" + b.name(), plan.offset(i), b.bytes(), b.first(), b.last());
      }
    }
  }

  private List<Explainer.Section> select(Graph g, List<Explainer.Section> sections, String name) {
    List<Explainer.Section> chosen = sections.stream().filter(s -> s.names().contains(name)).toList();
    if (!chosen.isEmpty()) {
      return chosen;
    }
    List<String> values = new ArrayList<>();
    g.inputs().forEach(v -> values.add(v.name()));
    for (Node n : g.nodes()) {
      n.results().stream().map(Value::name).forEach(values::add);
    }
    if (values.contains(name)) {
      return List.of(new Explainer.Section(List.of(name), List.of("%" + name
          + ": no integer parameters to explain (not a quantized conv2d, linear, add, mul, pool or clamp)")));
    }
    throw new UserError("zeropoint: no value %" + name + " in model " + g.name()
        + Suggestions.closest("%" + name, values.stream().map(v -> "%" + v).toList()));
  }
}
