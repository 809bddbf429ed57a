package dev.zeropoint.cli;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numbers;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.ClampBounds;
import dev.zeropoint.ir.numerics.IntegerOnlyRequant;
import dev.zeropoint.ir.numerics.LayerRequantization;
import dev.zeropoint.ir.numerics.QuantizedMultiplier;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.ir.numerics.Tosa;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.lower.AccumulatorBounds;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * The text of {@code zeropoint explain}: for every quantized layer, the integer formula with its
 * numbers, and for the other quantized ops whose numbers matter (add, mul, pools, clamps) their
 * parameters. Everything is read from the IR and computed with the numerics library; nothing here
 * re-derives a rounding rule. The text is stable: doubles print exactly as the printer writes them,
 * error estimates with three significant digits.
 */
final class Explainer {
  /** Per-channel lists show this many entries, then the count and the range. */
  private static final int SHOWN = 4;

  private final Graph graph;
  private final boolean integerOnly;

  Explainer(Graph graph, boolean integerOnly) {
    this.graph = graph;
    this.integerOnly = integerOnly;
  }

  /** Sections keyed by the value they explain, in graph order. */
  record Section(List<String> names, List<String> lines) {}

  List<Section> sections() {
    List<Section> out = new ArrayList<>();
    List<Layers.Layer> layers = Layers.of(graph, integerOnly);
    for (Node n : graph.nodes()) {
      for (Layers.Layer l : layers) {
        if (l.output() == n.results().get(0)) {
          out.add(new Section(List.of(l.name(), l.acc().result().name()), layer(l)));
        }
      }
      if (isOtherOp(n)) {
        out.add(new Section(List.of(n.result().name()), other(n)));
      }
    }
    return out;
  }

  private static boolean isOtherOp(Node n) {
    return n.results().size() == 1 && n.result().type().isQuantized() && switch (n.op()) {
      case ADD, MUL, MAX_POOL2D, AVG_POOL2D, ADAPTIVE_AVG_POOL2D, RELU, RELU6, HARDTANH, CLAMP, BINARY_LOOKUP -> true;
      default -> false;
    };
  }

  private List<String> layer(Layers.Layer l) {
    List<String> s = new ArrayList<>();
    String kind = l.isConv() ? "conv2d" : "linear";
    String geometry = "";
    if (l.isConv()) {
      var w = l.window();
      int[] ws = l.weight().type().shape().toArray();
      geometry = ", kernel " + ws[2] + "x" + ws[3] + ", stride " + w.stride() + ", padding " + w.padding()
          + ", dilation " + w.dilation() + ", groups " + w.groups();
    }
    s.add("%" + l.name() + ": " + kind + geometry + ", " + l.channels() + " output channels"
        + (l.lowered() ? " (lowered: %" + l.acc().result().name() + " = " + l.acc().op() + ", %" + l.name()
            + " = requantize_acc)" : " (not lowered)"));
    TensorType x = l.input().type();
    TensorType w = l.weight().type();
    TensorType y = l.output().type();
    s.add("  input   %" + l.input().name() + ": " + params(x));
    s.add("  weight  %" + l.weight().name() + ": " + w.shape() + " " + params(w));
    s.add("  output  %" + l.name() + ": " + params(y));
    if (l.params().isEmpty()) {
      s.add("  integer constants: none: " + graph.numerics() + " does not define this layer in integers"
          + " (it runs as written)");
      next(l.output(), s);
      return s;
    }
    LayerRequantization p = l.params().get();
    Requantizer r = p.requantizer();
    int channels = l.channels();
    AccumulatorBounds bound = AccumulatorBounds.of(l.acc(), graph.numerics()).orElseThrow();
    s.add("  formula acc[c] = bias[c] + sum of K = " + bound.reduction() + " products (x - " + signed(p.inputZeroPoint())
        + ") * (w - w_zp[c]);  y = clamp(" + r.outputZeroPoint() + " + " + schemeFormula(r.scheme()) + ", " + r.min()
        + ", " + r.max() + ")");
    s.add("  w_zp    " + ints(channels, c -> p.weightZeroPoints().get(c)));
    s.add("  bias    int32 " + ints(channels, c -> p.bias().get(c)));
    double[] real = new double[channels];
    double[] approx = new double[channels];
    for (int c = 0; c < channels; c++) {
      real[c] = scale(x, 0) * scale(w, c) / scale(y, 0);
      approx[c] = approximation(r, r.channels() == 1 ? 0 : c);
    }
    s.add("  s_in*s_w/s_out " + doubles(real));
    s.add("  requantize " + r.scheme().word() + ": " + schemeParameters(r));
    double worstRelative = 0;
    double worstAbsolute = 0;
    int at = 0;
    for (int c = 0; c < channels; c++) {
      double rel = Math.abs(approx[c] - real[c]) / real[c];
      if (rel > worstRelative) {
        worstRelative = rel;
        at = c;
      }
      worstAbsolute = Math.max(worstAbsolute, Math.abs(approx[c] - real[c]));
    }
    s.add("  approximation max |m - s| / s = " + sig(worstRelative) + " (channel " + at + "); at |acc| <= "
        + bound.bound() + " that is " + sig(worstAbsolute * bound.bound()) + " output LSB");
    s.add("  clamp   [" + r.min() + ", " + r.max() + "]: " + clampOrigin(r, y.elementType()));
    s.add("  accumulator |acc| <= K * max|x - x_zp| * max|w - w_zp| + max|bias| = " + bound.reduction() + " * "
        + bound.maxInput() + " * " + bound.maxWeight() + " + " + bound.maxBias() + " <= " + bound.bound()
        + (bound.mayOverflow() ? ": MAY OVERFLOW int32 (channel " + bound.channel() + ")" : ": fits int32"));
    next(l.output(), s);
    return s;
  }

  private static String schemeFormula(Requantizer.Scheme scheme) {
    return switch (scheme) {
      case FLOAT -> "RNE(f32(acc) * scale[c])";
      case MANTISSA -> "RNE(f32(acc) * mantissa[c] * 2^exponent[c]) in integers";
      case TFLITE_DOUBLE -> "MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c])";
      case TFLITE_SINGLE -> "MultiplyByQuantizedMultiplierSingleRounding(acc, multiplier[c], shift[c])";
      case TOSA_DOUBLE -> "apply_scale_32(acc, multiplier[c], shift[c], double_round)";
      case TOSA_SINGLE -> "apply_scale_32(acc, multiplier[c], shift[c], single_round)";
      case POW2 -> "(acc + 2^(shift[c]-1)) >> shift[c]";
      case FLOAT_CLAMP -> "RNE(f32(acc) * scale[c])";
    };
  }

  private static String schemeParameters(Requantizer r) {
    int n = r.channels();
    return switch (r.scheme()) {
      case FLOAT, FLOAT_CLAMP -> "f32 scale " + doubles(n, c -> r.scales().get(c));
      case MANTISSA -> "mantissa " + ints(n, c -> r.multipliers().get(c)) + ", exponent "
          + ints(n, c -> r.shifts().get(c)) + " (m = mantissa * 2^exponent)";
      case TFLITE_DOUBLE, TFLITE_SINGLE -> "multiplier " + ints(n, c -> r.multipliers().get(c)) + ", shift "
          + ints(n, c -> r.shifts().get(c)) + " (m = multiplier * 2^(shift - 31))";
      case TOSA_DOUBLE, TOSA_SINGLE -> "multiplier " + ints(n, c -> r.multipliers().get(c)) + ", shift "
          + ints(n, c -> r.shifts().get(c)) + " (m = multiplier * 2^-shift)";
      case POW2 -> "shift " + ints(n, c -> r.shifts().get(c)) + " (m = 2^-shift)";
    };
  }

  /** The real multiplier the scheme's parameters stand for, by the library's own definitions. */
  static double approximation(Requantizer r, int c) {
    return switch (r.scheme()) {
      case FLOAT, FLOAT_CLAMP -> r.scales().get(c);
      case MANTISSA -> new IntegerOnlyRequant(r.multipliers().get(c), r.shifts().get(c)).multiplier();
      case TFLITE_DOUBLE, TFLITE_SINGLE -> new QuantizedMultiplier(r.multipliers().get(c), r.shifts().get(c)).toDouble();
      case TOSA_DOUBLE, TOSA_SINGLE -> new Tosa.MultiplierAndShift(r.multipliers().get(c), r.shifts().get(c)).toDouble();
      case POW2 -> Math.scalb(1.0, -r.shifts().get(c));
    };
  }

  private static String clampOrigin(Requantizer r, ElementType storage) {
    if (r.min() == storage.minValue() && r.max() == storage.maxValue()) {
      return "the " + storage + " storage range (no fused activation)";
    }
    if (r.min() == r.outputZeroPoint() && r.max() == storage.maxValue()) {
      return "a fused relu (real 0 is the zero point " + r.outputZeroPoint() + ")";
    }
    return "a fused activation (narrower than the " + storage + " range " + storage.minValue() + ".."
        + storage.maxValue() + ")";
  }

  private List<String> other(Node n) {
    List<String> s = new ArrayList<>();
    TensorType y = n.result().type();
    s.add("%" + n.result().name() + ": " + n.op() + "(" + String.join(", ",
        n.operands().stream().map(v -> "%" + v.name()).toList()) + ")");
    for (Value v : n.operands()) {
      if (v.type().isQuantized()) {
        s.add("  input   %" + v.name() + ": " + params(v.type()));
      }
    }
    s.add("  output  %" + n.result().name() + ": " + params(y));
    TensorType a = n.operand(0).type();
    if (a.isQuantized() && a.quantization().get() instanceof Quantization.PerTensor && y.perTensor().isPresent()) {
      double so = scale(y, 0);
      switch (n.op()) {
        case ADD -> s.add("  rescale s_a/s_out = " + Numbers.formatDouble(scale(a, 0) / so) + ", s_b/s_out = "
            + Numbers.formatDouble(scale(n.operand(1).type(), 0) / so));
        case MUL -> s.add("  rescale s_a*s_b/s_out = "
            + Numbers.formatDouble(scale(a, 0) * scale(n.operand(1).type(), 0) / so));
        case AVG_POOL2D, ADAPTIVE_AVG_POOL2D -> s.add("  rescale s_in/s_out = " + Numbers.formatDouble(scale(a, 0) / so)
            + " (times 1 / window size)");
        case MAX_POOL2D -> s.add("  parameters kept: the max of integers is the integer of the max");
        case BINARY_LOOKUP -> {
          Attrs.BinaryLookup t = (Attrs.BinaryLookup) n.attrs();
          int tables = t.tablesNeeded();
          s.add("  rescale s_a/s_out = " + Numbers.formatDouble(scale(a, 0) / so) + ", s_b/s_out = "
              + Numbers.formatDouble(scale(n.operand(1).type(), 0) / so) + ", as " + tables + " table"
              + (tables == 1 ? "" : "s") + " of 256 x 256 results made at compile time (%" + n.operand(2).name() + ")");
          s.add("  tables  rows of " + t.row() + " elements: the first " + t.head() + " read table 0"
              + (tables == 1 ? "" : ", the other " + (t.row() - t.head()) + " table 1"));
        }
        default -> clampBounds(n).ifPresent(b -> s.add("  clamp   [" + b.min() + ", " + b.max() + "] on the integers"));
      }
    }
    next(n.result(), s);
    return s;
  }

  /** The integer bounds of a quantized relu / relu6 / hardtanh / clamp in flavours whose rule the library has. */
  private java.util.Optional<ClampBounds.Bounds> clampBounds(Node n) {
    if (graph.numerics() != Numerics.PYTORCH_QNNPACK) {
      return java.util.Optional.empty();
    }
    var q = n.operand(0).type().perTensor().orElseThrow();
    ElementType e = n.operand(0).type().elementType();
    return java.util.Optional.of(switch (n.attrs()) {
      case Attrs.Hardtanh h -> ClampBounds.pytorchClamp((float) h.min(), (float) h.max(), q.scale(), q.zeroPoint(), e);
      case Attrs.Clamp c -> {
        var both = ClampBounds.pytorchClamp((float) c.min().orElse(0), (float) c.max().orElse(0), q.scale(),
            q.zeroPoint(), e);
        yield new ClampBounds.Bounds(c.min().isPresent() ? both.min() : (int) e.minValue(),
            c.max().isPresent() ? both.max() : (int) e.maxValue());
      }
      default -> n.op() == Op.RELU6 ? ClampBounds.pytorchClamp(0f, 6f, q.scale(), q.zeroPoint(), e)
          : ClampBounds.pytorchRelu((int) q.zeroPoint(), e);
    });
  }

  /** How the value's parameters reach its consumers: quantized types carry them, so they are the same. */
  private void next(Value v, List<String> s) {
    for (Node u : graph.users(v)) {
      String reads = u.op() == Op.CONV2D_ACC || u.op() == Op.LINEAR_ACC
          ? " takes it as input with input_zero_point " + switch (u.attrs()) {
            case Attrs.Conv2dAcc c -> c.inputZeroPoint();
            case Attrs.LinearAcc c -> c.inputZeroPoint();
            default -> 0;
          } + " and the same scale"
          : u.op() == Op.DEQUANTIZE ? " converts it to float: (q - zero point) * scale"
          : " reads it with the same scale and zero point";
      String results = String.join(", ", u.results().stream().map(r -> "%" + r.name()).toList());
      s.add("  next    " + results + " (" + u.op() + ")" + reads);
    }
    for (Graph.Output o : graph.outputs()) {
      if (o.value() == v) {
        s.add("  next    graph output " + o.name());
      }
    }
  }

  static String params(TensorType t) {
    return switch (t.quantization().orElse(null)) {
      case Quantization.PerTensor q -> t.elementType() + ", scale " + Numbers.formatDouble(q.scale()) + ", zero point "
          + q.zeroPoint();
      case Quantization.PerAxis q -> t.elementType() + ", per channel (axis " + q.axis() + "): scale "
          + doubles(q.size(), q::scale) + ", zero point " + ints(q.size(), c -> (int) q.zeroPoint(c));
      case null -> t.elementType() + " (not quantized)";
    };
  }

  private static double scale(TensorType t, int c) {
    return switch (t.quantization().orElseThrow()) {
      case Quantization.PerTensor q -> q.scale();
      case Quantization.PerAxis q -> q.scale(c);
    };
  }

  private static String doubles(double[] v) {
    return doubles(v.length, c -> v[c]);
  }

  static String doubles(int n, IntFunction<Double> v) {
    StringBuilder b = new StringBuilder("[");
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < n; c++) {
      double d = v.apply(c);
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
      if (c < SHOWN) {
        b.append(c == 0 ? "" : ", ").append(Numbers.formatDouble(d));
      }
    }
    return b.append(n > SHOWN ? ", ...] (" + n + " channels, " + Numbers.formatDouble(lo) + " .. "
        + Numbers.formatDouble(hi) + ")" : "]").toString();
  }

  static String ints(int n, IntFunction<Integer> v) {
    StringBuilder b = new StringBuilder("[");
    long lo = Long.MAX_VALUE;
    long hi = Long.MIN_VALUE;
    boolean same = true;
    for (int c = 0; c < n; c++) {
      int d = v.apply(c);
      same &= d == v.apply(0);
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
      if (c < SHOWN) {
        b.append(c == 0 ? "" : ", ").append(d);
      }
    }
    if (n > SHOWN) {
      b.append(", ...] (").append(n).append(" channels, ").append(same ? "all " + lo : lo + " .. " + hi).append(')');
      return b.toString();
    }
    return b.append(']').toString();
  }

  /** A negative number in parentheses, so "x - (-3)" does not read as "x - -3". */
  private static String signed(int v) {
    return v < 0 ? "(" + v + ")" : Integer.toString(v);
  }

  /** Three significant digits, 0 exactly for 0 (so an exact scheme reads as exact). */
  static String sig(double v) {
    return v == 0 ? "0" : String.format(Locale.ROOT, "%.3g", v);
  }
}
