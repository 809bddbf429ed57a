package dev.zeropoint.ir.op;

import com.google.common.primitives.ImmutableIntArray;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Reads an op's written attributes into its typed record. Problems are collected, not thrown, so
 * that one run reports every bad attribute; a problem yields the default so reading goes on.
 */
public final class AttrReader {
  /** A problem with attribute {@code attribute} (null when it concerns the block as a whole). */
  public record Problem(String attribute, String message) {}

  private final String op;
  private final Map<String, AttrValue> values;
  private final Set<String> used = new HashSet<>();
  private final List<Problem> problems = new ArrayList<>();

  public AttrReader(String op, Map<String, AttrValue> values) {
    this.op = op;
    this.values = new LinkedHashMap<>(values);
  }

  public String op() {
    return op;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public List<Problem> problems() {
    return List.copyOf(problems);
  }

  /** Reports every written attribute no reader method asked for. Call once, after reading. */
  public List<Problem> finish() {
    for (String name : values.keySet()) {
      if (!used.contains(name)) {
        List<String> known = used.stream().filter(u -> !values.containsKey(u)).sorted().toList();
        problems.add(new Problem(name, op + ": unknown attribute '" + name + "'"
            + dev.zeropoint.ir.Suggestions.closest(name, known)));
      }
    }
    return problems();
  }

  public void problem(String attribute, String message) {
    problems.add(new Problem(attribute, op + ": " + message));
  }

  private AttrValue take(String name) {
    used.add(name);
    return values.get(name);
  }

  private void missing(String name) {
    problems.add(new Problem(null, op + ": missing required attribute '" + name + "'"));
  }

  private void wrongKind(String name, String expected, AttrValue got) {
    problem(name, "attribute '" + name + "' must be " + expected + ", got " + got.describe());
  }

  public long integer(String name, long defaultValue) {
    AttrValue v = take(name);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof AttrValue.Int i) {
      return i.value();
    }
    wrongKind(name, "an integer", v);
    return defaultValue;
  }

  public int int32(String name, int defaultValue) {
    long v = integer(name, defaultValue);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      problem(name, "attribute '" + name + "' value " + v + " does not fit in 32 bits");
      return defaultValue;
    }
    return (int) v;
  }

  public int requiredInt32(String name) {
    if (!has(name)) {
      take(name);
      missing(name);
      return 0;
    }
    return int32(name, 0);
  }

  public double real(String name, double defaultValue) {
    AttrValue v = take(name);
    if (v == null) {
      return defaultValue;
    }
    return switch (v) {
      case AttrValue.Real r -> r.value();
      case AttrValue.Int i -> (double) i.value();
      default -> {
        wrongKind(name, "a number", v);
        yield defaultValue;
      }
    };
  }

  public OptionalDouble optionalReal(String name) {
    if (!has(name)) {
      take(name);
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(real(name, 0));
  }

  public boolean bool(String name, boolean defaultValue) {
    AttrValue v = take(name);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof AttrValue.Bool b) {
      return b.value();
    }
    wrongKind(name, "true or false", v);
    return defaultValue;
  }

  /** A list of integers; {@code defaultValue} null makes the attribute required. */
  public ImmutableIntArray ints(String name, ImmutableIntArray defaultValue) {
    ImmutableIntArray v = intsOrNull(name, defaultValue);
    return v != null ? v : fallback(defaultValue);
  }

  /** A list of integers with exactly {@code length} entries. */
  public ImmutableIntArray ints(String name, int length, ImmutableIntArray defaultValue) {
    ImmutableIntArray v = intsOrNull(name, defaultValue);
    if (v == null) {
      return fallback(defaultValue);
    }
    if (v.length() != length) {
      problem(name, "attribute '" + name + "' needs " + length + " entries, got " + v.length());
      return fallback(defaultValue);
    }
    return v;
  }

  /** A list of numbers (integers read as exact doubles); {@code defaultValue} null makes it required. */
  public com.google.common.primitives.ImmutableDoubleArray reals(String name,
      com.google.common.primitives.ImmutableDoubleArray defaultValue) {
    AttrValue v = take(name);
    var empty = com.google.common.primitives.ImmutableDoubleArray.of();
    if (v == null) {
      if (defaultValue == null) {
        missing(name);
        return empty;
      }
      return defaultValue;
    }
    if (v instanceof AttrValue.ListOf list) {
      var b = com.google.common.primitives.ImmutableDoubleArray.builder();
      for (AttrValue item : list.items()) {
        switch (item) {
          case AttrValue.Real r -> b.add(r.value());
          case AttrValue.Int i -> b.add(i.value());
          default -> {
            wrongKind(name, "a list of numbers", v);
            return defaultValue == null ? empty : defaultValue;
          }
        }
      }
      return b.build();
    }
    wrongKind(name, "a list of numbers", v);
    return defaultValue == null ? empty : defaultValue;
  }

  /** A bare word from {@code allowed}; {@code defaultValue} null makes it required. */
  public String word(String name, java.util.List<String> allowed, String defaultValue) {
    AttrValue v = take(name);
    if (v == null) {
      if (defaultValue == null) {
        missing(name);
        return allowed.get(0);
      }
      return defaultValue;
    }
    if (v instanceof AttrValue.Word w && allowed.contains(w.value())) {
      return w.value();
    }
    wrongKind(name, "one of " + String.join(", ", allowed), v);
    return defaultValue == null ? allowed.get(0) : defaultValue;
  }

  private static ImmutableIntArray fallback(ImmutableIntArray defaultValue) {
    return defaultValue == null ? ImmutableIntArray.of() : defaultValue;
  }

  /** The list, the default when absent, or null after reporting a problem. */
  private ImmutableIntArray intsOrNull(String name, ImmutableIntArray defaultValue) {
    AttrValue v = take(name);
    if (v == null) {
      if (defaultValue == null) {
        missing(name);
        return null;
      }
      return defaultValue;
    }
    if (v instanceof AttrValue.ListOf list) {
      ImmutableIntArray.Builder b = ImmutableIntArray.builder();
      for (AttrValue item : list.items()) {
        if (!(item instanceof AttrValue.Int i) || i.value() < Integer.MIN_VALUE || i.value() > Integer.MAX_VALUE) {
          wrongKind(name, "a list of integers", v);
          return null;
        }
        b.add((int) i.value());
      }
      return b.build();
    }
    wrongKind(name, "a list of integers", v);
    return null;
  }
}
