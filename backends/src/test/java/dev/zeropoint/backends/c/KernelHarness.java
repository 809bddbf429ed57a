package dev.zeropoint.backends.c;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs C kernel instances and lib functions in a program built with the strict flags and the
 * sanitizers, for tests that compare them with the Java kernels they port. One program runs many
 * calls ({@link #runAll}); each call's output arrays come back in argument order.
 *
 * <p>Arguments follow the C library's convention ({@code CLibrary}): every array is followed by its
 * element count ({@code int32_t}); an array of arrays by a {@code const int32_t *} of counts and
 * the number of arrays.
 */
public final class KernelHarness {
  private KernelHarness() {}

  /** An argument of a kernel call. */
  public sealed interface Arg permits In, Out, Ins, Outs, Imm, Raw {}

  /** A constant input array: ints (any integer CType), floats or doubles. */
  public record In(CType type, Object values) implements Arg {}

  /** An output array of {@code n} elements, zero before the call. */
  public record Out(CType type, int n) implements Arg {}

  /** An input array of arrays. */
  public record Ins(CType type, List<Object> arrays) implements Arg {}

  /** An output array of arrays. */
  public record Outs(CType type, int[] sizes) implements Arg {}

  /** An int immediate. */
  public record Imm(long value) implements Arg {}

  /** A C expression passed as is (a float literal, a long constant). */
  public record Raw(String expression) implements Arg {}

  public static In in(CType t, int[] v) {
    return new In(t, v);
  }

  public static In in(float[] v) {
    return new In(CType.F32, v);
  }

  public static In in(double[] v) {
    return new In(CType.F64, v);
  }

  public static In in(long[] v) {
    return new In(CType.I64, v);
  }

  public static Out out(CType t, int n) {
    return new Out(t, n);
  }

  public static Ins ins(CType t, Object... arrays) {
    return new Ins(t, List.of(arrays));
  }

  public static Outs outs(CType t, int... sizes) {
    return new Outs(t, sizes);
  }

  public static Imm imm(long v) {
    return new Imm(v);
  }

  /** A float literal with exactly this value. */
  public static Raw f32(float v) {
    return new Raw(CSource.floatLiteral(v));
  }

  /** A double literal with exactly this value. */
  public static Raw f64(double v) {
    return new Raw(CSource.doubleLiteral(v));
  }

  /** One call of a kernel template, instantiated with the types of its array arguments. */
  public record Call(String kernel, List<Arg> args, int parts) {
    public static Call of(String kernel, Arg... args) {
      return new Call(kernel, List.of(args), 0);
    }

    /**
     * A parallel kernel's call, split in {@code parts}: the program calls it with {@code (part,
     * parts)} appended, for part = parts - 1 down to 0, one after the other, then prints. A
     * parallel kernel ({@link CEmitter#PARALLEL_KERNELS}) called with {@link #of} runs in one part.
     */
    public static Call parts(int parts, String kernel, Arg... args) {
      return new Call(kernel, List.of(args), parts);
    }
  }

  /**
   * Runs one call; the outputs in argument order: int[] for integer outputs, float[] for f32,
   * double[] for f64, and an array of those for an array of arrays.
   */
  public static List<Object> run(String kernel, Arg... args) {
    return runAll(List.of(Call.of(kernel, args))).get(0);
  }

  /** Runs every call in one program; each call's outputs as in {@link #run}. */
  public static List<List<Object>> runAll(List<Call> calls) {
    return runAll(calls, List.of());
  }

  /**
   * As {@link #runAll(List)}, the program built with these flags added (e.g. {@code -mavx2}). Many
   * calls are split between two programs, built and run at once (the machine has two cores); the
   * results are the same.
   */
  public static List<List<Object>> runAll(List<Call> calls, List<String> extraFlags) {
    CCompiler cc = CCompiler.find().orElse(null);
    assumeTrue(cc != null, "no C compiler on this machine (scripts/install-test-deps.sh installs gcc)");
    if (calls.size() < 8) {
      return runProgram(cc, calls, extraFlags);
    }
    int half = calls.size() / 2;
    // a parallel stream keeps the halves' order and rethrows a failure in the calling thread
    return List.of(calls.subList(0, half), calls.subList(half, calls.size())).parallelStream()
        .map(part -> runProgram(cc, part, extraFlags)).flatMap(List::stream).toList();
  }

  /** One program running {@code calls}, numbered from 0; each call's outputs. */
  private static List<List<Object>> runProgram(CCompiler cc, List<Call> calls, List<String> extraFlags) {
    Set<CLibrary.Instance> instances = new LinkedHashSet<>();
    StringBuilder data = new StringBuilder();
    StringBuilder body = new StringBuilder();
    int id = 0;
    for (int c = 0; c < calls.size(); c++) {
      Call call = calls.get(c);
      List<CType> types = new ArrayList<>();
      List<String> cargs = new ArrayList<>();
      List<String> prints = new ArrayList<>();
      for (Arg a : call.args()) {
        String name = "a" + id++;
        switch (a) {
          case In in -> {
            types.add(in.type());
            int n = length(in.values());
            data.append(array("static const " + in.type().c(), name, in.type(), in.values(), n));
            cargs.add(name);
            cargs.add(Integer.toString(n));
          }
          case Out o -> {
            types.add(o.type());
            data.append("static ").append(o.type().c()).append(' ').append(name).append('[')
                .append(Math.max(1, o.n())).append("];\n");
            cargs.add(name);
            cargs.add(Integer.toString(o.n()));
            prints.add(print(name, o.type(), o.n()));
          }
          case Ins in -> {
            types.add(in.type());
            List<String> parts = new ArrayList<>();
            List<String> counts = new ArrayList<>();
            for (int k = 0; k < in.arrays().size(); k++) {
              Object v = in.arrays().get(k);
              int n = length(v);
              data.append(array("static const " + in.type().c(), name + "_" + k, in.type(), v, n));
              parts.add(name + "_" + k);
              counts.add(Integer.toString(n));
            }
            data.append("static const ").append(in.type().c()).append(" *const ").append(name).append("[] = {")
                .append(String.join(", ", parts.isEmpty() ? List.of("0") : parts)).append("};\n");
            data.append("static const int32_t ").append(name).append("_n[] = {")
                .append(String.join(", ", counts.isEmpty() ? List.of("0") : counts)).append("};\n");
            cargs.add(name);
            cargs.add(name + "_n");
            cargs.add(Integer.toString(in.arrays().size()));
          }
          case Outs o -> {
            types.add(o.type());
            List<String> parts = new ArrayList<>();
            List<String> counts = new ArrayList<>();
            StringBuilder p = new StringBuilder();
            for (int k = 0; k < o.sizes().length; k++) {
              data.append("static ").append(o.type().c()).append(' ').append(name).append('_').append(k).append('[')
                  .append(Math.max(1, o.sizes()[k])).append("];\n");
              parts.add(name + "_" + k);
              counts.add(Integer.toString(o.sizes()[k]));
              p.append(print(name + "_" + k, o.type(), o.sizes()[k]));
            }
            data.append("static ").append(o.type().c()).append(" *const ").append(name).append("[] = {")
                .append(String.join(", ", parts.isEmpty() ? List.of("0") : parts)).append("};\n");
            data.append("static const int32_t ").append(name).append("_n[] = {")
                .append(String.join(", ", counts.isEmpty() ? List.of("0") : counts)).append("};\n");
            cargs.add(name);
            cargs.add(name + "_n");
            cargs.add(Integer.toString(o.sizes().length));
            prints.add(p.toString());
          }
          case Imm i -> cargs.add(fitsInt(i.value()) ? CSource.intLiteral((int) i.value())
              : CSource.longLiteral(i.value()));
          case Raw r -> cargs.add(r.expression());
        }
      }
      CLibrary.Instance instance = new CLibrary.Instance(call.kernel(), types);
      instances.add(instance);
      int parts = call.parts() > 0 ? call.parts() : CEmitter.PARALLEL_KERNELS.contains(call.kernel()) ? 1 : 0;
      if (parts > 0) {
        body.append("  {\n    int32_t part;\n    for (part = ").append(parts - 1).append("; part >= 0; part--) {\n")
            .append("      ").append(instance.cName()).append('(').append(String.join(", ", cargs)).append(", part, ")
            .append(parts).append(");\n    }\n  }\n");
      } else {
        body.append("  ").append(instance.cName()).append('(').append(String.join(", ", cargs)).append(");\n");
      }
      body.append("  printf(\"call ").append(c).append("\\n\");\n");
      for (String p : prints) {
        body.append(p);
      }
    }
    String program = "#include <stdint.h>\n#include <stddef.h>\n#include <string.h>\n#include <stdio.h>\n\n"
        + CLibrary.source(List.of(), instances) + data
        + "\nint main(void) {\n" + body + "  return 0;\n}\n";
    String output = compileAndRun(cc, program, extraFlags);
    return parse(output, calls);
  }

  /** Builds a program (its own includes and main) with the strict flags and sanitizers; its output. */
  public static String compileAndRun(CCompiler cc, String program) {
    return compileAndRun(cc, program, List.of());
  }

  /** As {@link #compileAndRun(CCompiler, String)}, with these flags added. */
  public static String compileAndRun(CCompiler cc, String program, List<String> extraFlags) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("zeropoint-kernel");
      Path src = dir.resolve("t.c");
      Files.writeString(src, program);
      Path exe = dir.resolve("t");
      List<String> flags = new ArrayList<>(CCompiler.STRICT);
      flags.addAll(CCompiler.SANITIZE);
      flags.add("-O1");
      flags.addAll(extraFlags);
      cc.build(List.of(src), exe, flags);
      return CCompiler.run(List.of(exe.toString()), dir, 300);
    } catch (IOException | CToolException e) {
      throw new AssertionError(e.getMessage(), e);
    } finally {
      if (dir != null) {
        CBackend.delete(dir);
      }
    }
  }

  private static List<List<Object>> parse(String output, List<Call> calls) {
    String[] lines = output.split("\n", -1); // -1: keep the empty lines of empty outputs at the end
    int line = 0;
    List<List<Object>> results = new ArrayList<>();
    for (int c = 0; c < calls.size(); c++) {
      if (!lines[line++].equals("call " + c)) {
        throw new AssertionError("unexpected output of the kernel program at line " + line + ": " + lines[line - 1]);
      }
      List<Object> outs = new ArrayList<>();
      for (Arg a : calls.get(c).args()) {
        if (a instanceof Out o) {
          outs.add(values(lines[line++], o.type(), o.n()));
        } else if (a instanceof Outs o) {
          Object[] parts = new Object[o.sizes().length];
          for (int k = 0; k < parts.length; k++) {
            parts[k] = values(lines[line++], o.type(), o.sizes()[k]);
          }
          outs.add(parts);
        }
      }
      results.add(outs);
    }
    return results;
  }

  private static Object values(String line, CType t, int n) {
    String[] parts = line.isBlank() ? new String[0] : line.trim().split(" ");
    if (parts.length != n) {
      throw new AssertionError("expected " + n + " values, read " + parts.length);
    }
    return switch (t) {
      case F32 -> {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = Float.intBitsToFloat((int) Long.parseLong(parts[i], 16));
        }
        yield f;
      }
      case F64 -> {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
          d[i] = Double.longBitsToDouble(Long.parseUnsignedLong(parts[i], 16));
        }
        yield d;
      }
      case I64 -> {
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
          l[i] = Long.parseLong(parts[i]);
        }
        yield l;
      }
      default -> {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
          v[i] = Integer.parseInt(parts[i]);
        }
        yield v;
      }
    };
  }

  private static String print(String name, CType t, int n) {
    String loop = "  { int32_t i; for (i = 0; i < " + n + "; i++) { ";
    String each = switch (t) {
      case F32 -> "uint32_t b; memcpy(&b, &" + name + "[i], 4); printf(\" %08lx\", (unsigned long) b);";
      case F64 -> "uint64_t b; memcpy(&b, &" + name + "[i], 8); printf(\" %016llx\", (unsigned long long) b);";
      default -> "printf(\" %lld\", (long long) " + name + "[i]);";
    };
    return loop + each + " } printf(\"\\n\"); }\n";
  }

  private static int length(Object values) {
    return switch (values) {
      case int[] a -> a.length;
      case float[] a -> a.length;
      case double[] a -> a.length;
      case long[] a -> a.length;
      default -> throw new IllegalArgumentException("not an array: " + values);
    };
  }

  private static String array(String declaration, String name, CType t, Object values, int n) {
    StringBuilder b = new StringBuilder(declaration).append(' ').append(name).append('[').append(Math.max(1, n))
        .append("] = {");
    if (n == 0) {
      b.append('0');
    }
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(switch (values) {
        case int[] a -> CSource.intLiteral(a[i]);
        case long[] a -> CSource.longLiteral(a[i]);
        case float[] a -> CSource.floatLiteral(a[i]);
        case double[] a -> CSource.doubleLiteral(a[i]);
        default -> throw new IllegalArgumentException();
      });
    }
    return b.append("};\n").toString();
  }

  private static boolean fitsInt(long v) {
    return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
  }
}
