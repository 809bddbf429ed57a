package dev.zeropoint.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.runtime.Parallel;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The depthwise kernels ({@link Depthwise}: vector and scalar, float32 and int32) compute {@link
 * Conv#conv2dAcc}'s int32 sums to the bit on seeded random depthwise geometries (kernels 1..7,
 * strides 1..3, dilations 1..2, asymmetric padding up to past the kernel's reach, widths on and off
 * whole vectors, batch 2), with operands at the 8-bit extremes and biases near the int32 limits;
 * the int32 kernel also on operands that wrap; the fused requantization gives {@link
 * Requantize#requantize}'s outputs; and the bound that makes the float32 kernel exact ({@link
 * Depthwise#exact}) is needed: past it the float32 sums differ.
 */
class DepthwiseTest {
  private static final Depthwise.Kernel[] KERNELS = {new VectorDepthwise(), new ScalarDepthwise()};

  /** A depthwise convolution: geometry, input, centered weights, bias and input zero point. */
  private record Case(String what, int[] g, int[] x, int[] wc, int[] bias, int zp) {
    int outputs() {
      return g[Conv.BATCH] * g[Conv.OUT_CHANNELS] * g[Conv.OUT_H] * g[Conv.OUT_W];
    }

    int[] expected() {
      int[] want = new int[outputs()];
      Conv.conv2dAcc(want, x, wc, bias, g, zp);
      return want;
    }
  }

  private static int[] geometry(int batch, int channels, int height, int width, int kernelH, int kernelW, int strideH,
      int strideW, int padTop, int padBottom, int padLeft, int padRight, int dilationH, int dilationW) {
    int[] g = new int[Conv.GEOMETRY_SIZE];
    g[Conv.BATCH] = batch;
    g[Conv.IN_CHANNELS] = channels;
    g[Conv.HEIGHT] = height;
    g[Conv.WIDTH] = width;
    g[Conv.OUT_CHANNELS] = channels;
    g[Conv.IN_PER_GROUP] = 1;
    g[Conv.OUT_PER_GROUP] = 1;
    g[Conv.KERNEL_H] = kernelH;
    g[Conv.KERNEL_W] = kernelW;
    g[Conv.OUT_H] = Math.floorDiv(height + padTop + padBottom - (kernelH - 1) * dilationH - 1, strideH) + 1;
    g[Conv.OUT_W] = Math.floorDiv(width + padLeft + padRight - (kernelW - 1) * dilationW - 1, strideW) + 1;
    g[Conv.STRIDE_H] = strideH;
    g[Conv.STRIDE_W] = strideW;
    g[Conv.PAD_TOP] = padTop;
    g[Conv.PAD_LEFT] = padLeft;
    g[Conv.DILATION_H] = dilationH;
    g[Conv.DILATION_W] = dilationW;
    return g;
  }

  /** A seeded random case; every fourth one at the extremes (all inputs 255 or 0, weights +-255). */
  private static Case random(Random r, int round) {
    while (true) {
      int kernelH = 1 + r.nextInt(7);
      int kernelW = 1 + r.nextInt(7);
      int dilationH = 1 + r.nextInt(2);
      int dilationW = 1 + r.nextInt(2);
      int strideH = 1 + r.nextInt(3);
      int strideW = 1 + r.nextInt(3);
      int reachH = (kernelH - 1) * dilationH;
      int reachW = (kernelW - 1) * dilationW;
      // Padding from none to past the kernel's reach (outputs that see padding only), each side its own.
      int padTop = r.nextInt(reachH + 3);
      int padBottom = r.nextInt(reachH + 3);
      int padLeft = r.nextInt(reachW + 3);
      int padRight = r.nextInt(reachW + 3);
      int height = 1 + r.nextInt(round % 5 == 0 ? 40 : 14);
      int width = 1 + r.nextInt(round % 5 == 0 ? 90 : 20);
      int batch = 1 + r.nextInt(2);
      int channels = 1 + r.nextInt(5);
      int[] g = geometry(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padTop, padBottom, padLeft,
          padRight, dilationH, dilationW);
      if (g[Conv.OUT_H] < 1 || g[Conv.OUT_W] < 1) {
        continue;
      }
      boolean extreme = round % 4 == 0;
      int zp = extreme ? (r.nextBoolean() ? 0 : 255) : switch (r.nextInt(3)) {
        case 0 -> 0;
        case 1 -> 255;
        default -> r.nextInt(256);
      };
      int[] x = new int[batch * channels * height * width];
      int xv = zp == 0 ? 255 : 0; // |x - zp| = 255 everywhere
      for (int i = 0; i < x.length; i++) {
        x[i] = extreme ? xv : r.nextInt(256);
      }
      int[] wc = new int[channels * kernelH * kernelW];
      for (int i = 0; i < wc.length; i++) {
        // Extreme: every product +-255 * 255 of one sign per channel, so the sums reach their bound.
        wc[i] = extreme ? ((i / (kernelH * kernelW)) % 2 == 0 ? 255 : -255) : r.nextInt(511) - 255;
      }
      int[] bias = new int[channels];
      for (int c = 0; c < channels; c++) {
        bias[c] = switch (r.nextInt(6)) {
          case 0 -> Integer.MAX_VALUE - r.nextInt(1 << 20); // the sums wrap past the int32 limits
          case 1 -> Integer.MIN_VALUE + r.nextInt(1 << 20);
          case 2 -> 0;
          // biases around 2^24 (the float32 sums' bound), and small ones
          case 3 -> (r.nextInt(3) == 0 ? 1 << 24 : (1 << 24) + 64 - 2 * r.nextInt(64) - 1) * (r.nextBoolean() ? 1 : -1);
          case 4 -> r.nextInt(1 << 16) - (1 << 15);
          default -> r.nextInt();
        };
      }
      String what = "round " + round + " " + Arrays.toString(g) + " zp " + zp;
      return new Case(what, g, x, wc, bias, zp);
    }
  }

  /** The float32 kernel's sums. */
  private static int[] run(Depthwise.Kernel k, Case c) {
    return run(new Depthwise.Floats(k, Depthwise.weights(c.wc())), c);
  }

  /** The int32 kernel's sums. */
  private static int[] runInt32(Depthwise.Kernel k, Case c) {
    return run(new Depthwise.Ints(k, c.wc()), c);
  }

  private static int[] run(Depthwise.Operands ops, Case c) {
    int[] got = new int[c.outputs()];
    Arrays.fill(got, 0x5a5a5a5a); // every output must be written
    Depthwise.run(ops, got, c.x(), c.bias(), c.g(), c.zp(), null);
    return got;
  }

  @Test
  void randomGeometriesMatchConv2dAcc() {
    Random r = new Random(20261123);
    int compared = 0;
    for (int round = 0; round < 1500; round++) {
      Case c = random(r, round);
      assertTrue(Depthwise.exact(255, 255, (long) c.g()[Conv.KERNEL_H] * c.g()[Conv.KERNEL_W]), c.what());
      int[] want = c.expected();
      for (Depthwise.Kernel k : KERNELS) {
        assertArrayEquals(want, run(k, c), c.what() + " " + k.getClass().getSimpleName());
        assertArrayEquals(want, runInt32(k, c), c.what() + " int32 " + k.getClass().getSimpleName());
      }
      compared += want.length;
    }
    assertTrue(compared > 100_000, compared + " outputs compared");
  }

  /**
   * MobileNetV2's depthwise shapes (3 x 3, padding 1, strides 1 and 2), at the extremes, on two
   * threads, through the public entry points, the requantization fused too.
   */
  @Test
  void mobileNetShapesOnTwoThreadsMatchConv2dAcc() {
    Random r = new Random(7);
    int[][] shapes = {{32, 112, 1}, {96, 112, 2}, {144, 56, 1}, {144, 56, 2}, {192, 28, 2}, {384, 14, 1}, {960, 7, 1}};
    int threads = Parallel.threads();
    Parallel.setThreads(2);
    try {
      for (int[] s : shapes) {
        int[] g = geometry(2, s[0], s[1], s[1], 3, 3, s[2], s[2], 1, 1, 1, 1, 1, 1);
        int[] x = new int[2 * s[0] * s[1] * s[1]];
        for (int i = 0; i < x.length; i++) {
          x[i] = r.nextInt(4) == 0 ? 255 : r.nextInt(256);
        }
        int[] wc = new int[s[0] * 9];
        for (int i = 0; i < wc.length; i++) {
          wc[i] = r.nextInt(3) == 0 ? -255 : r.nextInt(511) - 255;
        }
        int[] bias = new int[s[0]];
        for (int i = 0; i < bias.length; i++) {
          bias[i] = r.nextInt(1 << 16) - (1 << 15);
        }
        Case c = new Case(Arrays.toString(s), g, x, wc, bias, r.nextBoolean() ? 0 : 255);
        int[] want = c.expected();
        for (Depthwise.Kernel k : KERNELS) {
          assertArrayEquals(want, run(k, c), c.what() + " " + k.getClass().getSimpleName());
          assertArrayEquals(want, runInt32(k, c), c.what() + " int32 " + k.getClass().getSimpleName());
        }
        int[] got = new int[want.length];
        Depthwise.conv2d(got, x, Depthwise.weights(wc), bias, g, c.zp());
        assertArrayEquals(want, got, c.what() + " conv2d");
        Depthwise.conv2dInt32(got, x, wc, bias, g, c.zp());
        assertArrayEquals(want, got, c.what() + " conv2dInt32");
        // Several runs of rows a plane (112 x 114 sums): each requantized on its own.
        float[] scales = new float[s[0]];
        for (int i = 0; i < scales.length; i++) {
          scales[i] = (float) Math.scalb(1.0 + r.nextDouble(), -8 - r.nextInt(6));
        }
        int[] requantized = new int[want.length];
        Requantize.requantize(requantized, want, Requantize.FLOAT, scales, new int[0], new int[0],
            g[Conv.OUT_H] * g[Conv.OUT_W], s[0], 128, 0, 255, ElementType.U8.ordinal());
        Depthwise.conv2dRequantize(got, x, Depthwise.weights(wc), bias, g, c.zp(), scales, 128, 0, 255);
        assertArrayEquals(requantized, got, c.what() + " conv2dRequantize");
      }
    } finally {
      Parallel.setThreads(threads);
    }
  }

  @Test
  void fusedRequantizationMatchesConv2dAccThenRequantize() {
    Random r = new Random(99);
    for (int round = 0; round < 400; round++) {
      Case c = random(r, round);
      int[] g = c.g();
      int channels = g[Conv.OUT_CHANNELS];
      int plane = g[Conv.OUT_H] * g[Conv.OUT_W];
      boolean perChannel = r.nextBoolean();
      float[] scales = new float[perChannel ? channels : 1];
      for (int i = 0; i < scales.length; i++) {
        // From outputs that saturate to ones that keep the sums' low bits.
        scales[i] = (float) Math.scalb(1.0 + r.nextDouble(), -2 - r.nextInt(20));
      }
      int outputZp = r.nextInt(256);
      int min = r.nextInt(3) == 0 ? outputZp : 0;
      int max = r.nextBoolean() ? 255 : Math.max(min, 255 - r.nextInt(100));
      int[] want = new int[c.outputs()];
      Requantize.requantize(want, c.expected(), Requantize.FLOAT, scales, new int[0], new int[0], plane, channels,
          outputZp, min, max, ElementType.U8.ordinal());
      for (Depthwise.Kernel k : KERNELS) {
        int[] got = new int[c.outputs()];
        Arrays.fill(got, -1);
        int[] sums = new int[c.outputs()];
        Depthwise.run(new Depthwise.Floats(k, Depthwise.weights(c.wc())), sums, c.x(), c.bias(), g, c.zp(),
            new Gemm.Requantization(got, scales, outputZp, min, max));
        assertArrayEquals(want, got, c.what() + " " + k.getClass().getSimpleName());
      }
      // The public entry point, on the kernel in use.
      int[] got = new int[c.outputs()];
      Depthwise.conv2dRequantize(got, c.x(), Depthwise.weights(c.wc()), c.bias(), g, c.zp(), scales, outputZp, min,
          max);
      assertArrayEquals(want, got, c.what() + " conv2dRequantize");
    }
  }

  @Test
  void theVectorKernelIsInUse() {
    // surefire runs with the module jdk.incubator.vector: the fallback must not be taken silently.
    assertTrue(Depthwise.vectorized());
  }

  @Test
  void theBoundIsWhatItClaims() {
    assertTrue(Depthwise.exact(255, 255, 9)); // 585,225
    assertTrue(Depthwise.exact(255, 255, 258)); // 16,776,450
    assertFalse(Depthwise.exact(255, 255, 259)); // 16,841,475 > 2^24: no blocking as in GemmF32
    assertTrue(GemmF32.exact(255, 255, 259));
    assertTrue(Depthwise.exact(256, 256, 256)); // 2^24 itself is a float32
    assertFalse(Depthwise.exact(257, 256, 256));
    assertFalse(Depthwise.exact(32_767, 255, 9)); // 16-bit weights
    assertFalse(Depthwise.exact(255, 65_535, 9)); // 16-bit inputs
    assertTrue(Depthwise.exact(2, 65_535, 9));
    assertFalse(Depthwise.exact(1L << 40, 1L << 40, 1)); // no overflow of the product
    assertFalse(Depthwise.exact(1, 1, 1L << 40));
    assertTrue(Depthwise.exact(0, Long.MAX_VALUE, 9));
    assertThrows(IllegalArgumentException.class, () -> Depthwise.exact(-1, 1, 1));
  }

  /**
   * The bound is needed: a 17 x 17 kernel (289 taps) with every product 255 * 255 sums past 2^24,
   * where float32 holds only even integers, so the float32 kernels no longer give the int32 sums.
   * This is why the compiler chooses them only within {@link Depthwise#exact}.
   */
  @Test
  void pastTheBoundTheFloat32SumsDiffer() {
    int[] g = geometry(1, 2, 17, 20, 17, 17, 1, 1, 0, 0, 0, 0, 1, 1);
    int[] x = new int[2 * 17 * 20];
    Arrays.fill(x, 255);
    int[] wc = new int[2 * 289];
    Arrays.fill(wc, 255);
    Case c = new Case("17 x 17", g, x, wc, new int[2], 0);
    assertFalse(Depthwise.exact(255, 255, 289));
    int[] want = c.expected();
    assertEquals(289 * 65_025, want[0]);
    for (Depthwise.Kernel k : KERNELS) {
      int[] got = run(k, c);
      assertFalse(Arrays.equals(want, got), k.getClass().getSimpleName() + " was exact past the bound");
      System.out.println("past the bound (289 taps, all products 255 * 255): " + k.getClass().getSimpleName()
          + " gives " + got[0] + ", the int32 sum is " + want[0]);
      // The int32 kernel has no bound.
      assertArrayEquals(want, runInt32(k, c), "int32 " + k.getClass().getSimpleName());
    }
  }

  /**
   * The int32 kernel on operands far past 8 bits (inputs and weights anywhere in int32, so the
   * products and sums wrap): still Conv's sums, as int32 addition is associative modulo 2^32.
   */
  @Test
  void theInt32KernelWrapsAsConv2dAccDoes() {
    Random r = new Random(5);
    for (int round = 0; round < 300; round++) {
      Case c = random(r, round);
      for (int i = 0; i < c.x().length; i++) {
        c.x()[i] = r.nextInt();
      }
      for (int i = 0; i < c.wc().length; i++) {
        c.wc()[i] = r.nextBoolean() ? r.nextInt() : r.nextInt(1 << 16) - (1 << 15);
      }
      Case wide = new Case(c.what() + " wide", c.g(), c.x(), c.wc(), c.bias(), r.nextInt());
      int[] want = wide.expected();
      for (Depthwise.Kernel k : KERNELS) {
        assertArrayEquals(want, runInt32(k, wide), wide.what() + " " + k.getClass().getSimpleName());
      }
    }
  }

  @Test
  void onlyDepthwiseGeometriesApply() {
    int[] g = geometry(1, 4, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    assertTrue(Depthwise.applies(g));
    int[] grouped = g.clone();
    grouped[Conv.OUT_CHANNELS] = 8;
    grouped[Conv.OUT_PER_GROUP] = 2;
    assertFalse(Depthwise.applies(grouped));
    int[] dense = g.clone();
    dense[Conv.IN_PER_GROUP] = 4;
    dense[Conv.OUT_PER_GROUP] = 4;
    assertFalse(Depthwise.applies(dense));
    assertThrows(IllegalArgumentException.class,
        () -> Depthwise.run(new Depthwise.Floats(KERNELS[0], new float[144]), new int[200], new int[400], new int[8],
            grouped, 0, null));
  }
}
