package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.backends.jvm.ModelJar;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.lower.IntegerOnly;
import dev.zeropoint.runtime.Constants;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A jar from {@code compile --target jvm} runs in a separate JVM with nothing but the jar on its
 * class path, and writes PyTorch's own output (the example's expected .npy, byte for byte).
 */
class JvmJarTest {
  @TempDir
  Path dir;

  private static final Path EXAMPLES = Path.of("..", "examples");

  @Test
  void compiledJarRunsAloneAndGivesPyTorchsBytes() throws Exception {
    for (String name : List.of("conv_bn_relu_x3", "tutorial_conv_relu", "two_linear")) {
      Graph g = ModelParser.create().parse(EXAMPLES.resolve(name + ".qg"));
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(g, PassContext.forTests());
      Path jar = dir.resolve(name + ".jar");
      Files.write(jar, ModelJar.build(optimized));
      if (name.startsWith("conv")) {
        try (JarFile f = new JarFile(jar.toFile())) {
          assertTrue(f.getEntry("dev/zeropoint/runtime/kernels/VectorF32MicroKernel.class") != null,
              "the jar lacks the vector micro-kernel");
        }
      }
      // Without the vector module (plain loops) and with it (the vector micro-kernel).
      for (boolean vector : new boolean[] {false, true}) {
        Path out = dir.resolve(name + "-out-" + vector);
        runAlone(jar, ModelJar.className(optimized), vector, "--input", "x=" + EXAMPLES.resolve(name + ".x.npy"),
            "--output-dir", out.toString());
        String output = optimized.outputs().get(0).name();
        assertArrayEquals(Files.readAllBytes(EXAMPLES.resolve(name + ".expected.npy")),
            Files.readAllBytes(out.resolve(output + ".npy")), name + ": the jar's output is not PyTorch's");
      }
    }
  }

  @Test
  void jarHoldsConvolutionWeightsOnlyLaidOutForTheirKernels() throws Exception {
    Graph g = ModelParser.create().parse(EXAMPLES.resolve("conv_bn_relu_x3.qg"));
    Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(g, PassContext.forTests());
    Path jar = dir.resolve("weights.jar");
    Files.write(jar, ModelJar.build(optimized));
    Object[] constants;
    try (JarFile f = new JarFile(jar.toFile())) {
      String name = ModelJar.className(optimized).replace('.', '/');
      constants = Constants.read(f.getInputStream(f.getEntry(name.substring(0, name.lastIndexOf('/') + 1)
          + Constants.resourceName(name.substring(name.lastIndexOf('/') + 1)))));
    }
    // The convolutions' weight tensors as the graph holds them: each kernel reads its own layout,
    // so no constant of the jar is one of them (they were stored twice, doubling the jar).
    Graph lowered = Lowering.pipeline(optimized);
    List<int[]> raw = lowered.nodes().stream().filter(n -> n.op() == Op.CONV2D_ACC)
        .map(n -> n.operand(1).producer().attrs()).map(a -> ((Attrs.Const) a).data())
        .map(d -> java.util.stream.LongStream.range(0, d.size()).mapToInt(i -> (int) d.getLong(i)).toArray())
        .toList();
    assertEquals(3, raw.size());
    for (int[] w : raw) {
      assertTrue(java.util.Arrays.stream(constants).noneMatch(c -> c instanceof int[] a && java.util.Arrays.equals(a, w)),
          "the jar holds a convolution's weights as the graph has them");
    }
  }

  @Test
  void integerOnlyJarHoldsNoFloatKernelAndRunsAlone() throws Exception {
    Graph g = ModelParser.create().parse(EXAMPLES.resolve("conv_bn_relu_x3.qg"));
    Graph integer = IntegerOnly.finish(PassManager.defaultPipeline(PassRegistry.load()).run(g,
        JvmBackendTest.integerContext()));
    Path jar = dir.resolve("int.jar");
    Files.write(jar, ModelJar.build(integer));
    try (JarFile f = new JarFile(jar.toFile())) {
      // The runtime classes are only those the model reaches: no quantize kernel, no interpreter, no IR,
      // and the convolutions' int32 product, not the float32 one.
      assertTrue(f.stream().noneMatch(e -> e.getName().startsWith("dev/zeropoint/backends/")
          || e.getName().equals("dev/zeropoint/ir/Graph.class")), "the jar holds compiler classes");
      assertTrue(f.getEntry("dev/zeropoint/runtime/kernels/VectorMicroKernel.class") != null,
          "the jar lacks the int32 vector micro-kernel");
      assertTrue(f.stream().noneMatch(e -> e.getName().contains("F32")), "the integer-only jar holds float32 kernels");
    }
    // A run without inputs is a one-line error with status 1, not a stack trace.
    Process p = start(jar, ModelJar.className(integer), false, "--output-dir", dir.resolve("o").toString());
    String err = new String(p.getErrorStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue(), err);
    assertTrue(err.startsWith("error: missing --input ") && err.lines().count() == 1, err);
  }

  /**
   * java -cp JAR CLASS ARGS with the java running this test (a JDK >= 21) and nothing else; with
   * {@code --add-modules jdk.incubator.vector} when {@code vector}.
   */
  private static void runAlone(Path jar, String mainClass, boolean vector, String... args) throws Exception {
    Process p = start(jar, mainClass, vector, args);
    String err = new String(p.getErrorStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the jar did not finish");
    assertEquals(0, p.exitValue(), err);
  }

  private static Process start(Path jar, String mainClass, boolean vector, String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new java.util.ArrayList<>(List.of(java));
    if (vector) {
      command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
    }
    command.addAll(List.of("-cp", jar.toString(), mainClass));
    command.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    b.environment().remove("CLASSPATH");
    return b.start();
  }
}
