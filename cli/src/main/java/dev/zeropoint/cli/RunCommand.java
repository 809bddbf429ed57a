package dev.zeropoint.cli;

import dev.zeropoint.backends.Backend;
import dev.zeropoint.backends.Backends;
import dev.zeropoint.backends.Executable;
import dev.zeropoint.backends.InputException;
import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.frontend.tensorfile.TensorFileException;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a model on .npy inputs and write every output as DIR/<output>.npy.",
        "Outputs keep their storage dtype: float32 after a dequantize, uint8/int8 for quantized outputs."})
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.qg", description = "The model to run.")
  Path model;

  @Option(names = "--input", paramLabel = "NAME=FILE.npy", required = true,
      description = "A graph input and the .npy file holding it; once per input.")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--output-dir", paramLabel = "DIR", required = true,
      description = "Where to write <output>.npy for every graph output (created if missing).")
  Path outputDir;

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "interp",
      description = "The backend that runs the model (default: ${DEFAULT-VALUE}).")
  String backendName;

  @picocli.CommandLine.Mixin
  PipelineOptions pipeline = new PipelineOptions();

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Backend backend = Backends.named(backendName).orElseThrow(() -> new UserError("zeropoint: unknown backend '"
        + backendName + "' (available: " + Backends.all().stream().map(Backend::name).collect(Collectors.joining(", "))
        + ")"));
    Graph graph = pipeline.apply(Models.load(model), model, spec.commandLine().getErr());
    Map<String, TensorData> data = Models.readInputs(inputs);
    LinkedHashMap<String, TensorData> outputs;
    try {
      Executable executable = backend.prepare(graph);
      outputs = executable.run(data);
    } catch (CompileException e) {
      throw new UserError(Models.render(model, e.diagnostics()));
    } catch (InputException e) {
      throw new UserError("zeropoint: " + model + ": " + e.getMessage());
    } catch (UnsupportedOperationException e) {
      throw new UserError("zeropoint: " + model + ": " + e.getMessage());
    }
    writeOutputs(outputs);
    return 0;
  }

  /** Each file is written atomically (temporary file, then move): a failure leaves no partial file. */
  private void writeOutputs(LinkedHashMap<String, TensorData> outputs) {
    try {
      Files.createDirectories(outputDir);
    } catch (IOException e) {
      throw new UserError("zeropoint: " + outputDir + ": cannot create the output directory (" + e.getMessage() + ")");
    }
    for (Map.Entry<String, TensorData> o : outputs.entrySet()) {
      Path file = outputDir.resolve(o.getKey() + ".npy");
      try {
        Npy.write(file, o.getValue());
      } catch (TensorFileException e) {
        throw new UserError("zeropoint: " + e.getMessage());
      }
      spec.commandLine().getOut().println("wrote " + file + " (" + o.getValue().elementType() + o.getValue().shape() + ")");
    }
  }
}
