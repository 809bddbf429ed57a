package dev.zeropoint.cli;

import dev.zeropoint.frontend.tensorfile.SafetensorsWriter;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Printer;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Convert an ONNX model to a .qg model: OUT.qg, with its larger constants in OUT.safetensors",
        "beside it. run, compile and explain also read .onnx files directly."})
final class ImportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX model.")
  Path model;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.qg", description = "The .qg file to write.")
  Path output;

  @Mixin
  OnnxOptions onnx;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    String file = output.getFileName().toString();
    if (!file.endsWith(".qg") || file.length() == 3) {
      throw new UserError("zeropoint: " + output + ": the output must be a .qg file");
    }
    String weights = file.substring(0, file.length() - 3) + ".safetensors";
    Graph g = Models.importOnnx(model, onnx.options().withWeightsFile(weights));
    Map<String, TensorData> entries = new LinkedHashMap<>();
    for (Node n : g.nodes()) {
      if (n.op() == Op.CONST && n.attrs() instanceof Attrs.Const c && c.key().isPresent()) {
        entries.put(c.key().get(), c.data());
      }
    }
    Path dir = output.toAbsolutePath().getParent();
    Map<Path, byte[]> files = new LinkedHashMap<>();
    files.put(output.toAbsolutePath(), Printer.print(g).getBytes(StandardCharsets.UTF_8));
    if (!entries.isEmpty()) {
      files.put(dir.resolve(weights), SafetensorsWriter.toBytes(entries));
    }
    OutputFiles.write(dir, files);
    spec.commandLine().getOut().printf("%s: model %s, %d inputs, %d ops, %d outputs, %d weights%n", output, g.name(),
        g.inputs().size(), g.nodes().size(), g.outputs().size(), entries.size());
    return 0;
  }
}
