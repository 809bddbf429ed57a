package dev.zeropoint.backends.c;

import dev.zeropoint.runtime.kernels.Conv;

/**
 * The layouts of the C kernel {@code CGemm_conv2d}: the weights packed once by the compiler, and
 * the size of the scratch panel the kernel packs the input into (a buffer of the memory plan).
 */
public final class CGemm {
  /** Output channels per block (rows of a tile), output positions per tile. */
  public static final int MR = 6, NR = 16;

  /** Output positions per chunk: the panel of one chunk stays in the second-level cache. */
  public static final int CHUNK = 256;

  private CGemm() {}

  /**
   * Centered weights [outChannels, inPerGroup * kernelH * kernelW] as int16,
   * [group][block of MR channels][pair of taps][MR][2], zero past the last channel and tap.
   */
  public static short[] packWeights(int[] wc, int[] g) {
    int outPerGroup = g[Conv.OUT_PER_GROUP];
    int k = g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
    int pairs = (k + 1) / 2;
    int blocks = (outPerGroup + MR - 1) / MR;
    int groups = outPerGroup == 0 ? 0 : g[Conv.OUT_CHANNELS] / outPerGroup;
    short[] packed = new short[groups * blocks * pairs * MR * 2];
    for (int grp = 0; grp < groups; grp++) {
      for (int blk = 0; blk < blocks; blk++) {
        for (int r = 0; r < MR; r++) {
          int o = blk * MR + r;
          if (o >= outPerGroup) {
            continue;
          }
          int row = (grp * outPerGroup + o) * k;
          for (int kk = 0; kk < k; kk++) {
            int v = wc[row + kk];
            if (v != (short) v) {
              throw new IllegalArgumentException("centered weight " + v + " does not fit int16");
            }
            packed[(((grp * blocks + blk) * pairs + kk / 2) * MR + r) * 2 + kk % 2] = (short) v;
          }
        }
      }
    }
    return packed;
  }

  /** Elements (int16) of the panel for a convolution of this geometry. */
  public static int panelElements(int[] g) {
    int k = g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
    int pairs = (k + 1) / 2;
    int plane = g[Conv.OUT_H] * g[Conv.OUT_W];
    int columns = Math.min(plane, CHUNK);
    int tiles = (columns + NR - 1) / NR;
    return Math.max(1, tiles * pairs * NR * 2);
  }

  /** Whether the centered weights fit the int16 products of the kernel (|w| <= 255 and input in 8 bits). */
  public static boolean applies(int[] wc) {
    for (int v : wc) {
      if (v < -255 || v > 255) {
        return false;
      }
    }
    return true;
  }
}
