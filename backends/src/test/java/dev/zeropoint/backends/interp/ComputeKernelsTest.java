package dev.zeropoint.backends.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The compute kernels on small graphs whose outputs are worked out by hand (or read from torch where said). */
class ComputeKernelsTest {
  private static final Numerics QNNPACK = Numerics.PYTORCH_QNNPACK;

  private static TensorType qu8(double scale, long zp, int... shape) {
    return TensorType.quantized(ElementType.U8, scale, zp, Shape.of(shape));
  }

  private static TensorType qi8(double scale, long zp, int... shape) {
    return TensorType.quantized(ElementType.I8, scale, zp, Shape.of(shape));
  }

  private static TensorData ints(TensorType t, long... values) {
    return TensorData.ofLongs(t.elementType(), t.shape(), values);
  }

  private static long[] fill(int n, long v) {
    long[] a = new long[n];
    Arrays.fill(a, v);
    return a;
  }

  /** Runs a graph with one output and returns that output's elements as longs (or float bits). */
  private static long[] run(Graph g, Map<String, TensorData> inputs) throws Exception {
    TensorData out = Interpreter.evaluate(g, inputs).get(g.outputs().get(0).value()).toData();
    long[] r = new long[(int) out.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = out.elementType().isFloat() ? (long) out.getDouble(i) : out.getLong(i);
    }
    return r;
  }

  private static Attrs.Conv2d conv(int[] stride, int[] padding, int[] dilation, int groups) {
    return new Attrs.Conv2d(ImmutableIntArray.copyOf(stride), ImmutableIntArray.copyOf(padding),
        ImmutableIntArray.copyOf(dilation), groups);
  }

  @Test
  void conv2dAsymmetricPaddingAndStride() throws Exception {
    // x - zp = [[1,2,3],[4,5,6],[7,8,9]], kernel [[1,2],[3,4]], padding top 1, left 0, bottom 0,
    // right 1, stride (1, 2): output 3 x 2, scales 1 (multiplier 1). Padded input rows:
    //   -1: 0 0 0 | 0;  0: 1 2 3 | 0;  1: 4 5 6 | 0;  2: 7 8 9 | 0
    // (0,0) = 1*3 + 2*4 = 11      (0,1) = 3*3 = 9
    // (1,0) = 1 + 4 + 12 + 20 = 37 (1,1) = 3*1 + 6*3 = 21
    // (2,0) = 4 + 10 + 21 + 32 = 67 (2,1) = 6 + 27 = 33
    // bias 2.5 at scale 1 * 1 rounds half to even -> 2; output zero point 100.
    GraphBuilder b = GraphBuilder.create("conv", QNNPACK);
    TensorType xt = qu8(1.0, 10, 1, 1, 3, 3);
    Value x = b.input("x", xt);
    TensorType wt = qi8(1.0, 0, 1, 1, 2, 2);
    Value w = b.constant(ints(wt, 1, 2, 3, 4), wt, Optional.empty());
    Value bias = b.constant(TensorData.ofFloats(Shape.of(1), 2.5f), TensorType.f32(1), Optional.empty());
    Value y = b.add(Op.CONV2D, conv(new int[] {1, 2}, new int[] {1, 0, 0, 1}, new int[] {1, 1}, 1),
        qu8(1.0, 100, 1, 1, 3, 2), x, w, bias);
    b.output("y", y);
    long[] out = run(b.build(), Map.of("x", ints(xt, 11, 12, 13, 14, 15, 16, 17, 18, 19)));
    assertArrayEquals(new long[] {113, 111, 139, 123, 169, 135}, out);
  }

  @Test
  void conv2dDilationKeepsOnlyInBoundsTaps() throws Exception {
    // x - zp = 1..16 on 4 x 4, kernel 2 x 2 of ones, dilation 2, padding 1 on every side, stride 1:
    // output (4 + 2 - 2 - 1) / 1 + 1 = 4 per side. Output (oh, ow) sums x at rows oh-1, oh+1 and
    // columns ow-1, ow+1 that lie inside: (0,0) = x[1][1] = 6; (0,1) = x[1][0] + x[1][2] = 5 + 7 = 12;
    // (1,1) = x[0][0] + x[0][2] + x[2][0] + x[2][2] = 1 + 3 + 9 + 11 = 24; (3,3) = x[2][2] = 11.
    GraphBuilder b = GraphBuilder.create("dil", QNNPACK);
    TensorType xt = qu8(1.0, 0, 1, 1, 4, 4);
    Value x = b.input("x", xt);
    TensorType wt = qi8(1.0, 0, 1, 1, 2, 2);
    Value w = b.constant(ints(wt, 1, 1, 1, 1), wt, Optional.empty());
    Value y = b.add(Op.CONV2D, conv(new int[] {1, 1}, new int[] {1, 1, 1, 1}, new int[] {2, 2}, 1),
        qu8(1.0, 0, 1, 1, 4, 4), x, w);
    b.output("y", y);
    long[] in = new long[16];
    for (int i = 0; i < 16; i++) {
      in[i] = i + 1;
    }
    long[] out = run(b.build(), Map.of("x", ints(xt, in)));
    // row 0: x[1][ow-1] + x[1][ow+1]: 6, 5+7, 6+8, 7;  row 1: x[0] + x[2] at ow-1, ow+1:
    // 2+10, 1+3+9+11, 2+4+10+12, 3+11;  row 2: x[1] + x[3]; row 3: x[2] at ow-1, ow+1
    assertArrayEquals(new long[] {6, 12, 14, 7, 12, 24, 28, 14, 20, 40, 44, 22, 10, 20, 22, 11}, out);
  }

  @Test
  void conv2dGroupsWithPerChannelWeightZeroPoints() throws Exception {
    // groups 2, one input channel each; x - zp = [3, 5]; weights per axis {1.0:1, 0.5:-2} with
    // values [4, 0]: channel 0: (4 - 1) * 3 = 9, multiplier 1 -> 9; channel 1: (0 + 2) * 5 = 10,
    // multiplier f32(0.5 * 1) * f32(1 / 1) = 0.5 -> 5; output zero point 100.
    GraphBuilder b = GraphBuilder.create("groups", QNNPACK);
    TensorType xt = qu8(1.0, 7, 1, 2, 1, 1);
    Value x = b.input("x", xt);
    TensorType wt = new TensorType(ElementType.I8, Shape.of(2, 1, 1, 1), Optional.of(new Quantization.PerAxis(0,
        ImmutableDoubleArray.of(1.0, 0.5), ImmutableLongArray.of(1, -2))));
    Value w = b.constant(ints(wt, 4, 0), wt, Optional.empty());
    Value y = b.add(Op.CONV2D, conv(new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {1, 1}, 2),
        qu8(1.0, 100, 1, 2, 1, 1), x, w);
    b.output("y", y);
    assertArrayEquals(new long[] {109, 105}, run(b.build(), Map.of("x", ints(xt, 10, 12))));
  }

  @Test
  void linearOnRank3Input() throws Exception {
    // rows [1, 2] and [3, -1] (x - zp), weights [[1, 1], [2, -3]] -> [3, -4] and [2, 9]; scales 1,
    // zero point 50 -> [53, 46, 52, 59]
    GraphBuilder b = GraphBuilder.create("linear", QNNPACK);
    TensorType xt = qu8(1.0, 10, 1, 2, 2);
    Value x = b.input("x", xt);
    TensorType wt = qi8(1.0, 0, 2, 2);
    Value w = b.constant(ints(wt, 1, 1, 2, -3), wt, Optional.empty());
    b.output("y", b.add(Op.LINEAR, Attrs.None.INSTANCE, qu8(1.0, 50, 1, 2, 2), x, w));
    assertArrayEquals(new long[] {53, 46, 52, 59}, run(b.build(), Map.of("x", ints(xt, 11, 12, 13, 9))));
  }


  private static Graph linearOfOnes(Numerics numerics, double outputScale, int rows) {
    // x: [rows, 1] at scale 0.5, weight [[1]] at scale 0.5, bias 0: the accumulator is x - x_zp and
    // the real multiplier is 0.25 / outputScale
    GraphBuilder b = GraphBuilder.create("linear", numerics);
    TensorType xt = qi8(0.5, 0, rows, 1);
    Value x = b.input("x", xt);
    TensorType wt = qi8(0.5, 0, 1, 1);
    Value w = b.constant(ints(wt, 1), wt, Optional.empty());
    TensorType bt = TensorType.of(ElementType.I32, Shape.of(1));
    Value bias = b.constant(ints(bt, 0), bt, Optional.empty());
    b.output("y", b.add(Op.LINEAR, Attrs.None.INSTANCE, qi8(outputScale, 0, rows, 1), x, w, bias));
    return b.build();
  }

  @Test
  void tfliteAndTosaRequantizeInFixedPoint() throws Exception {
    TensorType xt = qi8(0.5, 0, 4, 1);
    for (Numerics numerics : new Numerics[] {Numerics.TFLITE, Numerics.TOSA}) {
      // multiplier 0.5: frexp = (0.5, 0), M = 2^30, TFLite shift 0 (TOSA right shift 31).
      // SRDHM(x, 2^30) = floor((x * 2^30 + 2^30) / 2^31) = floor((x + 1) / 2): half up, so
      // 3 -> 1.5 -> 2, -3 -> -1.5 -> -1, 5 -> 3, -5 -> -2 (PyTorch's RNE would give 2, -2, 2, -2)
      assertArrayEquals(new long[] {2, -1, 3, -2},
          run(linearOfOnes(numerics, 0.5, 4), Map.of("x", ints(xt, 3, -3, 5, -5))), numerics.toString());
      // multiplier 0.25: M = 2^30, TFLite shift -1: SRDHM rounds 5 / 2 half up to 3, then RDBPOT
      // rounds 3 / 2 half away from zero to 2 - double rounding, where 5 / 4 = 1.25 would give 1.
      // TOSA: shift 32 > 31, so round = 2^31 + 2^30 and (5 * 2^30 + 3 * 2^30) >> 32 = 2 as well.
      // -5: SRDHM -> floor(-4 / 2) = -2, RDBPOT -> -1; TOSA: (-5 * 2^30 + 2^30) >> 32 = -1.
      // 6: SRDHM -> 3 (exact), RDBPOT -> 1.5 -> 2; 1: SRDHM -> 1 (0.5 up), RDBPOT -> 0.5 -> 1
      assertArrayEquals(new long[] {2, -1, 2, 1},
          run(linearOfOnes(numerics, 1.0, 4), Map.of("x", ints(xt, 5, -5, 6, 1))), numerics.toString());
    }
  }

  private static Graph binary(Op op, TensorType a, TensorType bt, TensorType out) {
    GraphBuilder b = GraphBuilder.create("binary", QNNPACK);
    b.output("y", b.add(op, Attrs.None.INSTANCE, out, b.input("a", a), b.input("b", bt)));
    return b.build();
  }

  @Test
  void quantizedAddPicksPyTorchsKernelByTypeAndShape() throws Exception {
    // a = -0.5 (q 2, scale 0.5, zp 3) plus b = 0 into scale 1, zp 7 (torch 1.13.1 gives each of these):
    // quint8, equal shapes: QNNPACK rounds half away from zero -> -1 -> 6
    TensorType a = qu8(0.5, 3, 1, 2);
    TensorType bt = qu8(0.25, 100, 1, 2);
    long[] same = run(binary(Op.ADD, a, bt, qu8(1.0, 7, 1, 2)),
        Map.of("a", ints(a, 2, 4), "b", ints(bt, 100, 100)));
    assertArrayEquals(new long[] {6, 8}, same);
    // quint8, broadcast: dequantize, add, quantize: -0.5 -> RNE -0 -> 7; +0.5 -> 0 -> 7
    TensorType b1 = qu8(0.25, 100, 1, 1);
    long[] broadcast = run(binary(Op.ADD, a, b1, qu8(1.0, 7, 1, 2)), Map.of("a", ints(a, 2, 4), "b", ints(b1, 100)));
    assertArrayEquals(new long[] {7, 7}, broadcast);
    // qint8: XNNPACK rounds half up: -0.5 -> 0 -> 7; +0.5 -> 1 -> 8; 0.5 + 0.5 -> 8
    TensorType a8 = qi8(0.5, 3, 1, 3);
    TensorType b8 = qi8(0.25, -100, 1, 3);
    long[] xnn = run(binary(Op.ADD, a8, b8, qi8(1.0, 7, 1, 3)),
        Map.of("a", ints(a8, 2, 4, 4), "b", ints(b8, -100, -100, -98)));
    assertArrayEquals(new long[] {7, 8, 8}, xnn);
  }

  @Test
  void broadcastAddFollowsPyTorchsVectorAndScalarElements() throws Exception {
    // torch 1.13.1: [4, 100] of 30 plus [4, 1] of 117 with these parameters gives 84 for elements
    // 0..63 of each row (vectorized lambda) and 85 for 64..99 (scalar lambda); the arithmetic is
    // worked out in PyTorchAtenQuantizedTest.floatAddLambdasDisagreeWhereTheFmaDequantizeShiftsATie.
    TensorType a = qu8(0.020498367060933543, 202, 4, 100);
    TensorType bt = qu8(0.03109429141691874, 86, 4, 1);
    long[] out = run(binary(Op.ADD, a, bt, qu8(0.02361102353217613, 193, 4, 100)),
        Map.of("a", ints(a, fill(400, 30)), "b", ints(bt, fill(4, 117))));
    long[] expected = new long[400];
    for (int i = 0; i < 400; i++) {
      expected[i] = i % 100 < 64 ? 84 : 85;
    }
    assertArrayEquals(expected, out);
  }

  @Test
  void quantizedMulBroadcasts() throws Exception {
    // multiplier 0.5 * 0.5 / 0.5 = 0.5; a - za = [1, -1, 3], b - zb = 3 -> 1.5, -1.5, 4.5 -> RNE 2, -2,
    // 4 -> zero point 77: [79, 75, 81]
    TensorType a = qu8(0.5, 120, 3);
    TensorType bt = qu8(0.5, 131, 1);
    long[] out = run(binary(Op.MUL, a, bt, qu8(0.5, 77, 3)), Map.of("a", ints(a, 121, 119, 123), "b", ints(bt, 134)));
    assertArrayEquals(new long[] {79, 75, 81}, out);
  }

  @Test
  void floatAndIntegerArithmetic() throws Exception {
    TensorType f = TensorType.f32(2, 2);
    TensorType row = TensorType.f32(2);
    long[] sum = run(binary(Op.ADD, f, row, f),
        Map.of("a", TensorData.ofFloats(f.shape(), 1, 2, 3, 4), "b", TensorData.ofFloats(row.shape(), 10, 20)));
    assertArrayEquals(new long[] {11, 22, 13, 24}, sum);
    TensorType i8 = TensorType.of(ElementType.I8, Shape.of(2));
    long[] product = run(binary(Op.MUL, i8, i8, i8), Map.of("a", ints(i8, 3, -4), "b", ints(i8, 5, 6)));
    assertArrayEquals(new long[] {15, -24}, product);
    // 100 * 2 = 200 does not fit i8: exact arithmetic refuses rather than wrapping
    Graph g = binary(Op.MUL, i8, i8, i8);
    assertThrows(ArithmeticException.class, () -> run(g, Map.of("a", ints(i8, 100, 0), "b", ints(i8, 2, 0))));
  }

  @Test
  void catRequantizesEachInputAlongANegativeAxis() throws Exception {
    // a (scale 0.5, zp 10) = [11, 13] -> 0.5, 1.5; b (scale 1, zp 11) = [12] -> 1; into scale 1, zp 11:
    // RNE(0.5) = 0 -> 11, RNE(1.5) = 2 -> 13, b copied -> 12
    GraphBuilder b = GraphBuilder.create("cat", QNNPACK);
    TensorType at = qu8(0.5, 10, 1, 2);
    TensorType bt = qu8(1.0, 11, 1, 1);
    Value y = b.add(Op.CAT, new Attrs.Axis(-1), qu8(1.0, 11, 1, 3), b.input("a", at), b.input("b", bt));
    b.output("y", y);
    assertArrayEquals(new long[] {11, 13, 12}, run(b.build(), Map.of("a", ints(at, 11, 13), "b", ints(bt, 12))));
  }

  @Test
  void quantizedBatchNormUsesPyTorchsChannelBlocks() throws Exception {
    // torch 1.13.1: 13 channels, every value 100 steps above the zero point, weight 1e6, var 1e-3,
    // eps 0, scales 1, output zero point 200: alpha = 1 / sqrt(0.001) * 1e6 = 3.16e7, so every
    // value is 3.16e9 steps. Channels 0..7 (the vector block) clip it to 2147483520, add 200, wrap
    // negative -> 0; channels 8..12 (scalar) saturate -> 255.
    int c = 13;
    GraphBuilder b = GraphBuilder.create("bn", QNNPACK);
    TensorType xt = qu8(1.0, 100, 1, c, 1, 1);
    Value x = b.input("x", xt);
    TensorType pt = TensorType.f32(c);
    float[] ones = new float[c];
    float[] zeros = new float[c];
    float[] var = new float[c];
    Arrays.fill(ones, 1e6f);
    Arrays.fill(var, 1e-3f);
    Value w = b.constant(TensorData.ofFloats(pt.shape(), ones), pt, Optional.empty());
    Value bias = b.constant(TensorData.ofFloats(pt.shape(), zeros), pt, Optional.empty());
    Value mean = b.constant(TensorData.ofFloats(pt.shape(), zeros), pt, Optional.empty());
    Value v = b.constant(TensorData.ofFloats(pt.shape(), var), pt, Optional.empty());
    b.output("y", b.add(Op.BATCH_NORM, new Attrs.BatchNorm(0.0), qu8(1.0, 200, 1, c, 1, 1), x, w, bias, mean, v));
    long[] out = run(b.build(), Map.of("x", ints(xt, fill(c, 200))));
    long[] expected = new long[c];
    for (int i = 0; i < c; i++) {
      expected[i] = i < 8 ? 0 : 255;
    }
    assertArrayEquals(expected, out);
  }

  @Test
  void floatMatmulBroadcastsBatches() throws Exception {
    // a: two 1 x 2 matrices [1, 2] and [3, 4]; b: one 2 x 2 matrix [[1, 10], [100, 1000]]
    TensorType at = TensorType.f32(2, 1, 2);
    TensorType bt = TensorType.f32(2, 2);
    long[] out = run(binary(Op.MATMUL, at, bt, TensorType.f32(2, 1, 2)),
        Map.of("a", TensorData.ofFloats(at.shape(), 1, 2, 3, 4), "b", TensorData.ofFloats(bt.shape(), 1, 10, 100, 1000)));
    assertArrayEquals(new long[] {201, 2010, 403, 4030}, out);
  }

  @Test
  void requantizeChangesParameters() throws Exception {
    GraphBuilder b = GraphBuilder.create("rq", QNNPACK);
    TensorType xt = qu8(0.5, 10, 3);
    b.output("y", b.add(Op.REQUANTIZE, Attrs.None.INSTANCE, qi8(1.0, -1, 3), b.input("x", xt)));
    // 0.5 -> 0 -> -1; 1.5 -> 2 -> 1; -5 -> -6
    assertArrayEquals(new long[] {-1, 1, -6}, run(b.build(), Map.of("x", ints(xt, 11, 13, 0))));
  }
}
