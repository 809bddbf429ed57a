package dev.zeropoint.backends.interp;

import static dev.zeropoint.backends.interp.OneOp.qu8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Strides as torch 1.13.1 reports them ({@code tensor.stride()}) for the same shapes and ops. */
class PyTorchLayoutTest {
  private static final Numerics QNNPACK = Numerics.PYTORCH_QNNPACK;

  @Test
  void denseStrides() {
    assertArrayEquals(new long[] {150, 25, 5, 1}, PyTorchLayout.dense(new int[] {2, 6, 5, 5}, false));
    // channels-last: C innermost, then W (C apart), H (W*C apart), N (H*W*C apart)
    assertArrayEquals(new long[] {150, 1, 30, 6}, PyTorchLayout.dense(new int[] {2, 6, 5, 5}, true));
  }

  @Test
  void channelsLastContiguity() {
    assertFalse(PyTorchLayout.channelsLastContiguous(new int[] {2, 6, 5, 5}, new long[] {150, 25, 5, 1}));
    assertTrue(PyTorchLayout.channelsLastContiguous(new int[] {2, 6, 5, 5}, new long[] {150, 1, 30, 6}));
    // Contiguous tensors with one channel or a 1x1 plane are channels-last contiguous as well
    // (torch.zeros(2, 1, 5, 5).is_contiguous(memory_format=torch.channels_last) is True)...
    assertTrue(PyTorchLayout.channelsLastContiguous(new int[] {2, 1, 5, 5}, new long[] {25, 25, 5, 1}));
    assertTrue(PyTorchLayout.channelsLastContiguous(new int[] {1, 6, 1, 1}, new long[] {6, 1, 1, 1}));
    // ...but PyTorch does not suggest channels-last for them (a relu of them stays contiguous).
    assertFalse(PyTorchLayout.suggestsChannelsLast(new int[] {2, 1, 5, 5}, new long[] {25, 25, 5, 1}));
    assertFalse(PyTorchLayout.suggestsChannelsLast(new int[] {1, 6, 1, 1}, new long[] {6, 1, 1, 1}));
    assertTrue(PyTorchLayout.suggestsChannelsLast(new int[] {2, 6, 5, 5}, new long[] {150, 1, 30, 6}));
    // a channel slice of a channels-last tensor keeps its strides: not contiguous either way, but
    // still channels-last-like
    assertFalse(PyTorchLayout.channelsLastContiguous(new int[] {2, 2, 5, 5}, new long[] {150, 1, 30, 6}));
    assertTrue(PyTorchLayout.suggestsChannelsLast(new int[] {2, 2, 5, 5}, new long[] {150, 1, 30, 6}));
  }

  @Test
  void viewStrides() {
    long[] cl = {150, 1, 30, 6};
    // H and W (strides 30 and 6) merge into one dimension of stride 6
    assertArrayEquals(new long[] {150, 1, 6}, PyTorchLayout.viewStrides(new int[] {2, 6, 5, 5}, cl, new int[] {2, 6,
        25}));
    // splitting C (stride 1) into 2 x 3 gives strides 3 and 1
    assertArrayEquals(new long[] {150, 3, 1, 30, 6}, PyTorchLayout.viewStrides(new int[] {2, 6, 5, 5}, cl,
        new int[] {2, 2, 3, 5, 5}));
    // flattening C, H, W of a channels-last tensor needs a copy
    assertNull(PyTorchLayout.viewStrides(new int[] {2, 6, 5, 5}, cl, new int[] {2, 150}));
    assertArrayEquals(new long[] {150, 1}, PyTorchLayout.viewStrides(new int[] {2, 6, 5, 5},
        new long[] {150, 25, 5, 1}, new int[] {2, 150}));
  }

  @Test
  void stridesThroughAGraph() {
    // f32 [1, 4, 4, 6] (NHWC data) -> quantize -> permute to [1, 6, 4, 4]: a channels-last view
    OneOp.Chain c = OneOp.floats(QNNPACK, new int[] {1, 4, 4, 6}, new float[96]);
    Value q = c.add(Op.QUANTIZE, Attrs.None.INSTANCE, qu8(0.1, 0, 1, 4, 4, 6), c.x);
    Value p = c.add(Op.PERMUTE, new Attrs.Permute(ImmutableIntArray.of(0, 3, 1, 2)), q);
    assertArrayEquals(new long[] {96, 24, 6, 1}, PyTorchLayout.strides(q, QNNPACK));
    assertArrayEquals(new long[] {96, 1, 24, 6}, PyTorchLayout.strides(p, QNNPACK));
    assertTrue(PyTorchLayout.isChannelsLastContiguous(p, QNNPACK));
    // relu keeps the layout; quantized relu6 returns a contiguous tensor
    Value relu = c.add(Op.RELU, Attrs.None.INSTANCE, p);
    Value relu6 = c.add(Op.RELU6, Attrs.None.INSTANCE, relu);
    assertTrue(PyTorchLayout.isChannelsLastContiguous(relu, QNNPACK));
    assertArrayEquals(new long[] {96, 16, 4, 1}, PyTorchLayout.strides(relu6, QNNPACK));
    // a channel split of the channels-last tensor is a view with its strides: not contiguous
    List<Value> parts = c.addAll(Op.SPLIT, new Attrs.Split(1, ImmutableIntArray.of(2, 4)), relu);
    assertArrayEquals(new long[] {96, 1, 24, 6}, PyTorchLayout.strides(parts.get(0), QNNPACK));
    assertFalse(PyTorchLayout.isChannelsLastContiguous(parts.get(0), QNNPACK));
    // max_pool2d (QNNPACK path) keeps the suggested format: dense channels-last [1, 6, 2, 2]
    Value pool = c.add(Op.MAX_POOL2D, new Attrs.MaxPool2d(ImmutableIntArray.of(2, 2), ImmutableIntArray.of(2, 2),
        ImmutableIntArray.of(0, 0, 0, 0), ImmutableIntArray.of(1, 1), false), relu);
    assertArrayEquals(new long[] {24, 1, 12, 6}, PyTorchLayout.strides(pool, QNNPACK));
  }
}
