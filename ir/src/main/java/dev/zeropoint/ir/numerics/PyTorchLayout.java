package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The strides PyTorch 1.13 gives each tensor of a graph, where they change an integer. ATen's
 * generic average pools run an NCHW or an NHWC kernel depending on whether their input {@code
 * is_contiguous(ChannelsLast)}, and the two round ties differently (see {@link
 * PyTorchQnnpackPooling}). A quantized conv2d returns a channels-last tensor, and most ops keep
 * their input's layout, so after the first convolution the NHWC kernel runs; a [N, 1, H, W] or [N,
 * C, 1, 1] tensor is channels-last contiguous whatever its layout.
 *
 * <p>The rules, each observed on torch 1.13.1 (engine qnnpack) from the strides of the op's result
 * for a contiguous and a channels-last input:
 *
 * <ul>
 *   <li>graph inputs, constants, linear, matmul: contiguous;
 *   <li>lowered ops stand for the op they came from: conv2d_acc channels-last (requantize_acc keeps
 *       it), linear_acc contiguous;
 *   <li>quantized conv2d and batch_norm: channels-last, whatever the input;
 *   <li>quantize, dequantize, requantize, relu, sigmoid, hardsigmoid, hardswish, pad, float ops:
 *       dense in the input's suggested format ({@code suggest_memory_format});
 *   <li>quantized relu6, hardtanh and clamp: contiguous;
 *   <li>pools: QNNPACK's path keeps the suggested format; ATen's generic kernels too when the input
 *       is channels-last contiguous, otherwise contiguous;
 *   <li>add (and binary_lookup, a lowered broadcast add): the suggested format of the operand of
 *       the result's shape (the first if both); mul:
 *       that of the first operand; cat: channels-last iff every input suggests it;
 *   <li>permute: a view (permuted strides); split and chunk: views (the input's strides); reshape
 *       and flatten: a view when PyTorch can make one ({@code computeStride}), else a contiguous
 *       copy.
 * </ul>
 *
 * The IR does not keep {@code .contiguous()} calls, so a permute followed by {@code .contiguous()}
 * and an element-wise op is seen as the op on the permuted view; the rules are otherwise exact for
 * the ops above.
 */
public final class PyTorchLayout {
  private PyTorchLayout() {}

  /**
   * Whether PyTorch 1.13 hands back {@code n}'s result with its elements permuted: quantized
   * {@code relu6}, {@code hardtanh} and {@code clamp} on quint8 with engine qnnpack run QNNPACK's
   * clamp over the input's memory (made dense in its suggested format) and write the result
   * linearly into a freshly allocated <em>contiguous</em> tensor. For a channels-last input (every
   * quantized conv2d's output is one) the result is the clamped NHWC data relabelled as NCHW
   * [N, C, H, W]: observed on torch 1.13.1 ({@code hardtanh(conv(x))} scrambles its output). qint8,
   * relu, and the other flavours are not affected.
   */
  public static boolean permutesNhwcAsNchw(Node n, Numerics numerics) {
    boolean clampFamily = switch (n.op()) {
      case RELU6, HARDTANH, CLAMP -> true;
      default -> false;
    };
    return clampFamily && !n.operands().isEmpty() && clampOfPermutes(n.operand(0), numerics);
  }

  /** Whether a relu6, hardtanh or clamp applied to {@code x} would have its result permuted. */
  public static boolean clampOfPermutes(Value x, Numerics numerics) {
    return numerics == Numerics.PYTORCH_QNNPACK && x.type().isQuantized()
        && x.type().elementType() == dev.zeropoint.ir.ElementType.U8 && x.type().rank() == 4
        && suggestsChannelsLast(x.type().shape().toArray(), strides(x, numerics));
  }

  /** Whether PyTorch's tensor for {@code v} is {@code is_contiguous(ChannelsLast)} (rank 4 only). */
  public static boolean isChannelsLastContiguous(Value v, Numerics numerics) {
    if (v.type().rank() != 4) {
      return false;
    }
    return channelsLastContiguous(v.type().shape().toArray(), strides(v, numerics));
  }

  /**
   * {@code is_contiguous()}: every dimension of size other than 1 has the row-major stride (the
   * layout {@link PyTorchTensorIterator} models).
   */
  public static boolean isContiguous(Value v, Numerics numerics) {
    int[] shape = v.type().shape().toArray();
    long[] strides = strides(v, numerics);
    long expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1) {
        if (strides[d] != expected) {
          return false;
        }
        expected *= shape[d];
      }
    }
    return true;
  }

  /** PyTorch's strides, in elements, for the tensor holding {@code v}. */
  public static long[] strides(Value v, Numerics numerics) {
    Map<Value, long[]> known = new IdentityHashMap<>();
    Deque<Value> pending = new ArrayDeque<>();
    pending.push(v);
    while (!pending.isEmpty()) {
      Value top = pending.peek();
      if (known.containsKey(top)) {
        pending.pop();
        continue;
      }
      boolean ready = true;
      for (Value d : dependencies(top)) {
        if (!known.containsKey(d)) {
          pending.push(d);
          ready = false;
        }
      }
      if (ready) {
        known.put(top, rule(top, known, numerics));
        pending.pop();
      }
    }
    return known.get(v);
  }

  /** The operands whose strides the rule for {@code v} reads. */
  private static List<Value> dependencies(Value v) {
    Node n = v.producer();
    if (n == null) {
      return List.of();
    }
    return switch (n.op()) {
      case CONST, LINEAR, MATMUL, CONV2D_ACC, LINEAR_ACC -> List.of();
      case MUL_ACC -> List.of(n.operand(0), n.operand(1));
      case CONV2D, BATCH_NORM -> v.type().isQuantized() ? List.of() : List.of(n.operand(0));
      case ADD, MUL, BINARY_LOOKUP -> List.of(n.operand(0), n.operand(1));
      case CAT -> n.operands();
      default -> List.of(n.operand(0));
    };
  }

  private static long[] rule(Value v, Map<Value, long[]> known, Numerics numerics) {
    int[] shape = v.type().shape().toArray();
    Node n = v.producer();
    if (n == null) {
      return contiguous(shape);
    }
    boolean quantized = v.type().isQuantized();
    return switch (n.op()) {
      case CONST, LINEAR, MATMUL, LINEAR_ACC -> contiguous(shape);
      // A lowered quantized conv2d is PyTorch's conv2d: channels-last accumulators, kept by requantize_acc.
      case CONV2D_ACC -> dense(shape, true);
      case REQUANTIZE_ACC, LOOKUP -> like(shape, n.operand(0), known);
      case MUL_ACC -> like(shape, n.operand(0), known);
      // A lowered pool records the kernel PyTorch chose: ATen's NCHW kernels write contiguous outputs.
      case AVG_POOL2D_INT, ADAPTIVE_AVG_POOL2D_INT -> nchwKernel(n) ? contiguous(shape) : like(shape, n.operand(0), known);
      case CONV2D, BATCH_NORM -> quantized ? dense(shape, true) : like(shape, n.operand(0), known);
      case RELU6, HARDTANH, CLAMP -> quantized ? contiguous(shape) : like(shape, n.operand(0), known);
      case QUANTIZE, QUANTIZE_ADD_ROUND, DEQUANTIZE, REQUANTIZE, RELU, SIGMOID, HARDSIGMOID, HARDSWISH,
          PAD ->
          like(shape, n.operand(0), known);
      case MAX_POOL2D, AVG_POOL2D, ADAPTIVE_AVG_POOL2D -> {
        Value x = n.operand(0);
        boolean keeps = !quantized || qnnpackPool(n, numerics)
            || channelsLastContiguous(x.type().shape().toArray(), known.get(x));
        yield keeps ? like(shape, x, known) : contiguous(shape);
      }
      // A lowered broadcast add (binary_lookup) is PyTorch's add: the same rule.
      case ADD, BINARY_LOOKUP -> {
        Value a = n.operand(0);
        Value b = n.operand(1);
        Value full = a.type().shape().equals(v.type().shape()) || !b.type().shape().equals(v.type().shape()) ? a : b;
        yield like(shape, full, known);
      }
      case MUL -> like(shape, n.operand(0), known);
      case CAT -> {
        boolean allChannelsLast = true;
        for (Value x : n.operands()) {
          allChannelsLast &= suggestsChannelsLast(x.type().shape().toArray(), known.get(x));
        }
        yield dense(shape, allChannelsLast);
      }
      case FLATTEN, RESHAPE -> {
        Value x = n.operand(0);
        long[] view = viewStrides(x.type().shape().toArray(), known.get(x), shape);
        yield view != null ? view : contiguous(shape);
      }
      case PERMUTE -> {
        long[] in = known.get(n.operand(0));
        var dims = ((Attrs.Permute) n.attrs()).dims();
        long[] out = new long[shape.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = in[Math.floorMod(dims.get(i), in.length)];
        }
        yield out;
      }
      case SPLIT, CHUNK -> known.get(n.operand(0)).clone();
    };
  }

  /** Whether the pool node runs a QNNPACK kernel (quint8 on engine qnnpack). */
  private static boolean qnnpackPool(Node n, Numerics numerics) {
    if (numerics != Numerics.PYTORCH_QNNPACK) {
      return false;
    }
    var storage = n.operand(0).type().elementType();
    return switch (n.attrs()) {
      case Attrs.MaxPool2d a -> PyTorchQnnpackPooling.maxPoolUsesQnnpack(storage, a.ceilMode());
      case Attrs.AvgPool2d a -> PyTorchQnnpackPooling.avgPoolUsesQnnpack(storage, a.ceilMode());
      case Attrs.AdaptiveAvgPool2d a -> {
        var in = n.operand(0).type().shape();
        yield PyTorchQnnpackPooling.adaptiveUsesQnnpack(storage, in.dim(2), in.dim(3), a.outputSize().get(0),
            a.outputSize().get(1));
      }
      default -> false;
    };
  }

  /** Dense strides in the format {@code x}'s tensor suggests. */
  private static long[] like(int[] shape, Value x, Map<Value, long[]> known) {
    return dense(shape, suggestsChannelsLast(x.type().shape().toArray(), known.get(x)));
  }

  private static boolean nchwKernel(Node n) {
    var kind = n.attrs() instanceof dev.zeropoint.ir.op.Attrs.AvgPool2dInt a ? a.rescale().kind()
        : ((dev.zeropoint.ir.op.Attrs.AdaptiveAvgPool2dInt) n.attrs()).rescale().kind();
    return kind == PoolRescale.Kind.ATEN_NCHW || kind == PoolRescale.Kind.ATEN_ADAPTIVE_NCHW;
  }

  public static long[] contiguous(int[] shape) {
    return dense(shape, false);
  }

  /** Dense strides: channels-last (N, then H, W, C innermost) for rank 4 when asked, else row-major. */
  public static long[] dense(int[] shape, boolean channelsLast) {
    long[] s = new long[shape.length];
    if (channelsLast && shape.length == 4) {
      s[1] = 1;
      s[3] = shape[1];
      s[2] = s[3] * shape[3];
      s[0] = s[2] * shape[2];
      return s;
    }
    long acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  /**
   * {@code is_contiguous(ChannelsLast)}: visiting C, W, H, N, every dimension of size other than 1
   * has the stride of the dimensions visited before it put together.
   */
  public static boolean channelsLastContiguous(int[] shape, long[] strides) {
    if (shape.length != 4) {
      return false;
    }
    long expected = 1;
    for (int d : new int[] {1, 3, 2, 0}) {
      if (shape[d] != 1) {
        if (strides[d] != expected) {
          return false;
        }
        expected *= shape[d];
      }
    }
    return true;
  }

  /**
   * {@code suggest_memory_format() == ChannelsLast}, from PyTorch's stride heuristic for rank 4
   * ({@code is_channels_last_strides_2d}): visiting C, W, H, N, strides never decrease below the
   * previous stride times its size (a size-1 dimension does not multiply); a zero C stride, an empty
   * dimension, or an N stride equal to C's (the ambiguous N111 cases) mean contiguous.
   */
  public static boolean suggestsChannelsLast(int[] shape, long[] strides) {
    if (shape.length != 4 || strides[1] == 0) {
      return false;
    }
    long min = 0;
    for (int d : new int[] {1, 3, 2, 0}) {
      if (shape[d] == 0 || strides[d] < min) {
        return false;
      }
      if (d == 0 && min == strides[1]) {
        return false;
      }
      min = strides[d];
      if (shape[d] > 1) {
        min *= shape[d];
      }
    }
    return true;
  }

  /**
   * The strides of a view of ({@code shape}, {@code strides}) as {@code newShape}, or null when
   * PyTorch cannot view it and reshape copies ({@code computeStride}). The old dimensions are
   * grouped, from the last, into chunks that are contiguous among themselves; each chunk must be
   * covered exactly by consecutive new dimensions, which then get strides within the chunk.
   */
  public static long[] viewStrides(int[] shape, long[] strides, int[] newShape) {
    long[] out = new long[newShape.length];
    long total = 1;
    for (int d : shape) {
      total *= d;
    }
    if (total == 0 || shape.length == 0) {
      return contiguous(newShape);
    }
    int viewDim = newShape.length - 1;
    long chunkBase = strides[shape.length - 1];
    long chunkElements = 1;
    long viewElements = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      chunkElements *= shape[d];
      boolean chunkEnds = d == 0 || (shape[d - 1] != 1 && strides[d - 1] != chunkElements * chunkBase);
      if (chunkEnds) {
        while (viewDim >= 0 && (viewElements < chunkElements || newShape[viewDim] == 1)) {
          out[viewDim] = viewElements * chunkBase;
          viewElements *= newShape[viewDim];
          viewDim--;
        }
        if (viewElements != chunkElements) {
          return null;
        }
        if (d > 0) {
          chunkBase = strides[d - 1];
          chunkElements = 1;
          viewElements = 1;
        }
      }
    }
    return viewDim == -1 ? out : null;
  }
}
