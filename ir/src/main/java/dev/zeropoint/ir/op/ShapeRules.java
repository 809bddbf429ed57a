package dev.zeropoint.ir.op;

import static dev.zeropoint.ir.op.TypeChecks.inferred;
import static dev.zeropoint.ir.op.TypeChecks.requireRank;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import java.util.ArrayList;
import java.util.List;

/** Type rules of the ops that move data: pools, reshapes, permutes, splits, padding, concatenation. */
final class ShapeRules {
  private ShapeRules() {}

  /**
   * PyTorch's output size of a sliding window along one dimension:
   * {@code floor((in + padBegin + padEnd - dilation*(k-1) - 1) / stride) + 1}, with ceil under
   * {@code ceilMode}, where a last window that would start inside the end padding is dropped.
   */
  static int windowOutput(TypeContext c, int in, int kernel, int stride, int padBegin, int padEnd, int dilation,
      boolean ceilMode) throws TypeError {
    long span = (long) in + padBegin + padEnd - (long) dilation * (kernel - 1) - 1;
    long out = (ceilMode ? Math.floorDiv(span + stride - 1, stride) : Math.floorDiv(span, stride)) + 1;
    if (ceilMode && (out - 1) * stride >= (long) in + padBegin) {
      out--;
    }
    if (out < 1) {
      throw c.error("window of size " + kernel + " (dilation " + dilation + ") does not fit the input size " + in
          + " with padding " + padBegin + "+" + padEnd);
    }
    return Math.toIntExact(out);
  }

  /** The input's type with another shape; per-axis parameters would need a remapped axis, so they are refused. */
  private static TensorType keep(TypeContext c, Shape shape) throws TypeError {
    TensorType x = c.operand(0);
    if (x.quantization().isPresent() && !(x.quantization().get() instanceof Quantization.PerTensor)) {
      throw c.error(c.operandName(0) + " must be quantized per tensor, got " + x);
    }
    return x.withShape(shape);
  }

  /** Pools cap padding at half the (effective) window, as PyTorch does. */
  private static void checkPoolPadding(TypeContext c, ImmutableIntArray kernel, ImmutableIntArray padding,
      ImmutableIntArray dilation) throws TypeError {
    for (int i = 0; i < 4; i++) {
      int axis = i % 2;
      int effective = (kernel.get(axis) - 1) * dilation.get(axis) + 1;
      if (padding.get(i) > effective / 2) {
        throw c.error("padding " + padding.get(i) + " is more than half the window size " + effective);
      }
    }
  }

  static List<TensorType> maxPool2d(TypeContext c) throws TypeError {
    Attrs.MaxPool2d a = c.attrs(Attrs.MaxPool2d.class);
    TypeChecks.requireActivation(c, 0);
    requireRank(c, 0, 4);
    checkPoolPadding(c, a.kernel(), a.padding(), a.dilation());
    Shape x = c.operand(0).shape();
    int oh = windowOutput(c, x.dim(2), a.kernel().get(0), a.stride().get(0), a.padding().get(0), a.padding().get(2),
        a.dilation().get(0), a.ceilMode());
    int ow = windowOutput(c, x.dim(3), a.kernel().get(1), a.stride().get(1), a.padding().get(1), a.padding().get(3),
        a.dilation().get(1), a.ceilMode());
    return inferred(c, keep(c, Shape.of(x.dim(0), x.dim(1), oh, ow)));
  }

  static List<TensorType> avgPool2d(TypeContext c) throws TypeError {
    Attrs.AvgPool2d a = c.attrs(Attrs.AvgPool2d.class);
    TypeChecks.requireActivation(c, 0);
    requireRank(c, 0, 4);
    checkPoolPadding(c, a.kernel(), a.padding(), ImmutableIntArray.of(1, 1));
    Shape x = c.operand(0).shape();
    int oh = windowOutput(c, x.dim(2), a.kernel().get(0), a.stride().get(0), a.padding().get(0), a.padding().get(2),
        1, a.ceilMode());
    int ow = windowOutput(c, x.dim(3), a.kernel().get(1), a.stride().get(1), a.padding().get(1), a.padding().get(3),
        1, a.ceilMode());
    return inferred(c, keep(c, Shape.of(x.dim(0), x.dim(1), oh, ow)));
  }

  static List<TensorType> adaptiveAvgPool2d(TypeContext c) throws TypeError {
    Attrs.AdaptiveAvgPool2d a = c.attrs(Attrs.AdaptiveAvgPool2d.class);
    TypeChecks.requireActivation(c, 0);
    requireRank(c, 0, 4);
    Shape x = c.operand(0).shape();
    return inferred(c, keep(c, Shape.of(x.dim(0), x.dim(1), a.outputSize().get(0), a.outputSize().get(1))));
  }

  static List<TensorType> flatten(TypeContext c) throws TypeError {
    Attrs.Flatten a = c.attrs(Attrs.Flatten.class);
    Shape x = c.operand(0).shape();
    if (x.rank() == 0) {
      return inferred(c, keep(c, Shape.of(1)));
    }
    int start = TypeChecks.axis(c, a.startDim(), x.rank(), "start_dim");
    int end = TypeChecks.axis(c, a.endDim(), x.rank(), "end_dim");
    if (start > end) {
      throw c.error("start_dim " + a.startDim() + " comes after end_dim " + a.endDim());
    }
    List<Integer> out = new ArrayList<>();
    int merged = 1;
    for (int i = 0; i < x.rank(); i++) {
      if (i < start || i > end) {
        out.add(x.dim(i));
      } else {
        merged *= x.dim(i);
        if (i == end) {
          out.add(merged);
        }
      }
    }
    return inferred(c, keep(c, Shape.of(out.stream().mapToInt(Integer::intValue).toArray())));
  }

  static List<TensorType> reshape(TypeContext c) throws TypeError {
    ImmutableIntArray target = c.attrs(Attrs.Reshape.class).shape();
    long total = c.operand(0).shape().numElements();
    int inferredAt = -1;
    long known = 1;
    for (int i = 0; i < target.length(); i++) {
      int d = target.get(i);
      if (d == -1) {
        if (inferredAt >= 0) {
          throw c.error("shape " + target + " has more than one -1");
        }
        inferredAt = i;
      } else if (d < 0) {
        throw c.error("shape entries must be -1 or non-negative, got " + d);
      } else {
        known *= d;
      }
    }
    int[] out = target.toArray();
    if (inferredAt >= 0) {
      if (known == 0 || total % known != 0) {
        throw c.error("cannot reshape " + c.operand(0).shape() + " (" + total + " elements) to " + target);
      }
      out[inferredAt] = Math.toIntExact(total / known);
    } else if (known != total) {
      throw c.error("cannot reshape " + c.operand(0).shape() + " (" + total + " elements) to " + target + " ("
          + known + " elements)");
    }
    return inferred(c, keep(c, Shape.of(out)));
  }

  static List<TensorType> permute(TypeContext c) throws TypeError {
    ImmutableIntArray dims = c.attrs(Attrs.Permute.class).dims();
    Shape x = c.operand(0).shape();
    if (dims.length() != x.rank()) {
      throw c.error("dims " + dims + " must have " + x.rank() + " entries, one per axis of " + c.operand(0));
    }
    boolean[] seen = new boolean[x.rank()];
    int[] out = new int[x.rank()];
    for (int i = 0; i < dims.length(); i++) {
      int d = TypeChecks.axis(c, dims.get(i), x.rank(), "dims entry");
      if (seen[d]) {
        throw c.error("dims " + dims + " is not a permutation: axis " + d + " appears twice");
      }
      seen[d] = true;
      out[i] = x.dim(d);
    }
    return inferred(c, keep(c, Shape.of(out)));
  }

  static List<TensorType> split(TypeContext c) throws TypeError {
    Attrs.Split a = c.attrs(Attrs.Split.class);
    Shape x = c.operand(0).shape();
    int axis = TypeChecks.axis(c, a.axis(), x.rank(), "axis");
    long sum = 0;
    for (int i = 0; i < a.sizes().length(); i++) {
      sum += a.sizes().get(i);
    }
    if (sum != x.dim(axis)) {
      throw c.error("sizes " + a.sizes() + " add up to " + sum + ", but axis " + axis + " has size " + x.dim(axis));
    }
    List<TensorType> out = new ArrayList<>();
    for (int i = 0; i < a.sizes().length(); i++) {
      out.add(keep(c, withDim(x, axis, a.sizes().get(i))));
    }
    return inferred(c, out);
  }

  /** As {@code torch.chunk}: pieces of ceil(n / chunks), the last one smaller; possibly fewer pieces. */
  static List<TensorType> chunk(TypeContext c) throws TypeError {
    Attrs.Chunk a = c.attrs(Attrs.Chunk.class);
    Shape x = c.operand(0).shape();
    int axis = TypeChecks.axis(c, a.axis(), x.rank(), "axis");
    int n = x.dim(axis);
    if (n == 0) {
      throw c.error("cannot chunk axis " + axis + " of size 0");
    }
    int piece = (n + a.chunks() - 1) / a.chunks();
    List<TensorType> out = new ArrayList<>();
    for (int start = 0; start < n; start += piece) {
      out.add(keep(c, withDim(x, axis, Math.min(piece, n - start))));
    }
    return inferred(c, out);
  }

  static List<TensorType> pad(TypeContext c) throws TypeError {
    ImmutableIntArray pads = c.attrs(Attrs.Pad.class).pads();
    Shape x = c.operand(0).shape();
    if (pads.length() != 2 * x.rank()) {
      throw c.error("pads needs " + 2 * x.rank() + " entries (begins, then ends, of " + x.rank() + " axes), got "
          + pads.length());
    }
    int[] out = x.toArray();
    for (int i = 0; i < x.rank(); i++) {
      out[i] += pads.get(i) + pads.get(i + x.rank());
    }
    TypeChecks.requireActivation(c, 0);
    return inferred(c, keep(c, Shape.of(out)));
  }

  /** cat: equal shapes but along the axis; quantized results are written unless all inputs agree. */
  static List<TensorType> cat(TypeContext c) throws TypeError {
    int axisAttr = c.attrs(Attrs.Axis.class).axis();
    TensorType first = c.operand(0);
    int axis = TypeChecks.axis(c, axisAttr, first.rank(), "axis");
    int[] out = first.shape().toArray();
    out[axis] = 0;
    boolean q = first.isQuantized();
    boolean sameParams = true;
    for (int i = 0; i < c.operandCount(); i++) {
      TensorType t = c.operand(i);
      if (q) {
        TypeChecks.requirePerTensor(c, i);
        sameParams &= t.elementType() == first.elementType() && t.quantization().equals(first.quantization());
      } else if (t.elementType() != first.elementType() || t.isQuantized()) {
        throw c.error(c.operandName(0) + " is " + first + " but " + c.operandName(i) + " is " + t);
      }
      if (t.rank() != first.rank()) {
        throw c.error("all inputs need rank " + first.rank() + ", " + c.operandName(i) + " is " + t);
      }
      for (int d = 0; d < t.rank(); d++) {
        if (d != axis && t.shape().dim(d) != first.shape().dim(d)) {
          throw c.error("inputs differ outside axis " + axis + ": " + first.shape() + " and " + t.shape());
        }
      }
      out[axis] += t.shape().dim(axis);
    }
    Shape shape = Shape.of(out);
    if (q && (!sameParams || !c.declared().isEmpty())) {
      return TypeChecks.writtenQuantized(c, shape);
    }
    return inferred(c, new TensorType(first.elementType(), shape, first.quantization()));
  }

  private static Shape withDim(Shape x, int axis, int size) {
    int[] d = x.toArray();
    d[axis] = size;
    return Shape.of(d);
  }

  static List<TensorType> constant(TypeContext c) throws TypeError {
    Attrs.Const a = c.attrs(Attrs.Const.class);
    TensorType t = TypeChecks.written(c, a.data().shape(), "a constant needs its type written");
    if (t.elementType() != a.data().elementType()) {
      throw c.error("data has element type " + a.data().elementType() + " but the type is " + t);
    }
    return List.of(t);
  }

}
