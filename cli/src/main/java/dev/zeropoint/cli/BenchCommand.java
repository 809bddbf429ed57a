package dev.zeropoint.cli;

import dev.zeropoint.backends.Backend;
import dev.zeropoint.backends.Backends;
import dev.zeropoint.backends.Executable;
import dev.zeropoint.backends.InputException;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.onnx.OnnxImporter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure a model's latency.",
        "Prepares it once, runs it --warmup times, then --iterations timed runs; prints the median and",
        "the fastest run in milliseconds."})
final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.qg|MODEL.onnx", description = "The model to measure.")
  Path model;

  @picocli.CommandLine.Mixin
  OnnxOptions onnx;

  @Option(names = "--input", paramLabel = "NAME=FILE.npy", required = true, description = "A graph input; once per input.")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "interp", description = "Default: ${DEFAULT-VALUE}.")
  String backendName;

  @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--iterations", defaultValue = "5", description = "Timed runs (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--threads", defaultValue = "1",
      description = "Threads for the jvm backend's kernels (default: ${DEFAULT-VALUE}).")
  int threads;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (iterations < 1 || warmup < 0 || threads < 1) {
      throw new UserError("zeropoint: --iterations and --threads must be at least 1 and --warmup not negative");
    }
    dev.zeropoint.runtime.Parallel.setThreads(threads);
    Backend backend = Backends.named(backendName)
        .orElseThrow(() -> new UserError("zeropoint: unknown backend '" + backendName + "'"));
    long parseStart = System.nanoTime();
    OnnxImporter.Imported loaded = Models.loadNamed(model, onnx);
    Graph graph = loaded.graph();
    double parseMillis = (System.nanoTime() - parseStart) / 1e6;
    Map<String, TensorData> data = loaded.graphInputs(Models.readInputs(inputs));
    double[] millis = new double[iterations];
    try {
      long t0 = System.nanoTime();
      Executable executable = backend.prepare(graph);
      double prepareMillis = (System.nanoTime() - t0) / 1e6;
      for (int i = 0; i < warmup; i++) {
        executable.run(data);
      }
      for (int i = 0; i < iterations; i++) {
        long start = System.nanoTime();
        executable.run(data);
        millis[i] = (System.nanoTime() - start) / 1e6;
      }
      Arrays.sort(millis);
      spec.commandLine().getOut().printf(
          "%s backend=%s parse_ms=%.1f prepare_ms=%.1f median_ms=%.1f min_ms=%.1f iterations=%d%n", model,
          backendName, parseMillis, prepareMillis, millis[iterations / 2], millis[0], iterations);
    } catch (CompileException e) {
      throw new UserError(Models.render(model, e.diagnostics()));
    } catch (InputException | UnsupportedOperationException e) {
      throw new UserError("zeropoint: " + model + ": " + e.getMessage());
    }
    return 0;
  }
}
