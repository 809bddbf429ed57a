package dev.zeropoint.runtime.kernels;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The micro-kernel on the JDK's vector API: a 6 x 16 tile of int32 accumulators in twelve 256-bit
 * registers, each step one broadcast weight times two vectors of input, added lane by lane
 * (wrapping, like every int32 sum here).
 */
final class VectorMicroKernel implements Gemm.MicroKernel {
  private static final VectorSpecies<Integer> S = IntVector.SPECIES_256;

  VectorMicroKernel() {
    if (Gemm.MR != 6 || Gemm.NR != 2 * S.length()) {
      throw new IllegalStateException("the vector micro-kernel is written for 6 x 16 tiles");
    }
  }

  @Override
  public void accumulate(int kc, int[] a, int aOff, int[] b, int bOff, int[] c, int cOff, int ldc, int rows,
      int cols) {
    IntVector c00 = IntVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
        c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int k = 0; k < kc; k++) {
      int bk = bOff + k * 16;
      IntVector b0 = IntVector.fromArray(S, b, bk);
      IntVector b1 = IntVector.fromArray(S, b, bk + 8);
      int ak = aOff + k * 6;
      IntVector w = IntVector.broadcast(S, a[ak]);
      c00 = c00.add(b0.mul(w));
      c01 = c01.add(b1.mul(w));
      w = IntVector.broadcast(S, a[ak + 1]);
      c10 = c10.add(b0.mul(w));
      c11 = c11.add(b1.mul(w));
      w = IntVector.broadcast(S, a[ak + 2]);
      c20 = c20.add(b0.mul(w));
      c21 = c21.add(b1.mul(w));
      w = IntVector.broadcast(S, a[ak + 3]);
      c30 = c30.add(b0.mul(w));
      c31 = c31.add(b1.mul(w));
      w = IntVector.broadcast(S, a[ak + 4]);
      c40 = c40.add(b0.mul(w));
      c41 = c41.add(b1.mul(w));
      w = IntVector.broadcast(S, a[ak + 5]);
      c50 = c50.add(b0.mul(w));
      c51 = c51.add(b1.mul(w));
    }
    if (rows == 6 && cols == 16) {
      add(c00, c, cOff);
      add(c01, c, cOff + 8);
      add(c10, c, cOff + ldc);
      add(c11, c, cOff + ldc + 8);
      add(c20, c, cOff + 2 * ldc);
      add(c21, c, cOff + 2 * ldc + 8);
      add(c30, c, cOff + 3 * ldc);
      add(c31, c, cOff + 3 * ldc + 8);
      add(c40, c, cOff + 4 * ldc);
      add(c41, c, cOff + 4 * ldc + 8);
      add(c50, c, cOff + 5 * ldc);
      add(c51, c, cOff + 5 * ldc + 8);
      return;
    }
    int[] t = new int[96];
    c00.intoArray(t, 0);
    c01.intoArray(t, 8);
    c10.intoArray(t, 16);
    c11.intoArray(t, 24);
    c20.intoArray(t, 32);
    c21.intoArray(t, 40);
    c30.intoArray(t, 48);
    c31.intoArray(t, 56);
    c40.intoArray(t, 64);
    c41.intoArray(t, 72);
    c50.intoArray(t, 80);
    c51.intoArray(t, 88);
    Gemm.addTile(t, c, cOff, ldc, rows, cols);
  }

  /** {@code c[off .. off + 8) += v}. */
  static void add(IntVector v, int[] c, int off) {
    v.add(IntVector.fromArray(S, c, off)).intoArray(c, off);
  }

}
