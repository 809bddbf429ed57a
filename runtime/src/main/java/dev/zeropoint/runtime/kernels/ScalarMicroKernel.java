package dev.zeropoint.runtime.kernels;

/** The micro-kernel in plain Java loops, for JVMs without the vector API module. */
final class ScalarMicroKernel implements Gemm.MicroKernel {
  @Override
  public void accumulate(int kc, int[] a, int aOff, int[] b, int bOff, int[] c, int cOff, int ldc, int rows,
      int cols) {
    int[] t = new int[Gemm.MR * Gemm.NR];
    for (int k = 0; k < kc; k++) {
      int ak = aOff + k * Gemm.MR;
      int bk = bOff + k * Gemm.NR;
      for (int r = 0; r < rows; r++) {
        int av = a[ak + r];
        if (av == 0) {
          continue;
        }
        int tr = r * Gemm.NR;
        for (int l = 0; l < Gemm.NR; l++) {
          t[tr + l] += av * b[bk + l];
        }
      }
    }
    Gemm.addTile(t, c, cOff, ldc, rows, cols);
  }
}
