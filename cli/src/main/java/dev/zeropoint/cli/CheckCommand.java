package dev.zeropoint.cli;

import dev.zeropoint.ir.Graph;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Parse and verify a model. Diagnostics go to stderr; the exit status is 1 on any error.")
final class CheckCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.qg|MODEL.onnx", description = "The model to check.")
  Path model;

  @picocli.CommandLine.Mixin
  OnnxOptions onnx;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Graph g = Models.load(model, onnx);
    spec.commandLine().getOut().printf("%s: ok: model %s, %d inputs, %d ops, %d outputs%n", model, g.name(),
        g.inputs().size(), g.nodes().size(), g.outputs().size());
    return 0;
  }
}
