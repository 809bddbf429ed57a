package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.zeropoint.runtime.kernels.Conv;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The C matrix-product convolution sums exactly what {@link Conv#conv2dAcc} sums, with AVX2 and in
 * its portable form, on seeded random geometries: groups, strides, padding, dilation, odd tap
 * counts, partial tiles and blocks, chunks of positions, u8 and i8 inputs.
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

  private static void check(List<String> flags) {
    Random r = new Random(5);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      int groups = 1 + r.nextInt(3);
      int inPer = 1 + r.nextInt(5);
      int outPer = 2 + r.nextInt(14);
      int kh = 1 + r.nextInt(3);
      int kw = 1 + r.nextInt(3);
      int batch = 1 + r.nextInt(2);
      int h = 1 + r.nextInt(t % 7 == 0 ? 40 : 12);
      int w = 1 + r.nextInt(t % 7 == 0 ? 40 : 12);
      int sh = 1 + r.nextInt(2);
      int sw = 1 + r.nextInt(2);
      int dh = 1 + r.nextInt(2);
      int dw = 1 + r.nextInt(2);
      int pt = r.nextInt(2);
      int pl = r.nextInt(2);
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
      int chunk = t % 3 == 0 ? 16 : CGemm.CHUNK; // small chunks too: several per plane
      int panel = chunk == CGemm.CHUNK ? CGemm.panelElements(g)
          : ((Math.min(oh * ow, chunk) + 15) / 16) * ((k + 1) / 2) * 32;
      calls.add(KernelHarness.Call.of("CGemm_conv2d", out(CType.I32, want.length),
          in(signed ? CType.I8 : CType.U8, x), new KernelHarness.In(CType.I16, toInts(CGemm.packWeights(wc, g))),
          in(CType.I32, bias), in(CType.I32, g), out(CType.I16, panel), imm(chunk), imm(zp)));
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
