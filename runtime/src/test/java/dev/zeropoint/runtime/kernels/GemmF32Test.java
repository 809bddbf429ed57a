package dev.zeropoint.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float32 micro-kernels ({@link GemmF32}) add to the int32 accumulators exactly what the int32
 * micro-kernels add, tile by tile: seeded random tiles of every shape (partial rows and columns,
 * depths up to {@link Gemm#KC}), operands at the 8-bit extremes, accumulators near the int32 limits;
 * and the bound that makes this hold ({@link GemmF32#exact}) is needed: past it they differ.
 */
class GemmF32Test {
  /** The most rows of any tile: Gemm's {@link Gemm#MR}, GemmF32's {@link GemmF32#MR}. */
  private static final int MR = Math.max(Gemm.MR, GemmF32.MR), NR = Gemm.NR;

  /** Every float32 micro-kernel: both shapes of the vector one (on any CPU), the scalar one. */
  private static GemmF32.MicroKernel[] f32Kernels() {
    return new GemmF32.MicroKernel[] {new VectorF32MicroKernel(true), new VectorF32MicroKernel(false),
        new ScalarF32MicroKernel()};
  }

  private static String name(GemmF32.MicroKernel mk) {
    return mk.getClass().getSimpleName() + (mk instanceof VectorF32MicroKernel ? " (" + mk + ")" : "");
  }

  /**
   * The int32 sums of a tile, by the definition (a plain triple loop); {@code a} holds {@link #MR}
   * weights per step, of which the first {@code rows} count.
   */
  private static int[] expected(int kc, int[] a, int[] b, int[] c, int ldc, int rows, int cols) {
    int[] out = c.clone();
    for (int r = 0; r < rows; r++) {
      for (int l = 0; l < cols; l++) {
        int sum = 0;
        for (int k = 0; k < kc; k++) {
          sum += a[k * MR + r] * b[k * NR + l];
        }
        out[r * ldc + l] += sum;
      }
    }
    return out;
  }

  private static float[] floats(int[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = v[i];
    }
    return f;
  }

  /** The first {@code mr} of the {@link #MR} weights of each step, as a micro-kernel of {@code mr} rows reads them. */
  private static int[] rows(int[] a, int kc, int mr) {
    int[] out = new int[kc * mr];
    for (int k = 0; k < kc; k++) {
      System.arraycopy(a, k * MR, out, k * mr, mr);
    }
    return out;
  }

  /**
   * Runs every micro-kernel (int32 and float32, vector and scalar) on one tile, each on as many of
   * its first rows as it has ({@link Gemm#MR}, {@link GemmF32#MR}); all must match the definition.
   */
  private static void checkTile(String what, int kc, int[] a, int[] b, int[] c, int ldc, int rows, int cols) {
    int iRows = Math.min(rows, Gemm.MR);
    int[] want = expected(kc, a, b, c, ldc, iRows, cols);
    Gemm.MicroKernel[] ints = {new VectorMicroKernel(), new ScalarMicroKernel()};
    int[] ai = rows(a, kc, Gemm.MR);
    for (Gemm.MicroKernel mk : ints) {
      int[] got = c.clone();
      mk.accumulate(kc, ai, 0, b, 0, got, 0, ldc, iRows, cols);
      assertArrayEquals(want, got, what + " " + iRows + " rows, " + mk.getClass().getSimpleName());
    }
    int fRows = Math.min(rows, GemmF32.MR);
    int[] fWant = expected(kc, a, b, c, ldc, fRows, cols);
    float[] af = floats(rows(a, kc, GemmF32.MR));
    float[] bf = floats(b);
    for (GemmF32.MicroKernel mk : f32Kernels()) {
      int[] got = c.clone();
      mk.accumulate(kc, af, 0, bf, 0, got, 0, ldc, fRows, cols);
      assertArrayEquals(fWant, got, what + " " + fRows + " rows, " + name(mk));
    }
  }

  @Test
  void randomTilesMatchTheInt32Kernels() {
    Random r = new Random(11);
    for (int round = 0; round < 400; round++) {
      int kc = round % 4 == 0 ? Gemm.KC : 1 + r.nextInt(Gemm.KC);
      // Whole tiles of each kernel, GemmF32's 512-bit half tile (8 rows), any other count.
      int rows = switch (round % 4) {
        case 0 -> GemmF32.MR;
        case 1 -> Gemm.MR;
        case 2 -> 8;
        default -> 1 + r.nextInt(MR);
      };
      int cols = round % 5 == 0 ? NR : 1 + r.nextInt(NR);
      int[] a = new int[kc * MR];
      int[] b = new int[kc * NR];
      // Packed weights and inputs are centered 8-bit values: at most 255 in magnitude.
      for (int i = 0; i < a.length; i++) {
        a[i] = r.nextInt(511) - 255;
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = r.nextInt(511) - 255;
      }
      int ldc = NR + r.nextInt(5);
      int[] c = new int[MR * ldc];
      for (int i = 0; i < c.length; i++) {
        c[i] = r.nextInt(); // anywhere in int32, so that the additions wrap
      }
      checkTile("round " + round + " kc " + kc + " " + rows + "x" + cols, kc, a, b, c, ldc, rows, cols);
    }
  }

  /**
   * Every product +-255 * 255, kc = 256: each tile sum is +-16,646,400 (one sign per row, alternating
   * along the row too), the largest the bound allows for 8-bit operands; full and partial tiles.
   */
  @Test
  void extremeTilesMatchTheInt32Kernels() {
    int kc = Gemm.KC;
    for (int sign = 0; sign < 4; sign++) {
      int[] a = new int[kc * MR];
      int[] b = new int[kc * NR];
      for (int k = 0; k < kc; k++) {
        for (int r = 0; r < MR; r++) {
          a[k * MR + r] = ((r + sign) % 2 == 0) ? 255 : -255;
        }
        for (int l = 0; l < NR; l++) {
          b[k * NR + l] = ((l / (1 + sign)) % 2 == 0) ? 255 : -255;
        }
      }
      for (int rows : new int[] {GemmF32.MR, 13, 9, 8, Gemm.MR, 5, 4, 3, 1}) {
        for (int cols : new int[] {NR, 15, 9, 8, 7, 1}) {
          int[] c = new int[MR * NR];
          for (int i = 0; i < c.length; i++) {
            c[i] = i % 3 == 0 ? Integer.MAX_VALUE - i : i % 3 == 1 ? Integer.MIN_VALUE + i : i;
          }
          checkTile("extreme " + sign + " " + rows + "x" + cols, kc, a, b, c, NR, rows, cols);
          for (GemmF32.MicroKernel mk : f32Kernels()) {
            int[] sum = new int[MR * NR];
            mk.accumulate(kc, floats(rows(a, kc, GemmF32.MR)), 0, floats(b), 0, sum, 0, NR, rows, cols);
            assertEquals(256 * 255 * 255, Math.abs(sum[0]), name(mk));
          }
        }
      }
    }
  }

  @Test
  void theBoundIsWhatItClaims() {
    assertEquals(16_777_216, GemmF32.EXACT_LIMIT);
    assertTrue(GemmF32.exact(255, 255, 256));
    assertTrue(GemmF32.exact(255, 255, 10_000)); // blocks of KC = 256: the depth beyond does not count
    assertTrue(GemmF32.exact(256, 256, 256)); // 2^24 itself is a float32
    assertFalse(GemmF32.exact(257, 256, 256));
    assertTrue(GemmF32.exact(257, 256, 255));
    assertFalse(GemmF32.exact(32_767, 255, 9)); // 16-bit weights
    assertFalse(GemmF32.exact(255, 65_535, 9)); // 16-bit inputs
    assertFalse(GemmF32.exact(1L << 40, 1L << 40, 1)); // no overflow of the product
    assertTrue(GemmF32.exact(0, Long.MAX_VALUE, 9));
    assertThrows(IllegalArgumentException.class, () -> GemmF32.exact(-1, 1, 1));
  }

  /**
   * The bound is needed: with kc = 512 (twice KC) and every product 255 * 255, the float32 sum
   * passes 2^24 and rounds (float32 then holds only even integers), so the float32 kernels no longer
   * give the int32 sum. This is why GemmF32 is only chosen within {@link GemmF32#exact}.
   */
  @Test
  void pastTheBoundTheFloat32SumsDiffer() {
    int kc = 2 * Gemm.KC;
    int[] a = new int[kc * MR];
    int[] b = new int[kc * NR];
    Arrays.fill(a, 255);
    Arrays.fill(b, 255);
    int[] want = expected(kc, a, b, new int[MR * NR], NR, MR, NR);
    assertEquals(512 * 65_025, want[0]);
    int[] fWant = expected(kc, a, b, new int[MR * NR], NR, GemmF32.MR, NR);
    for (GemmF32.MicroKernel mk : f32Kernels()) {
      int[] got = new int[MR * NR];
      mk.accumulate(kc, floats(rows(a, kc, GemmF32.MR)), 0, floats(b), 0, got, 0, NR, GemmF32.MR, NR);
      assertFalse(Arrays.equals(fWant, got), name(mk) + " was exact past the bound");
      System.out.println("past the bound (kc = 512, all products 255 * 255): " + name(mk)
          + " gives " + got[0] + ", the int32 sum is " + want[0]);
    }
  }
}
