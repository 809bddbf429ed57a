package dev.zeropoint.backends.interp;

import static dev.zeropoint.backends.interp.OneOp.longs;
import static dev.zeropoint.backends.interp.OneOp.qu8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayoutKernelsTest {
  private static final Numerics QNNPACK = Numerics.PYTORCH_QNNPACK;

  @Test
  void permute() throws Exception {
    // [[0, 1, 2], [3, 4, 5]] transposed
    assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, OneOp.runFloats(Numerics.TFLITE, new int[] {2, 3},
        new float[] {0, 1, 2, 3, 4, 5}, Op.PERMUTE, new Attrs.Permute(ImmutableIntArray.of(1, 0))));
    // [1, 2, 2, 3] NCHW -> NHWC: element (c, h, w) = 100c + 10h + w lands at (h, w, c)
    long[] x = longs(0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112);
    assertArrayEquals(new int[] {0, 100, 1, 101, 2, 102, 10, 110, 11, 111, 12, 112},
        OneOp.runInts(QNNPACK, qu8(1.0, 0, 1, 2, 2, 3), x, Op.PERMUTE,
            new Attrs.Permute(ImmutableIntArray.of(0, 2, 3, -3))));
  }

  @Test
  void splitAndChunk() throws Exception {
    // [2, 3] rows [0, 1, 2] and [3, 4, 5]; split sizes [1, 2] along axis 1
    OneOp.Chain c = OneOp.ints(QNNPACK, qu8(1.0, 0, 2, 3), 0, 1, 2, 3, 4, 5);
    List<Value> parts = c.addAll(Op.SPLIT, new Attrs.Split(-1, ImmutableIntArray.of(1, 2)), c.x);
    Map<Value, Tensor> r = c.run(parts.toArray(new Value[0]));
    assertArrayEquals(new int[] {0, 3}, r.get(parts.get(0)).ints);
    assertArrayEquals(new int[] {1, 2, 4, 5}, r.get(parts.get(1)).ints);
    // chunk 5 rows into pieces of ceil(5 / 2) = 3 and 2
    OneOp.Chain d = OneOp.floats(QNNPACK, new int[] {5, 1}, 0, 1, 2, 3, 4);
    List<Value> chunks = d.addAll(Op.CHUNK, new Attrs.Chunk(0, 2), d.x);
    Map<Value, Tensor> s = d.run(chunks.toArray(new Value[0]));
    assertArrayEquals(new float[] {0, 1, 2}, s.get(chunks.get(0)).f32);
    assertArrayEquals(new float[] {3, 4}, s.get(chunks.get(1)).f32);
  }

  @Test
  void padQuantizesItsValueWithTheInputParameters() throws Exception {
    // [[1, 2], [3, 4]]: one row before (axis 0 begin), one column after (axis 1 end)
    Attrs.Pad pads = new Attrs.Pad(ImmutableIntArray.of(1, 0, 0, 1), 0.3);
    // scale 0.02, zp 55: 0.3 * f32(1 / f32(0.02)) = 15 steps -> 70
    assertArrayEquals(new int[] {70, 70, 70, 1, 2, 70, 3, 4, 70},
        OneOp.runInts(QNNPACK, qu8(0.02, 55, 2, 2), longs(1, 2, 3, 4), Op.PAD, pads));
    // ties round to even: 0.03125 is half a step of 1/16 -> 0 -> 77; 0.09375 is 1.5 -> 2 -> 79
    assertEquals(77, OneOp.runInts(QNNPACK, qu8(0.0625, 77, 2, 2), longs(1, 2, 3, 4), Op.PAD,
        new Attrs.Pad(ImmutableIntArray.of(1, 0, 0, 0), 0.03125))[0]);
    assertEquals(79, OneOp.runInts(QNNPACK, qu8(0.0625, 77, 2, 2), longs(1, 2, 3, 4), Op.PAD,
        new Attrs.Pad(ImmutableIntArray.of(1, 0, 0, 0), 0.09375))[0]);
    // value 0 is the zero point in any flavour; other values need a rounding rule
    assertEquals(77, OneOp.runInts(Numerics.TFLITE, qu8(0.0625, 77, 2, 2), longs(1, 2, 3, 4), Op.PAD,
        new Attrs.Pad(ImmutableIntArray.of(1, 0, 0, 0), 0.0))[0]);
    assertThrows(UnsupportedOperationException.class, () -> OneOp.runInts(Numerics.TFLITE, qu8(0.0625, 77, 2, 2),
        longs(1, 2, 3, 4), Op.PAD, new Attrs.Pad(ImmutableIntArray.of(1, 0, 0, 0), 0.5)));
    // float: the value itself
    assertArrayEquals(new float[] {-1, -1, -1, 1, 2, -1, 3, 4, -1}, OneOp.runFloats(QNNPACK, new int[] {2, 2},
        new float[] {1, 2, 3, 4}, Op.PAD, new Attrs.Pad(ImmutableIntArray.of(1, 0, 0, 1), -1.0)));
  }
}
