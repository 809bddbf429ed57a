package dev.zeropoint.ir;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableLongArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Quantization parameters carried by a {@link TensorType}: {@code real = scale * (q - zeroPoint)}.
 * Scales keep the exact double the source gave; each numerics flavour converts them its own way.
 */
public sealed interface Quantization permits Quantization.PerTensor, Quantization.PerAxis {

  /** Which part of the written parameters a problem concerns, so a diagnostic can point at it. */
  enum Part {
    SCALE,
    ZERO_POINT,
    AXIS,
    WHOLE
  }

  /** A problem with quantization parameters: the part and entry index (0 per tensor) it concerns. */
  record Problem(Part part, int index, String message) {}

  /** The problems with these parameters for the given storage type and shape; empty when valid. */
  List<Problem> problems(ElementType storage, Shape shape);

  /** The scale of index {@code i} along the axis (per tensor: the scale, whatever i). */
  default double scaleAt(int i) {
    return switch (this) {
      case PerTensor t -> t.scale();
      case PerAxis a -> a.scale(i);
    };
  }

  /** The zero point of index {@code i} along the axis (per tensor: the zero point, whatever i). */
  default long zeroPointAt(int i) {
    return switch (this) {
      case PerTensor t -> t.zeroPoint();
      case PerAxis a -> a.zeroPoint(i);
    };
  }

  /** One scale and zero point for the whole tensor. */
  record PerTensor(double scale, long zeroPoint) implements Quantization {
    @Override
    public List<Problem> problems(ElementType storage, Shape shape) {
      List<Problem> out = new ArrayList<>();
      checkScale(scale, -1, out);
      checkZeroPoint(zeroPoint, storage, -1, out);
      return out;
    }

    @Override
    public String toString() {
      return Numbers.formatDouble(scale) + ":" + zeroPoint;
    }
  }

  /** A scale and zero point per index of one axis (PyTorch's per-channel quantization). */
  record PerAxis(int axis, ImmutableDoubleArray scales, ImmutableLongArray zeroPoints) implements Quantization {
    public PerAxis {
      scales = scales.trimmed();
      zeroPoints = zeroPoints.trimmed();
    }

    public int size() {
      return scales.length();
    }

    public double scale(int i) {
      return scales.get(i);
    }

    public long zeroPoint(int i) {
      return zeroPoints.get(i);
    }

    @Override
    public List<Problem> problems(ElementType storage, Shape shape) {
      List<Problem> out = new ArrayList<>();
      if (scales.length() != zeroPoints.length()) {
        out.add(new Problem(Part.WHOLE, 0, "per-axis quantization has " + scales.length() + " scales but "
            + zeroPoints.length() + " zero points"));
      }
      if (axis < 0 || axis >= shape.rank()) {
        out.add(new Problem(Part.AXIS, 0, "quantization axis " + axis + " outside rank " + shape.rank()));
      } else if (shape.dim(axis) != scales.length()) {
        out.add(new Problem(Part.WHOLE, 0, "per-axis quantization has " + scales.length() + " entries but axis "
            + axis + " has size " + shape.dim(axis)));
      }
      for (int i = 0; i < scales.length(); i++) {
        checkScale(scales.get(i), i, out);
      }
      for (int i = 0; i < zeroPoints.length(); i++) {
        checkZeroPoint(zeroPoints.get(i), storage, i, out);
      }
      return out;
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("axis ").append(axis).append(": {");
      for (int i = 0; i < scales.length(); i++) {
        if (i > 0) {
          b.append(", ");
        }
        b.append(Numbers.formatDouble(scales.get(i))).append(':').append(zeroPoints.get(i));
      }
      return b.append('}').toString();
    }
  }

  /** {@code index} -1 for per-tensor parameters (not mentioned in the message). */
  private static void checkScale(double scale, int index, List<Problem> out) {
    String where = index < 0 ? "" : " at index " + index;
    if (Double.isNaN(scale) || Double.isInfinite(scale)) {
      out.add(new Problem(Part.SCALE, Math.max(index, 0), "scale " + Numbers.formatDouble(scale) + where
          + " is not finite"));
    } else if (scale <= 0) {
      out.add(new Problem(Part.SCALE, Math.max(index, 0), "scale " + Numbers.formatDouble(scale) + where
          + " is not positive"));
    }
  }

  private static void checkZeroPoint(long zp, ElementType storage, int index, List<Problem> out) {
    if (zp < storage.minValue() || zp > storage.maxValue()) {
      out.add(new Problem(Part.ZERO_POINT, Math.max(index, 0), "zero point " + zp
          + (index < 0 ? "" : " at index " + index) + " outside " + storage + " range " + storage.minValue() + ".."
          + storage.maxValue()));
    }
  }
}
