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
        "--threads N makes room for N threads (model --threads N)."})
final class CompileCommand implements Callable<Integer> {
  /** The targets this command knows. */
  static final List<String> TARGETS = List.of("params", "jvm", "c");

  @Parameters(index = "0", paramLabel = "MODEL.qg", description = "The model to compile.")
  Path model;

  @Option(names = "--target", paramLabel = "NAME", required = true, description = "What to write: params, jvm, c.")
  String target;

  @Option(names = "-o", paramLabel = "DIR", required = true, description = "The output directory (created if missing).")
  Path outputDir;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
      description = "--target c: the most threads <model>_run_parallel may use (the arena holds scratch for each; "
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
    Graph g = pipeline.apply(Models.load(model), model, spec.commandLine().getErr());
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

  private static void readableByAll(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its defaults apply
    }
  }

  /**
   * Writes every file to a temporary file in the directory, then moves them into place; on any
   * failure the temporary files and the files already moved are removed, so no partial output stays.
   */
  private void write(Map<Path, byte[]> files) {
    try {
      Files.createDirectories(outputDir);
    } catch (IOException e) {
      throw new UserError("zeropoint: " + outputDir + ": cannot create the output directory (" + e + ")");
    }
    List<Path> temporary = new ArrayList<>();
    List<Path> moved = new ArrayList<>();
    try {
      Map<Path, Path> staged = new LinkedHashMap<>();
      for (Map.Entry<Path, byte[]> f : files.entrySet()) {
        Path tmp = Files.createTempFile(outputDir, ".zeropoint-", ".tmp");
        temporary.add(tmp);
        Files.write(tmp, f.getValue());
        readableByAll(tmp); // a temporary file is private; the outputs are ordinary files
        staged.put(tmp, f.getKey());
      }
      for (Map.Entry<Path, Path> s : staged.entrySet()) {
        move(s.getKey(), s.getValue());
        moved.add(s.getValue());
      }
    } catch (IOException e) {
      for (Path p : temporary) {
        deleteQuietly(p);
      }
      for (Path p : moved) {
        deleteQuietly(p);
      }
      throw new UserError("zeropoint: " + outputDir + ": cannot write the output (" + e + ")");
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // Best effort: the error being reported is the one that matters.
    }
  }
}
