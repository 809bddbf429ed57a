package dev.zeropoint.backends.c;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * Compares C ports of scalar numerics functions ({@code lib/NAME.c}) with their Java originals: every
 * function is evaluated over a table of inputs by one C program (constant input tables, floats and
 * doubles as their bits so that NaNs keep theirs; a loop per function, one printed result per row)
 * built with the strict flags, the sanitizers and {@code -fsanitize=float-cast-overflow}, and each
 * result is compared with the Java function's on the same row. Integers must be equal; floats and
 * doubles must have equal bits, except that any NaN equals any NaN (Java does not define NaN
 * payloads, and neither does C).
 *
 * <p>Usage: {@link #fn} declares a function (its lib entry, the C call with {@code $0, $1, ...} for
 * the row's arguments, the Java evaluation, the parameter types), {@link Fn#row} and {@link Fn#random}
 * give it inputs, {@link #run} checks them all.
 */
final class NumericsCheck {
  /** A C scalar type of a parameter or result. */
  enum T {
    I32("int32_t"), I64("int64_t"), F32("float"), F64("double");

    final String c;

    T(String c) {
      this.c = c;
    }
  }

  /** Evaluates the Java original on one row of arguments (boxed Integer, Long, Float, Double). */
  @FunctionalInterface
  interface JavaFn {
    Object apply(Object[] args);
  }

  /** One function under test and its input rows. */
  static final class Fn {
    final String label;
    final List<String> libs;
    final T result;
    final String call;
    final JavaFn java;
    final T[] params;
    final List<Object[]> rows = new ArrayList<>();

    Fn(String label, List<String> libs, T result, String call, JavaFn java, T[] params) {
      this.label = label;
      this.libs = libs;
      this.result = result;
      this.call = call;
      this.java = java;
      this.params = params;
    }

    /** One row of arguments, boxed as the parameter types say (ints may be given for longs). */
    Fn row(Object... args) {
      if (args.length != params.length) {
        throw new IllegalArgumentException(label + ": " + args.length + " arguments for " + params.length
            + " parameters");
      }
      Object[] a = new Object[args.length];
      for (int i = 0; i < args.length; i++) {
        a[i] = coerce(args[i], params[i]);
      }
      rows.add(a);
      return this;
    }

    /** Every combination of the given values (one list per parameter). */
    Fn grid(List<?>... values) {
      grid(values, 0, new Object[values.length]);
      return this;
    }

    private void grid(List<?>[] values, int k, Object[] row) {
      if (k == values.length) {
        row(row.clone());
        return;
      }
      for (Object v : values[k]) {
        row[k] = v;
        grid(values, k + 1, row);
      }
    }

    /** {@code n} rows from a generator (which may return null to skip a row it cannot use). */
    Fn random(int n, Random r, Function<Random, Object[]> gen) {
      int added = 0;
      int tries = 0;
      while (added < n) {
        if (++tries > 100 * n) {
          throw new IllegalStateException(label + ": the generator rejects nearly every row");
        }
        Object[] a = gen.apply(r);
        if (a != null) {
          row(a);
          added++;
        }
      }
      return this;
    }
  }

  private final List<Fn> fns = new ArrayList<>();

  /**
   * Declares a function: {@code lib} names the lib entries the call needs (space separated), {@code
   * call} is the C expression with {@code $k} for argument k.
   */
  Fn fn(String label, String lib, T result, String call, JavaFn java, T... params) {
    Fn f = new Fn(label, List.of(lib.trim().split("\\s+")), result, call, java, params);
    fns.add(f);
    return f;
  }

  /** The number of rows of all functions. */
  int size() {
    return fns.stream().mapToInt(f -> f.rows.size()).sum();
  }

  /** Builds and runs the program; fails with the first mismatches of every function. */
  void run() {
    CCompiler cc = CCompiler.find().orElse(null);
    assumeTrue(cc != null, "no C compiler on this machine (scripts/install-test-deps.sh installs gcc)");
    // The harness's strict flags and sanitizers, plus float-cast-overflow (not part of undefined),
    // which catches a float converted to an integer type it does not fit.
    String output = KernelHarness.compileAndRun(cc, program(), List.of("-fsanitize=float-cast-overflow"));
    String[] lines = output.split("\n");
    int line = 0;
    List<String> failures = new ArrayList<>();
    for (int f = 0; f < fns.size(); f++) {
      Fn fn = fns.get(f);
      if (!lines[line++].equals("fn " + f)) {
        throw new AssertionError("unexpected output of the numerics program at line " + line);
      }
      int mismatches = 0;
      for (Object[] row : fn.rows) {
        String got = lines[line++];
        Object want;
        try {
          want = fn.java.apply(row);
        } catch (RuntimeException e) {
          throw new AssertionError(fn.label + Arrays.toString(row) + ": the Java original throws " + e
              + " (the test must respect its preconditions)", e);
        }
        if (!same(fn.result, want, got)) {
          if (mismatches++ < 5) {
            failures.add(fn.label + Arrays.toString(row) + ": Java " + show(fn.result, want) + ", C "
                + showC(fn.result, got));
          }
        }
      }
      if (mismatches > 5) {
        failures.add(fn.label + ": " + mismatches + " mismatches in " + fn.rows.size() + " rows");
      }
    }
    if (!failures.isEmpty()) {
      fail(String.join("\n", failures));
    }
  }

  /** The C program: the lib entries, one input table per parameter, one loop per function. */
  String program() {
    Set<String> libs = new LinkedHashSet<>();
    for (Fn f : fns) {
      libs.addAll(f.libs);
    }
    StringBuilder data = new StringBuilder();
    StringBuilder body = new StringBuilder();
    Set<T> params = new LinkedHashSet<>();
    for (int f = 0; f < fns.size(); f++) {
      Fn fn = fns.get(f);
      int n = fn.rows.size();
      String call = fn.call;
      for (int p = fn.params.length - 1; p >= 0; p--) {
        String name = "f" + f + "_" + p;
        data.append("static const ").append(storage(fn.params[p])).append(' ').append(name).append('[')
            .append(Math.max(1, n)).append("] = {");
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            data.append(i % 8 == 0 ? ",\n  " : ", ");
          }
          data.append(literal(fn.params[p], fn.rows.get(i)[p]));
        }
        if (n == 0) {
          data.append('0');
        }
        data.append("};\n");
        call = call.replace("$" + p, switch (fn.params[p]) {
          case F32 -> "from_bits32(" + name + "[i])";
          case F64 -> "from_bits64(" + name + "[i])";
          default -> name + "[i]";
        });
        params.add(fn.params[p]);
      }
      body.append("  printf(\"fn ").append(f).append("\\n\");\n");
      body.append("  for (i = 0; i < ").append(n).append("; i++) {\n    p_").append(fn.result.name().toLowerCase())
          .append('(').append(call).append(");\n  }\n");
    }
    Set<T> results = new LinkedHashSet<>();
    for (Fn f : fns) {
      results.add(f.result);
    }
    StringBuilder printers = new StringBuilder();
    for (T t : results) {
      printers.append(switch (t) {
        case I32 -> "static void p_i32(int32_t v) { printf(\"%ld\\n\", (long) v); }\n";
        case I64 -> "static void p_i64(int64_t v) { printf(\"%lld\\n\", (long long) v); }\n";
        case F32 -> "static void p_f32(float v) { uint32_t b; memcpy(&b, &v, 4); "
            + "printf(\"%08lx\\n\", (unsigned long) b); }\n";
        case F64 -> "static void p_f64(double v) { uint64_t b; memcpy(&b, &v, 8); "
            + "printf(\"%016llx\\n\", (unsigned long long) b); }\n";
      });
    }
    if (params.contains(T.F32)) {
      printers.append("static float from_bits32(uint32_t b) { float v; memcpy(&v, &b, 4); return v; }\n");
    }
    if (params.contains(T.F64)) {
      printers.append("static double from_bits64(uint64_t b) { double v; memcpy(&v, &b, 8); return v; }\n");
    }
    return "#include <stdint.h>\n#include <stddef.h>\n#include <string.h>\n#include <stdio.h>\n\n"
        + CLibrary.source(libs, List.of()) + printers + "\n"
        + data + "\nint main(void) {\n  int32_t i;\n" + body + "  return 0;\n}\n";
  }

  private static Object coerce(Object v, T t) {
    return switch (t) {
      case I32 -> (Integer) v;
      case I64 -> v instanceof Integer i ? (long) i : (Long) v;
      case F32 -> (Float) v;
      case F64 -> v instanceof Float x ? (double) x : (Double) v;
    };
  }

  private static String literal(T t, Object v) {
    return switch (t) {
      case I32 -> (Integer) v == Integer.MIN_VALUE ? "INT32_MIN" : v.toString();
      case I64 -> (Long) v == Long.MIN_VALUE ? "INT64_MIN" : v + "LL";
      case F32 -> "0x" + Integer.toHexString(Float.floatToRawIntBits((Float) v)) + "u";
      case F64 -> "0x" + Long.toHexString(Double.doubleToRawLongBits((Double) v)) + "ull";
    };
  }

  /** Float inputs are tables of their bits, so that every NaN keeps its sign and payload. */
  private static String storage(T t) {
    return switch (t) {
      case F32 -> "uint32_t";
      case F64 -> "uint64_t";
      default -> t.c;
    };
  }

  private static boolean same(T t, Object want, String got) {
    return switch (t) {
      case I32 -> ((Number) want).intValue() == Integer.parseInt(got) && want instanceof Integer;
      case I64 -> want instanceof Long l && l == Long.parseLong(got);
      case F32 -> {
        float w = (Float) want;
        float g = Float.intBitsToFloat((int) Long.parseLong(got, 16));
        yield Float.isNaN(w) ? Float.isNaN(g) : Float.floatToRawIntBits(w) == Float.floatToRawIntBits(g);
      }
      case F64 -> {
        double w = (Double) want;
        double g = Double.longBitsToDouble(Long.parseUnsignedLong(got, 16));
        yield Double.isNaN(w) ? Double.isNaN(g) : Double.doubleToRawLongBits(w) == Double.doubleToRawLongBits(g);
      }
    };
  }

  private static String show(T t, Object v) {
    return switch (t) {
      case F32 -> v + " (" + Integer.toHexString(Float.floatToRawIntBits((Float) v)) + ")";
      case F64 -> v + " (" + Long.toHexString(Double.doubleToRawLongBits((Double) v)) + ")";
      default -> v.toString();
    };
  }

  private static String showC(T t, String got) {
    return switch (t) {
      case F32 -> Float.intBitsToFloat((int) Long.parseLong(got, 16)) + " (" + got + ")";
      case F64 -> Double.longBitsToDouble(Long.parseUnsignedLong(got, 16)) + " (" + got + ")";
      default -> got;
    };
  }
}
