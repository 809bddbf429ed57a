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
  @Parameters(index = "0", paramLabel = "MODEL.qg", description = "The model to explain.")
  Path model;

  @Option(names = "--node", paramLabel = "NAME", description = "Only the layer or op computing this value.")
  String node;

  @picocli.CommandLine.Mixin
  PipelineOptions pipeline = new PipelineOptions();

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (pipeline.passes == null) {
      pipeline.optimize = true; // explain the lowered parameters unless told otherwise
    }
    Graph g = pipeline.apply(Models.load(model), model, spec.commandLine().getErr());
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
    out.flush();
    return 0;
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
