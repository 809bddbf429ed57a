package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.CTestSupport.assertBits;
import static dev.zeropoint.backends.c.CTestSupport.constant;
import static dev.zeropoint.backends.c.CTestSupport.ints;
import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.zeropoint.runtime.kernels.Conv;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The C ports of {@link Conv}'s kernels compute what the Java kernels compute. */
class ConvCTest {
  /** A random valid geometry (as ConvGeometry builds it): grouped, depthwise, strided, dilated, padded. */
  static int[] geometry(Random r, int t) {
    while (true) {
      int[] g = new int[Conv.GEOMETRY_SIZE];
      int groups = 1 + r.nextInt(3);
      boolean depthwise = t % 5 == 1;
      int inPerGroup = depthwise ? 1 : 1 + r.nextInt(3);
      int outPerGroup = depthwise ? 1 : 1 + r.nextInt(3);
      if (t % 5 == 2) { // depthwise with a channel multiplier
        inPerGroup = 1;
        groups = 2 + r.nextInt(4);
      }
      g[Conv.BATCH] = t == 0 ? 0 : 1 + r.nextInt(2);
      g[Conv.IN_CHANNELS] = groups * inPerGroup;
      g[Conv.OUT_CHANNELS] = groups * outPerGroup;
      g[Conv.IN_PER_GROUP] = inPerGroup;
      g[Conv.OUT_PER_GROUP] = outPerGroup;
      boolean wide = t % 7 == 3; // rows past one chunk (64) of accumulators in the C port
      g[Conv.HEIGHT] = 1 + r.nextInt(8);
      g[Conv.WIDTH] = wide ? 130 + r.nextInt(150) : 1 + r.nextInt(10);
      boolean pointwise = t % 5 == 3;
      g[Conv.KERNEL_H] = pointwise ? 1 : 1 + r.nextInt(4);
      g[Conv.KERNEL_W] = pointwise ? 1 : 1 + r.nextInt(4);
      g[Conv.STRIDE_H] = 1 + r.nextInt(3);
      g[Conv.STRIDE_W] = 1 + r.nextInt(wide ? 2 : 3);
      g[Conv.DILATION_H] = 1 + r.nextInt(3);
      g[Conv.DILATION_W] = 1 + r.nextInt(3);
      g[Conv.PAD_TOP] = r.nextInt(4);
      g[Conv.PAD_LEFT] = r.nextInt(4);
      int padBottom = r.nextInt(4);
      int padRight = r.nextInt(4);
      int outH = (g[Conv.HEIGHT] + g[Conv.PAD_TOP] + padBottom - g[Conv.DILATION_H] * (g[Conv.KERNEL_H] - 1) - 1)
          / g[Conv.STRIDE_H] + 1;
      int outW = (g[Conv.WIDTH] + g[Conv.PAD_LEFT] + padRight - g[Conv.DILATION_W] * (g[Conv.KERNEL_W] - 1) - 1)
          / g[Conv.STRIDE_W] + 1;
      if (outH < 1 || outW < 1) {
        continue;
      }
      g[Conv.OUT_H] = outH;
      g[Conv.OUT_W] = outW;
      return g;
    }
  }

  static int outSize(int[] g) {
    return g[Conv.BATCH] * g[Conv.OUT_CHANNELS] * g[Conv.OUT_H] * g[Conv.OUT_W];
  }

  static int inSize(int[] g) {
    return g[Conv.BATCH] * g[Conv.IN_CHANNELS] * g[Conv.HEIGHT] * g[Conv.WIDTH];
  }

  static int weightSize(int[] g) {
    return g[Conv.OUT_CHANNELS] * g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
  }

  @Test
  void conv2dAccAvx2MatchesJava() {
    conv2dAccMatchesJava(List.of("-mavx2"));
  }

  @Test
  void conv2dAccPortableMatchesJava() {
    conv2dAccMatchesJava(List.of());
  }

  private static void conv2dAccMatchesJava(List<String> flags) {
    Random r = new Random(11);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 80; t++) {
      int[] g = geometry(r, t);
      boolean wraps = t % 13 == 7; // i32 inputs and weights whose sums wrap around
      CType xt = wraps ? CType.I32 : new CType[] {CType.U8, CType.I8, CType.I16}[t % 3];
      int[] x = ints(r, inSize(g), xt);
      int zp = wraps ? r.nextInt() : (int) CTestSupport.min(xt) + r.nextInt(256);
      int[] wc = wraps ? ints(r, weightSize(g), Integer.MIN_VALUE, Integer.MAX_VALUE)
          : ints(r, weightSize(g), t % 4 == 0 ? -255 : -128, t % 4 == 0 ? 255 : 127);
      if (t % 6 == 5) { // sparse weights: the Java skips zero taps
        for (int i = 0; i < wc.length; i++) {
          wc[i] = r.nextInt(3) == 0 ? wc[i] : 0;
        }
      }
      int biasBound = wraps ? Integer.MAX_VALUE : 1 << (4 + r.nextInt(20));
      int[] bias = ints(r, g[Conv.OUT_CHANNELS], -biasBound, biasBound);
      int[] want = new int[outSize(g)];
      Conv.conv2dAcc(want, x, wc, bias, g, zp);
      expected.add(want);
      calls.add(KernelHarness.Call.parts(1 + t % 4, "Conv_conv2dAcc", out(CType.I32, want.length), in(xt, x),
          constant(r, wc), constant(r, bias), constant(r, g), imm(zp)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls, flags);
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t + " " + flags);
    }
  }

  @Test
  void depthwiseAvx2MatchesJava() {
    depthwiseMatchesJava(List.of("-mavx2"));
  }

  @Test
  void depthwisePortableMatchesJava() {
    depthwiseMatchesJava(List.of());
  }

  /**
   * One input channel per group, as the AVX2 kernel sums it: 3 x 3 with stride 1 and 2 and padding
   * 0 and 1 mostly, other kernels, strides, dilations, paddings and channel multipliers too; widths
   * below, at and past 8 and 16 and not multiples of them, odd heights, planes too large for one
   * band of the kernel's buffer; several channels, batch 2; u8 and i8 inputs with zero points up to
   * and past the kernel's int16 bound; weights of i8, i16 and i32 storage, sparse, at the int16
   * bounds and past them; biases that make the sums wrap.
   */
  private static void depthwiseMatchesJava(List<String> flags) {
    Random r = new Random(15);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 70; t++) {
      int[] g = new int[Conv.GEOMETRY_SIZE];
      boolean threeByThree = t % 4 != 3;
      boolean large = t % 23 == 11; // more rows than one band of the AVX2 kernel holds
      int groups = large ? 1 : 1 + r.nextInt(5);
      int outPerGroup = t % 9 == 4 ? 2 + r.nextInt(2) : 1;
      g[Conv.BATCH] = 1 + r.nextInt(2);
      g[Conv.IN_CHANNELS] = groups;
      g[Conv.OUT_CHANNELS] = groups * outPerGroup;
      g[Conv.IN_PER_GROUP] = 1;
      g[Conv.OUT_PER_GROUP] = outPerGroup;
      g[Conv.HEIGHT] = large ? 70 + r.nextInt(20) : 1 + r.nextInt(t % 5 == 0 ? 40 : 12);
      g[Conv.WIDTH] = large ? 280 + r.nextInt(40) : 1 + r.nextInt(t % 3 == 0 ? 60 : 24);
      g[Conv.KERNEL_H] = threeByThree ? 3 : 1 + r.nextInt(5);
      g[Conv.KERNEL_W] = threeByThree ? 3 : 1 + r.nextInt(5);
      g[Conv.STRIDE_H] = threeByThree ? 1 + r.nextInt(2) : 1 + r.nextInt(3);
      g[Conv.STRIDE_W] = threeByThree ? g[Conv.STRIDE_H] : 1 + r.nextInt(4);
      g[Conv.DILATION_H] = threeByThree ? 1 : 1 + r.nextInt(2);
      g[Conv.DILATION_W] = threeByThree ? 1 : 1 + r.nextInt(3);
      g[Conv.PAD_TOP] = threeByThree ? r.nextInt(2) : r.nextInt(3);
      g[Conv.PAD_LEFT] = threeByThree ? g[Conv.PAD_TOP] : r.nextInt(3);
      int padBottom = threeByThree ? g[Conv.PAD_TOP] : r.nextInt(3);
      int padRight = threeByThree ? g[Conv.PAD_LEFT] : r.nextInt(3);
      g[Conv.OUT_H] = (g[Conv.HEIGHT] + g[Conv.PAD_TOP] + padBottom - g[Conv.DILATION_H] * (g[Conv.KERNEL_H] - 1) - 1)
          / g[Conv.STRIDE_H] + 1;
      g[Conv.OUT_W] = (g[Conv.WIDTH] + g[Conv.PAD_LEFT] + padRight - g[Conv.DILATION_W] * (g[Conv.KERNEL_W] - 1) - 1)
          / g[Conv.STRIDE_W] + 1;
      if (g[Conv.OUT_H] < 1 || g[Conv.OUT_W] < 1) {
        continue;
      }
      CType xt = t % 3 == 1 ? CType.I8 : CType.U8;
      int[] x = CTestSupport.ints(r, inSize(g), xt);
      int zp = switch (r.nextInt(10)) {
        case 0 -> (r.nextBoolean() ? 1 : -1) * (32_500 + r.nextInt(25)); // around the int16 bound
        case 1 -> r.nextInt(200_001) - 100_000;
        default -> (int) CTestSupport.min(xt) + r.nextInt(256);
      };
      int[] wc = switch (t % 5) {
        case 0 -> CTestSupport.ints(r, weightSize(g), -32768, 32767);
        case 1 -> CTestSupport.ints(r, weightSize(g), -128, 127);
        case 2 -> r.nextInt(3) == 0 ? CTestSupport.ints(r, weightSize(g), Integer.MIN_VALUE, Integer.MAX_VALUE)
            : CTestSupport.ints(r, weightSize(g), -40_000, 40_000);
        default -> CTestSupport.ints(r, weightSize(g), -255, 255);
      };
      if (t % 6 == 5) {
        for (int i = 0; i < wc.length; i++) {
          wc[i] = r.nextInt(3) == 0 ? wc[i] : 0;
        }
      }
      int[] bias = CTestSupport.ints(r, g[Conv.OUT_CHANNELS], t % 4 == 0 ? Integer.MIN_VALUE : -1_000_000,
          t % 4 == 0 ? Integer.MAX_VALUE : 1_000_000);
      int[] want = new int[outSize(g)];
      Conv.conv2dAcc(want, x, wc, bias, g, zp);
      expected.add(want);
      calls.add(KernelHarness.Call.parts(1 + t % 4, "Conv_conv2dAcc", out(CType.I32, want.length), in(xt, x),
          constant(r, wc), constant(r, bias), constant(r, g), imm(zp)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls, flags);
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t + " " + flags);
    }
  }

  @Test
  void linearAccMatchesJava() {
    Random r = new Random(12);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      int rows = t == 0 ? 0 : r.nextInt(5);
      int features = t == 1 ? 0 : 1 + r.nextInt(7);
      int k = t == 2 ? 0 : 1 + r.nextInt(t % 9 == 4 ? 300 : 30);
      boolean wraps = t % 7 == 3;
      CType xt = wraps ? CType.I32 : new CType[] {CType.U8, CType.I8, CType.I16}[t % 3];
      int[] x = ints(r, rows * k, xt);
      int zp = wraps ? r.nextInt() : (int) CTestSupport.min(xt) + r.nextInt(256);
      int[] wc = wraps ? ints(r, features * k, Integer.MIN_VALUE, Integer.MAX_VALUE)
          : ints(r, features * k, -255, 255);
      int biasBound = wraps ? Integer.MAX_VALUE : 1 << (4 + r.nextInt(20));
      int[] bias = ints(r, features, -biasBound, biasBound);
      int[] want = new int[rows * features];
      Conv.linearAcc(want, x, wc, bias, rows, features, k, zp);
      expected.add(want);
      calls.add(KernelHarness.Call.of("Conv_linearAcc", out(CType.I32, want.length), in(xt, x), constant(r, wc),
          constant(r, bias), imm(rows), imm(features), imm(k), imm(zp)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t);
    }
  }

  @Test
  void conv2dFloatMatchesJava() {
    Random r = new Random(13);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      int[] g = geometry(r, t);
      float[] x = t % 10 == 9 ? CTestSupport.floatsWithSpecials(r, inSize(g), 2f) : CTestSupport.floats(r, inSize(g),
          2f);
      float[] w = CTestSupport.floats(r, weightSize(g), 0.5f);
      float[] bias = t % 3 == 0 ? new float[0] : CTestSupport.floats(r, g[Conv.OUT_CHANNELS], 1f);
      float[] want = new float[outSize(g)];
      Conv.conv2dFloat(want, x, w, bias, g);
      expected.add(want);
      calls.add(KernelHarness.Call.of("Conv_conv2dFloat", out(CType.F32, want.length), in(x), in(w), in(bias),
          constant(r, g)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertBits(expected.get(t), (float[]) got.get(t).get(0), "case " + t);
    }
  }

  @Test
  void linearFloatMatchesJava() {
    Random r = new Random(14);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      int rows = t == 0 ? 0 : r.nextInt(5);
      int features = t == 1 ? 0 : 1 + r.nextInt(7);
      int k = t == 2 ? 0 : 1 + r.nextInt(t % 9 == 4 ? 300 : 30);
      float[] x = t % 10 == 9 ? CTestSupport.floatsWithSpecials(r, rows * k, 2f) : CTestSupport.floats(r, rows * k,
          2f);
      float[] w = CTestSupport.floats(r, features * k, 0.5f);
      float[] bias = t % 3 == 0 ? new float[0] : CTestSupport.floats(r, features, 1f);
      float[] want = new float[rows * features];
      Conv.linearFloat(want, x, w, bias, rows, features, k);
      expected.add(want);
      calls.add(KernelHarness.Call.of("Conv_linearFloat", out(CType.F32, want.length), in(x), in(w), in(bias),
          imm(rows), imm(features), imm(k)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertBits(expected.get(t), (float[]) got.get(t).get(0), "case " + t);
    }
  }
}
