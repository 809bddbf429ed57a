package dev.zeropoint.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.runtime.Parallel;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The blocked convolution against the definition (a naive loop over every output, input channel and
 * tap written here), with both micro-kernels, int32 ({@link Gemm}) and float32 ({@link GemmF32}), on
 * seeded random geometries: odd sizes, padding, strides, dilation, groups, and depths past one
 * packed block.
 */
class GemmTest {
  private final Gemm.MicroKernel original = Gemm.kernel();
  private final GemmF32.MicroKernel originalF32 = GemmF32.kernel();

  @AfterEach
  void restore() {
    Gemm.useKernel(original);
    GemmF32.useKernel(originalF32);
    Parallel.setThreads(1);
  }

  /**
   * The paths of a requantized product, against the definition: one block of depth with float-exact
   * biases (tiles requantized from their float sums), one block with biases past 2^24 and a deep
   * product of three blocks (both through the int32 sums), each with whole 4 x 16 tiles (8 channels,
   * 8 x 8 pixels) and with partial ones (7 channels, 7 x 9). Every other channel's bias is near 2^25
   * with a scale of 2^-18 (outputs near 128), the others' small with scales from 2^-6 to 2^-4 and
   * weights within +-3, so that the outputs spread over the u8 range and a sum off by one changes
   * some of them.
   */
  @Test
  void requantizedProductsOnEveryPath() {
    Random r = new Random(2026_11_23);
    for (int[] shape : new int[][] {{8, 8, 8}, {7, 7, 9}}) {
      for (int inChannels : new int[] {20, 70}) { // 180 taps: one block; 630: three
        for (boolean largeBias : new boolean[] {false, true}) {
          int out = shape[0];
          int[] g = geometry(1, inChannels, shape[1], shape[2], out, inChannels, 3, 3, 1, 1, 1, 1, 1, 1);
          int[] wc = new int[out * inChannels * 9];
          for (int i = 0; i < wc.length; i++) {
            wc[i] = r.nextInt(7) - 3; // small sums: with scales near 2^-4, a sum off by one shows
          }
          int[] x = new int[inChannels * shape[1] * shape[2]];
          for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(256);
          }
          int[] bias = new int[out];
          for (int i = 0; i < out; i++) {
            bias[i] = largeBias && i % 2 == 0 ? (1 << 25) + r.nextInt(1 << 16) - (1 << 15) : r.nextInt(2001) - 1000;
          }
          int zp = r.nextInt(256);
          int[] sums = definition(g, wc, x, bias, zp);
          float[] scales = new float[out];
          for (int i = 0; i < out; i++) {
            scales[i] = largeBias && i % 2 == 0 ? 0x1p-18f * (1 + r.nextFloat() / 8)
                : Math.scalb(1 + r.nextFloat(), -5 - r.nextInt(2));
          }
          int outZp = 100;
          int[] expected = new int[sums.length];
          int inner = g[Conv.OUT_H] * g[Conv.OUT_W];
          Requantize.requantize(expected, sums, Requantize.FLOAT, scales, new int[0], new int[0], inner, out, outZp, 0,
              255, dev.zeropoint.ir.ElementType.U8.ordinal());
          assertTrue(java.util.Arrays.stream(expected).distinct().count() > 20, "outputs spread");
          int k = inChannels * 9;
          float[] packed = GemmF32.packWeights(wc, 1, out, k);
          int[] actual = new int[sums.length];
          java.util.Arrays.fill(actual, -5);
          GemmF32.conv2dRequantize(actual, x, packed, bias, g, zp, scales, outZp, 0, 255);
          String what = java.util.Arrays.toString(shape) + " " + inChannels + " channels, large bias " + largeBias;
          assertArrayEquals(expected, actual, what);
        }
      }
    }
  }

  /**
   * A tile is requantized straight from its float sums only when every bias of its channels is a
   * float-exact integer (then the float sum plus the bias is f32(acc)); 2^24 + 1 is not one.
   */
  @Test
  void tilesAreRequantizedFromFloatSumsOnlyWithFloatExactBiases() {
    assertTrue(Gemm.floatExact(new int[] {1 << 24, -(1 << 24), 0}, 0, 3));
    assertFalse(Gemm.floatExact(new int[] {0, (1 << 24) + 1}, 0, 2));
    assertFalse(Gemm.floatExact(new int[] {Integer.MIN_VALUE}, 0, 1));
    assertTrue(Gemm.floatExact(new int[] {(1 << 24) + 1, 5}, 1, 2)); // only the task's channels
    assertTrue((long) (float) ((1 << 24) + 1) != (1 << 24) + 1); // why: the float rounds it
  }

  @Test
  void surefireRunsTheVectorKernel() {
    // The build's test JVMs add jdk.incubator.vector, so the fast path is the one tested below.
    assertTrue(Gemm.vectorized(), "the vector micro-kernel is not in use");
  }

  @Test
  void vectorKernelMatchesTheDefinition() {
    Gemm.useKernel(new VectorMicroKernel());
    compareOnRandomGeometries(1);
  }

  @Test
  void scalarKernelMatchesTheDefinition() {
    Gemm.useKernel(new ScalarMicroKernel());
    compareOnRandomGeometries(2);
  }

  @Test
  void threeThreadsMatchTheDefinition() {
    Parallel.setThreads(3);
    compareOnRandomGeometries(3);
  }

  @Test
  void surefireRunsTheVectorF32Kernel() {
    assertTrue(GemmF32.vectorized(), "the vector float32 micro-kernel is not in use");
  }

  @Test
  void vectorF32KernelMatchesTheDefinition() {
    GemmF32.useKernel(new VectorF32MicroKernel(true)); // 512-bit registers
    compareOnRandomGeometries(4);
    GemmF32.useKernel(new VectorF32MicroKernel(false)); // 256-bit ones, in quarters
    compareOnRandomGeometries(7);
  }

  @Test
  void scalarF32KernelMatchesTheDefinition() {
    GemmF32.useKernel(new ScalarF32MicroKernel());
    compareOnRandomGeometries(5);
  }

  @Test
  void threeThreadsF32MatchTheDefinition() {
    Parallel.setThreads(3);
    compareOnRandomGeometries(6);
  }

  /**
   * 8-bit operands at their extremes, depth 3 * 3 * 64 = 576 (two full blocks of 256 and a partial
   * one): every product +-255 * 255 and of one sign per output row, so each block's float32 sum
   * reaches 256 * 65,025 = 16,646,400, just below 2^24; and sums past int32 across blocks.
   */
  @Test
  void f32IsExactAtTheExtremesOf8BitOperands() {
    for (GemmF32.MicroKernel mk : new GemmF32.MicroKernel[] {new VectorF32MicroKernel(true),
        new VectorF32MicroKernel(false), new ScalarF32MicroKernel()}) {
      GemmF32.useKernel(mk);
      int[] g = geometry(1, 64, 7, 9, 13, 64, 3, 3, 1, 1, 1, 1, 1, 1);
      int k = 64 * 9;
      int[] wc = new int[13 * k];
      for (int o = 0; o < 13; o++) {
        for (int i = 0; i < k; i++) {
          wc[o * k + i] = o % 2 == 0 ? 255 : -255;
        }
      }
      int[] x = new int[64 * 7 * 9];
      java.util.Arrays.fill(x, 255);
      int[] bias = {Integer.MAX_VALUE, Integer.MIN_VALUE, 0, 1, -1, 5, 6, 7, 8, 9, 10, 11, Integer.MAX_VALUE - 5};
      assertTrue(GemmF32.exact(255, 255, k));
      check(g, wc, x, bias, 0); // x - zp = 255
      check(g, wc, new int[x.length], bias, 255); // x - zp = -255
    }
  }

  @Test
  void int32SumsWrapLikeTheDefinition() {
    // Weights and inputs at the extremes of 16 bits make k * 2^30-ish sums that overflow int32.
    int[] g = geometry(1, 8, 5, 5, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1);
    Random r = new Random(7);
    int k = g[Conv.IN_PER_GROUP] * 9;
    int[] wc = new int[g[Conv.OUT_CHANNELS] * k];
    for (int i = 0; i < wc.length; i++) {
      wc[i] = r.nextBoolean() ? 65535 : -65536;
    }
    int[] x = new int[8 * 25];
    for (int i = 0; i < x.length; i++) {
      x[i] = 40000 + r.nextInt(30000);
    }
    int[] bias = {Integer.MAX_VALUE, Integer.MIN_VALUE, 0, 1, -1, 5, 6};
    check(g, wc, x, bias, -3);
  }

  /**
   * Images large enough for many tasks of {@link Gemm#NC} pixels, each packing its own panels (one
   * thread, or enough pixel blocks for the threads), rows long enough for the vector packing at
   * strides 1 and 2, windows with and without padding (the padded copy, or the input read
   * directly), and depths past one block of {@link Gemm#KC}; on one and on three threads.
   */
  @Test
  void largeImagesMatchTheDefinition() {
    for (int threads : new int[] {1, 3}) {
      Parallel.setThreads(threads);
      Random r = new Random(40 + threads);
      for (int round = 0; round < 16; round++) {
        int inPer = round % 4 == 0 ? 30 + r.nextInt(20) : 1 + r.nextInt(8);
        int outPer = 1 + r.nextInt(12);
        int kh = 1 + r.nextInt(3);
        int kw = 1 + r.nextInt(3);
        int sh = 1 + r.nextInt(2);
        int sw = 1 + r.nextInt(2);
        int dh = round % 5 == 4 ? 2 : 1;
        int dw = round % 5 == 3 ? 2 : 1;
        int ph = round % 3 == 0 ? 0 : r.nextInt(3);
        int pw = round % 3 == 0 ? 0 : r.nextInt(3);
        int h = 20 + r.nextInt(30);
        int w = 17 + r.nextInt(40);
        int outH = (h + 2 * ph - (kh - 1) * dh - 1) / sh + 1;
        int outW = (w + 2 * pw - (kw - 1) * dw - 1) / sw + 1;
        int batch = 1 + r.nextInt(2);
        int groups = round % 7 == 6 ? 2 : 1;
        int[] g = geometry(batch, groups * inPer, h, w, groups * outPer, inPer, kh, kw, sh, sw, ph, pw, dh, dw);
        g[Conv.OUT_H] = outH;
        g[Conv.OUT_W] = outW;
        int[] wc = new int[groups * outPer * inPer * kh * kw];
        for (int i = 0; i < wc.length; i++) {
          wc[i] = r.nextInt(511) - 255;
        }
        int[] x = new int[batch * groups * inPer * h * w];
        for (int i = 0; i < x.length; i++) {
          x[i] = r.nextInt(256);
        }
        int[] bias = new int[groups * outPer];
        for (int i = 0; i < bias.length; i++) {
          bias[i] = r.nextInt(2001) - 1000;
        }
        check(g, wc, x, bias, r.nextBoolean() ? r.nextInt(256) : 0);
      }
    }
  }

  private void compareOnRandomGeometries(long seed) {
    Random r = new Random(seed);
    for (int round = 0; round < 60; round++) {
      int groups = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 1;
      int inPer = 1 + r.nextInt(round % 5 == 0 ? 40 : 6);
      int outPer = 1 + r.nextInt(20);
      int kh = 1 + r.nextInt(4);
      int kw = 1 + r.nextInt(4);
      int sh = 1 + r.nextInt(3);
      int sw = 1 + r.nextInt(3);
      int dh = 1 + r.nextInt(2);
      int dw = 1 + r.nextInt(2);
      int ph = r.nextInt(3);
      int pw = r.nextInt(3);
      int h = (kh - 1) * dh + 1 + r.nextInt(12) - Math.min(ph * 2, 2);
      int w = (kw - 1) * dw + 1 + r.nextInt(12) - Math.min(pw * 2, 2);
      h = Math.max(h, 1);
      w = Math.max(w, 1);
      int outH = (h + 2 * ph - (kh - 1) * dh - 1) / sh + 1;
      int outW = (w + 2 * pw - (kw - 1) * dw - 1) / sw + 1;
      if (outH < 1 || outW < 1) {
        continue;
      }
      int batch = 1 + r.nextInt(2);
      int[] g = geometry(batch, groups * inPer, h, w, groups * outPer, inPer, kh, kw, sh, sw, ph, pw, dh, dw);
      int[] wc = new int[groups * outPer * inPer * kh * kw];
      for (int i = 0; i < wc.length; i++) {
        wc[i] = r.nextInt(255) - 127;
      }
      int[] x = new int[batch * groups * inPer * h * w];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextInt(256);
      }
      int[] bias = new int[groups * outPer];
      for (int i = 0; i < bias.length; i++) {
        bias[i] = r.nextInt(2001) - 1000;
      }
      check(g, wc, x, bias, r.nextInt(256));
    }
  }

  /**
   * {@link Gemm#conv2d} against the definition, and {@link GemmF32#conv2d} too when the operands'
   * magnitudes make it exact (as the compiler would choose it).
   */
  private static void check(int[] g, int[] wc, int[] x, int[] bias, int zp) {
    int groups = g[Conv.OUT_CHANNELS] / g[Conv.OUT_PER_GROUP];
    int k = g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
    int[] expected = definition(g, wc, x, bias, zp);
    int[] actual = new int[expected.length];
    java.util.Arrays.fill(actual, 12345);
    Gemm.conv2d(actual, x, Gemm.packWeights(wc, groups, g[Conv.OUT_PER_GROUP], k), bias, g, zp);
    assertArrayEquals(expected, actual, () -> "geometry " + java.util.Arrays.toString(g));
    long maxW = java.util.Arrays.stream(wc).mapToLong(v -> Math.abs((long) v)).max().orElse(0);
    long maxX = java.util.Arrays.stream(x).mapToLong(v -> Math.abs((long) v - zp)).max().orElse(0);
    if (GemmF32.exact(maxW, maxX, k)) {
      java.util.Arrays.fill(actual, -777);
      float[] packed = GemmF32.packWeights(wc, groups, g[Conv.OUT_PER_GROUP], k);
      GemmF32.conv2d(actual, x, packed, bias, g, zp);
      assertArrayEquals(expected, actual, () -> "float32, geometry " + java.util.Arrays.toString(g));
      checkRequantized(g, expected, x, packed, bias, zp);
    }
  }

  /**
   * {@link GemmF32#conv2dRequantize} gives {@link Requantize#requantize}'s outputs (scheme FLOAT, u8)
   * on the definition's sums: one scale per output channel and one for all, seeded from the sums.
   */
  private static void checkRequantized(int[] g, int[] sums, int[] x, float[] packed, int[] bias, int zp) {
    int channels = g[Conv.OUT_CHANNELS];
    int inner = g[Conv.OUT_H] * g[Conv.OUT_W];
    Random r = new Random(java.util.Arrays.hashCode(sums));
    for (int perChannel = 0; perChannel < 2; perChannel++) {
      float[] scales = new float[perChannel == 1 ? channels : 1];
      for (int i = 0; i < scales.length; i++) {
        scales[i] = (float) Math.scalb(0.5 + r.nextDouble(), -r.nextInt(12)); // from 2^-12 to 1.5
      }
      int outZp = r.nextInt(256);
      int min = r.nextBoolean() ? 0 : outZp;
      int max = Math.max(min, 255 - r.nextInt(3));
      int[] expected = new int[sums.length];
      Requantize.requantize(expected, sums, Requantize.FLOAT, scales, new int[0], new int[0], inner, channels, outZp,
          min, max, dev.zeropoint.ir.ElementType.U8.ordinal());
      int[] actual = new int[sums.length];
      java.util.Arrays.fill(actual, -5);
      GemmF32.conv2dRequantize(actual, x, packed, bias, g, zp, scales, outZp, min, max);
      int channelScales = scales.length;
      assertArrayEquals(expected, actual, () -> "requantized, " + channelScales + " scales, geometry "
          + java.util.Arrays.toString(g));
    }
  }

  static int[] definition(int[] g, int[] wc, int[] x, int[] bias, int zp) {
    int outH = g[Conv.OUT_H];
    int outW = g[Conv.OUT_W];
    int outC = g[Conv.OUT_CHANNELS];
    int[] out = new int[g[Conv.BATCH] * outC * outH * outW];
    int i = 0;
    for (int b = 0; b < g[Conv.BATCH]; b++) {
      for (int o = 0; o < outC; o++) {
        int group = o / g[Conv.OUT_PER_GROUP];
        for (int oh = 0; oh < outH; oh++) {
          for (int ow = 0; ow < outW; ow++) {
            int acc = bias[o];
            for (int ci = 0; ci < g[Conv.IN_PER_GROUP]; ci++) {
              for (int kh = 0; kh < g[Conv.KERNEL_H]; kh++) {
                for (int kw = 0; kw < g[Conv.KERNEL_W]; kw++) {
                  int ih = oh * g[Conv.STRIDE_H] - g[Conv.PAD_TOP] + kh * g[Conv.DILATION_H];
                  int iw = ow * g[Conv.STRIDE_W] - g[Conv.PAD_LEFT] + kw * g[Conv.DILATION_W];
                  if (ih < 0 || ih >= g[Conv.HEIGHT] || iw < 0 || iw >= g[Conv.WIDTH]) {
                    continue;
                  }
                  int c = group * g[Conv.IN_PER_GROUP] + ci;
                  int xv = x[((b * g[Conv.IN_CHANNELS] + c) * g[Conv.HEIGHT] + ih) * g[Conv.WIDTH] + iw];
                  int wv = wc[((o * g[Conv.IN_PER_GROUP] + ci) * g[Conv.KERNEL_H] + kh) * g[Conv.KERNEL_W] + kw];
                  acc += (xv - zp) * wv;
                }
              }
            }
            out[i++] = acc;
          }
        }
      }
    }
    return out;
  }

  static int[] geometry(int batch, int inC, int h, int w, int outC, int inPer, int kh, int kw, int sh,
      int sw, int ph, int pw, int dh, int dw) {
    int[] g = new int[Conv.GEOMETRY_SIZE];
    g[Conv.BATCH] = batch;
    g[Conv.IN_CHANNELS] = inC;
    g[Conv.HEIGHT] = h;
    g[Conv.WIDTH] = w;
    g[Conv.OUT_CHANNELS] = outC;
    g[Conv.IN_PER_GROUP] = inPer;
    g[Conv.OUT_PER_GROUP] = outC / (inC / inPer);
    g[Conv.KERNEL_H] = kh;
    g[Conv.KERNEL_W] = kw;
    g[Conv.STRIDE_H] = sh;
    g[Conv.STRIDE_W] = sw;
    g[Conv.PAD_TOP] = ph;
    g[Conv.PAD_LEFT] = pw;
    g[Conv.DILATION_H] = dh;
    g[Conv.DILATION_W] = dw;
    g[Conv.OUT_H] = (h + 2 * ph - (kh - 1) * dh - 1) / sh + 1;
    g[Conv.OUT_W] = (w + 2 * pw - (kw - 1) * dw - 1) / sw + 1;
    return g;
  }
}
