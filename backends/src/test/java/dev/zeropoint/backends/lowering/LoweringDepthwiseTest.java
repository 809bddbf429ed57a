package dev.zeropoint.backends.lowering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.runtime.kernels.Conv;
import dev.zeropoint.runtime.kernels.Depthwise;
import dev.zeropoint.runtime.kernels.GemmF32;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which kernel a depthwise convolution lowers to on the jvm backend: {@link Depthwise#conv2d}
 * (float32 on exact integers), with its requantization fused, when the bound is proven from the
 * constant weights and the input type; {@link Depthwise#conv2dInt32} for an integer-only model and
 * when the bound fails. The C backend (which runs its own kernels) keeps {@link Conv#conv2dAcc}.
 */
class LoweringDepthwiseTest {
  private static final Numerics QNNPACK = Numerics.PYTORCH_QNNPACK;

  /** The jvm backend's lowering, an integer-only model's, and the C backend's. */
  private static final Lowering JVM = new Lowering(QNNPACK, "jvm", true, true);
  private static final Lowering INTEGER_ONLY = new Lowering(QNNPACK, "jvm", true, false);
  private static final Lowering C = new Lowering(QNNPACK, "c", false, false);

  /**
   * A quantized conv2d (u8 input with zero point 0, i8 weights all {@code weight}, 8 channels of 10 x
   * 10, padding 1) lowered by the default pipeline: its conv2d_acc and requantize_acc.
   */
  private static Node[] lowered(int kernel, int groups, long weight) throws Exception {
    int channels = 8;
    GraphBuilder b = GraphBuilder.create("dw", QNNPACK);
    TensorType xt = TensorType.quantized(ElementType.U8, 0.5, 0, Shape.of(1, channels, 10, 10));
    Value x = b.input("x", xt);
    TensorType wt = TensorType.quantized(ElementType.I8, 0.01, 0, Shape.of(channels, channels / groups, kernel,
        kernel));
    long[] w = new long[Math.toIntExact(wt.shape().numElements())];
    Arrays.fill(w, weight);
    Value wv = b.constant(TensorData.ofLongs(ElementType.I8, wt.shape(), w), wt, Optional.empty());
    int out = 10 + 2 - kernel + 1;
    Value y = b.add(Op.CONV2D, new Attrs.Conv2d(ImmutableIntArray.of(1, 1), ImmutableIntArray.of(1, 1, 1, 1),
        ImmutableIntArray.of(1, 1), groups), TensorType.quantized(ElementType.U8, 0.25, 3,
            Shape.of(1, channels, out, out)), x, wv);
    b.output("y", y);
    Graph g = Lowering.pipeline(b.build());
    Node conv = g.nodes().stream().filter(n -> n.op() == Op.CONV2D_ACC).findFirst().orElseThrow();
    Node requantize = g.nodes().stream().filter(n -> n.op() == Op.REQUANTIZE_ACC).findFirst().orElseThrow();
    assertEquals(conv.result(), requantize.operand(0));
    return new Node[] {conv, requantize};
  }

  private static String call(Lowering l, Node n) throws Exception {
    KernelCall c = l.lower(n).orElseThrow();
    return c.owner().getSimpleName() + "." + c.method();
  }

  private static String fused(Lowering l, Node[] n) throws Exception {
    return l.convRequantize(n[0], n[1]).map(c -> c.owner().getSimpleName() + "." + c.method()).orElse("none");
  }

  @Test
  void anExactDepthwiseConvolutionRunsTheFloat32KernelOnTheJvmOnly() throws Exception {
    Node[] n = lowered(3, 8, -128);
    assertEquals("Depthwise.conv2d", call(JVM, n[0]));
    assertEquals("Depthwise.conv2dRequantize", fused(JVM, n));
    KernelCall c = JVM.lower(n[0]).orElseThrow();
    // The weights as float32, minus their zero point (0): every one -128.
    float[] weights = (float[]) ((KernelCall.Constant) c.args().get(2)).value();
    assertEquals(8 * 9, weights.length);
    assertTrue(Arrays.equals(weights, Depthwise.weights(filled(8 * 9, -128))));
    // An integer-only model computes with integers only; the C backend runs Conv_conv2dAcc itself.
    assertEquals("Depthwise.conv2dInt32", call(INTEGER_ONLY, n[0]));
    assertEquals("none", fused(INTEGER_ONLY, n));
    assertEquals("Conv.conv2dAcc", call(C, n[0]));
    assertEquals("none", fused(C, n));
  }

  /**
   * i8 weights at -128 and u8 inputs with zero point 0: {@code taps * 128 * 255 <= 2^24} up to 514
   * taps. 22 x 22 = 484 taps are proven exact, 23 x 23 = 529 are not and run in int32 (where
   * GemmF32's blocked bound, 256 taps at a time, would have held).
   */
  @Test
  void theBoundCountsEveryTapOfTheKernel() throws Exception {
    assertEquals("Depthwise.conv2d", call(JVM, lowered(1, 8, -128)[0]));
    assertEquals("Depthwise.conv2d", call(JVM, lowered(7, 8, -128)[0]));
    assertEquals("Depthwise.conv2d", call(JVM, lowered(11, 8, -128)[0]));
    assertEquals("Depthwise.conv2dRequantize", fused(JVM, lowered(11, 8, -128)));
    assertTrue(Lowering.depthwiseExact(filled(1, -128), ElementType.U8, 0, 22 * 22));
    assertFalse(Lowering.depthwiseExact(filled(1, -128), ElementType.U8, 0, 23 * 23));
    assertTrue(Lowering.f32Exact(filled(1, -128), ElementType.U8, 0, 23 * 23));
  }

  @Test
  void unprovableDepthwiseConvolutionsRunInInt32() throws Exception {
    // Input 10 x 10 with padding 1 admits kernels up to 12 x 12 only: build the 23 x 23 case on a
    // larger plane.
    Node[] n = loweredLarge(23, -128);
    assertEquals("Depthwise.conv2dInt32", call(JVM, n[0]));
    assertEquals("Conv.conv2dAcc", call(C, n[0]));
    assertEquals("none", fused(JVM, n));
    Node[] m = loweredLarge(22, -128);
    assertEquals("Depthwise.conv2d", call(JVM, m[0]));
    // Smaller weights prove the 23 x 23 kernel: 529 * 127 * 255 = 17,132,565 > 2^24, but 529 * 100 * 255 is below.
    assertEquals("Depthwise.conv2dInt32", call(JVM, loweredLarge(23, 127)[0]));
    assertEquals("Depthwise.conv2d", call(JVM, loweredLarge(23, 100)[0]));
    // 16-bit inputs: |x - zp| up to 65,535, 9 * 128 * 65,535 > 2^24.
    assertTrue(Lowering.depthwiseExact(filled(1, 2), ElementType.I16, -32_768, 9));
    assertFalse(Lowering.depthwiseExact(filled(1, -128), ElementType.I16, -32_768, 9));
    assertTrue(Lowering.depthwiseExact(filled(4, 0), ElementType.I32, 0, 9)); // all-zero weights
  }

  @Test
  void groupedConvolutionsStillRunTheMatrixProduct() throws Exception {
    Node[] n = lowered(3, 4, -128); // two channels per group
    assertEquals("GemmF32.conv2d", call(JVM, n[0]));
    assertEquals("GemmF32.conv2dRequantize", fused(JVM, n));
    assertEquals(GemmF32.class, JVM.convRequantize(n[0], n[1]).orElseThrow().owner());
    assertEquals("Conv.conv2dAcc", call(C, n[0]));
  }

  /** {@link #lowered} on a 30 x 30 input without padding, depthwise. */
  private static Node[] loweredLarge(int kernel, long weight) throws Exception {
    int channels = 2;
    GraphBuilder b = GraphBuilder.create("dw", QNNPACK);
    TensorType xt = TensorType.quantized(ElementType.U8, 0.5, 0, Shape.of(1, channels, 30, 30));
    Value x = b.input("x", xt);
    TensorType wt = TensorType.quantized(ElementType.I8, 0.01, 0, Shape.of(channels, 1, kernel, kernel));
    long[] w = new long[Math.toIntExact(wt.shape().numElements())];
    Arrays.fill(w, weight);
    Value wv = b.constant(TensorData.ofLongs(ElementType.I8, wt.shape(), w), wt, Optional.empty());
    int out = 30 - kernel + 1;
    Value y = b.add(Op.CONV2D, new Attrs.Conv2d(ImmutableIntArray.of(1, 1), ImmutableIntArray.of(0, 0, 0, 0),
        ImmutableIntArray.of(1, 1), channels), TensorType.quantized(ElementType.U8, 0.25, 3,
            Shape.of(1, channels, out, out)), x, wv);
    b.output("y", y);
    Graph g = Lowering.pipeline(b.build());
    Node conv = g.nodes().stream().filter(nd -> nd.op() == Op.CONV2D_ACC).findFirst().orElseThrow();
    Node requantize = g.nodes().stream().filter(nd -> nd.op() == Op.REQUANTIZE_ACC).findFirst().orElseThrow();
    return new Node[] {conv, requantize};
  }

  private static int[] filled(int n, int v) {
    int[] a = new int[n];
    Arrays.fill(a, v);
    return a;
  }
}
