package dev.zeropoint.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.runtime.Parallel;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Winograd's F(2x2, 3x3) against the definition of the convolution ({@link GemmTest#definition}, a
 * naive loop over every output, input channel and tap): seeded random sizes (odd and even, output
 * planes narrower and wider than a panel, one and several tile rows per task), padding on either
 * side, channel counts across the blocks of {@link Winograd#depth}, zero points and weights over the
 * whole 8-bit range and at its ends, 1 to 3 threads; the fused requantization against the
 * definition followed by {@link Requantize#requantize}; and the two bounds, computed by hand.
 */
class WinogradTest {
  private final boolean vector = Winograd.vector;
  private final GemmF32.MicroKernel kernel = GemmF32.kernel();

  @AfterEach
  void restore() {
    Parallel.setThreads(1);
    Winograd.vector = vector;
    GemmF32.useKernel(kernel);
  }

  @Test
  void surefireRunsTheVectorTransforms() {
    // The build's test JVMs add jdk.incubator.vector: the rounds below run both transforms.
    assertTrue(Winograd.vector);
  }

  private record Case(int[] g, int[] wc, int[] x, int[] bias, int zp, String what) {}

  private static Case random(Random r, int round) {
    int batch = 1 + r.nextInt(2);
    int in = round % 7 == 0 ? 100 + r.nextInt(200) : 1 + r.nextInt(24);
    int out = round % 5 == 0 ? 40 + r.nextInt(60) : 1 + r.nextInt(20);
    int h = 2 + r.nextInt(round % 3 == 0 ? 60 : 20);
    int w = 2 + r.nextInt(round % 4 == 0 ? 70 : 24);
    int pad = r.nextInt(3);
    int[] g = GemmTest.geometry(batch, in, h, w, out, in, 3, 3, 1, 1, pad, pad, 1, 1);
    // A smaller bottom or right padding than the top or left.
    if (r.nextInt(3) == 0 && g[Conv.OUT_H] > 1) {
      g[Conv.OUT_H]--;
    }
    if (r.nextInt(3) == 0 && g[Conv.OUT_W] > 1) {
      g[Conv.OUT_W]--;
    }
    if (g[Conv.OUT_H] < 1 || g[Conv.OUT_W] < 1) {
      return random(r, round + 1);
    }
    boolean extreme = round % 6 == 1;
    int zp = extreme ? (r.nextBoolean() ? 0 : 255) : r.nextInt(256);
    int wzp = r.nextInt(4) == 0 ? r.nextInt(256) : 0;
    int[] wc = new int[out * in * 9];
    for (int i = 0; i < wc.length; i++) {
      int v = extreme ? ((i / 3 + i) % 2 == 0 ? 127 : -128) : r.nextInt(256) - 128;
      wc[i] = wzp == 0 ? v : (v + 128) - wzp; // an unsigned weight minus its zero point
    }
    int[] x = new int[batch * in * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = extreme ? (r.nextBoolean() ? 0 : 255) : r.nextInt(256);
    }
    int[] bias = new int[out];
    for (int i = 0; i < out; i++) {
      bias[i] = r.nextInt(1 << 20) - (1 << 19);
    }
    return new Case(g, wc, x, bias, zp, "round " + round + " " + Arrays.toString(g) + " zp " + zp + " wzp " + wzp);
  }

  private static int depth(Case c) {
    int out = c.g()[Conv.OUT_CHANNELS];
    int in = c.g()[Conv.IN_CHANNELS];
    int d = Winograd.depth(Winograd.transformWeights(c.wc(), out, in), out, in, Math.max(c.zp(), 255 - c.zp()));
    assertTrue(d >= 1, c.what());
    assertTrue(Winograd.exact(c.wc(), out, Math.max(c.zp(), 255 - c.zp())), c.what());
    return d;
  }

  @Test
  void equalsTheDefinition() {
    Random r = new Random(20261124);
    java.util.Set<Integer> depths = new java.util.TreeSet<>();
    for (int round = 0; round < 120; round++) {
      Case c = random(r, round);
      int[] g = c.g();
      int out = g[Conv.OUT_CHANNELS];
      int in = g[Conv.IN_CHANNELS];
      int[] want = GemmTest.definition(g, c.wc(), c.x(), c.bias(), c.zp());
      float[] packed = Winograd.packWeights(Winograd.transformWeights(c.wc(), out, in), out, in);
      int d = depth(c);
      depths.add(d);
      for (int depth : new int[] {d, Math.max(1, d / 3), 1}) {
        Parallel.setThreads(1 + (round + depth) % 3);
        Winograd.vector = vector && (round + depth) % 4 != 0; // the plain loops in a quarter of the runs
        // Both shapes of the vector micro-kernel (512-bit and 256-bit registers), on any CPU.
        GemmF32.useKernel(new VectorF32MicroKernel(round % 2 == 0));
        int[] got = new int[want.length];
        Arrays.fill(got, 12345);
        Winograd.conv2d(got, c.x(), packed, c.bias(), g, c.zp(), depth);
        assertArrayEquals(want, got, c.what() + " depth " + depth + " threads " + Parallel.threads() + " vector "
            + Winograd.vector + " kernel " + GemmF32.kernel());
      }
    }
    assertTrue(depths.size() > 5, "depths " + depths);
    assertTrue(depths.stream().anyMatch(d -> d < 32), "no block short enough to matter: " + depths);
  }

  @Test
  void fusedRequantizationEqualsTheDefinitionThenRequantize() {
    Random r = new Random(77);
    for (int round = 0; round < 60; round++) {
      Case c = random(r, round);
      int[] g = c.g();
      int out = g[Conv.OUT_CHANNELS];
      int in = g[Conv.IN_CHANNELS];
      int plane = g[Conv.OUT_H] * g[Conv.OUT_W];
      boolean perChannel = r.nextBoolean();
      float[] scales = new float[perChannel ? out : 1];
      for (int i = 0; i < scales.length; i++) {
        scales[i] = (float) Math.scalb(1.0 + r.nextDouble(), -6 - r.nextInt(16));
      }
      int outputZp = r.nextInt(256);
      int min = r.nextInt(3) == 0 ? outputZp : 0;
      int max = r.nextBoolean() ? 255 : Math.max(min, 255 - r.nextInt(100));
      int[] sums = GemmTest.definition(g, c.wc(), c.x(), c.bias(), c.zp());
      int[] want = new int[sums.length];
      Requantize.requantize(want, sums, Requantize.FLOAT, scales, new int[0], new int[0], plane, out, outputZp, min,
          max, ElementType.U8.ordinal());
      int distinct = (int) Arrays.stream(want).distinct().count();
      Parallel.setThreads(1 + round % 3);
      int[] got = new int[want.length];
      Arrays.fill(got, -1);
      Winograd.conv2dRequantize(got, c.x(), Winograd.packWeights(Winograd.transformWeights(c.wc(), out, in), out, in),
          c.bias(), g, c.zp(), depth(c), scales, outputZp, min, max);
      assertArrayEquals(want, got, c.what() + " distinct outputs " + distinct);
    }
  }

  /**
   * Weights all 100, inputs up to 255 from their zero point: {@code G' 1} is (2, 3, 1, 2), so the
   * largest {@code |U|} is 9 x 100 and a block of d channels reaches {@code 4 x 255 x 900 d}, at most
   * 2^24 for {@code d <= 18}; the sums reach {@code 4 x 255 x 900 C}, below 2^31 for {@code C <=
   * 2339}.
   */
  @Test
  void boundsByHand() {
    int[] wc = new int[64 * 9];
    Arrays.fill(wc, 100);
    assertEquals(18, Winograd.depth(Winograd.transformWeights(wc, 1, 64), 1, 64, 255));
    // Inputs within 1 of the zero point: 3,600 d <= 2^24 for any d, so one block of all 64 channels.
    assertEquals(64, Winograd.depth(Winograd.transformWeights(wc, 1, 64), 1, 64, 1));
    int[] wide = new int[2339 * 9];
    Arrays.fill(wide, 100);
    assertTrue(Winograd.exact(wide, 1, 255));
    int[] wider = new int[2340 * 9];
    Arrays.fill(wider, 100);
    assertFalse(Winograd.exact(wider, 1, 255));
  }

  @Test
  void appliesToThreeByThreeStrideOneOnly() {
    assertTrue(Winograd.applies(GemmTest.geometry(1, 8, 14, 14, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1)));
    assertFalse(Winograd.applies(GemmTest.geometry(1, 8, 7, 7, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1)), "7 columns");
    assertFalse(Winograd.applies(GemmTest.geometry(1, 8, 14, 14, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1)), "stride 2");
    assertFalse(Winograd.applies(GemmTest.geometry(1, 8, 14, 14, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1)), "groups");
    assertFalse(Winograd.applies(GemmTest.geometry(1, 8, 14, 14, 8, 8, 3, 3, 1, 1, 2, 2, 2, 2)), "dilation");
    assertFalse(Winograd.applies(GemmTest.geometry(1, 8, 14, 14, 8, 8, 1, 1, 1, 1, 0, 0, 1, 1)), "1 x 1");
  }
}
