package dev.zeropoint.cli;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.numerics.LayerRequantization;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.passes.lower.AccumulatorBounds;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code <model>.params.h}: the same parameters as {@link ParamsJson} as a self-contained C99 header:
 * {@code static const} arrays and one struct per layer pointing at them, every name
 * {@code <model>_<layer>_...} made a C identifier from the value names. It includes only
 * {@code <stdint.h>} and compiles warning-free with {@code gcc -std=c99 -Wall -Wextra -pedantic}.
 */
final class ParamsHeader {
  private ParamsHeader() {}

  static String render(Graph g, List<Layers.Layer> layers) {
    String model = identifier(g.name());
    StringBuilder b = new StringBuilder();
    String guard = model.toUpperCase(Locale.ROOT) + "_PARAMS_H";
    b.append("/* Integer parameters of model ").append(comment(g.name())).append(" (numerics ")
        .append(g.numerics().keyword()).append("), written by zeropoint compile --target params.\n")
        .append(" * Layer arithmetic: docs/hardware.md. acc = bias[c] + sum (x - input_zero_point) * (w - weight_zero_point[c]),\n")
        .append(" * then requantize by the scheme, add output_zero_point, clamp to [act_min, act_max]. */\n")
        .append("#ifndef ").append(guard).append("\n#define ").append(guard).append("\n\n#include <stdint.h>\n");
    Set<String> used = new HashSet<>();
    for (Layers.Layer l : layers) {
      String base = unique(model + "_" + identifier(l.name()), used);
      layer(b, g, l, base);
    }
    return b.append("\n#endif /* ").append(guard).append(" */\n").toString();
  }

  private static void layer(StringBuilder b, Graph g, Layers.Layer l, String base) {
    LayerRequantization p = l.params().orElseThrow();
    Requantizer r = p.requantizer();
    TensorData w = l.weightData().orElseThrow();
    int channels = l.channels();
    int[] shape = l.weight().type().shape().toArray();
    String wType = cType(l.weight().type().elementType());
    b.append("\n/* %").append(comment(l.name())).append(": ").append(l.isConv() ? "conv2d" : "linear")
        .append(", weight shape ").append(l.weight().type().shape()).append(", scheme ").append(r.scheme().word())
        .append(" */\n");
    long[] weights = new long[Math.toIntExact(w.size())];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = w.getLong(i);
    }
    array(b, wType, base + "_weight", weights);
    array(b, "int32_t", base + "_weight_zero_point", p.weightZeroPoints().stream().asLongStream().toArray());
    array(b, "int32_t", base + "_bias", p.bias().stream().asLongStream().toArray());
    boolean floats = r.scheme().usesFloat();
    if (floats) {
      b.append("static const float ").append(base).append("_scale[").append(r.scales().length()).append("] = {");
      for (int i = 0; i < r.scales().length(); i++) {
        b.append(i == 0 ? "" : ", ").append(i % 8 == 0 ? "\n  " : "").append(Float.toString((float) r.scales().get(i)))
            .append('f');
      }
      b.append("\n};\n");
    } else {
      if (!r.multipliers().isEmpty()) {
        array(b, "int32_t", base + "_multiplier", r.multipliers().stream().asLongStream().toArray());
      }
      array(b, "int32_t", base + "_shift", r.shifts().stream().asLongStream().toArray());
    }
    String type = "struct " + base + "_params";
    b.append(type).append(" {\n")
        .append("  const char *scheme; /* ").append(schemes()).append(" */\n")
        .append("  int32_t channels; /* output channels */\n")
        .append("  int32_t requant_channels; /* entries in the scale / multiplier / shift arrays (1: per tensor) */\n")
        .append("  int32_t weight_shape[").append(shape.length).append("];\n");
    if (l.isConv()) {
      b.append("  int32_t stride[2];\n  int32_t padding[4]; /* top, left, bottom, right */\n")
          .append("  int32_t dilation[2];\n  int32_t groups;\n");
    }
    b.append("  int32_t input_zero_point;\n  int32_t output_zero_point;\n  int32_t act_min;\n  int32_t act_max;\n")
        .append("  int64_t accumulator_bound;\n")
        .append("  const ").append(wType).append(" *weight;\n  const int32_t *weight_zero_point;\n  const int32_t *bias;\n");
    if (floats) {
      b.append("  const float *scale;\n");
    } else {
      b.append("  const int32_t *multiplier; /* NULL for pow2 */\n  const int32_t *shift;\n");
    }
    b.append("};\n");
    b.append("static const ").append(type).append(' ').append(base).append(" = {\n")
        .append("  \"").append(r.scheme().word()).append("\", ").append(channels).append(", ").append(r.channels())
        .append(",\n  {");
    for (int i = 0; i < shape.length; i++) {
      b.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    b.append("},\n");
    if (l.isConv()) {
      var win = l.window();
      b.append("  {").append(win.stride().get(0)).append(", ").append(win.stride().get(1)).append("}, {")
          .append(win.padding().get(0)).append(", ").append(win.padding().get(1)).append(", ")
          .append(win.padding().get(2)).append(", ").append(win.padding().get(3)).append("}, {")
          .append(win.dilation().get(0)).append(", ").append(win.dilation().get(1)).append("}, ")
          .append(win.groups()).append(",\n");
    }
    long bound = AccumulatorBounds.of(l.acc(), g.numerics()).orElseThrow().bound();
    b.append("  ").append(p.inputZeroPoint()).append(", ").append(r.outputZeroPoint()).append(", ").append(r.min())
        .append(", ").append(r.max()).append(", INT64_C(").append(bound).append("),\n")
        .append("  ").append(base).append("_weight, ").append(base).append("_weight_zero_point, ").append(base)
        .append("_bias, ");
    if (floats) {
      b.append(base).append("_scale\n");
    } else {
      b.append(r.multipliers().isEmpty() ? "0" : base + "_multiplier").append(", ").append(base).append("_shift\n");
    }
    b.append("};\n");
  }

  private static String schemes() {
    return String.join(", ", Requantizer.Scheme.words());
  }

  private static void array(StringBuilder b, String type, String name, long[] values) {
    b.append("static const ").append(type).append(' ').append(name).append('[').append(values.length).append("] = {");
    for (int i = 0; i < values.length; i++) {
      b.append(i == 0 ? "" : ", ").append(i % 16 == 0 ? "\n  " : "");
      // INT32_MIN has no literal in C: -2147483648 is the negation of a long constant.
      b.append(values[i] == Integer.MIN_VALUE ? "(-2147483647 - 1)" : Long.toString(values[i]));
    }
    b.append("\n};\n");
  }

  private static String cType(ElementType e) {
    return switch (e) {
      case I8 -> "int8_t";
      case U8 -> "uint8_t";
      case I16 -> "int16_t";
      case I32 -> "int32_t";
      default -> throw new UserError("zeropoint: weights of type " + e + " have no C integer type");
    };
  }

  /**
   * A C identifier from a value name: every other character becomes '_', a leading digit gets a
   * 'v' in front. Leading underscores are avoided too (reserved names in C).
   */
  static String identifier(String name) {
    StringBuilder s = new StringBuilder();
    for (char c : name.toCharArray()) {
      s.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
    }
    if (s.isEmpty() || !Character.isLetter(s.charAt(0))) {
      s.insert(0, 'v');
    }
    return s.toString();
  }

  private static final List<String> SUFFIXES = List.of("", "_params", "_weight", "_weight_zero_point", "_bias",
      "_scale", "_multiplier", "_shift");

  /**
   * Two value names that sanitise alike ("a.b", "a_b"), or one layer's name plus a suffix equal to
   * another's ("x" and "x.bias"), would declare one identifier twice: the later layer gets _2, _3, ...
   * until none of its identifiers is taken.
   */
  private static String unique(String base, Set<String> used) {
    String name = base;
    for (int i = 2; !free(name, used); i++) {
      name = base + "_" + i;
    }
    for (String suffix : SUFFIXES) {
      used.add(name + suffix);
    }
    return name;
  }

  private static boolean free(String name, Set<String> used) {
    return SUFFIXES.stream().noneMatch(suffix -> used.contains(name + suffix));
  }

  /** Value names go into C comments; a "*&#47;" in one must not end the comment. */
  private static String comment(String s) {
    return s.replace("*/", "* /");
  }
}
