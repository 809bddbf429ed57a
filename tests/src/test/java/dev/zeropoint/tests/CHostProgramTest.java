package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zeropoint.backends.accel.AccelBackend;
import dev.zeropoint.backends.accel.AccelTarget;
import dev.zeropoint.backends.accel.CHostProgram;
import dev.zeropoint.backends.accel.Pow2Requantization;
import dev.zeropoint.backends.c.CBackend;
import dev.zeropoint.backends.c.CCompiler;
import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code compile --target vta|vta-mul --host c}: the C program ({@link CHostProgram}) computes the interpreter's
 * outputs, and the Java accelerator backend's, to the bit. Each program is built with the strict flags against a fake
 * VTA driver ({@code src/test/resources/vta/fake_vta.c}: host memory at fake nonzero physical addresses, device
 * memory of its own that only the cache operations move bytes to and from, {@code VTADeviceRun} on the Java
 * simulator through {@link FakeVtaDevice}), and run twice in one process ({@code --repeat 2}: the second run reuses
 * the relocated images), the outputs being the second run's. Every image the device runs, before and after, is the
 * Java backend's byte for byte, but for the relocated instructions: the inputs packed as {@code TiledTensor} packs
 * them, the activation arena restored from the template on every call (the second run would otherwise start from
 * the first run's intermediate tensors).
 */
class CHostProgramTest {
  static final Path FAKE_VTA = Path.of("src/test/resources/vta/fake_vta.c");

  /**
   * Golden models: with several accelerator and host regions (conv_pool_linear 2 + 3, fx_conv_add_cat 3 + 4,
   * squeeze_excite 2 + 3, two_inputs_two_outputs 3 + 4: two inputs, two outputs, NHWC host inputs), a residual block
   * in one region, depthwise and grouped convolutions, linear layers (the rows layout), and integer-only graphs whose
   * inputs go to the accelerator directly.
   */
  static final List<String> MODELS = List.of("conv_pool_linear -O", "fx_conv_add_cat -O", "squeeze_excite -O",
      "two_inputs_two_outputs -O", "residual_block -O", "conv2d_depthwise -O", "conv2d_groups -O",
      "example_two_linear -O", "conv_pool_linear -O --integer-only", "conv2d_per_channel -O --integer-only");

  private static List<BackendRuns.Run> runs;

  @TempDir
  Path dir;

  static synchronized List<BackendRuns.Run> runs() throws Exception {
    if (runs == null) {
      runs = new ArrayList<>();
      for (BackendRuns.Run r : BackendRuns.golden()) {
        if (MODELS.contains(r.what())) {
          runs.add(r);
        }
      }
      assertEquals(MODELS.size(), runs.size(), "golden runs found: " + runs.stream().map(BackendRuns.Run::what).toList());
    }
    return runs;
  }

  /** The graph a target runs: on vta (no multiplier) the scales rounded to powers of two. */
  static Graph forTarget(Graph g, String target) throws Exception {
    Graph lowered = Lowering.pipeline(g);
    return target.equals("vta") ? Pow2Requantization.apply(lowered).graph() : lowered;
  }

  /**
   * Every model on the target: the C program's outputs equal the interpreter's and the Java backend's. On vta the
   * programs are built with AddressSanitizer and UndefinedBehaviorSanitizer, on vta-mul with -O2 and for two threads
   * (run on two).
   */
  @ParameterizedTest
  @ValueSource(strings = {"vta", "vta-mul"})
  void goldenModelsMatchTheInterpreterAndTheJavaBackend(String target) throws Exception {
    CCompiler cc = compiler();
    boolean sanitize = target.equals("vta");
    int threads = sanitize ? 1 : 2;
    List<String> failures = new ArrayList<>();
    int multiRegion = 0;
    for (BackendRuns.Run run : runs()) {
      Graph g = forTarget(run.graph(), target);
      Map<String, TensorData> expected = new Interpreter().prepare(g).run(run.inputs());
      AccelBackend backend = new AccelBackend(AccelTarget.named(target).orElseThrow());
      AccelBackend.Compiled prepared = backend.prepare(g);
      prepared.keepImages(true);
      Map<String, TensorData> onJava = prepared.run(run.inputs());
      AccelBackend.Compiled c = backend.programs(g);
      int accel = c.programs().size();
      if (accel >= 2 && c.partition().regions().size() - accel >= 2) {
        multiRegion++;
      }
      Path work = Files.createDirectories(dir.resolve(target + "-" + run.what().replaceAll("[^A-Za-z0-9_]+", "_")));
      Path log = work.resolve("fake-vta.log");
      Path images = Files.createDirectories(work.resolve("images"));
      Map<String, TensorData> actual;
      try {
        Path exe = build(cc, CHostProgram.emit(c, AccelTarget.named(target).orElseThrow().description(), threads), work,
            sanitize);
        actual = CBackend.runHarness(g, exe, run.inputs(), List.of("--repeat", "2", "--threads",
            Integer.toString(threads)), env(target, Map.of("ZP_FAKE_VTA_LOG", log.toString(), "ZP_FAKE_VTA_SAVE",
                images.toString())));
      } catch (Exception e) {
        failures.add(run.what() + ": " + e.getMessage());
        continue;
      }
      for (var e : expected.entrySet()) {
        if (!e.getValue().contentEquals(onJava.get(e.getKey()))) {
          failures.add(run.what() + ": the Java backend's output " + e.getKey() + " differs from the interpreter's");
        }
        if (!e.getValue().contentEquals(actual.get(e.getKey()))) {
          failures.add(run.what() + ": the C program's output " + e.getKey() + " differs");
        }
      }
      for (int call = 0; call < 2 * accel; call++) {
        int insns = c.programs().get(call % accel).insnOffset();
        for (int after = 0; after < 2; after++) {
          byte[] cImage = Files.readAllBytes(images.resolve(String.format(after == 0 ? "%03d.bin" : "%03d.after.bin",
              call)));
          byte[] javaImage = prepared.images().get(call % accel)[after];
          int differ = java.util.Arrays.mismatch(cImage, 0, insns, javaImage, 0, insns);
          if (cImage.length != javaImage.length || differ >= 0) {
            failures.add(run.what() + ": call " + call + (after == 0 ? ", before" : ", after") + " the run: the image "
                + "differs from the Java backend's at byte " + differ + " (the instructions start at " + insns + ")");
          }
        }
      }
      // Two runs of every region, each image allocated once and freed by the teardown.
      String counts = "fake VTA: " + 2 * accel + " runs, " + accel + " buffers allocated and freed, " + 3 * accel
          + " flushes, " + 2 * accel + " invalidates\n";
      if (!counts.equals(Files.readString(log))) {
        failures.add(run.what() + ": the fake driver counted \"" + Files.readString(log).strip() + "\", not \""
            + counts.strip() + "\"");
      }
    }
    failures.forEach(System.out::println);
    assertEquals(List.of(), failures, target);
    assertTrue(multiRegion >= 4, multiRegion + " models with several accelerator and host regions");
  }

  /**
   * An image at a physical address that is not a multiple of its elements' size (the fake driver's addresses moved
   * by 16 bytes: weight tiles are 256) stops the program before any run, with one line naming the problem.
   */
  @Test
  void anUnalignedImageIsAnErrorBeforeAnyRun() throws Exception {
    CCompiler cc = compiler();
    BackendRuns.Run run = runs().get(0);
    Graph g = forTarget(run.graph(), "vta-mul");
    AccelBackend.Compiled c = new AccelBackend(AccelTarget.named("vta-mul").orElseThrow()).programs(g);
    Path exe = build(cc, CHostProgram.emit(c, AccelTarget.named("vta-mul").orElseThrow().description(), 1), dir, false);
    Path log = dir.resolve("fake-vta.log");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> CBackend.runHarness(g, exe,
        run.inputs(), List.of(), env("vta-mul", Map.of("ZP_FAKE_VTA_MISALIGN", "1", "ZP_FAKE_VTA_LOG",
            log.toString()))));
    assertTrue(e.getMessage().matches("(?s).*\\(exit status 1\\):\\n\\S+: error: cannot start the model: "
        + "VTAMemGetPhyAddr gave an image an address that is not a multiple of the size of the elements its "
        + "instructions address"), e.getMessage());
    assertEquals("fake VTA: 0 runs, 1 buffers allocated and freed, 0 flushes, 0 invalidates\n", Files.readString(log));
  }

  static CCompiler compiler() {
    CCompiler cc = CCompiler.find().orElse(null);
    assumeTrue(cc != null, "no C compiler (scripts/install-test-deps.sh installs gcc)");
    return cc;
  }

  /** Writes the program's files into {@code work} and builds them with the fake driver. */
  static Path build(CCompiler cc, CHostProgram.Output p, Path work, boolean sanitize) throws Exception {
    Files.writeString(work.resolve(p.sourceFile()), p.source(), StandardCharsets.UTF_8);
    Files.writeString(work.resolve(p.headerFile()), p.header(), StandardCharsets.UTF_8);
    Files.writeString(work.resolve(p.harnessFile()), p.harness(), StandardCharsets.UTF_8);
    Files.writeString(work.resolve(CHostProgram.DRIVER_HEADER), p.driverHeader(), StandardCharsets.UTF_8);
    List<String> flags = new ArrayList<>(CCompiler.STRICT);
    flags.add(sanitize ? "-O1" : "-O2");
    if (sanitize) {
      flags.addAll(CCompiler.SANITIZE);
    }
    flags.addAll(List.of("-pthread", "-I" + work));
    Path exe = work.resolve(p.name());
    cc.build(List.of(work.resolve(p.sourceFile()), work.resolve(p.harnessFile()), FAKE_VTA.toAbsolutePath()), exe,
        flags);
    return exe;
  }

  /** The fake driver's environment: the JVM and class path of {@link FakeVtaDevice}, the target, and more. */
  static Map<String, String> env(String target, Map<String, String> more) {
    Map<String, String> env = new java.util.HashMap<>(more);
    env.put("ZP_FAKE_VTA_JAVA", ProcessHandle.current().info().command().orElse("java"));
    env.put("CLASSPATH", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    env.put("ZP_FAKE_VTA_TARGET", target);
    return env;
  }
}
