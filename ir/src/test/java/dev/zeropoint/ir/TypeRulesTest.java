package dev.zeropoint.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Result types of the ops. Expected shapes come from PyTorch's documented formulas and from
 * well-known layer sizes of torchvision models (noted beside each), not from this code.
 */
class TypeRulesTest {
  private static List<TensorType> types(Op op, Attrs attrs, List<TensorType> declared, TensorType... operands)
      throws TypeError {
    return op.def().resultTypes(List.of(operands), attrs, declared);
  }

  private static TensorType infer(Op op, Attrs attrs, TensorType... operands) throws TypeError {
    List<TensorType> r = types(op, attrs, List.of(), operands);
    assertEquals(1, r.size());
    return r.get(0);
  }

  private static Attrs.MaxPool2d maxPool(int k, int s, int p, boolean ceil) {
    return new Attrs.MaxPool2d(ImmutableIntArray.of(k, k), ImmutableIntArray.of(s, s),
        ImmutableIntArray.of(p, p, p, p), ImmutableIntArray.of(1, 1), ceil);
  }

  @Test
  void maxPoolSizesMatchTorchvisionModels() throws TypeError {
    // ResNet stem: 112x112 -> MaxPool2d(3, 2, padding=1) -> 56x56.
    assertEquals(TensorType.f32(1, 64, 56, 56), infer(Op.MAX_POOL2D, maxPool(3, 2, 1, false), TensorType.f32(1, 64, 112, 112)));
    // GoogLeNet: MaxPool2d(3, 2, ceil_mode=True): 112 -> 56 -> 28 -> 14, then MaxPool2d(2, 2, ceil_mode=True): 14 -> 7.
    assertEquals(Shape.of(1, 1, 56, 56), infer(Op.MAX_POOL2D, maxPool(3, 2, 0, true), TensorType.f32(1, 1, 112, 112)).shape());
    assertEquals(Shape.of(1, 1, 28, 28), infer(Op.MAX_POOL2D, maxPool(3, 2, 0, true), TensorType.f32(1, 1, 56, 56)).shape());
    assertEquals(Shape.of(1, 1, 14, 14), infer(Op.MAX_POOL2D, maxPool(3, 2, 0, true), TensorType.f32(1, 1, 28, 28)).shape());
    assertEquals(Shape.of(1, 1, 7, 7), infer(Op.MAX_POOL2D, maxPool(2, 2, 0, true), TensorType.f32(1, 1, 14, 14)).shape());
  }

  @Test
  void ceilModeDropsAWindowThatWouldStartInThePadding() throws TypeError {
    // Size 5, kernel 2, stride 2, padding 1: ceil((5+2-2)/2)+1 = 4 windows, but the 4th would start at
    // 6 >= 5+1, entirely in the padding, so PyTorch keeps 3. Without ceil_mode: floor(5/2)+1 = 3.
    assertEquals(Shape.of(1, 1, 3, 3), infer(Op.MAX_POOL2D, maxPool(2, 2, 1, true), TensorType.f32(1, 1, 5, 5)).shape());
    // Size 6, kernel 3, stride 2, no padding: floor(3/2)+1 = 2, ceil(3/2)+1 = 3 (the last window starts at 4 < 6).
    assertEquals(Shape.of(1, 1, 2, 2), infer(Op.MAX_POOL2D, maxPool(3, 2, 0, false), TensorType.f32(1, 1, 6, 6)).shape());
    assertEquals(Shape.of(1, 1, 3, 3), infer(Op.MAX_POOL2D, maxPool(3, 2, 0, true), TensorType.f32(1, 1, 6, 6)).shape());
  }

  @Test
  void ceilModeAcceptsAWindowLargerThanTheInput() throws TypeError {
    // torch 1.13: max_pool2d(zeros(1, 1, 2, 2), kernel 3, stride 2, ceil_mode=True) has shape [1, 1, 1, 1]
    // (span 2 - 2 - 1 = -1, ceil((-1 + 1) / 2) + 1 = 1); without ceil_mode PyTorch refuses it (output 0x0).
    assertEquals(Shape.of(1, 1, 1, 1), infer(Op.MAX_POOL2D, maxPool(3, 2, 0, true), TensorType.f32(1, 1, 2, 2)).shape());
    TypeError e = assertThrows(TypeError.class,
        () -> infer(Op.MAX_POOL2D, maxPool(3, 2, 0, false), TensorType.f32(1, 1, 2, 2)));
    assertEquals("max_pool2d: window of size 3 (dilation 1) does not fit the input size 2 with padding 0+0", e.getMessage());
  }

  @Test
  void convOutputFollowsPyTorchsFormula() throws TypeError {
    // ResNet conv1: 224x224, 7x7, stride 2, padding 3 -> floor((224+6-7)/2)+1 = 112.
    Attrs.Conv2d stem = new Attrs.Conv2d(ImmutableIntArray.of(2, 2), ImmutableIntArray.of(3, 3, 3, 3),
        ImmutableIntArray.of(1, 1), 1);
    assertEquals(TensorType.f32(1, 64, 112, 112),
        infer(Op.CONV2D, stem, TensorType.f32(1, 3, 224, 224), TensorType.f32(64, 3, 7, 7)));
    // Depthwise 3x3, dilation 2, padding 2 keeps 10x10: 10+4-2*2-1 = 9, /1 + 1 = 10.
    Attrs.Conv2d depthwise = new Attrs.Conv2d(ImmutableIntArray.of(1, 1), ImmutableIntArray.of(2, 2, 2, 2),
        ImmutableIntArray.of(2, 2), 8);
    assertEquals(TensorType.f32(1, 8, 10, 10),
        infer(Op.CONV2D, depthwise, TensorType.f32(1, 8, 10, 10), TensorType.f32(8, 1, 3, 3)));
  }

  @Test
  void quantizedConvTakesItsWrittenResultType() throws TypeError {
    TensorType x = TensorType.quantized(ElementType.U8, 0.05, 128, Shape.of(1, 3, 4, 4));
    TensorType w = TensorType.quantized(ElementType.I8, 0.01, 0, Shape.of(2, 3, 1, 1));
    TensorType out = TensorType.quantized(ElementType.U8, 0.2, 7, Shape.of(1, 2, 4, 4));
    Attrs.Conv2d a = new Attrs.Conv2d(ImmutableIntArray.of(1, 1), ImmutableIntArray.of(0, 0, 0, 0),
        ImmutableIntArray.of(1, 1), 1);
    assertEquals(List.of(out), types(Op.CONV2D, a, List.of(out), x, w, TensorType.f32(2)));
    TypeError e = assertThrows(TypeError.class, () -> types(Op.CONV2D, a, List.of(), x, w));
    assertEquals("conv2d: a quantized result needs its type written (its scale and zero point)", e.getMessage());
  }

  @Test
  void chunkBehavesLikeTorchChunk() throws TypeError {
    // torch.arange(5).chunk(4) gives sizes 2, 2, 1: three pieces, not four.
    List<TensorType> r = types(Op.CHUNK, new Attrs.Chunk(0, 4), List.of(), TensorType.f32(5));
    assertEquals(List.of(TensorType.f32(2), TensorType.f32(2), TensorType.f32(1)), r);
    // ShuffleNetV2's x.chunk(2, dim=1) on 116 channels: 58 and 58.
    r = types(Op.CHUNK, new Attrs.Chunk(1, 2), List.of(), TensorType.f32(1, 116, 28, 28));
    assertEquals(List.of(TensorType.f32(1, 58, 28, 28), TensorType.f32(1, 58, 28, 28)), r);
  }

  @Test
  void activationsKeepQuantizationAndSigmoidFixesIt() throws TypeError {
    TensorType q = TensorType.quantized(ElementType.U8, 0.0249, 3, Shape.of(1, 8));
    assertEquals(q, infer(Op.RELU, Attrs.None.INSTANCE, q));
    assertEquals(q, infer(Op.HARDTANH, new Attrs.Hardtanh(0, 6), q));
    // PyTorch's quantized sigmoid: scale 1/256, zero point 0 (quint8) or -128 (qint8).
    assertEquals(TensorType.quantized(ElementType.U8, 0.00390625, 0, Shape.of(1, 8)), infer(Op.SIGMOID, Attrs.None.INSTANCE, q));
    TensorType s8 = TensorType.quantized(ElementType.I8, 0.5, 1, Shape.of(1, 8));
    assertEquals(TensorType.quantized(ElementType.I8, 0.00390625, -128, Shape.of(1, 8)), infer(Op.SIGMOID, Attrs.None.INSTANCE, s8));
  }

  @Test
  void catOfEqualParametersInfersThemAndOtherwiseNeedsThemWritten() throws TypeError {
    TensorType a = TensorType.quantized(ElementType.U8, 0.1, 5, Shape.of(1, 2, 3));
    TensorType b = TensorType.quantized(ElementType.U8, 0.1, 5, Shape.of(1, 4, 3));
    assertEquals(TensorType.quantized(ElementType.U8, 0.1, 5, Shape.of(1, 6, 3)), infer(Op.CAT, new Attrs.Axis(1), a, b));
    TensorType c = TensorType.quantized(ElementType.U8, 0.2, 5, Shape.of(1, 4, 3));
    TypeError e = assertThrows(TypeError.class, () -> infer(Op.CAT, new Attrs.Axis(-2), a, c));
    assertEquals("cat: a quantized result needs its type written (its scale and zero point)", e.getMessage());
  }

  @Test
  void shapeOpsComputeTheirShapes() throws TypeError {
    TensorType x = TensorType.f32(2, 3, 4, 5);
    assertEquals(Shape.of(2, 60), infer(Op.FLATTEN, new Attrs.Flatten(1, -1), x).shape());
    assertEquals(Shape.of(120), infer(Op.FLATTEN, new Attrs.Flatten(0, -1), x).shape());
    assertEquals(Shape.of(6, 20), infer(Op.RESHAPE, new Attrs.Reshape(ImmutableIntArray.of(-1, 20)), x).shape());
    assertEquals(Shape.of(2, 5, 3, 4), infer(Op.PERMUTE, new Attrs.Permute(ImmutableIntArray.of(0, 3, 1, 2)), x).shape());
    assertEquals(Shape.of(2, 3, 7, 8), infer(Op.PAD, new Attrs.Pad(ImmutableIntArray.of(0, 0, 1, 2, 0, 0, 2, 1), 0), x).shape());
    assertEquals(Shape.of(2, 3, 1, 1), infer(Op.ADAPTIVE_AVG_POOL2D, new Attrs.AdaptiveAvgPool2d(ImmutableIntArray.of(1, 1)), x).shape());
    assertEquals(List.of(TensorType.f32(2, 1, 4, 5), TensorType.f32(2, 2, 4, 5)),
        types(Op.SPLIT, new Attrs.Split(1, ImmutableIntArray.of(1, 2)), List.of(), x));
  }

  @Test
  void linearMatmulAndBroadcasting() throws TypeError {
    assertEquals(TensorType.f32(7, 10), infer(Op.LINEAR, Attrs.None.INSTANCE, TensorType.f32(7, 512), TensorType.f32(10, 512)));
    assertEquals(TensorType.f32(4, 2, 3, 6), infer(Op.MATMUL, Attrs.None.INSTANCE, TensorType.f32(4, 1, 3, 5), TensorType.f32(2, 5, 6)));
    assertEquals(TensorType.f32(2, 3, 4), infer(Op.ADD, Attrs.None.INSTANCE, TensorType.f32(2, 1, 4), TensorType.f32(3, 1)));
  }

  @Test
  void typesValidateTheirQuantization() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TensorType.quantized(ElementType.U8, 0.1, 256, Shape.of(1)));
    assertEquals("zero point 256 outside u8 range 0..255", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TensorType.quantized(ElementType.I8, Double.NaN, 0, Shape.of(1)));
    assertEquals("scale nan is not finite", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new TensorType(ElementType.F32, Shape.of(1), Optional.of(new Quantization.PerTensor(1, 0))));
    assertEquals("quantized storage must be u8, i8, i16 or i32, got f32", e.getMessage());
  }
}
