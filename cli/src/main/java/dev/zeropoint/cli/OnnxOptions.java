package dev.zeropoint.cli;

import dev.zeropoint.ir.Numerics;
import dev.zeropoint.onnx.OnnxImporter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options of commands that read ONNX models ({@code .onnx}): the numerics flavour and input shapes. */
final class OnnxOptions {
  @Option(names = "--numerics", paramLabel = "FLAVOUR",
      description = {"For .onnx models: whose integer arithmetic the model follows: onnx (ONNX Runtime's, the",
          "default) or pytorch-qnnpack (a model exported from PyTorch, to match PyTorch's integers)."})
  String numerics;

  @Option(names = "--input-shape", paramLabel = "NAME=D,D,...",
      description = "For .onnx models: the shape of an input with dynamic dimensions (repeatable).")
  List<String> inputShapes = List.of();

  OnnxImporter.Options options() {
    Numerics n = Numerics.ONNX;
    if (numerics != null) {
      n = Numerics.fromKeyword(numerics).orElseThrow(() -> new UserError("zeropoint: --numerics: unknown flavour '"
          + numerics + "' (one of " + java.util.Arrays.stream(Numerics.values()).map(Numerics::keyword).toList() + ")"));
    }
    Map<String, int[]> shapes = new LinkedHashMap<>();
    for (String spec : inputShapes) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new UserError("zeropoint: --input-shape takes NAME=D,D,..., got '" + spec + "'");
      }
      String[] parts = spec.substring(eq + 1).split(",");
      int[] dims = new int[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          dims[i] = Integer.parseInt(parts[i].trim());
        } catch (NumberFormatException e) {
          dims[i] = -1;
        }
        if (dims[i] <= 0) {
          throw new UserError("zeropoint: --input-shape " + spec + ": '" + parts[i] + "' is not a positive dimension");
        }
      }
      if (shapes.put(spec.substring(0, eq), dims) != null) {
        throw new UserError("zeropoint: --input-shape gives " + spec.substring(0, eq) + " twice");
      }
    }
    return OnnxImporter.Options.defaults().withNumerics(n).withInputShapes(shapes);
  }

  /** Refuses the ONNX options for a .qg model, whose numerics are written in the model. */
  void checkUnusedFor(java.nio.file.Path model) {
    if (numerics != null || !inputShapes.isEmpty()) {
      throw new UserError("zeropoint: " + model + ": --numerics and --input-shape apply to .onnx models only"
          + " (a .qg model names its numerics and shapes)");
    }
  }
}
