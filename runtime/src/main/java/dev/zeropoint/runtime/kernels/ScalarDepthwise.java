package dev.zeropoint.runtime.kernels;

/**
 * {@link Depthwise}'s kernel in plain Java loops, for JVMs without the vector API module: each
 * product and partial sum rounded to float32 separately, which changes nothing while they are
 * integers of at most 2^24 (the vector kernel's fused multiply-add gives the same floats); in int32,
 * the products and sums wrap as the vector kernel's do.
 */
final class ScalarDepthwise implements Depthwise.Kernel {
  @Override
  public void sums(float[] in, int[] taps, float[] w, int wOff, int[] acc, int q0, int q1, int bias) {
    for (int q = q0; q < q1; q++) {
      float sum = 0f;
      for (int t = 0; t < taps.length; t++) {
        sum += w[wOff + t] * in[q + taps[t]];
      }
      acc[q] = bias + (int) sum; // exact: an integer of at most 2^24; the bias wraps as in int32
    }
  }

  @Override
  public void center(float[] dst, int d, int[] x, int src, int run, int zp) {
    for (int l = 0; l < run; l++) {
      dst[d + l] = x[src + l] - zp;
    }
  }

  @Override
  public void sums(int[] in, int[] taps, int[] w, int wOff, int[] acc, int q0, int q1, int bias) {
    for (int q = q0; q < q1; q++) {
      int sum = bias;
      for (int t = 0; t < taps.length; t++) {
        sum += w[wOff + t] * in[q + taps[t]];
      }
      acc[q] = sum;
    }
  }

  @Override
  public void center(int[] dst, int d, int[] x, int src, int run, int zp) {
    for (int l = 0; l < run; l++) {
      dst[d + l] = x[src + l] - zp;
    }
  }
}
