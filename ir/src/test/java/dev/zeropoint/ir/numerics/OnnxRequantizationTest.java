package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.runtime.kernels.Requantize;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The {@code onnx} flavour's conv / linear requantization: scheme {@code float_clamp} (ONNX Runtime's
 * {@code MlasRequantizeOutput}) and {@link LayerRequantization#of} for {@link Numerics#ONNX}. Every
 * expected value is worked out by hand in the comments, not produced by the code under test.
 */
class OnnxRequantizationTest {

  private static Requantizer floatClamp(double[] scales, int zp, int min, int max, ElementType storage) {
    Requantizer r = new Requantizer(Requantizer.Scheme.FLOAT_CLAMP, ImmutableDoubleArray.copyOf(scales),
        ImmutableIntArray.of(), ImmutableIntArray.of(), zp, min, max, storage);
    assertEquals(Optional.empty(), r.problem());
    return r;
  }

  private static Requantizer u8(double scale, int zp) {
    return floatClamp(new double[] {scale}, zp, 0, 255, ElementType.U8);
  }

  private static Requantizer i8(double scale, int zp) {
    return floatClamp(new double[] {scale}, zp, -128, 127, ElementType.I8);
  }

  /** {@link Requantizer#apply}, and the same through the runtime kernel {@link Requantize#requantize} (one element). */
  private static int both(Requantizer r, int acc, int c) {
    int viaApply = r.apply(acc, c);
    float[] scales = new float[r.scales().length()];
    for (int i = 0; i < scales.length; i++) {
      scales[i] = (float) r.scales().get(i);
    }
    int channels = Math.max(scales.length, c + 1);
    int[] accs = new int[channels];
    accs[c] = acc;
    int[] out = new int[channels];
    Requantize.requantize(out, accs, Requantize.FLOAT_CLAMP, scales, new int[0], new int[0], 1, channels,
        r.outputZeroPoint(), r.min(), r.max(), r.storage().ordinal());
    assertEquals(viaApply, out[c], "kernel and Requantizer.apply disagree at acc " + acc);
    return viaApply;
  }

  @Test
  void schemeWordAndCode() {
    assertEquals(Optional.of(Requantizer.Scheme.FLOAT_CLAMP), Requantizer.Scheme.fromWord("float_clamp"));
    assertTrue(Requantizer.Scheme.FLOAT_CLAMP.usesFloat());
    // The kernel's codes are the enum's ordinals, and the schemes that existed before keep theirs.
    assertEquals(Requantize.FLOAT_CLAMP, Requantizer.Scheme.FLOAT_CLAMP.ordinal());
    assertEquals(Requantize.POW2, Requantizer.Scheme.POW2.ordinal());
    assertEquals(Requantize.FLOAT, Requantizer.Scheme.FLOAT.ordinal());
    assertEquals(2, floatClamp(new double[] {0.5, 0.25}, 0, 0, 255, ElementType.U8).channels());
    // float32 scales only, like float
    assertTrue(new Requantizer(Requantizer.Scheme.FLOAT_CLAMP, ImmutableDoubleArray.of(0.1), ImmutableIntArray.of(),
        ImmutableIntArray.of(), 0, 0, 255, ElementType.U8).problem().orElseThrow().contains("float32"));
    assertTrue(new Requantizer(Requantizer.Scheme.FLOAT_CLAMP, ImmutableDoubleArray.of(0.5), ImmutableIntArray.of(1),
        ImmutableIntArray.of(1), 0, 0, 255, ElementType.U8).problem().orElseThrow().contains("float_clamp"));
  }

  @Test
  void tiesRoundToEven() {
    Requantizer r = u8(0.5, 0);
    assertEquals(2, both(r, 5, 0)); // 2.5 -> 2
    assertEquals(4, both(r, 7, 0)); // 3.5 -> 4
    assertEquals(3, both(r, 6, 0)); // 3.0 exactly
    assertEquals(0, both(r, 1, 0)); // 0.5 -> 0
    assertEquals(2, both(r, 3, 0)); // 1.5 -> 2
    Requantizer q = u8(0.25, 10);
    assertEquals(10 + 2, both(q, 10, 0)); // 2.5 -> 2, then + 10
    assertEquals(10 + 1, both(q, 5, 0)); // 1.25 -> 1
    assertEquals(10 + 2, both(q, 7, 0)); // 1.75 -> 2
  }

  @Test
  void negativeTiesRoundToEven() {
    Requantizer r = u8(0.5, 128);
    assertEquals(128 - 2, both(r, -5, 0)); // -2.5 -> -2
    assertEquals(128 - 4, both(r, -7, 0)); // -3.5 -> -4
    assertEquals(128, both(r, -1, 0)); // -0.5 -> -0 -> 0
    Requantizer s = i8(0.5, 0);
    assertEquals(-2, both(s, -5, 0));
    assertEquals(-4, both(s, -7, 0));
    assertEquals(-6, both(s, -11, 0)); // -5.5 -> -6
  }

  @Test
  void saturationAtBothEnds() {
    Requantizer u = u8(1.0, 20);
    assertEquals(255, both(u, 235, 0)); // 235 + 20 = 255 exactly
    assertEquals(255, both(u, 236, 0)); // 256 saturates
    assertEquals(0, both(u, -20, 0)); // 0 exactly
    assertEquals(0, both(u, -21, 0)); // -1 saturates
    assertEquals(255, both(u, 100_000, 0));
    assertEquals(0, both(u, -100_000, 0));
    Requantizer s = i8(1.0, -3);
    assertEquals(127, both(s, 130, 0)); // 130 - 3 = 127
    assertEquals(127, both(s, 131, 0));
    assertEquals(-128, both(s, -125, 0)); // -125 - 3 = -128
    assertEquals(-128, both(s, -126, 0));
    assertEquals(-1, both(i8(0.5, -3), 5, 0)); // 2.5 -> 2, 2 - 3 = -1
    // a narrower clamp (a fused relu: min = zero point)
    Requantizer relu = floatClamp(new double[] {1.0}, 7, 7, 127, ElementType.I8);
    assertEquals(7, both(relu, -50, 0));
    assertEquals(57, both(relu, 50, 0));
    assertEquals(127, both(relu, 500, 0));
  }

  /**
   * A product outside int32: PyTorch's x86 tail turns it into INT32_MIN (output 0), ONNX Runtime's
   * float clamp saturates it. acc = 2^31 - 1 converts to the float 2^31; times 4 it is 2^33.
   */
  @Test
  void hugeAccumulatorsSaturateWherePyTorchGivesZero() {
    assertEquals(255, both(u8(4.0, 0), Integer.MAX_VALUE, 0));
    assertEquals(0, PyTorchQnnpack.requantize(Integer.MAX_VALUE, 4.0f, 0, 0, 255));
    Requantizer pytorch = new Requantizer(Requantizer.Scheme.FLOAT, ImmutableDoubleArray.of(4.0),
        ImmutableIntArray.of(), ImmutableIntArray.of(), 0, 0, 255, ElementType.U8);
    assertEquals(0, pytorch.apply(Integer.MAX_VALUE, 0));
    assertEquals(0, both(u8(4.0, 0), Integer.MIN_VALUE, 0)); // -2^33 saturates low
    assertEquals(127, both(i8(4.0, 5), Integer.MAX_VALUE, 0));
    assertEquals(-128, both(i8(4.0, 5), Integer.MIN_VALUE, 0));
    // the largest float scale: the product is +-infinity, still the nearer end; 0 stays the zero point
    assertEquals(255, both(u8(Float.MAX_VALUE, 9), 1, 0));
    assertEquals(0, both(u8(Float.MAX_VALUE, 9), -1, 0));
    assertEquals(9, both(u8(Float.MAX_VALUE, 9), 0, 0));
    // just inside: 2^30 * 1.0 = 2^30 saturates to 255 in both
    assertEquals(255, both(u8(1.0, 0), 1 << 30, 0));
  }

  /**
   * The float steps: f32(acc) rounds to 24 bits (2^24 + 1 becomes 2^24, so times 2^-25 it is exactly
   * 0.5, a tie that goes to 0, where the exact product 0.50000003 would give 1); the product rounds
   * to float (3 * 0.50000006 = 1.50000018, above the tie: 2).
   */
  @Test
  void theFloatRoundingsOfTheProduct() {
    assertEquals(0, both(u8(0x1p-25, 0), (1 << 24) + 1, 0));
    assertEquals(1, both(u8(0x1p-25, 0), (1 << 24) + 2, 0)); // (2^24 + 2) * 2^-25 = 0.50000006 -> 1
    assertEquals(2, both(u8(0x1.000002p-1, 0), 3, 0));
    assertEquals(1, both(u8(0x1.fffffep-2, 0), 3, 0)); // 3 * 0.49999997 = 1.4999999 -> 1
  }

  @Test
  void perChannelScales() {
    Requantizer r = floatClamp(new double[] {0.5, 0.25, 2.0}, 100, 0, 255, ElementType.U8);
    assertEquals(100 + 3, both(r, 6, 0)); // 3.0
    assertEquals(100 + 2, both(r, 6, 1)); // 1.5 -> 2
    assertEquals(100 + 12, both(r, 6, 2)); // 12
    assertEquals(100 - 2, both(r, -10, 1)); // -2.5 -> -2
    assertEquals(255, both(r, 100, 2)); // 200 + 100 saturates
    // one scale for every channel
    Requantizer t = u8(0.5, 0);
    assertEquals(3, t.apply(6, 5));
  }

  // ---------------------------------------------------------------- LayerRequantization

  private static TensorType perChannel(ElementType e, double[] scales, long zp, Shape shape) {
    long[] zps = new long[scales.length];
    java.util.Arrays.fill(zps, zp);
    return new TensorType(e, shape, Optional.of(new Quantization.PerAxis(0, ImmutableDoubleArray.copyOf(scales),
        ImmutableLongArray.copyOf(zps))));
  }

  /**
   * A multiplier where ONNX Runtime and PyTorch differ: s_x = 0.5, s_w = 0.625, s_y = 0.75 (all exact
   * in float32). s_x * s_w = 0.3125 = 5 * 2^-4 exactly, and 5/12 = 0x1.aaaaaa|aaa...p-2 lies 1/3 ulp
   * (ulp 2^-25 in [1/4, 1/2)) above the float 0x1.aaaaaap-2 = 5/12 - 2^-25 / 3.
   *
   * <ul>
   *   <li>ONNX Runtime: {@code f32(0.3125 / 0.75)} = {@code f32(5/12)} = 0x1.aaaaaap-2 (1/3 ulp: down).
   *   <li>PyTorch: {@code f32(1 / 0.75)} = {@code f32(4/3)}: 4/3 = 0x1.555555|55...p0 lies 2/3 ulp
   *       above 0x1.555554p0, so it rounds up to 0x1.555556p0 = 4/3 + 2^-23 / 3. Times 0.3125: 5/12 +
   *       (5/48) 2^-23 = 5/12 + (5/12) 2^-25, which is 1/3 + 5/12 = 3/4 ulp above 0x1.aaaaaap-2:
   *       rounds up to 0x1.aaaaacp-2 = 5/12 + (2/3) 2^-25.
   * </ul>
   *
   * At acc = 30 the exact result is 30 * 5/12 = 12.5, a tie. ONNX Runtime: 30 * (5/12 - 2^-25 / 3) =
   * 12.5 - 10 * 2^-25, a third of an ulp (2^-20 in [8, 16)) below 12.5: the float product is 12.5,
   * RNE gives 12. PyTorch: 12.5 + 20 * 2^-25, 0.625 ulp above: 12.500001, which gives 13.
   */
  @Test
  void onnxMultiplierDividesWherePyTorchMultipliesByTheReciprocal() {
    float onnx = LayerRequantization.onnxMultiplier(0.5, 0.625, 0.75);
    assertEquals(0x1.aaaaaap-2f, onnx);
    assertEquals(0x1.aaaaacp-2f, PyTorchQnnpack.requantizationScale(0.5, 0.625, 0.75));
    assertEquals(12.5f, 30f * onnx);
    assertEquals(0x1.900002p3f, 30f * 0x1.aaaaacp-2f);

    Shape xs = Shape.of(1, 1, 1, 1);
    TensorType x = TensorType.quantized(ElementType.U8, 0.5, 10, xs);
    TensorType w = TensorType.quantized(ElementType.U8, 0.625, 128, Shape.of(1, 1, 1, 1));
    TensorType y = TensorType.quantized(ElementType.U8, 0.75, 3, xs);
    LayerRequantization l = LayerRequantization.of(Numerics.ONNX, x, w, new LayerRequantization.Bias.Ints(
        new int[] {-4}), y, 1, false).orElseThrow();
    assertEquals(10, l.inputZeroPoint());
    assertEquals(ImmutableIntArray.of(128), l.weightZeroPoints());
    assertEquals(ImmutableIntArray.of(-4), l.bias());
    Requantizer r = l.requantizer();
    assertEquals(Requantizer.Scheme.FLOAT_CLAMP, r.scheme());
    assertEquals(ImmutableDoubleArray.of(0x1.aaaaaap-2), r.scales());
    assertEquals(3, r.outputZeroPoint());
    assertEquals(0, r.min());
    assertEquals(255, r.max());
    // x = 16, w = 133: (16 - 10) * (133 - 128) = 30, plus the bias -4 is 26: 26 * 5/12 = 10.83 -> 11, + 3
    assertEquals(3 + 11, r.apply(-4 + 30, 0));
    // without the bias the tie: ONNX 12 + 3 = 15; PyTorch's multiplier would give 16
    assertEquals(15, r.apply(30, 0));
    assertEquals(16, PyTorchQnnpack.requantize(30, 0x1.aaaaacp-2f, 3, 0, 255));
    // integerOnly changes nothing for onnx
    assertEquals(l, LayerRequantization.of(Numerics.ONNX, x, w, new LayerRequantization.Bias.Ints(new int[] {-4}), y,
        1, true).orElseThrow());
  }

  /**
   * Per-channel multipliers, s_x = 0.1, s_y = 0.7, s_w = [0.3, 0.004, 1.25, 0.065]: the expected
   * float32 values were computed outside Zeropoint (NumPy float32: {@code f32(f32(x * w) / y)}). The
   * product already rounds: f32(0.1) * f32(0.3) = 0.0300000016391... becomes 0x1.eb852p-6 =
   * 0.0300000011920..., and the quotient 0x1.5f15f2p-5. For s_w = 0.065 ONNX Runtime's
   * 0x1.304636p-7 is one ulp below PyTorch's reciprocal form (0x1.304638p-7).
   */
  @Test
  void perChannelOnnxMultipliersAreComputedInFloat32() {
    double[] ws = {0.3, 0.004, 1.25, 0.065};
    float[] expected = {0x1.5f15f2p-5f, 0x1.2b97dap-11f, 0x1.6db6dcp-3f, 0x1.304636p-7f};
    Shape wShape = Shape.of(4, 2, 1, 1);
    TensorType x = TensorType.quantized(ElementType.I8, 0.1, -5, Shape.of(1, 2, 3, 3));
    TensorType w = perChannel(ElementType.I8, ws, 0, wShape);
    TensorType y = TensorType.quantized(ElementType.I8, 0.7, 2, Shape.of(1, 4, 3, 3));
    LayerRequantization l = LayerRequantization.of(Numerics.ONNX, x, w, new LayerRequantization.Bias.None(), y, 4,
        false).orElseThrow();
    Requantizer r = l.requantizer();
    assertEquals(4, r.channels());
    for (int c = 0; c < 4; c++) {
      assertEquals(expected[c], (float) r.scales().get(c), "channel " + c);
    }
    assertEquals(0x1.304638p-7f, PyTorchQnnpack.requantizationScale(0.1, 0.065, 0.7));
    assertEquals(-128, r.min());
    assertEquals(127, r.max());
    assertEquals(2, r.outputZeroPoint());
    assertEquals(ImmutableIntArray.of(0, 0, 0, 0), l.bias());
    assertEquals(ImmutableIntArray.of(0, 0, 0, 0), l.weightZeroPoints());
    assertEquals(-5, l.inputZeroPoint());
  }

  @Test
  void onnxTypeCombinations() {
    Shape s = Shape.of(1, 1, 1, 1);
    TensorType u8x = TensorType.quantized(ElementType.U8, 0.5, 128, s);
    TensorType i8x = TensorType.quantized(ElementType.I8, 0.5, 0, s);
    TensorType u8w = TensorType.quantized(ElementType.U8, 0.25, 100, s);
    TensorType i8w = perChannel(ElementType.I8, new double[] {0.25}, 0, s);
    TensorType u8y = TensorType.quantized(ElementType.U8, 1.0, 0, s);
    TensorType i8y = TensorType.quantized(ElementType.I8, 1.0, 0, s);
    LayerRequantization.Bias ints = new LayerRequantization.Bias.Ints(new int[] {1});
    LayerRequantization.Bias none = new LayerRequantization.Bias.None();
    for (TensorType x : new TensorType[] {u8x, i8x}) {
      for (TensorType w : new TensorType[] {u8w, i8w}) {
        for (TensorType y : new TensorType[] {u8y, i8y}) {
          assertTrue(LayerRequantization.of(Numerics.ONNX, x, w, ints, y, 1, false).isPresent());
          assertTrue(LayerRequantization.of(Numerics.ONNX, x, w, none, y, 1, false).isPresent());
        }
      }
    }
    // i8 output: the clamp is the i8 range
    Requantizer r = LayerRequantization.of(Numerics.ONNX, i8x, i8w, ints, i8y, 1, false).orElseThrow().requantizer();
    assertEquals(-128, r.min());
    assertEquals(127, r.max());
    // a float bias is not ONNX's (QLinearConv's bias is int32)
    assertEquals(Optional.empty(), LayerRequantization.of(Numerics.ONNX, u8x, i8w,
        new LayerRequantization.Bias.Floats(new float[] {1f}), u8y, 1, false));
    // 16-bit activations are not defined here
    TensorType i16y = TensorType.quantized(ElementType.I16, 1.0, 0, s);
    assertEquals(Optional.empty(), LayerRequantization.of(Numerics.ONNX, u8x, i8w, ints, i16y, 1, false));
    // a multiplier that underflows float32 to 0, or overflows it: not a requantization
    TensorType tiny = TensorType.quantized(ElementType.U8, 1e-30, 0, s);
    assertEquals(Optional.empty(), LayerRequantization.of(Numerics.ONNX, tiny, TensorType.quantized(ElementType.I8,
        1e-30, 0, s), ints, u8y, 1, false));
    TensorType tinyOutput = TensorType.quantized(ElementType.U8, 1e-30, 0, s);
    assertEquals(Optional.empty(), LayerRequantization.of(Numerics.ONNX, TensorType.quantized(ElementType.U8, 1e30, 0,
        s), TensorType.quantized(ElementType.I8, 1e10, 0, s), ints, tinyOutput, 1, false)); // 1e40 / 1e-30
    // the PyTorch flavour still refuses what it always refused (u8 weights)
    assertEquals(Optional.empty(), LayerRequantization.of(Numerics.PYTORCH_QNNPACK, u8x, u8w, ints, u8y, 1, false));
    assertNotEquals(Optional.empty(), LayerRequantization.of(Numerics.PYTORCH_QNNPACK, u8x, i8w, ints, u8y, 1, false));
  }
}
