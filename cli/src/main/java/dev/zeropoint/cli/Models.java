package dev.zeropoint.cli;

import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Diagnostic;
import dev.zeropoint.ir.DiagnosticRenderer;
import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.frontend.tensorfile.TensorFileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.onnx.OnnxException;
import dev.zeropoint.onnx.OnnxImporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Loads models for the commands and turns compile errors into rendered diagnostics. */
final class Models {
  private Models() {}

  static Graph load(Path model, OnnxOptions onnx) {
    return loadNamed(model, onnx).graph();
  }

  /**
   * {@link #load}, with the graph's names of an ONNX file's inputs and outputs (ONNX names such as
   * {@code input:0} are not .qg names), so that {@code --input} can name them either way.
   */
  static OnnxImporter.Imported loadNamed(Path model, OnnxOptions onnx) {
    if (OnnxImporter.isOnnxFile(model)) {
      return importOnnxNamed(model, onnx.options());
    }
    onnx.checkUnusedFor(model);
    return new OnnxImporter.Imported(load(model), Map.of(), Map.of());
  }

  /** Imports an ONNX model; a model Zeropoint cannot import is a user error naming the file. */
  static Graph importOnnx(Path model, OnnxImporter.Options options) {
    return importOnnxNamed(model, options).graph();
  }

  private static OnnxImporter.Imported importOnnxNamed(Path model, OnnxImporter.Options options) {
    OnnxImporter.Imported imported;
    try {
      imported = OnnxImporter.importNamed(model, options);
    } catch (OnnxException e) {
      throw new UserError(model + ": error: " + e.getMessage());
    }
    Graph g = imported.graph();
    List<Diagnostic> problems = dev.zeropoint.ir.Verifier.verify(g);
    if (!problems.isEmpty()) {
      throw new UserError(render(model, problems));
    }
    if (g.numerics() == dev.zeropoint.ir.Numerics.PYTORCH_QNNPACK || g.numerics() == dev.zeropoint.ir.Numerics.ONNX) {
      // A QDQ model stands for the model its framework deploys: its dequantize -> op -> quantize
      // regions become PyTorch's quantized ops, or ONNX Runtime's fused integer kernels (docs/onnx.md).
      try {
        g = dev.zeropoint.passes.PassManager.parse(dev.zeropoint.passes.qdq.QdqToInteger.DEPLOYED_PIPELINE,
            dev.zeropoint.passes.PassRegistry.load())
            .run(g, new dev.zeropoint.passes.PassContext(false, false, java.util.Set.of(), false,
                new java.io.PrintWriter(java.io.OutputStream.nullOutputStream()), new LinkedHashMap<>()));
      } catch (CompileException | dev.zeropoint.passes.PipelineException e) {
        throw new UserError(model + ": error: " + e.getMessage());
      }
    }
    return new OnnxImporter.Imported(g, imported.inputs(), imported.outputs());
  }


  static Graph load(Path model) {
    try {
      return ModelParser.create().parse(model);
    } catch (CompileException e) {
      throw new UserError(render(model, e.diagnostics()));
    }
  }

  /** Reads {@code NAME=FILE.npy} arguments; a malformed argument or an unreadable file is a user error. */
  static Map<String, TensorData> readInputs(List<String> arguments) {
    Map<String, TensorData> data = new LinkedHashMap<>();
    for (String spec : arguments) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new UserError("zeropoint: --input takes NAME=FILE.npy, got '" + spec + "'");
      }
      String name = spec.substring(0, eq);
      if (data.containsKey(name)) {
        throw new UserError("zeropoint: input " + name + " is given twice");
      }
      try {
        data.put(name, Npy.read(Path.of(spec.substring(eq + 1))));
      } catch (TensorFileException e) {
        throw new UserError("zeropoint: " + e.getMessage());
      }
    }
    return data;
  }

  /**
   * Renders diagnostics with their source lines. Only the lines needed are kept, read in one pass,
   * so a large model is not held in memory a second time.
   */
  static String render(Path model, List<Diagnostic> diagnostics) {
    String shown = model.toString();
    TreeSet<Integer> wanted = new TreeSet<>();
    diagnostics.stream().filter(d -> d.location().file().equals(shown) && d.location().isKnown())
        .forEach(d -> wanted.add(d.location().line()));
    Map<Integer, String> lines = new HashMap<>();
    if (!wanted.isEmpty()) {
      try (Stream<String> all = Files.lines(model, StandardCharsets.UTF_8)) {
        int[] n = {0};
        all.limit(wanted.last()).forEach(l -> {
          if (wanted.contains(++n[0])) {
            lines.put(n[0], l);
          }
        });
      } catch (IOException | UncheckedIOException e) {
        // The excerpt is a courtesy; the message itself is complete.
      }
    }
    return new DiagnosticRenderer((f, n) -> f.equals(shown) ? Optional.ofNullable(lines.get(n)) : Optional.empty())
        .renderAll(diagnostics);
  }
}
