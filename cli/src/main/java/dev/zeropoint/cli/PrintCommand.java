package dev.zeropoint.cli;

import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Printer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "print", mixinStandardHelpOptions = true,
    description = "Print the canonical text of a model: every type written, every attribute, floats exact.")
final class PrintCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.qg|MODEL.onnx", description = "The model to print.")
  Path model;

  @picocli.CommandLine.Mixin
  OnnxOptions onnx;

  @picocli.CommandLine.Mixin
  PipelineOptions pipeline = new PipelineOptions();

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Graph g = pipeline.apply(Models.load(model, onnx), model, spec.commandLine().getErr());
    spec.commandLine().getOut().print(Printer.print(g));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
