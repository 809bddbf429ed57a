package dev.zeropoint.runtime.kernels;

/**
 * {@link GemmF32}'s micro-kernel in plain Java loops, for JVMs without the vector API module: each
 * product and partial sum rounded to float32 separately, which changes nothing while they are
 * integers of at most 2^24 (the vector kernel's fused multiply-add gives the same floats).
 */
final class ScalarF32MicroKernel implements GemmF32.MicroKernel {
  @Override
  public void accumulate(int kc, float[] a, int aOff, float[] b, int bOff, int[] c, int cOff, int ldc, int rows,
      int cols) {
    float[] t = new float[GemmF32.MR * Gemm.NR];
    for (int k = 0; k < kc; k++) {
      int ak = aOff + k * GemmF32.MR;
      int bk = bOff + k * Gemm.NR;
      for (int r = 0; r < rows; r++) {
        float av = a[ak + r];
        int tr = r * Gemm.NR;
        for (int l = 0; l < Gemm.NR; l++) {
          t[tr + l] += av * b[bk + l];
        }
      }
    }
    int[] sums = new int[t.length];
    for (int i = 0; i < t.length; i++) {
      sums[i] = (int) t[i]; // exact: an integer of at most 2^24
    }
    Gemm.addTile(sums, c, cOff, ldc, rows, cols);
  }
}
