package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import dev.zeropoint.ir.op.Attrs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * permute, split / chunk and pad: they move elements without arithmetic, so they are the same in
 * every flavour; only pad's value on a quantized tensor needs a rounding rule. Every element type
 * is handled (f32, f64, the int storage, i64).
 */
final class LayoutKernels {
  private LayoutKernels() {}

  /** {@code out[i0, .., ik] = in[j]} with {@code j_dims[d] = i_d}: the result's axis d is the input's axis dims[d]. */
  static Tensor permute(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    TensorType out = n.result().type();
    int[] source = dev.zeropoint.backends.IndexMaps.permute(x.type.shape(), out.shape(), ((Attrs.Permute) n.attrs()).dims());
    Tensor y = Tensor.zeros(out);
    gather(x, source, y);
    return y;
  }

  /** split and chunk: consecutive pieces along the axis, one result per piece (sizes from the result types). */
  static List<Tensor> split(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    int axis = switch (n.attrs()) {
      case Attrs.Split s -> s.axis();
      case Attrs.Chunk c -> c.axis();
      default -> throw Interpreter.unsupported(n, numerics);
    };
    int[] dims = x.type.shape().toArray();
    axis = Math.floorMod(axis, dims.length);
    int outer = 1;
    for (int d = 0; d < axis; d++) {
      outer *= dims[d];
    }
    int inner = 1;
    for (int d = axis + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    List<Tensor> results = new ArrayList<>();
    int start = 0;
    for (var r : n.results()) {
      Tensor y = Tensor.zeros(r.type());
      int piece = r.type().shape().dim(axis);
      for (int o = 0; o < outer; o++) {
        copy(x, (o * dims[axis] + start) * inner, y, o * piece * inner, piece * inner);
      }
      start += piece;
      results.add(y);
    }
    return results;
  }

  /**
   * Constant padding: the result is filled with the value, then the input is copied inside. On a
   * quantized tensor the value is quantized with the input's parameters as PyTorch's {@code
   * constant_pad_nd} does (it fills with {@code quantize_val}): 0.3 at scale 0.02, zero point 55
   * writes 70, ties round to even, 1e30 writes qmin (x86's conversion, as torch 1.13.1 does). A value
   * of 0 writes the zero point in any flavour; other values need a PyTorch flavour.
   */
  static Tensor pad(Node n, List<Tensor> args, Numerics numerics) {
    Tensor x = args.get(0);
    TensorType out = n.result().type();
    var pads = ((Attrs.Pad) n.attrs()).pads();
    double value = ((Attrs.Pad) n.attrs()).value();
    Tensor y = Tensor.zeros(out);
    if (y.ints != null) {
      int fill;
      if (out.isQuantized()) {
        Quantization.PerTensor q = out.perTensor().orElseThrow();
        if (value == 0.0) {
          fill = (int) q.zeroPoint();
        } else if (numerics.isPyTorch()) {
          fill = (int) PyTorchQnnpack.quantize((float) value, q.scale(), q.zeroPoint(), out.elementType());
        } else {
          throw Interpreter.unsupported(n, numerics);
        }
      } else {
        fill = (int) value;
      }
      Arrays.fill(y.ints, fill);
    } else if (y.f32 != null) {
      Arrays.fill(y.f32, (float) value);
    } else if (y.f64 != null) {
      Arrays.fill(y.f64, value);
    } else {
      Arrays.fill(y.i64, (long) value);
    }
    int rank = out.rank();
    if (x.size() == 0) {
      return y;
    }
    if (rank == 0) {
      copy(x, 0, y, 0, 1);
      return y;
    }
    // Copy the input row by row (its last axis is contiguous in both tensors).
    int[] inDims = x.type.shape().toArray();
    long[] outStrides = out.shape().strides();
    int row = inDims[rank - 1];
    int rows = x.size() / row;
    int[] index = new int[rank - 1];
    for (int r = 0; r < rows; r++) {
      long target = pads.get(rank - 1);
      for (int d = 0; d < rank - 1; d++) {
        target += (index[d] + pads.get(d)) * outStrides[d];
      }
      copy(x, r * row, y, (int) target, row);
      for (int d = rank - 2; d >= 0; d--) {
        if (++index[d] < inDims[d]) {
          break;
        }
        index[d] = 0;
      }
    }
    return y;
  }

  /** {@code y[i] = x[source[i]]} for every element, whatever the element type. */
  private static void gather(Tensor x, int[] source, Tensor y) {
    if (x.ints != null) {
      for (int i = 0; i < source.length; i++) {
        y.ints[i] = x.ints[source[i]];
      }
    } else if (x.f32 != null) {
      for (int i = 0; i < source.length; i++) {
        y.f32[i] = x.f32[source[i]];
      }
    } else if (x.f64 != null) {
      for (int i = 0; i < source.length; i++) {
        y.f64[i] = x.f64[source[i]];
      }
    } else {
      for (int i = 0; i < source.length; i++) {
        y.i64[i] = x.i64[source[i]];
      }
    }
  }

  /** {@code System.arraycopy} on whichever array the tensors use. */
  private static void copy(Tensor x, int from, Tensor y, int to, int length) {
    if (x.ints != null) {
      System.arraycopy(x.ints, from, y.ints, to, length);
    } else if (x.f32 != null) {
      System.arraycopy(x.f32, from, y.f32, to, length);
    } else if (x.f64 != null) {
      System.arraycopy(x.f64, from, y.f64, to, length);
    } else {
      System.arraycopy(x.i64, from, y.i64, to, length);
    }
  }
}
