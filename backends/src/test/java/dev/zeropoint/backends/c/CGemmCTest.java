package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
          imm(0), imm(zp), KernelHarness.in(scales), imm(outZp), imm(min), imm(max)));
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
      // Wide rows: whole tiles of 16 positions in one output row, at strides 1 and 2 (AVX2 packs those
      // with vector loads).
      int w = t % 7 == 0 ? 33 + r.nextInt(48) : 1 + r.nextInt(pointwise ? 40 : 12);
      int sh = pointwise ? 1 : 1 + r.nextInt(2);
      int sw = pointwise ? 1 : t % 14 == 0 ? 2 : t % 14 == 7 ? 1 : 1 + r.nextInt(2);
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
          in(CType.I32, bias), in(CType.I32, g), out(CType.I16, panel * parts), imm(chunk), imm(0), imm(zp)));
    }
    runAndCompare(calls, expected, flags);
  }

  @Test
  void winogradIdentityHolds() {
    // A^T (U . V) A = 4 x the 2 x 2 outputs of a 3 x 3 kernel on a 4 x 4 tile, U = G' w G'^T, V = B^T d B:
    // on seeded random tiles and kernels, then on random ones of the extreme values -255, 0 and 255 (and
    // all 255), with |U| <= 9 * 255 and |V| <= 4 * 255.
    Random r = new Random(11);
    int[] extremes = {-255, 0, 255};
    for (int t = 0; t < 20_000; t++) {
      int[] w = new int[9];
      int[] d = new int[16];
      for (int i = 0; i < 9; i++) {
        w[i] = t < 10_000 ? r.nextInt(511) - 255 : extremes[r.nextInt(3)];
      }
      for (int i = 0; i < 16; i++) {
        d[i] = t < 10_000 ? r.nextInt(511) - 255 : extremes[r.nextInt(3)];
      }
      if (t == 0) {
        java.util.Arrays.fill(w, 255);
        java.util.Arrays.fill(d, 255);
      }
      int[] u = CGemm.winogradTransform(w, 1, 1);
      int[] v = inputTransform(d);
      long[] m = new long[16];
      for (int i = 0; i < 16; i++) {
        assertTrue(Math.abs(u[i]) <= 9 * 255 && Math.abs(v[i]) <= 4 * 255, "bounds");
        m[i] = (long) u[i] * v[i];
      }
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
          long direct = 0;
          for (int kh = 0; kh < 3; kh++) {
            for (int kw = 0; kw < 3; kw++) {
              direct += (long) w[kh * 3 + kw] * d[(i + kh) * 4 + j + kw];
            }
          }
          long[] z = new long[4];
          for (int k = 0; k < 4; k++) {
            z[k] = i == 0 ? m[k] + m[4 + k] + m[8 + k] : m[4 + k] - m[8 + k] - m[12 + k];
          }
          long y = j == 0 ? z[0] + z[1] + z[2] : z[1] - z[2] - z[3];
          assertEquals(4 * direct, y, "tile " + t + " output " + i + "," + j);
        }
      }
    }
  }

  /** V = B^T d B, B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], as the C kernel computes it. */
  private static int[] inputTransform(int[] d) {
    int[][] bt = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
    int[] v = new int[16];
    for (int a = 0; a < 4; a++) {
      for (int b = 0; b < 4; b++) {
        for (int i = 0; i < 4; i++) {
          for (int j = 0; j < 4; j++) {
            v[a * 4 + b] += bt[a][i] * d[i * 4 + j] * bt[b][j];
          }
        }
      }
    }
    return v;
  }

  @Test
  void winogradMatchesJavaWithAvx2() {
    checkWinograd(List.of("-mavx2"));
  }

  @Test
  void winogradMatchesJavaPortable() {
    checkWinograd(List.of());
  }

  @Test
  void winogradFallsBackOutsideItsBounds() {
    int[] g = {1, 1024, 3, 3, 2, 1024, 2, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1};
    int[] wc = new int[2 * 1024 * 9];
    java.util.Arrays.fill(wc, -255); // 255 * 9216 * 255 >= 2^29
    assertFalse(CGemm.winogradApplies(wc, g, false, 0));
    java.util.Arrays.fill(wc, -228); // 255 * 9216 * 228 < 2^29
    assertTrue(CGemm.winogradApplies(wc, g, false, 0));
    assertFalse(CGemm.winogradApplies(wc, g, false, 256)); // |x - zp| could pass 255
    assertFalse(CGemm.winogradApplies(wc, g, true, 128));
    int[] strided = g.clone();
    strided[Conv.STRIDE_W] = 2;
    assertFalse(CGemm.winogradApplies(wc, strided, false, 0));
    int[] dilated = g.clone();
    dilated[Conv.DILATION_H] = 2;
    assertFalse(CGemm.winogradApplies(wc, dilated, false, 0));
    int[] grouped = {1, 1024, 3, 3, 2, 512, 1, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1};
    assertFalse(CGemm.winogradApplies(new int[2 * 512 * 9], grouped, false, 0));
  }

  /**
   * With winograd set, CGemm_conv2d and CGemm_conv2dRequantizeFloat equal Conv.conv2dAcc (and then
   * Requantize.requantize, FLOAT, u8) on seeded random 3 x 3 stride-1 convolutions: odd and even
   * output sizes, padding 0 and 1, 1 to 512 input channels, u8 and i8 inputs with zero points 0 and
   * not, weights at the extremes, chunks of 16 tiles and the default, batch 2, work in 1 to 3 parts.
   */
  private static void checkWinograd(List<String> flags) {
    Random r = new Random(21);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    int[] inChannels = {1, 2, 3, 7, 16, 33, 64, 128, 256, 512};
    for (int t = 0; t < 40; t++) {
      int in = inChannels[t % inChannels.length];
      int out = 2 + r.nextInt(in >= 256 ? 8 : 14);
      int pad = r.nextInt(2);
      int small = in >= 128 ? 6 : 15;
      int h = 3 - 2 * pad + r.nextInt(small);
      int w = 3 - 2 * pad + r.nextInt(small);
      h = Math.max(h, 1);
      w = Math.max(w, 1);
      int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
      int batch = t % 5 == 0 ? 2 : 1;
      int[] g = {batch, in, h, w, out, in, out, 3, 3, oh, ow, 1, 1, pad, pad, 1, 1};
      boolean signed = t % 4 == 3;
      int zp = t % 3 == 0 ? 0 : signed ? r.nextInt(256) - 128 : r.nextInt(256);
      int[] x = new int[batch * in * h * w];
      for (int i = 0; i < x.length; i++) {
        x[i] = t % 6 == 1 ? (signed ? -128 : 255) : signed ? r.nextInt(256) - 128 : r.nextInt(256);
      }
      // Weights: centered s8 with per-channel zero points, or at the extremes (-128 - 127, 127 - -128).
      int[] wc = new int[out * in * 9];
      for (int o = 0; o < out; o++) {
        int wzp = r.nextInt(256) - 128;
        for (int i = 0; i < in * 9; i++) {
          int q = t % 6 == 1 ? (r.nextBoolean() ? -128 : 127) : r.nextInt(256) - 128;
          wc[o * in * 9 + i] = t % 6 == 1 ? (q == 127 ? 255 : -255) : q - wzp;
        }
      }
      assertTrue(CGemm.winogradApplies(wc, g, signed, zp), "case " + t);
      int[] bias = new int[out];
      for (int i = 0; i < bias.length; i++) {
        bias[i] = t % 7 == 2 ? (r.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE) : r.nextInt(2_000_001) - 1_000_000;
      }
      int plane = oh * ow;
      int[] acc = new int[batch * out * plane];
      Conv.conv2dAcc(acc, x, wc, bias, g, zp);
      int chunk = t % 3 == 1 ? 16 : CGemm.winogradChunk(g);
      int panel = CGemm.winogradPanelElements(g, chunk);
      int parts = 1 + t % 3;
      KernelHarness.In weights = new KernelHarness.In(CType.I16, toInts(CGemm.winogradWeights(wc, g)));
      if (t % 2 == 0) {
        expected.add(acc);
        calls.add(KernelHarness.Call.parts(parts, "CGemm_conv2d", out(CType.I32, acc.length),
            in(signed ? CType.I8 : CType.U8, x), weights, in(CType.I32, bias), in(CType.I32, g),
            out(CType.I16, panel * parts), imm(chunk), imm(1), imm(zp)));
      } else {
        long largest = 1;
        for (int v : acc) {
          largest = Math.max(largest, Math.abs((long) v));
        }
        float[] scales = new float[t % 3 == 0 ? 1 : out];
        for (int c = 0; c < scales.length; c++) {
          scales[c] = (float) ((0.5 + r.nextDouble()) * 200 / largest);
        }
        int outZp = r.nextInt(256);
        int[] want = new int[acc.length];
        dev.zeropoint.runtime.kernels.Requantize.requantize(want, acc, dev.zeropoint.runtime.kernels.Requantize.FLOAT,
            scales, new int[0], new int[0], plane, out, outZp, 0, 255, dev.zeropoint.ir.ElementType.U8.ordinal());
        expected.add(want);
        calls.add(KernelHarness.Call.parts(parts, "CGemm_conv2dRequantizeFloat", out(CType.U8, want.length),
            in(signed ? CType.I8 : CType.U8, x), weights, in(CType.I32, bias), in(CType.I32, g),
            out(CType.I16, panel * parts), imm(chunk), imm(1), imm(zp), KernelHarness.in(scales), imm(outZp),
            imm(0), imm(255)));
      }
    }
    runAndCompare(calls, expected, flags);
  }

  /** Runs the calls in one program built with these flags; each first output must equal its expected array. */
  private static void runAndCompare(List<KernelHarness.Call> calls, List<int[]> expected, List<String> flags) {
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
