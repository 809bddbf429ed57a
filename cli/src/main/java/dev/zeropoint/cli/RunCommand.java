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
import dev.zeropoint.onnx.OnnxImporter;
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
  @Parameters(index = "0", paramLabel = "MODEL.qg|MODEL.onnx", description = "The model to run.")
  Path model;

  @picocli.CommandLine.Mixin
  OnnxOptions onnx;

  @Option(names = "--input", paramLabel = "NAME=FILE.npy", required = true,
      description = "A graph input and the .npy file holding it; once per input.")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--output-dir", paramLabel = "DIR", required = true,
      description = "Where to write <output>.npy for every graph output (created if missing).")
  Path outputDir;

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "interp",
      description = "The backend that runs the model (default: ${DEFAULT-VALUE}).")
  String backendName;

  @Option(names = "--requantize", paramLabel = "pow2",
      description = "Accelerator backends: round every requantization scale to a power of two (hardware without a "
          + "multiplier), reporting each change and its effect on the outputs for these inputs.")
  String requantize;

  @Option(names = "--save-programs", paramLabel = "DIR",
      description = "Accelerator backends: write, for every accelerator call, DIR/NNN.bin (the DRAM image handed to "
          + "the accelerator, inputs filled in) and DIR/NNN.after.bin (the image after it ran).")
  Path savePrograms;

  @Option(names = "--stats", description = "Accelerator backends: print the instruction counts, DRAM traffic, "
      + "estimated cycles and the share of MACs that ran on the accelerator.")
  boolean stats;

  @picocli.CommandLine.Mixin
  PipelineOptions pipeline = new PipelineOptions();

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Backend backend = Backends.named(backendName).orElseThrow(() -> new UserError("zeropoint: unknown backend '"
        + backendName + "' (available: " + Backends.all().stream().map(Backend::name).collect(Collectors.joining(", "))
        + ")"));
    boolean accel = backend instanceof dev.zeropoint.backends.accel.AccelBackend;
    if (requantize != null && !requantize.equals("pow2")) {
      throw new UserError("zeropoint: --requantize takes pow2, not '" + requantize + "'");
    }
    if (!accel && (requantize != null || savePrograms != null || stats)) {
      throw new UserError("zeropoint: --requantize, --save-programs and --stats are for accelerator backends ("
          + dev.zeropoint.backends.accel.AccelTarget.all().stream().map(t -> t.name())
              .collect(Collectors.joining(", ")) + "), not " + backendName);
    }
    OnnxImporter.Imported loaded = Models.loadNamed(model, onnx);
    Graph graph = pipeline.apply(loaded.graph(), model, spec.commandLine().getErr());
    Map<String, TensorData> data = loaded.graphInputs(Models.readInputs(inputs));
    LinkedHashMap<String, TensorData> outputs;
    try {
      if (accel) {
        graph = Accel.lower(graph, model, requantize != null, data, spec.commandLine().getErr());
      }
      Executable executable = backend.prepare(graph);
      if (executable instanceof dev.zeropoint.backends.accel.AccelBackend.Compiled c) {
        c.keepImages(savePrograms != null);
      }
      outputs = executable.run(data);
      if (executable instanceof dev.zeropoint.backends.accel.AccelBackend.Compiled c) {
        if (savePrograms != null) {
          Map<Path, byte[]> files = new LinkedHashMap<>();
          for (int i = 0; i < c.images().size(); i++) {
            files.put(savePrograms.resolve(String.format("%03d.bin", i)), c.images().get(i)[0]);
            files.put(savePrograms.resolve(String.format("%03d.after.bin", i)), c.images().get(i)[1]);
          }
          OutputFiles.write(savePrograms, files);
        }
        if (stats) {
          spec.commandLine().getOut().print(Accel.stats(
              dev.zeropoint.backends.accel.AccelTarget.named(backendName).orElseThrow(), c));
        }
      }
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
