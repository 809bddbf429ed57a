package dev.zeropoint.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zeropoint.backends.Backends;
import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.onnx.OnnxImporter;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.qdq.QdqToInteger;
import dev.zeropoint.tests.Concurrently;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * torchvision's quantized ResNet-18 and MobileNetV2, exported by PyTorch 1.13 to ONNX (QDQ) by
 * {@code make_onnx_goldens.py}, imported with {@code pytorch-qnnpack} numerics and compiled for every
 * backend: each output integer equals PyTorch's. The file must carry PyTorch's biases
 * ({@code <model>_exact.onnx}): the exporter truncates them (the script's bias check), so the stock
 * export determines other integers; how many of its outputs still agree is reported, not asserted.
 */
class OnnxTorchvisionTest {
  static final List<String> BACKENDS = List.of("jvm", "c", "vta-mul");

  /** The model as the CLI imports it with --numerics pytorch-qnnpack, then {@code -O}. */
  static Graph imported(Path onnx, Numerics numerics) throws Exception {
    return importedNamed(onnx, numerics).graph();
  }

  /** {@link #imported}, with the graph's names of the file's inputs and outputs. */
  static OnnxImporter.Imported importedNamed(Path onnx, Numerics numerics) throws Exception {
    OnnxImporter.Imported m = OnnxImporter.importNamed(onnx, OnnxImporter.Options.defaults().withNumerics(numerics));
    Graph g = PassManager.parse(QdqToInteger.DEPLOYED_PIPELINE, PassRegistry.load()).run(m.graph(), PassContext.forTests());
    return new OnnxImporter.Imported(g, m.inputs(), m.outputs());
  }

  @Test
  void exactExportsMatchPyTorchOnEveryBackend() throws Exception {
    assumeFalse("false".equals(System.getProperty("onnx.sidebyside")), "disabled by -Donnx.sidebyside=false");
    List<String> failures = new ArrayList<>();
    StringBuilder report = new StringBuilder();
    for (Path dir : OnnxRuntimeSideBySideTest.goldens()) {
      JsonNode spec = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
      String name = dir.getFileName().toString();
      Map<String, TensorData> inputs = OnnxRuntimeSideBySideTest.inputsFor(dir.resolve(spec.get("model").asText()));
      TensorData expected = Npy.read(dir.resolve("output.npy"));

      Graph exact = imported(dir.resolve(spec.get("model_exact").asText()), Numerics.PYTORCH_QNNPACK);
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(exact, PassContext.forTests());
      List<String> runs = new ArrayList<>(List.of("interp", "interp -O"));
      runs.addAll(BACKENDS);
      List<Callable<TensorData>> jobs = new ArrayList<>();
      for (String run : runs) {
        Graph g = run.equals("interp") ? exact : optimized;
        String backend = run.startsWith("interp") ? "interp" : run;
        jobs.add(() -> Backends.named(backend).orElseThrow().prepare(g).run(inputs).get("output"));
      }
      List<TensorData> outputs = Concurrently.run(jobs);
      for (int i = 0; i < runs.size(); i++) {
        String run = runs.get(i);
        long equal = equalCount(expected, outputs.get(i));
        report.append(String.format("%s_exact.onnx %-9s output integers equal to PyTorch's: %d of %d%n", name, run,
            equal, expected.size()));
        if (equal != expected.size()) {
          failures.add(name + " " + run + ": " + (expected.size() - equal) + " outputs differ from PyTorch's");
        }
      }
      Graph stock = imported(dir.resolve(spec.get("model").asText()), Numerics.PYTORCH_QNNPACK);
      TensorData fromStock = Backends.named("jvm").orElseThrow().prepare(
          PassManager.defaultPipeline(PassRegistry.load()).run(stock, PassContext.forTests())).run(inputs).get("output");
      report.append(String.format("%s.onnx (stock export, truncated biases) jvm: %d of %d equal to PyTorch's%n", name,
          equalCount(expected, fromStock), expected.size()));
    }
    System.out.println(report);
    assertEquals(List.of(), failures);
  }

  /**
   * The stock exports imported with onnx numerics (ONNX Runtime's kernels) on every backend: the
   * interpreter as imported and after {@code -O}, and the compiled backends after {@code -O}, each
   * give exactly ONNX Runtime's outputs in its exact configuration (x64quantprecision), every element
   * of every output of the model and of its _layers export (each layer on PyTorch's inputs).
   */
  @Test
  void onnxNumericsGiveOnnxRuntimesOutputsOnEveryBackend() throws Exception {
    assumeFalse("false".equals(System.getProperty("onnx.sidebyside")), "disabled by -Donnx.sidebyside=false");
    List<String> failures = new ArrayList<>();
    StringBuilder report = new StringBuilder();
    OnnxRuntimeOracle.Options exact = OnnxRuntimeOracle.Options.defaults()
        .withConfig(OnnxRuntimeOracle.X64_QUANT_PRECISION, "1");
    for (Path dir : OnnxRuntimeSideBySideTest.goldens()) {
      JsonNode spec = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
      for (String key : List.of("model", "model_layers")) {
        Path file = dir.resolve(spec.get(key).asText());
        List<String> runs = new ArrayList<>(List.of("interp", "interp -O"));
        runs.addAll(BACKENDS);
        // ONNX Runtime first, then each run of Zeropoint, two at a time
        List<Callable<Map<String, TensorData>>> jobs = new ArrayList<>();
        jobs.add(() -> OnnxRuntimeOracle.run(file, exact, OnnxRuntimeSideBySideTest.inputsFor(file)));
        for (String run : runs) {
          String backend = run.startsWith("interp") ? "interp" : run;
          jobs.add(() -> OnnxRuntimeSideBySideTest.zeropointOutputs(Numerics.ONNX, backend, !run.equals("interp"))
              .apply(file));
        }
        List<Map<String, TensorData>> outputs = Concurrently.run(jobs);
        Map<String, TensorData> expected = outputs.get(0);
        for (int i = 0; i < runs.size(); i++) {
          String run = runs.get(i);
          Map<String, TensorData> actual = outputs.get(i + 1);
          long elements = 0;
          long equal = 0;
          for (Map.Entry<String, TensorData> e : expected.entrySet()) {
            TensorData got = actual.get(e.getKey());
            elements += e.getValue().size();
            if (got == null || !got.shape().equals(e.getValue().shape())
                || got.elementType() != e.getValue().elementType()) {
              failures.add(file.getFileName() + " " + run + ": output " + e.getKey() + " is " + got);
              continue;
            }
            for (long j = 0; j < got.size(); j++) {
              equal += got.getRawBits(j) == e.getValue().getRawBits(j) ? 1 : 0;
            }
          }
          report.append(String.format("%s (onnx numerics) %-9s %d outputs, elements equal to ONNX Runtime's: %d of %d%n",
              file.getFileName(), run, expected.size(), equal, elements));
          if (equal != elements) {
            failures.add(file.getFileName() + " " + run + ": " + (elements - equal) + " of " + elements
                + " output elements differ from ONNX Runtime's");
          }
        }
      }
    }
    System.out.println(report);
    assertEquals(List.of(), failures);
  }

  private static long equalCount(TensorData expected, TensorData actual) {
    assertEquals(expected.shape(), actual.shape());
    long equal = 0;
    for (long i = 0; i < expected.size(); i++) {
      equal += Float.floatToRawIntBits((float) expected.getDouble(i))
          == Float.floatToRawIntBits((float) actual.getDouble(i)) ? 1 : 0;
    }
    return equal;
  }
}
