package dev.zeropoint.ir.op;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.TensorData;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Typed attributes, one record per attribute shape. Each record reads itself from written attributes
 * (checking the ranges that do not depend on operand shapes) and writes itself back for the printer;
 * the printer writes every attribute, defaults included.
 */
public sealed interface Attrs {

  void write(AttrWriter w);

  /** Ops without attributes. */
  record None() implements Attrs {
    public static final None INSTANCE = new None();

    @Override
    public void write(AttrWriter w) {}
  }

  /**
   * A constant's contents: read from the model's weights file under {@code key}, or written inline
   * (key empty). Not an attribute block in the language: {@code const "key"} or {@code const [...]}.
   */
  record Const(TensorData data, Optional<String> key) implements Attrs {
    @Override
    public void write(AttrWriter w) {}
  }

  /** Two-dimensional window geometry shared by conv and pools. Padding is [top, left, bottom, right]. */
  record Conv2d(ImmutableIntArray stride, ImmutableIntArray padding, ImmutableIntArray dilation, int groups)
      implements Attrs {
    public static Conv2d read(AttrReader r) {
      var stride = positive(r, "stride", r.ints("stride", 2, pair(1)));
      var padding = readPadding(r);
      var dilation = positive(r, "dilation", r.ints("dilation", 2, pair(1)));
      int groups = r.int32("groups", 1);
      if (groups < 1) {
        r.problem("groups", "groups must be at least 1, got " + groups);
        groups = 1;
      }
      return new Conv2d(stride, padding, dilation, groups);
    }

    @Override
    public void write(AttrWriter w) {
      w.ints("stride", stride).ints("padding", padding).ints("dilation", dilation).integer("groups", groups);
    }
  }

  /** {@code hardtanh}: clamp to [min, max] in real numbers. */
  record Hardtanh(double min, double max) implements Attrs {
    public static Hardtanh read(AttrReader r) {
      double min = r.real("min", -1.0);
      double max = r.real("max", 1.0);
      if (Double.isNaN(min) || Double.isNaN(max)) {
        r.problem(Double.isNaN(min) ? "min" : "max", "bounds must not be nan");
      } else if (min > max) {
        r.problem("min", "min " + min + " is greater than max " + max);
      }
      return new Hardtanh(min, max);
    }

    @Override
    public void write(AttrWriter w) {
      w.real("min", min).real("max", max);
    }
  }

  /** {@code clamp}: either bound may be absent, not both. */
  record Clamp(OptionalDouble min, OptionalDouble max) implements Attrs {
    public static Clamp read(AttrReader r) {
      OptionalDouble min = r.optionalReal("min");
      OptionalDouble max = r.optionalReal("max");
      if (min.isEmpty() && max.isEmpty()) {
        r.problem(null, "needs at least one of 'min' and 'max'");
      } else if ((min.isPresent() && Double.isNaN(min.getAsDouble()))
          || (max.isPresent() && Double.isNaN(max.getAsDouble()))) {
        r.problem(min.isPresent() && Double.isNaN(min.getAsDouble()) ? "min" : "max", "bounds must not be nan");
      } else if (min.isPresent() && max.isPresent() && min.getAsDouble() > max.getAsDouble()) {
        r.problem("min", "min " + min.getAsDouble() + " is greater than max " + max.getAsDouble());
      }
      return new Clamp(min, max);
    }

    @Override
    public void write(AttrWriter w) {
      w.optionalReal("min", min).optionalReal("max", max);
    }
  }

  record MaxPool2d(ImmutableIntArray kernel, ImmutableIntArray stride, ImmutableIntArray padding,
      ImmutableIntArray dilation, boolean ceilMode) implements Attrs {
    public static MaxPool2d read(AttrReader r) {
      var kernel = positive(r, "kernel", r.ints("kernel", 2, null));
      var stride = positive(r, "stride", r.ints("stride", 2, kernel.length() == 2 ? kernel : pair(1)));
      var padding = readPadding(r);
      var dilation = positive(r, "dilation", r.ints("dilation", 2, pair(1)));
      return new MaxPool2d(kernel, stride, padding, dilation, r.bool("ceil_mode", false));
    }

    @Override
    public void write(AttrWriter w) {
      w.ints("kernel", kernel).ints("stride", stride).ints("padding", padding).ints("dilation", dilation)
          .bool("ceil_mode", ceilMode);
    }
  }

  /** {@code divisorOverride} 0 means none: divide by the window size as PyTorch does. */
  record AvgPool2d(ImmutableIntArray kernel, ImmutableIntArray stride, ImmutableIntArray padding, boolean ceilMode,
      boolean countIncludePad, int divisorOverride) implements Attrs {
    public static AvgPool2d read(AttrReader r) {
      var kernel = positive(r, "kernel", r.ints("kernel", 2, null));
      var stride = positive(r, "stride", r.ints("stride", 2, kernel.length() == 2 ? kernel : pair(1)));
      var padding = readPadding(r);
      boolean ceil = r.bool("ceil_mode", false);
      boolean include = r.bool("count_include_pad", true);
      int divisor = r.int32("divisor_override", 0);
      if (divisor < 0) {
        r.problem("divisor_override", "divisor_override must be positive (or 0 for none), got " + divisor);
        divisor = 0;
      }
      return new AvgPool2d(kernel, stride, padding, ceil, include, divisor);
    }

    @Override
    public void write(AttrWriter w) {
      w.ints("kernel", kernel).ints("stride", stride).ints("padding", padding).bool("ceil_mode", ceilMode)
          .bool("count_include_pad", countIncludePad).integer("divisor_override", divisorOverride);
    }
  }

  record AdaptiveAvgPool2d(ImmutableIntArray outputSize) implements Attrs {
    public static AdaptiveAvgPool2d read(AttrReader r) {
      return new AdaptiveAvgPool2d(positive(r, "output_size", r.ints("output_size", 2, null)));
    }

    @Override
    public void write(AttrWriter w) {
      w.ints("output_size", outputSize);
    }
  }

  /** An axis, possibly negative (counted from the end) as written; type rules normalise it. */
  record Axis(int axis) implements Attrs {
    public static Axis read(AttrReader r) {
      return new Axis(r.requiredInt32("axis"));
    }

    @Override
    public void write(AttrWriter w) {
      w.integer("axis", axis);
    }
  }

  record Flatten(int startDim, int endDim) implements Attrs {
    public static Flatten read(AttrReader r) {
      return new Flatten(r.int32("start_dim", 0), r.int32("end_dim", -1));
    }

    @Override
    public void write(AttrWriter w) {
      w.integer("start_dim", startDim).integer("end_dim", endDim);
    }
  }

  record Reshape(ImmutableIntArray shape) implements Attrs {
    public static Reshape read(AttrReader r) {
      return new Reshape(r.ints("shape", null));
    }

    @Override
    public void write(AttrWriter w) {
      w.ints("shape", shape);
    }
  }

  record Permute(ImmutableIntArray dims) implements Attrs {
    public static Permute read(AttrReader r) {
      return new Permute(r.ints("dims", null));
    }

    @Override
    public void write(AttrWriter w) {
      w.ints("dims", dims);
    }
  }

  record Split(int axis, ImmutableIntArray sizes) implements Attrs {
    public static Split read(AttrReader r) {
      int axis = r.requiredInt32("axis");
      var sizes = r.ints("sizes", null);
      for (int i = 0; i < sizes.length(); i++) {
        if (sizes.get(i) < 0) {
          r.problem("sizes", "sizes must not be negative, got " + sizes.get(i));
          break;
        }
      }
      return new Split(axis, sizes);
    }

    @Override
    public void write(AttrWriter w) {
      w.integer("axis", axis).ints("sizes", sizes);
    }
  }

  record Chunk(int axis, int chunks) implements Attrs {
    public static Chunk read(AttrReader r) {
      int axis = r.requiredInt32("axis");
      int chunks = r.requiredInt32("chunks");
      if (chunks < 1 && r.has("chunks")) {
        r.problem("chunks", "chunks must be at least 1, got " + chunks);
        chunks = 1;
      }
      return new Chunk(axis, chunks);
    }

    @Override
    public void write(AttrWriter w) {
      w.integer("axis", axis).integer("chunks", chunks);
    }
  }

  /** Constant padding: {@code pads} holds the begin of every axis, then the end of every axis. */
  record Pad(ImmutableIntArray pads, double value) implements Attrs {
    public static Pad read(AttrReader r) {
      var pads = r.ints("pads", null);
      for (int i = 0; i < pads.length(); i++) {
        if (pads.get(i) < 0) {
          r.problem("pads", "pads must not be negative, got " + pads.get(i));
          break;
        }
      }
      double value = r.real("value", 0.0);
      if (!Double.isFinite(value)) {
        r.problem("value", "pad value must be finite, got " + value);
      }
      return new Pad(pads, value);
    }

    @Override
    public void write(AttrWriter w) {
      w.ints("pads", pads).real("value", value);
    }
  }

  record BatchNorm(double eps) implements Attrs {
    public static BatchNorm read(AttrReader r) {
      double eps = r.real("eps", 1e-5);
      if (!(eps >= 0) || Double.isInfinite(eps)) {
        r.problem("eps", "eps must be a non-negative finite number, got " + eps);
      }
      return new BatchNorm(eps);
    }

    @Override
    public void write(AttrWriter w) {
      w.real("eps", eps);
    }
  }

  /**
   * {@code conv2d_acc}: the window of {@link Conv2d} and the zero points subtracted before the
   * integer products: {@code acc = bias + sum((x - input_zero_point) * (w - weight_zero_points[o]))}.
   */
  record Conv2dAcc(Conv2d window, int inputZeroPoint, ImmutableIntArray weightZeroPoints) implements Attrs {
    public static Conv2dAcc read(AttrReader r) {
      Conv2d window = Conv2d.read(r);
      return new Conv2dAcc(window, r.requiredInt32("input_zero_point"), r.ints("weight_zero_points", null));
    }

    @Override
    public void write(AttrWriter w) {
      window.write(w);
      w.integer("input_zero_point", inputZeroPoint).ints("weight_zero_points", weightZeroPoints);
    }
  }

  /** {@code linear_acc}: {@code acc = bias + sum((x - input_zero_point) * (w - weight_zero_points[n]))}. */
  record LinearAcc(int inputZeroPoint, ImmutableIntArray weightZeroPoints) implements Attrs {
    public static LinearAcc read(AttrReader r) {
      return new LinearAcc(r.requiredInt32("input_zero_point"), r.ints("weight_zero_points", null));
    }

    @Override
    public void write(AttrWriter w) {
      w.integer("input_zero_point", inputZeroPoint).ints("weight_zero_points", weightZeroPoints);
    }
  }

  /**
   * {@code requantize_acc}: int32 accumulators to output integers along {@code axis}, one set of
   * parameters per index of the axis (or one for all), by the scheme's rule
   * ({@link dev.zeropoint.ir.numerics.Requantizer}), then zero point and clamp [min, max].
   */
  record RequantizeAcc(dev.zeropoint.ir.numerics.Requantizer.Scheme scheme,
      com.google.common.primitives.ImmutableDoubleArray scales, ImmutableIntArray multipliers, ImmutableIntArray shifts,
      int axis, int outputZeroPoint, int min, int max) implements Attrs {
    public static RequantizeAcc read(AttrReader r) {
      var scheme = dev.zeropoint.ir.numerics.Requantizer.Scheme.fromWord(
          r.word("scheme", dev.zeropoint.ir.numerics.Requantizer.Scheme.words(), null)).orElseThrow();
      var none = com.google.common.primitives.ImmutableDoubleArray.of();
      return new RequantizeAcc(scheme, r.reals("scales", none), r.ints("multipliers", ImmutableIntArray.of()),
          r.ints("shifts", ImmutableIntArray.of()), r.int32("axis", 1), r.requiredInt32("output_zero_point"),
          r.requiredInt32("min"), r.requiredInt32("max"));
    }

    /** The requantization of outputs stored as {@code storage}. */
    public dev.zeropoint.ir.numerics.Requantizer requantizer(dev.zeropoint.ir.ElementType storage) {
      return new dev.zeropoint.ir.numerics.Requantizer(scheme, scales, multipliers, shifts, outputZeroPoint, min, max,
          storage);
    }

    @Override
    public void write(AttrWriter w) {
      w.word("scheme", scheme.word());
      if (!scales.isEmpty()) {
        w.reals("scales", scales);
      }
      if (!multipliers.isEmpty()) {
        w.ints("multipliers", multipliers);
      }
      if (!shifts.isEmpty()) {
        w.ints("shifts", shifts);
      }
      w.integer("axis", axis).integer("output_zero_point", outputZeroPoint).integer("min", min).integer("max", max);
    }
  }

  /**
   * {@code avg_pool2d_int}: the window of {@link AvgPool2d}; each output is the rescale ({@link
   * dev.zeropoint.ir.numerics.PoolRescale#apply}) of {@code sum(x - input_zero_point)} over the
   * window's in-bounds positions, the window counted as in PyTorch's kernel (see the kernel).
   */
  record AvgPool2dInt(AvgPool2d window, int inputZeroPoint, dev.zeropoint.ir.numerics.PoolRescale rescale)
      implements Attrs {
    public static AvgPool2dInt read(AttrReader r) {
      return new AvgPool2dInt(AvgPool2d.read(r), r.requiredInt32("input_zero_point"), readRescale(r));
    }

    @Override
    public void write(AttrWriter w) {
      window.write(w);
      w.integer("input_zero_point", inputZeroPoint);
      writeRescale(w, rescale);
    }
  }

  /** {@code adaptive_avg_pool2d_int}: PyTorch's adaptive windows, then the rescale of their sums. */
  record AdaptiveAvgPool2dInt(AdaptiveAvgPool2d size, int inputZeroPoint,
      dev.zeropoint.ir.numerics.PoolRescale rescale) implements Attrs {
    public static AdaptiveAvgPool2dInt read(AttrReader r) {
      return new AdaptiveAvgPool2dInt(AdaptiveAvgPool2d.read(r), r.requiredInt32("input_zero_point"),
          readRescale(r));
    }

    @Override
    public void write(AttrWriter w) {
      size.write(w);
      w.integer("input_zero_point", inputZeroPoint);
      writeRescale(w, rescale);
    }
  }

  /** {@code mul_acc}: {@code (a - a_zero_point) * (b - b_zero_point)} as int32, broadcasting. */
  record MulAcc(int aZeroPoint, int bZeroPoint) implements Attrs {
    public static MulAcc read(AttrReader r) {
      return new MulAcc(r.requiredInt32("a_zero_point"), r.requiredInt32("b_zero_point"));
    }

    @Override
    public void write(AttrWriter w) {
      w.integer("a_zero_point", aZeroPoint).integer("b_zero_point", bZeroPoint);
    }
  }

  /**
   * {@code lookup}: one table of 256 entries indexed by {@code x - min(storage)}, or, with an
   * {@code axis}, one such table per index of that axis, concatenated (per-channel functions such as
   * a quantized batch norm).
   */
  record Lookup(ImmutableIntArray table, int axis) implements Attrs {
    /** No axis: one table for every element. */
    public static final int NO_AXIS = Integer.MIN_VALUE;

    public Lookup(ImmutableIntArray table) {
      this(table, NO_AXIS);
    }

    public boolean perChannel() {
      return axis != NO_AXIS;
    }

    public static Lookup read(AttrReader r) {
      ImmutableIntArray table = r.ints("table", null);
      return new Lookup(table, r.has("axis") ? r.int32("axis", 0) : NO_AXIS);
    }

    @Override
    public void write(AttrWriter w) {
      w.ints("table", table);
      if (perChannel()) {
        w.integer("axis", axis);
      }
    }
  }

  /**
   * {@code binary_lookup}: the output, row-major, is cut into rows of {@code row} consecutive
   * elements; the first {@code head} elements of each row read table 0 of the {@code tables}
   * operand, the others the last table (so one table serves all when {@code head} is 0 or {@code
   * row}).
   */
  record BinaryLookup(int row, int head) implements Attrs {
    public static BinaryLookup read(AttrReader r) {
      int row = r.requiredInt32("row");
      int head = r.requiredInt32("head");
      if (row < 1) {
        if (r.has("row")) {
          r.problem("row", "row must be at least 1, got " + row);
        }
        row = 1;
      }
      if (head < 0 || head > row) {
        if (r.has("head") && r.has("row")) {
          r.problem("head", "head must be in [0, row = " + row + "], got " + head);
        }
        head = 0;
      }
      return new BinaryLookup(row, head);
    }

    /** Whether output element {@code flatIndex} (row-major) reads table 0 rather than the last. */
    public boolean readsFirstTable(long flatIndex) {
      return flatIndex % row < head;
    }

    /** How many tables the op needs: two when both parts of a row are non-empty, else one. */
    public int tablesNeeded() {
      return head > 0 && head < row ? 2 : 1;
    }

    @Override
    public void write(AttrWriter w) {
      w.integer("row", row).integer("head", head);
    }
  }

  private static dev.zeropoint.ir.numerics.PoolRescale readRescale(AttrReader r) {
    var kind = dev.zeropoint.ir.numerics.PoolRescale.Kind.fromWord(
        r.word("rounding", dev.zeropoint.ir.numerics.PoolRescale.Kind.words(), null))
        .orElse(dev.zeropoint.ir.numerics.PoolRescale.Kind.QNNPACK);
    return new dev.zeropoint.ir.numerics.PoolRescale(kind, r.int32("columns", 1),
        r.ints("multipliers", null), r.ints("shifts", null), r.requiredInt32("output_zero_point"));
  }

  private static void writeRescale(AttrWriter w, dev.zeropoint.ir.numerics.PoolRescale p) {
    w.word("rounding", p.kind().word()).integer("columns", p.columns()).ints("multipliers", p.multipliers())
        .ints("shifts", p.shifts()).integer("output_zero_point", p.outputZeroPoint());
  }

  private static ImmutableIntArray pair(int v) {
    return ImmutableIntArray.of(v, v);
  }

  /** Padding as [top, left, bottom, right]; {@code [h, w]} is shorthand for both sides. */
  private static ImmutableIntArray readPadding(AttrReader r) {
    ImmutableIntArray p = r.ints("padding", ImmutableIntArray.of(0, 0, 0, 0));
    if (p.length() == 2) {
      p = ImmutableIntArray.of(p.get(0), p.get(1), p.get(0), p.get(1));
    } else if (p.length() != 4) {
      r.problem("padding", "attribute 'padding' needs 2 or 4 entries, got " + p.length());
      return ImmutableIntArray.of(0, 0, 0, 0);
    }
    for (int i = 0; i < 4; i++) {
      if (p.get(i) < 0) {
        r.problem("padding", "padding must not be negative, got " + p.get(i));
        return ImmutableIntArray.of(0, 0, 0, 0);
      }
    }
    return p;
  }

  private static ImmutableIntArray positive(AttrReader r, String name, ImmutableIntArray v) {
    for (int i = 0; i < v.length(); i++) {
      if (v.get(i) < 1) {
        r.problem(name, name + " entries must be positive, got " + v.get(i));
        return ImmutableIntArray.of(1, 1);
      }
    }
    return v;
  }
}
