package dev.zeropoint.cli;

import dev.zeropoint.ir.Graph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "compile", mixinStandardHelpOptions = true,
    description = {"Compile a model for a target.",
        "--target params writes DIR/<model>.params.json and DIR/<model>.params.h: every layer's integer",
        "parameters after -O (or --passes); with --integer-only, pytorch-qnnpack layers use the",
        "mantissa scheme instead of float scales.",
        "--target jvm writes DIR/<model>.jar: the model compiled to bytecode, runnable with the JDK alone",
        "(java -jar DIR/<model>.jar --input NAME=FILE.npy --output-dir OUT) or loaded in a Java service",
        "(new zeropoint.models.<model>().run(...), see docs/jvm.md).",
        "--target c writes DIR/<model>.c, DIR/<model>.h and DIR/<model>_main.c: the model as C99 with a static",
        "memory plan (integer-only with --integer-only) and a harness that reads and writes .npy files",
        "(cc -std=c99 -O2 -ffp-contract=off -pthread DIR/<model>.c DIR/<model>_main.c -o model; see docs/c.md);",
        "--threads N makes room for N threads (model --threads N);",
        "--target vta|vta-mul writes DIR/regionNNN.zpa (an accelerator program: docs/vta-program.md) and",
        "DIR/regionNNN.lst (its listing) per accelerator region, DIR/hostNNN.qg per host region, and DIR/plan.json",
        "(the order of the regions and the tensors copied between them; docs/accel.md);",
        "--host c also writes the whole model as one C99 program that drives a VTA through its driver API:",
        "DIR/<model>.c and .h (the host regions in C, the accelerator regions' images), DIR/<model>_main.c",
        "(the .npy harness) and DIR/zp_vta_driver.h (cc -std=c99 -O2 -ffp-contract=off -pthread -I DIR",
        "DIR/<model>.c DIR/<model>_main.c -lvta; see docs/vta-program.md)."})
final class CompileCommand implements Callable<Integer> {
  /** The targets this command knows. */
  static final List<String> TARGETS = targets();

  private static List<String> targets() {
    List<String> t = new ArrayList<>(List.of("params", "jvm", "c"));
    dev.zeropoint.backends.accel.AccelTarget.all().forEach(a -> t.add(a.name()));
    return List.copyOf(t);
  }

  @Parameters(index = "0", paramLabel = "MODEL.qg|MODEL.onnx", description = "The model to compile.")
  Path model;

  @picocli.CommandLine.Mixin
  OnnxOptions onnx;

  @Option(names = "--target", paramLabel = "NAME", required = true,
      description = "What to write: params, jvm, c, or an accelerator target (vta, vta-mul).")
  String target;

  @Option(names = "--requantize", paramLabel = "pow2",
      description = "Accelerator targets: round every requantization scale to a power of two, reporting each change.")
  String requantize;

  @Option(names = "--host", paramLabel = "qg|c",
      description = "Accelerator targets: how the host regions are written: qg (a model per host region, the default) "
          + "or c (also the whole model as one C program driving VTA through its driver API).")
  String host;

  @Option(names = "-o", paramLabel = "DIR", required = true, description = "The output directory (created if missing).")
  Path outputDir;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
      description = "--target c (and --host c): the most threads <model>_run_parallel may use (the arena holds scratch for each; "
          + "default: ${DEFAULT-VALUE}).")
  int threads;

  @picocli.CommandLine.Mixin
  PipelineOptions pipeline = new PipelineOptions();

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!TARGETS.contains(target)) {
      throw new UserError("zeropoint: unknown target '" + target + "' (available: " + String.join(", ", TARGETS)
          + ")");
    }
    if (threads < 1 || threads > 1024) {
      throw new UserError("zeropoint: --threads takes 1 to 1024, not " + threads);
    }
    if (pipeline.passes == null) {
      pipeline.optimize = true; // the parameters are those of the lowered IR
    }
    Graph g = pipeline.apply(Models.load(model, onnx), model, spec.commandLine().getErr());
    var accel = dev.zeropoint.backends.accel.AccelTarget.named(target);
    if (requantize != null && (accel.isEmpty() || !requantize.equals("pow2"))) {
      throw new UserError("zeropoint: --requantize pow2 is for accelerator targets");
    }
    if (host != null && accel.isEmpty()) {
      throw new UserError("zeropoint: --host is for accelerator targets (vta, vta-mul)");
    }
    if (host != null && !host.equals("qg") && !host.equals("c")) {
      throw new UserError("zeropoint: --host takes qg or c, not '" + host + "'");
    }
    if (accel.isPresent()) {
      Graph lowered = Accel.lower(g, model, requantize != null, null, spec.commandLine().getErr());
      dev.zeropoint.backends.accel.AccelBackend.Compiled c;
      try {
        c = new dev.zeropoint.backends.accel.AccelBackend(accel.get()).programs(lowered);
      } catch (dev.zeropoint.ir.CompileException e) {
        throw new UserError(Models.render(model, e.diagnostics()));
      }
      Map<Path, byte[]> files = Accel.files(accel.get(), c, outputDir);
      if ("c".equals(host)) {
        files.putAll(Accel.cProgram(accel.get(), c, model, outputDir, threads));
      }
      write(files);
      for (Path p : files.keySet()) {
        spec.commandLine().getOut().println("wrote " + p);
      }
      spec.commandLine().getOut().print(Accel.stats(accel.get(), c));
      return 0;
    }
    if (target.equals("jvm")) {
      byte[] jar;
      try {
        jar = dev.zeropoint.backends.jvm.ModelJar.build(g);
      } catch (dev.zeropoint.ir.CompileException e) {
        throw new UserError(Models.render(model, e.diagnostics()));
      }
      Path out = outputDir.resolve(dev.zeropoint.backends.jvm.JvmBackend.javaName(g.name()) + ".jar");
      write(Map.of(out, jar));
      spec.commandLine().getOut().println("wrote " + out);
      return 0;
    }
    if (target.equals("c")) {
      dev.zeropoint.backends.c.CEmitter.Output c;
      try {
        c = dev.zeropoint.backends.c.CEmitter.emit(dev.zeropoint.backends.lowering.Lowering.pipeline(g), threads);
      } catch (dev.zeropoint.ir.CompileException e) {
        throw new UserError(Models.render(model, e.diagnostics()));
      }
      Map<Path, byte[]> files = new LinkedHashMap<>();
      files.put(outputDir.resolve(c.sourceFile()), c.source().getBytes(StandardCharsets.UTF_8));
      files.put(outputDir.resolve(c.headerFile()), c.header().getBytes(StandardCharsets.UTF_8));
      files.put(outputDir.resolve(c.harnessFile()), c.harness().getBytes(StandardCharsets.UTF_8));
      write(files);
      for (Path p : files.keySet()) {
        spec.commandLine().getOut().println("wrote " + p);
      }
      spec.commandLine().getOut().println("arena " + c.plan().size() + " bytes (one buffer per tensor: "
          + c.plan().naiveSize() + "), weights " + c.weightBytes() + " bytes");
      return 0;
    }
    List<Layers.Layer> layers = Layers.of(g, pipeline.integerOnly);
    for (Layers.Layer l : layers) {
      if (l.params().isEmpty()) {
        throw new UserError("zeropoint: " + model + ": layer %" + l.name() + " has no integer parameters in "
            + g.numerics() + " (its operand types are not ones the flavour runs in integers)");
      }
      if (l.weightData().isEmpty()) {
        throw new UserError("zeropoint: " + model + ": layer %" + l.name() + " has weights computed at run time;"
            + " the params target needs constant weights");
      }
    }
    // Both files are rendered before anything is written, so a rendering failure writes nothing.
    Map<Path, byte[]> files = new LinkedHashMap<>();
    files.put(outputDir.resolve(g.name() + ".params.json"), ParamsJson.render(g, layers).getBytes(StandardCharsets.UTF_8));
    files.put(outputDir.resolve(g.name() + ".params.h"), ParamsHeader.render(g, layers).getBytes(StandardCharsets.UTF_8));
    write(files);
    for (Path p : files.keySet()) {
      spec.commandLine().getOut().println("wrote " + p);
    }
    return 0;
  }

  private void write(Map<Path, byte[]> files) {
    OutputFiles.write(outputDir, files);
  }

}
