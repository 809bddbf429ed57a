package dev.zeropoint.ir.op;

import dev.zeropoint.ir.Numbers;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An attribute value as written in the language, before an op's attribute record gives it meaning.
 * Only the frontend and the printer see these; ops see their typed {@link Attrs} records.
 */
public sealed interface AttrValue {
  record Int(long value) implements AttrValue {
    @Override
    public String toString() {
      return Long.toString(value);
    }
  }

  record Real(double value) implements AttrValue {
    @Override
    public String toString() {
      return Numbers.formatDouble(value);
    }
  }

  record Bool(boolean value) implements AttrValue {
    @Override
    public String toString() {
      return Boolean.toString(value);
    }
  }

  /** A bare word such as {@code constant}. */
  record Word(String value) implements AttrValue {
    @Override
    public String toString() {
      return value;
    }
  }

  record Str(String value) implements AttrValue {
    @Override
    public String toString() {
      return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }

  record ListOf(List<AttrValue> items) implements AttrValue {
    public ListOf {
      items = List.copyOf(items);
    }

    @Override
    public String toString() {
      return items.stream().map(Object::toString).collect(Collectors.joining(", ", "[", "]"));
    }
  }

  /** How the value is described in messages: {@code an integer}, {@code a list}, ... */
  default String describe() {
    return switch (this) {
      case Int i -> "integer " + i;
      case Real r -> "float " + r;
      case Bool b -> "boolean " + b;
      case Word w -> "word " + w;
      case Str s -> "string " + s;
      case ListOf l -> "list " + l;
    };
  }
}
