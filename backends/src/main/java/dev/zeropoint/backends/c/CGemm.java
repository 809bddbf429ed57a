package dev.zeropoint.backends.c;

import dev.zeropoint.runtime.kernels.Conv;

/**
 * The layouts of the C kernel {@code CGemm_conv2d}: the weights packed once by the compiler, and
 * the size of the scratch panel the kernel packs the input into (a buffer of the memory plan).
 */
public final class CGemm {
  /** Output channels per block (rows of a tile), output positions per tile. */
  public static final int MR = 6, NR = 16;

  /** The most output positions per chunk. */
  public static final int CHUNK = 256;

  /**
   * Bytes of packed panel a chunk may fill: it is read once per block of MR channels, best from
   * the second-level cache (512 KB a core on Zen 3). Chosen by timing ResNet-18 with 128 KB to
   * 1 MB: 512 KB took 53 ms on one thread where one chunk of 256 positions for every depth took 67.
   */
  static final int PANEL_BUDGET = 512 * 1024;

  /**
   * Output positions per chunk for this geometry: {@link #CHUNK}, or fewer (a multiple of NR, at
   * least NR) when a chunk's packed panel would pass {@link #PANEL_BUDGET}, so that deep
   * convolutions (3 x 3 over 256 or 512 channels) read their panel from the second-level cache
   * rather than the third.
   */
  public static int chunk(int[] g) {
    int pairs = (g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W] + 1) / 2;
    long perPosition = (long) pairs * 2 * 2; // two int16 per pair
    long fits = PANEL_BUDGET / Math.max(1, perPosition) / NR * NR;
    return (int) Math.max(NR, Math.min(CHUNK, fits));
  }

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

  /** Elements (int16) of the panel for a convolution of this geometry, in chunks of {@link #chunk}. */
  public static int panelElements(int[] g) {
    return panelElements(g, chunk(g));
  }

  /**
   * Elements (int16) of one part's panel for chunks of {@code chunk} positions: the packed tiles of
   * a chunk, then (unless the convolution is 1 x 1 with stride 1 and no padding, which packs from
   * the input directly) the window of input rows a chunk reads, centered and zero-padded: as the
   * C library's zp_CGemm_run and zp_CGemm_pack lay them out.
   */
  public static int panelElements(int[] g, int chunk) {
    int k = g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
    int pairs = (k + 1) / 2;
    int plane = g[Conv.OUT_H] * g[Conv.OUT_W];
    int columns = Math.min(plane, chunk);
    long tiles = (long) (columns + NR - 1) / NR * pairs * NR * 2;
    boolean pointwise = g[Conv.KERNEL_H] == 1 && g[Conv.KERNEL_W] == 1 && g[Conv.STRIDE_H] == 1
        && g[Conv.STRIDE_W] == 1 && g[Conv.PAD_TOP] == 0 && g[Conv.PAD_LEFT] == 0 && g[Conv.OUT_H] == g[Conv.HEIGHT]
        && g[Conv.OUT_W] == g[Conv.WIDTH];
    long window = 0;
    if (!pointwise && columns > 0) {
      int outW = g[Conv.OUT_W];
      long outRows = Math.min(g[Conv.OUT_H], (columns - 1) / outW + 2);
      long rows = (outRows - 1) * g[Conv.STRIDE_H] + (long) (g[Conv.KERNEL_H] - 1) * g[Conv.DILATION_H] + 1;
      long wide = (long) (outW - 1) * g[Conv.STRIDE_W] + (long) (g[Conv.KERNEL_W] - 1) * g[Conv.DILATION_W] + 1;
      window = g[Conv.IN_PER_GROUP] * rows * wide;
    }
    return Math.toIntExact(Math.max(1, tiles + window));
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
