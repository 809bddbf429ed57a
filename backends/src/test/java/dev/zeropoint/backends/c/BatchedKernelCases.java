package dev.zeropoint.backends.c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Many kernel calls with the outputs their Java originals computed, run in one C program ({@link
 * KernelHarness#runAll}) and checked per kernel. Integer outputs must be equal; float outputs must
 * have equal bits, except that any NaN equals any NaN (the harness passes a NaN input as {@code 0.0f
 * / 0.0f}, so its payload is the C compiler's, and Java does not fix the payloads of its own NaNs).
 */
final class BatchedKernelCases {
  private record Case(String label, KernelHarness.Call call, List<Object> expected) {}

  private final List<Case> cases = new ArrayList<>();
  private List<List<Object>> got;

  /** A call of {@code kernel}; {@code expected} are the Java kernel's outputs in argument order. */
  void add(String label, List<Object> expected, String kernel, KernelHarness.Arg... args) {
    if (got != null) {
      throw new IllegalStateException("cases added after the run");
    }
    cases.add(new Case(label, KernelHarness.Call.of(kernel, args), expected));
  }

  /** Builds and runs every call in one program. */
  void run() {
    List<KernelHarness.Call> calls = new ArrayList<>();
    for (Case c : cases) {
      calls.add(c.call());
    }
    got = KernelHarness.runAll(calls);
  }

  /** Checks every case of {@code kernel}; there must be at least {@code min} of them. */
  void check(String kernel, int min) {
    int count = 0;
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      if (!c.call().kernel().equals(kernel)) {
        continue;
      }
      count++;
      List<Object> outputs = got.get(i);
      assertEquals(c.expected().size(), outputs.size(), c.label());
      for (int k = 0; k < outputs.size(); k++) {
        assertSame(c.expected().get(k), outputs.get(k), kernel + " " + c.label() + ", output " + k);
      }
    }
    assertTrue(count >= min, kernel + ": " + count + " cases, expected at least " + min);
  }

  /**
   * Compiles each kernel of the cases alone (with the types of its first case), with only the lib
   * entries it requires, under the strict flags: a kernel that requires an entry it does not use
   * fails here ({@code -Wunused-function}), though not in a program where another kernel uses it.
   */
  void compileEachKernelAlone() {
    CCompiler cc = CCompiler.find().orElse(null);
    assumeTrue(cc != null, "no C compiler on this machine");
    Map<String, CLibrary.Instance> first = new LinkedHashMap<>();
    for (Case c : cases) {
      List<CType> types = new ArrayList<>();
      for (KernelHarness.Arg a : c.call().args()) {
        switch (a) {
          case KernelHarness.In in -> types.add(in.type());
          case KernelHarness.Out o -> types.add(o.type());
          case KernelHarness.Ins in -> types.add(in.type());
          case KernelHarness.Outs o -> types.add(o.type());
          default -> {
            // an immediate: no type parameter
          }
        }
      }
      first.putIfAbsent(c.call().kernel(), new CLibrary.Instance(c.call().kernel(), types));
    }
    for (CLibrary.Instance i : first.values()) {
      String program = "#include <stdint.h>\n#include <stddef.h>\n#include <string.h>\n\n"
          + CLibrary.source(List.of(), List.of(i)) + "void (*zp_use)(void) = (void (*)(void)) " + i.cName() + ";\n";
      Path dir = null;
      try {
        dir = Files.createTempDirectory("zeropoint-alone");
        Path src = dir.resolve("t.c");
        Files.writeString(src, program);
        cc.compileObject(src, dir.resolve("t.o"), CCompiler.STRICT);
      } catch (IOException | CToolException e) {
        fail(i.kernel() + " alone: " + e.getMessage());
      } finally {
        if (dir != null) {
          CBackend.delete(dir);
        }
      }
    }
  }

  private static void assertSame(Object want, Object got, String what) {
    switch (want) {
      case int[] w -> {
        int[] g = (int[]) got;
        assertEquals(w.length, g.length, what + ": length");
        for (int i = 0; i < w.length; i++) {
          if (w[i] != g[i]) {
            fail(what + ": element " + i + " of " + w.length + ": Java " + w[i] + ", C " + g[i]);
          }
        }
      }
      case float[] w -> CTestSupport.assertBits(w, (float[]) got, what);
      default -> throw new IllegalArgumentException("no comparison for " + want);
    }
  }

  // ---------------------------------------------------------------- random inputs

  static int[] ints(Random r, int n, long lo, long hi) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = (int) (lo + (long) (r.nextDouble() * (hi - lo + 1)));
    }
    return v;
  }

  @SafeVarargs
  static <T> T pick(Random r, T... choices) {
    return choices[r.nextInt(choices.length)];
  }

  private static final float[] SPECIAL = {0.0f, -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
      Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1.0f, -1.0f, 0.5f,
      3.0f, -3.0f, 6.0f, -6.0f, 0x1p-127f, 1e30f, -1e30f};

  /** A float: mostly ordinary values of varied magnitude, sometimes special ones or arbitrary bits. */
  static float floatValue(Random r) {
    return switch (r.nextInt(12)) {
      case 0 -> SPECIAL[r.nextInt(SPECIAL.length)];
      case 1 -> {
        float f = Float.intBitsToFloat(r.nextInt());
        yield Float.isNaN(f) ? Float.NaN : f;
      }
      case 2 -> (float) (r.nextGaussian() * 1e-38);
      case 3 -> (float) (r.nextGaussian() * 1e30);
      default -> (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
    };
  }

  static float[] floats(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = floatValue(r);
    }
    return v;
  }

  /** A quantization scale of varied magnitude, around 0.01. */
  static double scale(Random r) {
    return 0.01 * Math.exp(r.nextGaussian() * 1.5);
  }
}
