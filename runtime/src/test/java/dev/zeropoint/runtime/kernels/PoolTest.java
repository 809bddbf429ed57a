package dev.zeropoint.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.zeropoint.runtime.Parallel;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Pool#maxPoolClamped} against QNNPACK's definition written here as a plain loop (every tap's
 * row and column clamped into the input): seeded random geometries with padding, strides, dilation
 * and windows wider than the input, on one and three threads.
 */
class PoolTest {
  @AfterEach
  void restore() {
    Parallel.setThreads(1);
  }

  private static int[] definition(int[] x, int planes, int inH, int inW, int outH, int outW, int kH, int kW, int sH,
      int sW, int pT, int pL, int dH, int dW) {
    int[] out = new int[planes * outH * outW];
    int o = 0;
    for (int p = 0; p < planes; p++) {
      for (int oh = 0; oh < outH; oh++) {
        for (int ow = 0; ow < outW; ow++) {
          int max = Integer.MIN_VALUE;
          for (int i = 0; i < kH; i++) {
            for (int j = 0; j < kW; j++) {
              int h = Math.min(Math.max(oh * sH - pT + i * dH, 0), inH - 1);
              int w = Math.min(Math.max(ow * sW - pL + j * dW, 0), inW - 1);
              max = Math.max(max, x[(p * inH + h) * inW + w]);
            }
          }
          out[o++] = max;
        }
      }
    }
    return out;
  }

  @Test
  void clampedMaxPoolEqualsTheDefinition() {
    for (int threads : new int[] {1, 3}) {
      Parallel.setThreads(threads);
      Random r = new Random(11 + threads);
      for (int round = 0; round < 300; round++) {
        int planes = 1 + r.nextInt(5);
        int kH = 1 + r.nextInt(4), kW = 1 + r.nextInt(4);
        int sH = 1 + r.nextInt(3), sW = 1 + r.nextInt(3);
        int dH = 1 + r.nextInt(2), dW = 1 + r.nextInt(2);
        int pT = r.nextInt(kH), pL = r.nextInt(kW);
        int inH = 1 + r.nextInt(20), inW = 1 + r.nextInt(30);
        int outH = Math.max(1, (inH + 2 * pT - (kH - 1) * dH - 1) / sH + 1);
        int outW = Math.max(1, (inW + 2 * pL - (kW - 1) * dW - 1) / sW + 1 + r.nextInt(2)); // ceil mode: one more
        int[] x = new int[planes * inH * inW];
        for (int i = 0; i < x.length; i++) {
          x[i] = r.nextInt(256) - (round % 2) * 128;
        }
        int[] g = new int[Pool.DILATION_W + 1];
        g[Pool.PLANES] = planes;
        g[Pool.IN_H] = inH;
        g[Pool.IN_W] = inW;
        g[Pool.OUT_H] = outH;
        g[Pool.OUT_W] = outW;
        g[Pool.KERNEL_H] = kH;
        g[Pool.KERNEL_W] = kW;
        g[Pool.STRIDE_H] = sH;
        g[Pool.STRIDE_W] = sW;
        g[Pool.PAD_TOP] = pT;
        g[Pool.PAD_LEFT] = pL;
        g[Pool.DILATION_H] = dH;
        g[Pool.DILATION_W] = dW;
        int[] out = new int[planes * outH * outW];
        Pool.maxPoolClamped(out, x, g);
        int[] want = definition(x, planes, inH, inW, outH, outW, kH, kW, sH, sW, pT, pL, dH, dW);
        String what = "round " + round + " " + java.util.Arrays.toString(g);
        assertArrayEquals(want, out, what);
      }
    }
  }
}
