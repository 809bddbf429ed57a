package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zeropoint.backends.Executable;
import dev.zeropoint.backends.c.CBackend;
import dev.zeropoint.backends.c.CCompiler;
import dev.zeropoint.backends.c.CEmitter;
import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.lower.IntegerOnly;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The c backend computes the interpreter's outputs to the bit on every golden model (after {@code
 * -O} and after {@code -O --integer-only}), every pass test graph and seeded random models, each
 * built with {@code -std=c99 -Wall -Wextra -Werror -pedantic} and run under AddressSanitizer and
 * UndefinedBehaviorSanitizer.
 */
class CBackendTest {
  /** Golden models (of both pipelines) the backend must run today; raise it as ops are added. */
  static final int MIN_GOLDEN_RUNS = 174;

  static final CBackend SANITIZED = new CBackend(sanitizerFlags());

  /**
   * Built for three threads and for AVX2 (-march=x86-64-v3: the kernels' vector paths, which the
   * sanitized runs above, built for no particular CPU, leave to the kernel tests), run on three,
   * under ThreadSanitizer.
   */
  static final CBackend THREADED = new CBackend(threadSanitizerFlags(), 3);

  static List<String> threadSanitizerFlags() {
    List<String> f = new ArrayList<>(CCompiler.STRICT);
    f.add("-O1");
    if (hostHasAvx2()) {
      f.add("-march=x86-64-v3");
    }
    f.addAll(List.of("-fsanitize=thread", "-fno-sanitize-recover=all"));
    return f;
  }

  /** Whether this machine runs AVX2 code (Linux's /proc/cpuinfo says so). */
  static boolean hostHasAvx2() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/cpuinfo")).matches("(?s).*\\bavx2\\b.*");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  static List<String> sanitizerFlags() {
    List<String> f = new ArrayList<>(CCompiler.STRICT);
    f.add("-O1");
    f.addAll(CCompiler.SANITIZE);
    return f;
  }

  @Test
  void goldenModelsMatchTheInterpreterUnderTheSanitizers() throws Exception {
    List<BackendRuns.Run> jobs = BackendRuns.golden();
    Result r = runAll(jobs);
    System.out.println("c backend: " + r.ran + " golden runs exact; not run yet: " + summary(r.unsupported));
    assertEquals(List.of(), r.unsupported, "golden models the c backend does not run");
    assertTrue(r.ran >= MIN_GOLDEN_RUNS, "the c backend ran only " + r.ran + " golden models");
  }

  /**
   * Every golden model with a parallel loop (after -O and after --integer-only), built for three
   * threads and AVX2 and run on three by the harness's POSIX thread pool under ThreadSanitizer,
   * computes the interpreter's outputs: the parts of a loop write disjoint outputs and use their
   * own scratch, and the vector paths compute what the plain loops do.
   */
  @Test
  void goldenModelsMatchOnThreeThreadsUnderThreadSanitizer() throws Exception {
    List<BackendRuns.Run> jobs = new ArrayList<>();
    int winograd = 0;
    for (BackendRuns.Run j : BackendRuns.golden()) {
      try {
        String source = CEmitter.emit(dev.zeropoint.backends.lowering.Lowering.pipeline(j.graph()), 3).source();
        winograd += source.contains(CEmitter.WINOGRAD_MARK) ? 1 : 0;
        if (source.contains("zp_for(")) {
          jobs.add(j);
        }
      } catch (CompileException e) {
        // counted as unsupported by the single-thread test
      }
    }
    Result r = runAll(jobs, THREADED);
    System.out.println("c backend: " + r.ran + " golden runs with parallel loops exact on 3 threads (AVX2: "
        + hostHasAvx2() + ")");
    assertEquals(List.of(), r.unsupported);
    assertTrue(r.ran >= 50, "only " + r.ran + " golden runs have a parallel loop");
    // the 3 x 3 stride-1 convolutions of the torchvision models (ResNet-18 at least) run as Winograd
    System.out.println("c backend: " + winograd + " golden runs with a Winograd convolution");
    assertTrue(winograd >= 2, "only " + winograd + " golden runs use Winograd");
  }

  @Test
  void randomModelsMatchTheInterpreterUnderTheSanitizers() throws Exception {
    List<BackendRuns.Run> jobs = new ArrayList<>();
    for (int seed = 0; seed < 60; seed++) {
      RandomModels.Case c = new RandomModels(seed).next("random_" + seed);
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(c.graph(), PassContext.forTests());
      jobs.add(new BackendRuns.Run("random " + seed + " -O", optimized, Map.of("x", c.input())));
    }
    Result r = runAll(jobs);
    System.out.println("c backend: " + r.ran + " random models exact; not run yet: " + summary(r.unsupported));
    assertEquals(List.of(), r.unsupported, "random models the c backend does not run");
  }

  @Test
  void passTestGraphsMatchTheInterpreterUnderTheSanitizers() throws Exception {
    List<BackendRuns.Run> jobs = BackendRuns.passGraphs();
    Result r = runAll(jobs);
    System.out.println("c backend: " + r.ran + " pass test graphs exact; not run yet: " + summary(r.unsupported));
    assertEquals(List.of(), r.unsupported, "pass test graphs the c backend does not run");
    assertTrue(r.ran >= 100, "only " + r.ran + " pass test graphs ran");
  }

  /** Integer-only golden models the no-float check must have seen; raise it as ops are added. */
  static final int MIN_INTEGER_ONLY = 87;

  /**
   * Integer-only golden models become C with no float or double: not in the source (no keyword, no
   * floating constant) and not in the object file (no float symbol, no float instruction).
   */
  @Test
  void integerOnlyModelsHaveNoFloatingPoint() throws Exception {
    CCompiler cc = CCompiler.find().orElse(null);
    assumeTrue(cc != null, "no C compiler (scripts/install-test-deps.sh installs gcc)");
    List<String> unsupported = Collections.synchronizedList(new ArrayList<>());
    Path dir = java.nio.file.Files.createTempDirectory("zeropoint-nofloat");
    List<String> flags = new ArrayList<>(CCompiler.STRICT);
    flags.addAll(List.of("-O2", "-march=x86-64-v3"));
    try {
      List<java.util.concurrent.Callable<Path>> jobs = new ArrayList<>();
      for (Path golden : GoldenTest.cases()) {
        jobs.add(() -> checkNoFloat(golden, cc, flags, dir, unsupported));
      }
      List<Path> checkedModels = Concurrently.run(jobs).stream().filter(java.util.Objects::nonNull).toList();
      int checked = checkedModels.size();
      System.out.println("c backend: " + checked + " integer-only golden models have no floating point; not run yet: "
          + unsupported.size());
      assertTrue(checked >= MIN_INTEGER_ONLY, "only " + checked + " integer-only golden models were checked");
      // The check can fail: the first such model after -O alone (float quantize and dequantize) has float code.
      Path first = checkedModels.get(0);
      JsonNode spec = new ObjectMapper().readTree(first.resolve("case.json").toFile());
      Graph withFloat = PassManager.defaultPipeline(PassRegistry.load()).run(
          ModelParser.create().parse(first.resolve(spec.get("model").asText())), PassContext.forTests());
      CEmitter.Output f = CEmitter.emit(dev.zeropoint.backends.lowering.Lowering.pipeline(withFloat));
      assertTrue(f.usesFloat(), first.getFileName() + " -O: the float model's source should use float");
      Path fdir = dir.resolve("float");
      java.nio.file.Files.createDirectories(fdir);
      CBackend.write(f, fdir);
      cc.compileObject(fdir.resolve(f.sourceFile()), fdir.resolve("f.o"), flags);
      assertFalse(floatInstruction(fdir.resolve("f.o"), fdir).isEmpty(), "no float instruction found in "
          + first.getFileName() + " -O");
    } finally {
      try (var files = java.nio.file.Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Checks that a golden model made integer-only has no floating point in its C source or object
   * file (built in a directory of its own under {@code dir}); returns the golden's directory, or
   * null when the model is not checked (a float model, or one the passes do not make integer-only).
   */
  private static Path checkNoFloat(Path golden, CCompiler cc, List<String> flags, Path dir, List<String> unsupported)
      throws Exception {
    JsonNode spec = new ObjectMapper().readTree(golden.resolve("case.json").toFile());
    Graph parsed = ModelParser.create().parse(golden.resolve(spec.get("model").asText()));
    Graph integer;
    try {
      integer = IntegerOnly.finish(PassManager.defaultPipeline(PassRegistry.load()).run(parsed,
          JvmBackendTest.integerContext()));
    } catch (CompileException e) {
      return null;
    }
    if (hasFloatValues(integer)) {
      return null; // a float model: nothing to make integer
    }
    CEmitter.Output out;
    try {
      out = CEmitter.emit(dev.zeropoint.backends.lowering.Lowering.pipeline(integer));
    } catch (CompileException e) {
      unsupported.add(golden.getFileName() + ": " + e.getMessage());
      return null;
    }
    String what = golden.getFileName() + " --integer-only";
    assertFalse(out.usesFloat(), what + ": the C source uses floating point");
    assertFalse(dev.zeropoint.backends.c.CSource.mentionsFloat(out.header()), what + ": the header");
    Path own = java.nio.file.Files.createDirectories(dir.resolve(golden.getFileName().toString()));
    CBackend.write(out, own);
    Path object = own.resolve(out.name() + ".o");
    cc.compileObject(own.resolve(out.sourceFile()), object, flags);
    String symbols = CCompiler.run(List.of("nm", object.toString()), own, 60);
    for (String line : symbols.split("\n")) {
      String[] parts = line.trim().split("\\s+");
      String symbol = parts[parts.length - 1];
      if (line.trim().startsWith("U ")) {
        assertTrue(Set.of("memcpy", "memset", "memmove").contains(symbol), what + ": calls " + symbol);
      }
      assertFalse(symbol.matches("__\\w*(float|fix|[sdtx]f\\d?)\\w*"),
          what + ": the object file uses the float helper " + symbol);
    }
    String instruction = floatInstruction(object, own);
    assertEquals("", instruction, what + ": the object file has the float instruction " + instruction);
    return golden;
  }

  /**
   * Elements equal bit for bit, except that any NaN equals any NaN: neither Java nor C fixes the
   * sign or payload of a NaN an operation makes (HotSpot's sqrtss gives x86's negative default NaN).
   */
  static int countEqual(TensorData expected, TensorData actual) {
    int equal = 0;
    for (long i = 0; i < expected.size(); i++) {
      boolean nan = expected.elementType() == dev.zeropoint.ir.ElementType.F32
          && Float.isNaN(Float.intBitsToFloat((int) expected.getRawBits(i)))
          && Float.isNaN(Float.intBitsToFloat((int) actual.getRawBits(i)));
      if (nan || expected.getRawBits(i) == actual.getRawBits(i)) {
        equal++;
      }
    }
    return equal;
  }

  /** The first floating-point instruction of an object file, or "" when it has none. */
  static String floatInstruction(Path object, Path dir) throws Exception {
    String code = CCompiler.run(List.of("objdump", "-d", "--no-show-raw-insn", object.toString()), dir, 60);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "\\b(v?(add|sub|mul|div|min|max|sqrt|rcp|rsqrt|round)(ss|sd|ps|pd)|v?cvt\\w+|v?u?comis[sd]|vfn?m(add|sub)\\w+)\\b")
        .matcher(code);
    return m.find() ? m.group() : "";
  }

  /** How many did not run, and the distinct reasons. */
  static String summary(List<String> unsupported) {
    return unsupported.size() + " " + new java.util.TreeSet<>(unsupported.stream().map(u -> u.replaceAll(".*: ", ""))
        .toList());
  }

  static boolean hasFloatValues(Graph g) {
    if (g.inputs().stream().anyMatch(v -> v.type().elementType().isFloat())) {
      return true;
    }
    return g.nodes().stream().flatMap(n -> n.results().stream()).anyMatch(v -> v.type().elementType().isFloat());
  }

  record Result(int ran, List<String> unsupported) {}

  /** Runs the jobs two at a time; fails on the first output that differs from the interpreter's. */
  static Result runAll(List<BackendRuns.Run> jobs) throws Exception {
    return runAll(jobs, SANITIZED);
  }

  /** Runs the jobs two at a time on this backend; fails on the first output that differs. */
  static Result runAll(List<BackendRuns.Run> jobs, CBackend backend) throws Exception {
    assumeTrue(CCompiler.find().isPresent(), "no C compiler (scripts/install-test-deps.sh installs gcc)");
    List<String> unsupported = Collections.synchronizedList(new ArrayList<>());
    List<java.util.concurrent.Callable<Integer>> runs = new ArrayList<>();
    for (BackendRuns.Run j : jobs) {
      runs.add(() -> compare(j, unsupported, backend));
    }
    int ran = Concurrently.run(runs).stream().mapToInt(Integer::intValue).sum();
    return new Result(ran, List.copyOf(unsupported));
  }

  /** 1 when the model ran on both and matched; 0 when the backend does not run one of its ops yet. */
  static int compare(BackendRuns.Run j, List<String> unsupported) throws Exception {
    return compare(j, unsupported, SANITIZED);
  }

  static int compare(BackendRuns.Run j, List<String> unsupported, CBackend backend) throws Exception {
    Executable executable;
    try {
      executable = backend.prepare(j.graph());
    } catch (CompileException e) {
      if (e.getMessage().contains("does not run")) {
        unsupported.add(j.what() + ": " + e.diagnostics().get(0).message().replaceAll(" %.*", ""));
        return 0;
      }
      throw new AssertionError(j.what() + ": " + e.getMessage(), e);
    }
    Map<String, TensorData> expected = new Interpreter().prepare(j.graph()).run(j.inputs());
    Map<String, TensorData> actual = executable.run(j.inputs());
    for (String name : expected.keySet()) {
      TensorData e = expected.get(name);
      TensorData a = actual.get(name);
      assertEquals(e.elementType(), a.elementType(), j.what() + " " + name);
      assertEquals(e.shape(), a.shape(), j.what() + " " + name);
      assertEquals(e.size(), countEqual(e, a), () -> j.what() + ": output " + name + " differs");
    }
    return 1;
  }

  @Test
  void aQuantizedClampRuns() throws Exception {
    Graph g = ModelParser.create().parse("clampy", """
        model clampy numerics(pytorch-qnnpack) {
          input %x : qu8<0.1:10>[2, 3]
          %r = relu(%x) : qu8<0.1:10>[2, 3]
          %s = reshape(%r) {shape = [3, 2]} : qu8<0.1:10>[3, 2]
          %h = hardtanh(%s) {min = 0.0, max = 1.0} : qu8<0.1:10>[3, 2]
          output out = %h
          output same = %r
        }
        """, Path.of("."));
    Map<String, TensorData> in = Map.of("x", TensorData.ofLongs(dev.zeropoint.ir.ElementType.U8,
        dev.zeropoint.ir.Shape.of(2, 3), 0, 9, 10, 11, 20, 255));
    assertEquals(1, compare(new BackendRuns.Run("clampy", g, in), new ArrayList<>()));
    CEmitter.Output out = CEmitter.emit(g);
    assertFalse(out.usesFloat(), out.source());
  }
}
