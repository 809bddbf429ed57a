package dev.zeropoint.backends.interp;

import static dev.zeropoint.backends.interp.OneOp.longs;
import static dev.zeropoint.backends.interp.OneOp.qu8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ActivationKernelsTest {
  private static final Numerics QNNPACK = Numerics.PYTORCH_QNNPACK;

  @Test
  void reluIsMaxWithTheZeroPointInEveryFlavour() throws Exception {
    long[] x = longs(0, 92, 93, 94, 255);
    int[] want = {93, 93, 93, 94, 255};
    assertArrayEquals(want, OneOp.runInts(QNNPACK, qu8(0.05, 93, 5), x, Op.RELU, Attrs.None.INSTANCE));
    assertArrayEquals(want, OneOp.runInts(Numerics.TFLITE, qu8(0.05, 93, 5), x, Op.RELU, Attrs.None.INSTANCE));
  }

  @Test
  void clampBoundsQuantizeWithTheInputParameters() throws Exception {
    // scale 1/16, zp 77: -0.65625 is -10.5 steps -> RNE -10 -> 67; 1.28125 is 20.5 -> 20 -> 97
    long[] x = longs(0, 66, 67, 68, 96, 97, 98, 255);
    assertArrayEquals(new int[] {67, 67, 67, 68, 96, 97, 97, 97}, OneOp.runInts(QNNPACK, qu8(0.0625, 77, 8), x,
        Op.HARDTANH, new Attrs.Hardtanh(-0.65625, 1.28125)));
    // one bound missing: that side is the storage limit
    assertArrayEquals(new int[] {67, 67, 67, 68, 96, 97, 98, 255}, OneOp.runInts(QNNPACK, qu8(0.0625, 77, 8), x,
        Op.CLAMP, new Attrs.Clamp(OptionalDouble.of(-0.65625), OptionalDouble.empty())));
    assertArrayEquals(new int[] {0, 66, 67, 68, 96, 97, 97, 97}, OneOp.runInts(QNNPACK, qu8(0.0625, 77, 8), x,
        Op.CLAMP, new Attrs.Clamp(OptionalDouble.empty(), OptionalDouble.of(1.28125))));
    // relu6 at scale 0.04, zp 51: 6 / 0.04 = 150 steps -> 201
    assertArrayEquals(new int[] {51, 51, 200, 201, 201}, OneOp.runInts(QNNPACK, qu8(0.04, 51, 5),
        longs(0, 51, 200, 201, 255), Op.RELU6, Attrs.None.INSTANCE));
    // bounds beyond the range saturate: a no-op
    assertArrayEquals(new int[] {0, 255}, OneOp.runInts(QNNPACK, qu8(0.0625, 77, 2), longs(0, 255), Op.HARDTANH,
        new Attrs.Hardtanh(-100, 100)));
    assertThrows(UnsupportedOperationException.class, () -> OneOp.runInts(Numerics.TFLITE, qu8(0.0625, 77, 2),
        longs(0, 255), Op.HARDTANH, new Attrs.Hardtanh(-1, 1)));
  }

  @Test
  void tableActivationsPickQnnpackOrAten() throws Exception {
    // hardswish s_in 0.5 zp 128 -> s_out 0.25 zp 11, input 125: x = -1.5, hardswish = -0.375,
    // -1.5 output steps: QNNPACK adds the zero point first (9.5 -> 10), ATen after (-2 + 11 = 9).
    assertArrayEquals(new int[] {10}, OneOp.runInts(QNNPACK, qu8(0.5, 128, 1), longs(125), Op.HARDSWISH,
        Attrs.None.INSTANCE, qu8(0.25, 11, 1)));
    assertArrayEquals(new int[] {9}, OneOp.runInts(Numerics.PYTORCH_FBGEMM, qu8(0.5, 128, 1), longs(125),
        Op.HARDSWISH, Attrs.None.INSTANCE, qu8(0.25, 11, 1)));
    // sigmoid and hardsigmoid at x = 0: 0.5 -> 128 (output 1/256, zp 0)
    assertArrayEquals(new int[] {128}, OneOp.runInts(QNNPACK, qu8(0.1, 128, 1), longs(128), Op.SIGMOID,
        Attrs.None.INSTANCE));
    assertArrayEquals(new int[] {128}, OneOp.runInts(QNNPACK, qu8(0.1, 128, 1), longs(128), Op.HARDSIGMOID,
        Attrs.None.INSTANCE));
    assertThrows(UnsupportedOperationException.class, () -> OneOp.runInts(Numerics.TOSA, qu8(0.1, 128, 1),
        longs(128), Op.SIGMOID, Attrs.None.INSTANCE));
  }

  @Test
  void floatActivationsKeepNanAndNegativeZero() throws Exception {
    int[] dims = {4};
    float[] x = {-0.0f, Float.NaN, -1.0f, 2.0f};
    float[] relu = OneOp.runFloats(QNNPACK, dims, x, Op.RELU, Attrs.None.INSTANCE);
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(relu[0]));
    assertEquals(Float.NaN, relu[1]);
    assertEquals(Float.floatToRawIntBits(0.0f), Float.floatToRawIntBits(relu[2]));
    assertEquals(2.0f, relu[3]);
    float[] hardtanh = OneOp.runFloats(QNNPACK, dims, x, Op.HARDTANH, new Attrs.Hardtanh(-0.5, 0.5));
    assertArrayEquals(new float[] {-0.0f, Float.NaN, -0.5f, 0.5f}, hardtanh);
    // hardswish: -0.0 * 3 / 6 = -0.0; NaN; -1 * 2 / 6 = -0.33333334; 2 * 5 / 6 = 1.6666666
    float[] hardswish = OneOp.runFloats(QNNPACK, dims, x, Op.HARDSWISH, Attrs.None.INSTANCE);
    assertArrayEquals(new float[] {-0.0f, Float.NaN, -2.0f / 6.0f, 10.0f / 6.0f}, hardswish);
    // hardsigmoid: 3 / 6, NaN, 2 / 6, 5 / 6
    float[] hardsigmoid = OneOp.runFloats(QNNPACK, dims, x, Op.HARDSIGMOID, Attrs.None.INSTANCE);
    assertArrayEquals(new float[] {0.5f, Float.NaN, 2.0f / 6.0f, 5.0f / 6.0f}, hardsigmoid);
    assertThrows(UnsupportedOperationException.class,
        () -> OneOp.runFloats(QNNPACK, dims, x, Op.SIGMOID, Attrs.None.INSTANCE));
  }
}
