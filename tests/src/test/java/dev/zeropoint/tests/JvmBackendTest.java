package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.backends.jvm.JvmBackend;
import dev.zeropoint.backends.jvm.JvmCompiler;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Printer;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * The jvm backend computes the interpreter's outputs to the bit, on the golden models after
 * {@code -O} and after {@code -O --integer-only}, and on seeded random models; every generated class
 * passes ASM's verifier. Every golden and random model must run.
 */
class JvmBackendTest {
  /** Golden models (of both pipelines) the backend must run today; raise it as ops are added. */
  static final int MIN_GOLDEN_RUNS = 174;

  @Test
  void goldenModelsMatchTheInterpreterBitForBit() throws Exception {
    int ran = 0;
    List<String> unsupported = new ArrayList<>();
    for (BackendRuns.Run r : BackendRuns.golden()) {
      ran += compare(r.what(), r.graph(), r.inputs(), unsupported);
    }
    System.out.println("jvm backend: " + ran + " golden runs exact; not run yet: " + unsupported.size() + " "
        + unsupported);
    assertEquals(List.of(), unsupported, "golden models the jvm backend does not run");
    assertTrue(ran >= MIN_GOLDEN_RUNS, "the jvm backend ran only " + ran + " golden models");
  }

  /**
   * An integer-only model's convolutions run the int32 product ({@code Gemm}) and its depthwise ones
   * the int32 depthwise kernel, never the float32 kernels ({@code GemmF32}, {@code
   * Depthwise.conv2d} and {@code conv2dRequantize}); the
   * golden models after -O (not integer-only) run the float32 product, most with their
   * requantization fused into it, and their depthwise convolutions the float32 depthwise kernel, so
   * the exactness tests above cover all of them.
   */
  @Test
  void integerOnlyModelsRunTheInt32ProductOthersTheFloat32One() throws Exception {
    int integerOnly = 0;
    int integerOnlyDepthwise = 0;
    int f32 = 0;
    int fused = 0;
    int depthwise = 0;
    int winograd = 0;
    for (BackendRuns.Run r : BackendRuns.golden()) {
      Set<String> calls = kernelCalls(JvmCompiler.compile(dev.zeropoint.backends.lowering.Lowering.pipeline(r.graph()),
          "models.Checked").bytes());
      if (r.what().endsWith("--integer-only")) {
        assertTrue(calls.stream().noneMatch(c -> c.startsWith("GemmF32.") || c.startsWith("Winograd.")
            || c.equals("Depthwise.conv2d")
            || c.equals("Depthwise.conv2dRequantize")), r.what() + " calls " + calls);
        integerOnly += calls.contains("Gemm.conv2d") ? 1 : 0;
        integerOnlyDepthwise += calls.contains("Depthwise.conv2dInt32") ? 1 : 0;
      } else {
        f32 += calls.contains("GemmF32.conv2d") || calls.contains("GemmF32.conv2dRequantize") ? 1 : 0;
        fused += calls.contains("GemmF32.conv2dRequantize") ? 1 : 0;
        depthwise += calls.contains("Depthwise.conv2d") || calls.contains("Depthwise.conv2dRequantize") ? 1 : 0;
        winograd += calls.contains("Winograd.conv2d") || calls.contains("Winograd.conv2dRequantize") ? 1 : 0;
      }
    }
    System.out.println("jvm backend: the int32 product in " + integerOnly + " integer-only golden models, the float32 one"
        + " in " + f32 + " others (" + fused + " with the requantization fused); the float32 depthwise kernel in "
        + depthwise + " (the int32 one in " + integerOnlyDepthwise + " integer-only ones); Winograd in " + winograd);
    assertTrue(integerOnly >= 10 && f32 >= 10 && fused >= 10 && depthwise >= 1 && integerOnlyDepthwise >= 1
        && winograd >= 2, integerOnly + " integer-only, " + f32 + " float32, " + fused + " fused, " + depthwise
        + " depthwise, " + integerOnlyDepthwise + " int32 depthwise, " + winograd + " Winograd");
  }

  /** An integer input outside its element type is refused before any kernel sees it. */
  @Test
  void integerInputsOutsideTheirTypeAreRefused() throws Exception {
    Graph g = ModelParser.create().parse(Path.of("..", "examples", "conv_bn_relu_x3.qg"));
    Graph integer = dev.zeropoint.passes.lower.IntegerOnly.finish(PassManager.defaultPipeline(PassRegistry.load())
        .run(g, integerContext()));
    dev.zeropoint.runtime.CompiledModel model = JvmBackend.load(integer);
    int[] x = new int[model.inputs().get(0).size()];
    assertEquals(1, model.run((Object) x).length);
    x[5] = 256;
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> model.run((Object) x));
    assertTrue(e.getMessage().contains("element 5 is 256, outside [0, 255]"), e.getMessage());
  }

  /** The kernels a generated class calls, as {@code Class.method} (simple class names). */
  static Set<String> kernelCalls(byte[] bytes) {
    Set<String> calls = new java.util.TreeSet<>();
    new ClassReader(bytes).accept(new org.objectweb.asm.ClassVisitor(org.objectweb.asm.Opcodes.ASM9) {
      @Override
      public org.objectweb.asm.MethodVisitor visitMethod(int access, String name, String desc, String sig,
          String[] exceptions) {
        return new org.objectweb.asm.MethodVisitor(org.objectweb.asm.Opcodes.ASM9) {
          @Override
          public void visitMethodInsn(int opcode, String owner, String method, String d, boolean itf) {
            if (opcode == org.objectweb.asm.Opcodes.INVOKESTATIC) {
              calls.add(owner.substring(owner.lastIndexOf('/') + 1) + "." + method);
            }
          }
        };
      }
    }, 0);
    return calls;
  }

  @Test
  void randomModelsMatchTheInterpreterBitForBit() throws Exception {
    int ran = 0;
    List<String> unsupported = new ArrayList<>();
    for (int seed = 0; seed < 100; seed++) {
      RandomModels.Case c = new RandomModels(seed).next("random_" + seed);
      Map<String, TensorData> inputs = Map.of("x", c.input());
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(c.graph(), PassContext.forTests());
      ran += compare("random " + seed + " -O", optimized, inputs, unsupported);
    }
    System.out.println("jvm backend: " + ran + " random models exact; not run yet: " + unsupported.size());
    assertEquals(List.of(), unsupported, "random models the jvm backend does not run");
  }

  /**
   * Runs from several threads at once, on two inputs in turn, each give the interpreter's outputs:
   * each run takes a workspace of its own (the model makes one more when every other is in use).
   */
  @Test
  void concurrentRunsEachUseTheirOwnWorkspace() throws Exception {
    int checked = 0;
    for (BackendRuns.Run r : BackendRuns.golden()) {
      if (!List.of("inception_module -O", "conv2d_winograd -O", "inverted_residual -O").contains(r.what())) {
        continue;
      }
      Map<String, TensorData> other = otherInputs(r.inputs(), 7);
      List<Map<String, TensorData>> inputs = List.of(r.inputs(), other);
      var interpreter = new Interpreter().prepare(r.graph());
      List<Map<String, TensorData>> expected = List.of(interpreter.run(r.inputs()), interpreter.run(other));
      var executable = new JvmBackend().prepare(r.graph());
      var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<Integer>> runs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int first = t % 2;
          runs.add(pool.submit(() -> {
            int mismatches = 0;
            for (int i = 0; i < 12; i++) {
              int which = (first + i) % 2;
              Map<String, TensorData> got = executable.run(inputs.get(which));
              for (String name : expected.get(which).keySet()) {
                TensorData e = expected.get(which).get(name);
                mismatches += (int) (e.size() - GoldenTest.countEqual(e, got.get(name)));
              }
            }
            return mismatches;
          }));
        }
        for (var f : runs) {
          assertEquals(0, f.get(), r.what() + ": elements differing from the interpreter's in concurrent runs");
        }
      } finally {
        pool.shutdownNow();
      }
      checked++;
    }
    assertEquals(3, checked, "the golden models of the concurrent test");
  }

  /**
   * A model past every limit of one method and of the constant pool were the code straight-line:
   * 40,000 constants and 40,000 adds (80,000 values, so slot numbers far past what an instruction
   * holds), 4,000 outputs. It compiles to a verified class, and runs like the interpreter.
   */
  @Test
  void aModelPastTheClassFileLimitsIsSplitNotRejected() throws Exception {
    int n = 40_000;
    StringBuilder text = new StringBuilder("model wide {\n  input %x : f32[2]\n  %v0 = relu(%x)\n");
    for (int i = 1; i <= n; i++) {
      text.append("  %c").append(i).append(" = const [").append(i % 7 - 3).append(".5, ").append(i % 5 - 2)
          .append(".25] : f32[2]\n");
      text.append("  %v").append(i).append(" = add(%v").append(i - 1).append(", %c").append(i).append(")\n");
    }
    for (int i = n; i > 0; i -= 10) {
      text.append("  output o").append(i).append(" = %v").append(i).append('\n');
    }
    text.append("  output c = %c7\n}\n");
    Graph g = ModelParser.create().parse("wide", text.toString(), Path.of("."));
    List<String> unsupported = new ArrayList<>();
    assertEquals(1, compare("wide", g, Map.of("x", TensorData.ofFloats(dev.zeropoint.ir.Shape.of(2), 0.75f, -1.5f)),
        unsupported), unsupported.toString());
  }

  /**
   * Inputs of the same types and shapes, with other values: an integer input's elements in reverse
   * order, floats from a seeded normal distribution scaled by the input's largest magnitude.
   */
  static Map<String, TensorData> otherInputs(Map<String, TensorData> inputs, long seed) {
    java.util.Random random = new java.util.Random(seed);
    Map<String, TensorData> other = new LinkedHashMap<>();
    for (Map.Entry<String, TensorData> e : inputs.entrySet()) {
      TensorData d = e.getValue();
      int n = Math.toIntExact(d.size());
      if (!d.elementType().isInteger()) {
        double scale = 1;
        for (int i = 0; i < n; i++) {
          scale = Math.max(scale, Math.abs(d.getDouble(i)));
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = (float) (random.nextGaussian() * scale);
        }
        other.put(e.getKey(), TensorData.ofDoubles(d.elementType(), d.shape(), v));
      } else {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = d.getLong(n - 1 - i); // values valid wherever the input's are (as indices, say)
        }
        other.put(e.getKey(), TensorData.ofLongs(d.elementType(), d.shape(), v));
      }
    }
    return other;
  }

  static PassContext integerContext() {
    return new PassContext(true, true, Set.of(), false, new PrintWriter(System.err, true), new LinkedHashMap<>());
  }

  /** 1 when the model ran on both and matched; 0 when the backend does not run one of its ops yet. */
  static int compare(String what, Graph graph, Map<String, TensorData> inputs, List<String> unsupported)
      throws Exception {
    JvmCompiler.CompiledClass compiled;
    try {
      compiled = JvmCompiler.compile(dev.zeropoint.backends.lowering.Lowering.pipeline(graph), "models.Checked");
    } catch (CompileException e) {
      assertTrue(e.getMessage().contains("does not run"), what + ": " + e.getMessage());
      unsupported.add(what + ": " + e.diagnostics().get(0).message().replaceAll(" %.*", ""));
      return 0;
    }
    verify(what, compiled.bytes());
    Map<String, TensorData> expected = new Interpreter().prepare(graph).run(inputs);
    var executable = new JvmBackend().prepare(graph);
    // A run on other inputs first: the arrays the model reuses across runs (its workspace) then hold
    // another run's values, which a kernel that read its result array before writing it would keep.
    executable.run(otherInputs(inputs, what.hashCode()));
    Map<String, TensorData> actual = executable.run(inputs);
    Map<String, TensorData> threaded;
    dev.zeropoint.runtime.Parallel.setThreads(3); // an odd split of channels over threads
    try {
      threaded = executable.run(inputs);
    } finally {
      dev.zeropoint.runtime.Parallel.setThreads(1);
    }
    for (String name : expected.keySet()) {
      TensorData e = expected.get(name);
      TensorData a = actual.get(name);
      assertEquals(e.elementType(), a.elementType(), what + " " + name);
      assertEquals(e.shape(), a.shape(), what + " " + name);
      assertEquals(e.size(), GoldenTest.countEqual(e, a), () -> what + ": output " + name + " differs\n"
          + Printer.print(graph));
      assertEquals(e.size(), GoldenTest.countEqual(e, threaded.get(name)), () -> what + ": output " + name
          + " differs on 3 threads");
    }
    return 1;
  }

  /** ASM's CheckClassAdapter: structure, descriptors and the bytecode verifier's data flow. */
  static void verify(String what, byte[] bytes) {
    StringWriter problems = new StringWriter();
    CheckClassAdapter.verify(new ClassReader(bytes), JvmBackendTest.class.getClassLoader(), false,
        new PrintWriter(problems));
    assertEquals("", problems.toString(), what + ": the generated class does not verify");
  }
}
