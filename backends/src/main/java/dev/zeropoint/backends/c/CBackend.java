package dev.zeropoint.backends.c;

import dev.zeropoint.backends.Backend;
import dev.zeropoint.backends.Executable;
import dev.zeropoint.backends.InputException;
import dev.zeropoint.backends.Inputs;
import dev.zeropoint.backends.TensorArrays;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import dev.zeropoint.runtime.Npy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --backend c}: emits the model as C ({@link CEmitter}), builds it with the system C compiler
 * into a program with the {@code .npy} harness, and runs that program on each call.
 */
public final class CBackend implements Backend {
  private final List<String> flags;
  private final int threads;

  /** Builds with the strict flags and {@code -O2}; runs on one thread. */
  public CBackend() {
    this(withOptimization(List.of()));
  }

  /** Builds with these flags (the strict ones and anything else, such as the sanitizers). */
  public CBackend(List<String> flags) {
    this(flags, 1);
  }

  /** Builds with these flags for {@code threads} threads, and runs the model on that many. */
  public CBackend(List<String> flags, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, not " + threads);
    }
    this.flags = List.copyOf(flags);
    this.threads = threads;
  }

  /** The strict flags, {@code -O2}, and {@code extra}. */
  public static List<String> withOptimization(List<String> extra) {
    List<String> f = new ArrayList<>(CCompiler.STRICT);
    f.add("-O2");
    f.addAll(extra);
    return f;
  }

  @Override
  public String name() {
    return "c";
  }

  @Override
  public Executable prepare(Graph graph) throws CompileException {
    Graph g = Lowering.pipeline(graph);
    CEmitter.Output out = CEmitter.emit(g, threads);
    Path dir;
    try {
      dir = Files.createTempDirectory("zeropoint-c");
    } catch (IOException e) {
      throw new CompileException(SourceLocation.UNKNOWN, "cannot create a temporary directory: " + e.getMessage());
    }
    deleteOnExit(dir);
    Path exe = dir.resolve(out.name());
    try {
      write(out, dir);
      List<String> all = new ArrayList<>(flags);
      all.add("-pthread"); // the harness's thread pool
      CCompiler.require().build(List.of(dir.resolve(out.sourceFile()), dir.resolve(out.harnessFile())), exe, all);
    } catch (IOException e) {
      throw new CompileException(SourceLocation.UNKNOWN, "cannot write the C files: " + e.getMessage());
    } catch (CToolException e) {
      throw new CompileException(SourceLocation.UNKNOWN, e.getMessage());
    }
    return inputs -> run(g, exe, inputs, threads);
  }

  /** Writes the model's three files into {@code dir}. */
  public static void write(CEmitter.Output out, Path dir) throws IOException {
    Files.writeString(dir.resolve(out.sourceFile()), out.source());
    Files.writeString(dir.resolve(out.headerFile()), out.header());
    Files.writeString(dir.resolve(out.harnessFile()), out.harness());
  }

  private static LinkedHashMap<String, TensorData> run(Graph graph, Path exe, Map<String, TensorData> inputs,
      int threads) throws InputException {
    return runHarness(graph, exe, inputs, List.of("--threads", Integer.toString(threads)), Map.of());
  }

  /**
   * Runs a program built with a harness of this backend ({@code <model>_main.c}) on the inputs (written as
   * {@code .npy} files in a temporary directory, with the outputs), with these more arguments and these environment
   * variables: the outputs. A program that fails is an IllegalStateException with its output.
   */
  public static LinkedHashMap<String, TensorData> runHarness(Graph graph, Path exe, Map<String, TensorData> inputs,
      List<String> arguments, Map<String, String> env) throws InputException {
    Inputs.check(graph, inputs);
    Path dir = null;
    try {
      dir = Files.createTempDirectory(exe.getParent(), "run");
      List<String> cmd = new ArrayList<>(List.of(exe.toString()));
      for (int i = 0; i < graph.inputs().size(); i++) {
        Value v = graph.inputs().get(i);
        Path f = dir.resolve("in" + i + ".npy");
        writeNpy(f, inputs.get(v.name()), v.type().elementType());
        cmd.add("--input");
        cmd.add(v.name() + "=" + f);
      }
      Path outDir = dir.resolve("out");
      Files.createDirectories(outDir);
      cmd.add("--output-dir");
      cmd.add(outDir.toString());
      cmd.addAll(arguments);
      CCompiler.run(cmd, dir, 3600, env);
      LinkedHashMap<String, TensorData> result = new LinkedHashMap<>();
      for (Graph.Output o : graph.outputs()) {
        Npy.Array a = Npy.read(outDir.resolve(o.name() + ".npy"));
        result.put(o.name(), TensorArrays.fromArray(a.data(), o.value().type().elementType(), o.value().type().shape()));
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (CToolException e) {
      throw new IllegalStateException("the compiled model failed: " + e.getMessage());
    } finally {
      if (dir != null) {
        delete(dir);
      }
    }
  }

  private static void writeNpy(Path f, TensorData d, ElementType e) throws IOException {
    int[] shape = new int[d.shape().rank()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = d.shape().dim(i);
    }
    Npy.write(f, e.keyword(), shape, TensorArrays.toArray(d, e));
  }

  private static void deleteOnExit(Path dir) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
  }

  /** Deletes a directory and everything in it (temporary files; failures ignored). */
  public static void delete(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }
}
