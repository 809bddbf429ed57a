package dev.zeropoint.backends.interp;

import static dev.zeropoint.backends.interp.OneOp.longs;
import static dev.zeropoint.backends.interp.OneOp.qi8;
import static dev.zeropoint.backends.interp.OneOp.qu8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import org.junit.jupiter.api.Test;

/**
 * Pools on small inputs; each expected value is worked out in the comment and was also what torch
 * 1.13.1 (engine qnnpack) returned for the same tensor.
 */
class PoolKernelsTest {
  private static final Numerics QNNPACK = Numerics.PYTORCH_QNNPACK;

  private static ImmutableIntArray pair(int a, int b) {
    return ImmutableIntArray.of(a, b);
  }

  private static Attrs.AvgPool2d avg(int k, int s, int p, boolean ceil, boolean includePad, int divisor) {
    return new Attrs.AvgPool2d(pair(k, k), pair(s, s), ImmutableIntArray.of(p, p, p, p), ceil, includePad, divisor);
  }

  private static Attrs.MaxPool2d max(int k, int s, int p, int d, boolean ceil) {
    return new Attrs.MaxPool2d(pair(k, k), pair(s, s), ImmutableIntArray.of(p, p, p, p), pair(d, d), ceil);
  }

  @Test
  void qnnpackAveragePoolIgnoresCountIncludePadAndDivisorOverride() throws Exception {
    // 2x2 input, kernel 2, stride 2, padding 1: each window holds one input and three padding
    // positions. QNNPACK: scale f32(1 / f32(1 * 4)) = 0.25 and acc = q - 100 (padding adds 0):
    // 8 -> 2, 6 -> 1.5 -> 2, 2 -> 0.5 -> 0, 10 -> 2.5 -> 2; plus 100.
    long[] x = longs(108, 106, 102, 110);
    int[] want = {102, 102, 100, 102};
    assertArrayEquals(want, OneOp.runInts(QNNPACK, qu8(1.0, 100, 1, 1, 2, 2), x, Op.AVG_POOL2D,
        avg(2, 2, 1, false, true, 0)));
    assertArrayEquals(want, OneOp.runInts(QNNPACK, qu8(1.0, 100, 1, 1, 2, 2), x, Op.AVG_POOL2D,
        avg(2, 2, 1, false, false, 3)));
    // ATen's kernel (engine fbgemm) honours count_include_pad=False: each window divides by 1.
    assertArrayEquals(new int[] {108, 106, 102, 110}, OneOp.runInts(Numerics.PYTORCH_FBGEMM,
        qu8(1.0, 100, 1, 1, 2, 2), x, Op.AVG_POOL2D, avg(2, 2, 1, false, false, 0)));
  }

  @Test
  void atenAveragePoolLayoutDecidesWhenTheZeroPointIsAdded() throws Exception {
    // qint8 (ATen's kernel), zp 1, each channel [3, 1, 1, 1]: acc = 6 - 4 * 1 = 2, m = 0.25.
    // Two channels from quantize: NCHW kernel, 0.5 + 1 = 1.5 -> 2.
    assertArrayEquals(new int[] {2, 2}, OneOp.runInts(QNNPACK, qi8(0.5, 1, 1, 2, 2, 2), longs(3, 1, 1, 1, 3, 1, 1, 1),
        Op.AVG_POOL2D, avg(2, 2, 0, false, true, 0)));
    // One channel: a [1, 1, 2, 2] tensor is also channels-last contiguous, so PyTorch runs the
    // NHWC kernel: RNE(0.5) = 0, 0 + 1 = 1.
    assertArrayEquals(new int[] {1}, OneOp.runInts(QNNPACK, qi8(0.5, 1, 1, 1, 2, 2), longs(3, 1, 1, 1),
        Op.AVG_POOL2D, avg(2, 2, 0, false, true, 0)));
  }

  @Test
  void permutedInputRunsTheNhwcKernel() throws Exception {
    // f32 [1, 2, 2, 2] in NHWC order, quantized (scale 0.5, zp 1), permuted to NCHW: PyTorch's
    // tensor is a channels-last view, so both channels take the NHWC kernel. Value 1.0 quantizes
    // to 3, zeros to 1; each channel is [3, 1, 1, 1] as above: 1, not 2.
    OneOp.Chain c = OneOp.floats(QNNPACK, new int[] {1, 2, 2, 2}, 1, 1, 0, 0, 0, 0, 0, 0);
    Value q = c.add(Op.QUANTIZE, Attrs.None.INSTANCE, qi8(0.5, 1, 1, 2, 2, 2), c.x);
    Value p = c.add(Op.PERMUTE, new Attrs.Permute(ImmutableIntArray.of(0, 3, 1, 2)), q);
    Value y = c.add(Op.AVG_POOL2D, avg(2, 2, 0, false, true, 0), p);
    assertArrayEquals(new int[] {1, 1}, c.run(y).get(y).ints);
  }

  @Test
  void adaptivePoolKernels() throws Exception {
    // 3x3 -> 2x2 (overlapping 2x2 windows, not a divisor): ATen. Every window holds three 101s and
    // the center 103. NCHW kernel (two channels): RNE(406 * 0.25) = RNE(101.5) = 102.
    long[] center = longs(101, 101, 101, 101, 103, 101, 101, 101, 101);
    long[] two = new long[18];
    System.arraycopy(center, 0, two, 0, 9);
    System.arraycopy(center, 0, two, 9, 9);
    Attrs.AdaptiveAvgPool2d toTwo = new Attrs.AdaptiveAvgPool2d(pair(2, 2));
    assertArrayEquals(new int[] {102, 102, 102, 102, 102, 102, 102, 102},
        OneOp.runInts(QNNPACK, qu8(0.03, 101, 1, 2, 3, 3), two, Op.ADAPTIVE_AVG_POOL2D, toTwo));
    // One channel: NHWC kernel, acc = 2, RNE(0.5) = 0, + 101.
    assertArrayEquals(new int[] {101, 101, 101, 101},
        OneOp.runInts(QNNPACK, qu8(0.03, 101, 1, 1, 3, 3), center, Op.ADAPTIVE_AVG_POOL2D, toTwo));
    // 4x4 -> 2x2 divides: QNNPACK's 2x2 average, each block [103, 101, 101, 101]: acc 2 -> 0.5 -> 0.
    long[] blocks = longs(103, 101, 103, 101, 101, 101, 101, 101, 103, 101, 103, 101, 101, 101, 101, 101);
    assertArrayEquals(new int[] {101, 101, 101, 101},
        OneOp.runInts(QNNPACK, qu8(0.03, 101, 1, 1, 4, 4), blocks, Op.ADAPTIVE_AVG_POOL2D, toTwo));
  }

  @Test
  void qnnpackMaxPoolMovesPaddingTapsToTheEdge() throws Exception {
    // Kernel 2, stride 1, padding 1, dilation 2 on 3x3: output (i, j) reads rows {i - 1, i + 1} and
    // columns {j - 1, j + 1}. QNNPACK clamps -1 to 0 and 3 to 2; ATen skips them.
    // (0, 0): QNNPACK rows/cols {0, 1}: max(99, 20, 40, 50) = 99; ATen only (1, 1): 50.
    // (2, 2): QNNPACK rows/cols {1, 2}: max(50, 60, 80, 91) = 91; ATen only (1, 1): 50.
    // (0, 1): QNNPACK rows {0, 1} cols {0, 2}: max(99, 30, 40, 60) = 99; ATen row 1: max(40, 60) = 60.
    long[] x = longs(99, 20, 30, 40, 50, 60, 70, 80, 91);
    assertArrayEquals(new int[] {99, 99, 60, 99, 99, 91, 80, 91, 91},
        OneOp.runInts(QNNPACK, qu8(1.0, 0, 1, 1, 3, 3), x, Op.MAX_POOL2D, max(2, 1, 1, 2, false)));
    assertArrayEquals(new int[] {50, 60, 50, 80, 99, 80, 50, 60, 50},
        OneOp.runInts(QNNPACK, qi8(1.0, 0, 1, 1, 3, 3), x, Op.MAX_POOL2D, max(2, 1, 1, 2, false)));
  }

  @Test
  void oneByOneWindowsThatPyTorchRefuses() {
    // QNNPACK: "1x1 pooling is meaningless"; PyTorch fails on these.
    assertThrows(IllegalArgumentException.class, () -> OneOp.runInts(QNNPACK, qu8(1.0, 0, 1, 1, 2, 2),
        longs(1, 2, 3, 4), Op.MAX_POOL2D, max(1, 1, 0, 1, false)));
    assertThrows(IllegalArgumentException.class, () -> OneOp.runInts(QNNPACK, qu8(1.0, 0, 1, 1, 2, 2),
        longs(1, 2, 3, 4), Op.AVG_POOL2D, avg(1, 1, 0, false, true, 0)));
  }

  @Test
  void floatPools() throws Exception {
    // max: NaN wins; of equal zeros the first is kept (-0.0 then 0.0 gives -0.0)
    float[] m = OneOp.runFloats(QNNPACK, new int[] {1, 2, 2, 2}, new float[] {1, Float.NaN, 3, 2, -0.0f, 0.0f, -0.0f,
        -0.0f}, Op.MAX_POOL2D, max(2, 2, 0, 1, false));
    assertEquals(Float.NaN, m[0]);
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(m[1]));
    // avg on a 1x3 row, kernel and stride (1, 2), ceil_mode: windows [0, 2) and [2, 4) clipped to
    // [2, 3), whose divisor is 1 also with count_include_pad: (1 + 2) / 2 = 1.5 and 4 / 1 = 4
    Attrs.AvgPool2d a = new Attrs.AvgPool2d(pair(1, 2), pair(1, 2), ImmutableIntArray.of(0, 0, 0, 0), true, true, 0);
    assertArrayEquals(new float[] {1.5f, 4.0f}, OneOp.runFloats(QNNPACK, new int[] {1, 1, 1, 3},
        new float[] {1, 2, 4}, Op.AVG_POOL2D, a));
  }

  @Test
  void otherFlavoursRefuseQuantizedAveragesButRunMaxPools() throws Exception {
    assertThrows(UnsupportedOperationException.class, () -> OneOp.runInts(Numerics.TFLITE, qu8(1.0, 0, 1, 1, 2, 2),
        longs(1, 2, 3, 4), Op.AVG_POOL2D, avg(2, 2, 0, false, true, 0)));
    assertArrayEquals(new int[] {4}, OneOp.runInts(Numerics.TFLITE, qi8(1.0, 0, 1, 1, 2, 2), longs(1, 2, 3, 4),
        Op.MAX_POOL2D, max(2, 2, 0, 1, false)));
  }
}
