package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.runtime.kernels.Conv;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The C matrix-product convolution sums exactly what {@link Conv#conv2dAcc} sums, with AVX2 and in
 * its portable form, on seeded random geometries: groups, strides, padding, dilation, odd tap
 * counts, 1 x 1 convolutions (a copy path), partial tiles and blocks, chunks of positions, u8 and i8
 * inputs; its work split in 1 to 4 parts, each run in turn (last first) with its own share of the
 * panel.
 */
class CGemmCTest {
  @Test
  void avx2MatchesJava() {
    check(List.of("-mavx2"));
  }

  @Test
  void portableMatchesJava() {
    check(List.of());
  }

  @Test
  void fusedRequantizationMatchesJavaWithAvx2() {
    checkFused(List.of("-mavx2"));
  }

  @Test
  void fusedRequantizationMatchesJavaPortable() {
    checkFused(List.of());
  }

  /**
   * CGemm_conv2dRequantizeFloat equals Conv.conv2dAcc followed by Requantize.requantize (FLOAT, u8)
   * on seeded random convolutions: per-channel and per-tensor scales (ties, tiny, saturating),
   * clamps narrower than 0..255, work split in 1 to 3 parts.
   */
  private static void checkFused(List<String> flags) {
    Random r = new Random(8);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 40; t++) {
      int groups = 1 + r.nextInt(2);
      int inPer = 1 + r.nextInt(t % 4 == 1 ? 9 : 6);
      int outPer = 2 + r.nextInt(13);
      boolean pointwise = t % 4 == 1;
      int kh = pointwise ? 1 : 1 + r.nextInt(3);
      int kw = pointwise ? 1 : 1 + r.nextInt(3);
      int batch = 1 + r.nextInt(2);
      int h = kh + r.nextInt(t % 5 == 0 || pointwise ? 30 : 8);
      int w = kw + r.nextInt(t % 5 == 0 || pointwise ? 30 : 8);
      int stride = pointwise ? 1 : 1 + r.nextInt(2);
      int pad = pointwise ? 0 : r.nextInt(2);
      int oh = (h + 2 * pad - kh) / stride + 1;
      int ow = (w + 2 * pad - kw) / stride + 1;
      int outChannels = groups * outPer;
      int[] g = {batch, groups * inPer, h, w, outChannels, inPer, outPer, kh, kw, oh, ow, stride, stride, pad, pad, 1, 1};
      boolean signed = r.nextInt(4) == 0;
      int zp = signed ? r.nextInt(256) - 128 : r.nextInt(256);
      int[] x = new int[batch * groups * inPer * h * w];
      for (int i = 0; i < x.length; i++) {
        x[i] = signed ? r.nextInt(256) - 128 : r.nextInt(256);
      }
      int k = inPer * kh * kw;
      int[] wc = new int[outChannels * k];
      for (int i = 0; i < wc.length; i++) {
        wc[i] = r.nextInt(511) - 255;
      }
      int[] bias = new int[outChannels];
      for (int i = 0; i < bias.length; i++) {
        bias[i] = r.nextInt(200_001) - 100_000;
      }
      int plane = oh * ow;
      int[] acc = new int[batch * outChannels * plane];
      Conv.conv2dAcc(acc, x, wc, bias, g, zp);
      long largest = 1;
      for (int v : acc) {
        largest = Math.max(largest, Math.abs((long) v));
      }
      float[] scales = new float[t % 3 == 0 ? 1 : outChannels];
      for (int c = 0; c < scales.length; c++) {
        scales[c] = switch (r.nextInt(10)) {
          case 0 -> Math.scalb(1f, -r.nextInt(12)); // a power of two: ties
          case 1 -> Math.scalb(1f + r.nextFloat(), 10 + r.nextInt(20)); // saturates
          case 2 -> Math.scalb(1f + r.nextFloat(), -40); // everything rounds to 0
          default -> (float) ((0.5 + r.nextDouble()) * 200 / largest); // the sums spread over the outputs
        };
      }
      int outZp = r.nextInt(256);
      int min = r.nextInt(4) == 0 ? r.nextInt(100) : 0;
      int max = r.nextInt(4) == 0 ? min + r.nextInt(256 - min) : 255;
      int[] want = new int[acc.length];
      dev.zeropoint.runtime.kernels.Requantize.requantize(want, acc, dev.zeropoint.runtime.kernels.Requantize.FLOAT,
          scales, new int[0], new int[0], plane, outChannels, outZp, min, max,
          dev.zeropoint.ir.ElementType.U8.ordinal());
      expected.add(want);
      int parts = 1 + t % 3;
      calls.add(KernelHarness.Call.parts(parts, "CGemm_conv2dRequantizeFloat", out(CType.U8, want.length),
          in(signed ? CType.I8 : CType.U8, x), new KernelHarness.In(CType.I16, toInts(CGemm.packWeights(wc, g))),
          in(CType.I32, bias), in(CType.I32, g), out(CType.I16, CGemm.panelElements(g) * parts), imm(CGemm.chunk(g)),
          imm(zp), KernelHarness.in(scales), imm(outZp), imm(min), imm(max)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls, flags);
    int spread = 0;
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t + " " + flags);
      spread += java.util.Arrays.stream(expected.get(t)).distinct().count() > 20 ? 1 : 0;
    }
    assertTrue(spread >= calls.size() / 2, "only " + spread + " cases have outputs of more than 20 values");
  }

  private static void check(List<String> flags) {
    Random r = new Random(5);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      int groups = 1 + r.nextInt(3);
      int inPer = 1 + r.nextInt(5);
      int outPer = 2 + r.nextInt(14);
      boolean pointwise = t % 5 == 1; // 1 x 1, stride 1, no padding: the packing's copy path
      int kh = pointwise ? 1 : 1 + r.nextInt(3);
      int kw = pointwise ? 1 : 1 + r.nextInt(3);
      int batch = 1 + r.nextInt(2);
      int h = 1 + r.nextInt(t % 7 == 0 || pointwise ? 40 : 12);
      int w = 1 + r.nextInt(t % 7 == 0 || pointwise ? 40 : 12);
      int sh = pointwise ? 1 : 1 + r.nextInt(2);
      int sw = pointwise ? 1 : 1 + r.nextInt(2);
      int dh = 1 + r.nextInt(2);
      int dw = 1 + r.nextInt(2);
      int pt = pointwise ? 0 : r.nextInt(2);
      int pl = pointwise ? 0 : r.nextInt(2);
      int oh = (h + 2 * pt - dh * (kh - 1) - 1) / sh + 1;
      int ow = (w + 2 * pl - dw * (kw - 1) - 1) / sw + 1;
      if (oh <= 0 || ow <= 0) {
        continue;
      }
      boolean signed = r.nextBoolean();
      int zp = signed ? r.nextInt(256) - 128 : r.nextInt(256);
      int outChannels = groups * outPer;
      int[] g = {batch, groups * inPer, h, w, outChannels, inPer, outPer, kh, kw, oh, ow, sh, sw, pt, pl, dh, dw};
      int[] x = new int[batch * groups * inPer * h * w];
      for (int i = 0; i < x.length; i++) {
        x[i] = signed ? r.nextInt(256) - 128 : r.nextInt(256);
      }
      int k = inPer * kh * kw;
      int[] wc = new int[outChannels * k];
      for (int i = 0; i < wc.length; i++) {
        wc[i] = r.nextInt(511) - 255;
      }
      int[] bias = new int[outChannels];
      for (int i = 0; i < bias.length; i++) {
        bias[i] = r.nextInt(2_000_001) - 1_000_000;
      }
      int[] want = new int[batch * outChannels * oh * ow];
      Conv.conv2dAcc(want, x, wc, bias, g, zp);
      expected.add(want);
      int chunk = t % 3 == 0 ? 16 : CGemm.chunk(g); // small chunks too: several per plane
      int panel = CGemm.panelElements(g, chunk);
      int parts = 1 + t % 4; // the work split as for 1 to 4 threads, a panel share each
      calls.add(KernelHarness.Call.parts(parts, "CGemm_conv2d", out(CType.I32, want.length),
          in(signed ? CType.I8 : CType.U8, x), new KernelHarness.In(CType.I16, toInts(CGemm.packWeights(wc, g))),
          in(CType.I32, bias), in(CType.I32, g), out(CType.I16, panel * parts), imm(chunk), imm(zp)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls, flags);
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t + " " + flags);
    }
  }

  private static int[] toInts(short[] s) {
    int[] v = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      v[i] = s[i];
    }
    return v;
  }
}
