package dev.zeropoint.ir.op;

import com.google.common.primitives.ImmutableIntArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Turns a typed attribute record back into written attributes, in a fixed order, for the printer. */
public final class AttrWriter {
  private final Map<String, AttrValue> values = new LinkedHashMap<>();

  public AttrWriter integer(String name, long v) {
    values.put(name, new AttrValue.Int(v));
    return this;
  }

  public AttrWriter real(String name, double v) {
    values.put(name, new AttrValue.Real(v));
    return this;
  }

  public AttrWriter optionalReal(String name, OptionalDouble v) {
    if (v.isPresent()) {
      real(name, v.getAsDouble());
    }
    return this;
  }

  public AttrWriter bool(String name, boolean v) {
    values.put(name, new AttrValue.Bool(v));
    return this;
  }

  public AttrWriter ints(String name, ImmutableIntArray v) {
    List<AttrValue> items = new ArrayList<>();
    v.forEach(i -> items.add(new AttrValue.Int(i)));
    values.put(name, new AttrValue.ListOf(items));
    return this;
  }

  public AttrWriter reals(String name, com.google.common.primitives.ImmutableDoubleArray v) {
    List<AttrValue> items = new ArrayList<>();
    v.forEach(d -> items.add(new AttrValue.Real(d)));
    values.put(name, new AttrValue.ListOf(items));
    return this;
  }

  public AttrWriter word(String name, String v) {
    values.put(name, new AttrValue.Word(v));
    return this;
  }

  public Map<String, AttrValue> values() {
    return values;
  }
}
