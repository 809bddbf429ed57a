package dev.zeropoint.backends.lowering;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import dev.zeropoint.runtime.kernels.Winograd;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which kernel a 3 x 3 convolution lowers to on the jvm backend: {@link Winograd} (with its
 * requantization fused) for stride 1, one group and an output of at least 13 columns, when the
 * block depth proven from the constant weights reaches 16 channels (or all of them); {@code GemmF32}
 * otherwise; integers only for an integer-only model; the C backend's own kernels for C.
 */
class LoweringWinogradTest {
  private static final Numerics QNNPACK = Numerics.PYTORCH_QNNPACK;
  private static final Lowering JVM = new Lowering(QNNPACK, "jvm", true, true);
  private static final Lowering INTEGER_ONLY = new Lowering(QNNPACK, "jvm", true, false);
  private static final Lowering C = new Lowering(QNNPACK, "c", false, false);

  /**
   * A quantized 3 x 3 conv2d, padding 1, u8 input (zero point 0: |x - zp| up to 255) of {@code
   * channels} channels of {@code size} x {@code size}, i8 weights all {@code weight}.
   */
  private static Node[] lowered(int channels, int size, int stride, long weight) throws Exception {
    GraphBuilder b = GraphBuilder.create("conv", QNNPACK);
    Value x = b.input("x", TensorType.quantized(ElementType.U8, 0.5, 0, Shape.of(1, channels, size, size)));
    TensorType wt = TensorType.quantized(ElementType.I8, 0.01, 0, Shape.of(channels, channels, 3, 3));
    long[] w = new long[Math.toIntExact(wt.shape().numElements())];
    Arrays.fill(w, weight);
    Value wv = b.constant(TensorData.ofLongs(ElementType.I8, wt.shape(), w), wt, Optional.empty());
    int out = (size - 1) / stride + 1;
    Value y = b.add(Op.CONV2D, new Attrs.Conv2d(ImmutableIntArray.of(stride, stride),
        ImmutableIntArray.of(1, 1, 1, 1), ImmutableIntArray.of(1, 1), 1),
        TensorType.quantized(ElementType.U8, 0.25, 3, Shape.of(1, channels, out, out)), x, wv);
    b.output("y", y);
    Graph g = Lowering.pipeline(b.build());
    Node conv = g.nodes().stream().filter(n -> n.op() == Op.CONV2D_ACC).findFirst().orElseThrow();
    Node requantize = g.nodes().stream().filter(n -> n.op() == Op.REQUANTIZE_ACC).findFirst().orElseThrow();
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
  void threeByThreeStrideOneRunsWinogradOnTheJvm() throws Exception {
    Node[] n = lowered(32, 16, 1, 20);
    assertEquals("Winograd.conv2d", call(JVM, n[0]));
    assertEquals("Winograd.conv2dRequantize", fused(JVM, n));
    KernelCall c = JVM.lower(n[0]).orElseThrow();
    // |U| <= 9 x 20, |V| <= 4 x 255: 183,600 a channel, so every block of 32 is below 2^24.
    assertEquals(32, ((KernelCall.Immediate) c.args().get(6)).value());
    assertEquals("Gemm.conv2d", call(INTEGER_ONLY, n[0]));
    assertEquals("none", fused(INTEGER_ONLY, n));
    assertEquals("Conv.conv2dAcc", call(C, n[0]));
  }

  @Test
  void otherGeometriesKeepTheMatrixProduct() throws Exception {
    assertEquals("GemmF32.conv2d", call(JVM, lowered(8, 16, 2, 20)[0])); // stride 2
    assertEquals("GemmF32.conv2d", call(JVM, lowered(8, 12, 1, 20)[0])); // 12 columns
    assertEquals("Winograd.conv2d", call(JVM, lowered(8, 13, 1, 20)[0])); // 13 columns
  }

  /**
   * Weights all -128: {@code |U|} reaches 9 x 128 = 1,152, and 1,152 x 1,020 = 1,175,040 a channel
   * allows blocks of 14 channels only (14.3): with 32 channels, fewer than the 16 worth the
   * transforms, so the matrix product; with 8 channels, one block of all 8.
   */
  @Test
  void shortBlocksKeepTheMatrixProduct() throws Exception {
    assertEquals("GemmF32.conv2d", call(JVM, lowered(32, 16, 1, -128)[0]));
    Node[] n = lowered(8, 16, 1, -128);
    assertEquals("Winograd.conv2d", call(JVM, n[0]));
    assertEquals(8, ((KernelCall.Immediate) JVM.lower(n[0]).orElseThrow().args().get(6)).value());
  }
}
