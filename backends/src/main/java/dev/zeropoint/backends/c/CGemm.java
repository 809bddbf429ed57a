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
   * the input directly) the window of input rows a chunk reads, centered and zero-padded, and {@link
   * #WINDOW_SLACK} elements its vector loads may read: as the C library's zp_CGemm_run and zp_CGemm_pack
   * lay them out.
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
      window = g[Conv.IN_PER_GROUP] * rows * wide + WINDOW_SLACK;
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

  /**
   * Whether the C kernels compute this convolution as Winograd's F(2x2, 3x3) in integers
   * ({@code zp_CGemm_winograd}): 3 x 3, stride 1, dilation 1, one group, more than one output
   * channel, 8-bit input whose zero point keeps |x - zp| <= 255 (u8 with zp in [0, 255], i8 with zp
   * in [-128, 127]), and for every output channel 255 * (the sum of its |centered weights|) < 2^29:
   * then every exact sum S (bias not included) has |4 S| < 2^31, the bound the kernel's int32
   * output transform needs. Elsewhere the direct kernel runs.
   */
  public static boolean winogradApplies(int[] wc, int[] g, boolean signed, int inputZeroPoint) {
    if (g[Conv.KERNEL_H] != 3 || g[Conv.KERNEL_W] != 3 || g[Conv.STRIDE_H] != 1 || g[Conv.STRIDE_W] != 1
        || g[Conv.DILATION_H] != 1 || g[Conv.DILATION_W] != 1 || g[Conv.IN_PER_GROUP] != g[Conv.IN_CHANNELS]
        || g[Conv.OUT_PER_GROUP] != g[Conv.OUT_CHANNELS] || g[Conv.OUT_CHANNELS] < 2 || !applies(wc)) {
      return false;
    }
    if (signed ? inputZeroPoint < -128 || inputZeroPoint > 127 : inputZeroPoint < 0 || inputZeroPoint > 255) {
      return false;
    }
    int k = g[Conv.IN_CHANNELS] * 9;
    for (int o = 0; o < g[Conv.OUT_CHANNELS]; o++) {
      long sum = 0;
      for (int i = 0; i < k; i++) {
        sum += Math.abs(wc[o * k + i]);
      }
      if (255 * sum >= 1L << 29) {
        return false;
      }
    }
    return true;
  }

  /**
   * U = G' w G'^T for each output and input channel, G' = [2 0 0; 1 1 1; 1 -1 1; 0 0 2] (twice
   * Winograd's G): as [xi = 4 * row + column][out channel][in channel], each |U| <= 9 * 255.
   */
  public static int[] winogradTransform(int[] wc, int outChannels, int inChannels) {
    int[][] gp = {{2, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 2}};
    int[] u = new int[16 * outChannels * inChannels];
    for (int o = 0; o < outChannels; o++) {
      for (int c = 0; c < inChannels; c++) {
        int base = (o * inChannels + c) * 9;
        for (int a = 0; a < 4; a++) {
          for (int b = 0; b < 4; b++) {
            int s = 0;
            for (int i = 0; i < 3; i++) {
              for (int j = 0; j < 3; j++) {
                s += gp[a][i] * wc[base + i * 3 + j] * gp[b][j];
              }
            }
            u[((a * 4 + b) * outChannels + o) * inChannels + c] = s;
          }
        }
      }
    }
    return u;
  }

  /** The 16 U's of {@link #winogradTransform}, each packed as {@link #packWeights} packs a 1 x 1 convolution's weights. */
  public static short[] winogradWeights(int[] wc, int[] g) {
    int out = g[Conv.OUT_CHANNELS], in = g[Conv.IN_CHANNELS];
    int[] u = winogradTransform(wc, out, in);
    int[] pointwise = {1, in, 1, 1, out, in, out, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1};
    int per = ((out + MR - 1) / MR) * ((in + 1) / 2) * MR * 2;
    short[] packed = new short[16 * per];
    for (int xi = 0; xi < 16; xi++) {
      short[] p = packWeights(java.util.Arrays.copyOfRange(u, xi * out * in, (xi + 1) * out * in), pointwise);
      System.arraycopy(p, 0, packed, xi * per, per);
    }
    return packed;
  }

  /**
   * Elements after a chunk's window that vector loads past its last row may read: zp_CGemm_pack's
   * (whose values it never uses) and zp_CGemm_winogradPack's (which zeroes them).
   */
  static final int WINDOW_SLACK = 32;

  /** 2 x 2 tiles per chunk of the Winograd kernel: as many as keep its 16 panels within {@link #PANEL_BUDGET}, a multiple of 16, 16 to 256. */
  public static int winogradChunk(int[] g) {
    long perTile = 16L * ((g[Conv.IN_CHANNELS] + 1) / 2) * 2 * 2;
    long fits = PANEL_BUDGET / Math.max(1, perTile) / NR * NR;
    return (int) Math.max(NR, Math.min(CHUNK, fits));
  }

  /**
   * Elements (int16) of one part's panel for the Winograd kernel with chunks of {@code chunk}
   * tiles, as zp_CGemm_winograd lays it out: 16 panels of transformed tiles, then the window of
   * input rows a chunk reads and {@link #WINDOW_SLACK} elements that the transform's whole-vector
   * reads past the window's last row may touch.
   */
  public static int winogradPanelElements(int[] g, int chunk) {
    int pairs = (g[Conv.IN_CHANNELS] + 1) / 2;
    int tilesH = (g[Conv.OUT_H] + 1) / 2, tilesW = (g[Conv.OUT_W] + 1) / 2;
    int tiles = tilesH * tilesW;
    int columns = Math.min(tiles, chunk);
    long panels = 16L * ((columns + NR - 1) / NR) * pairs * NR * 2;
    long window = 0;
    if (columns > 0) {
      long tileRows = Math.min(tilesH, (columns - 1) / tilesW + 2);
      window = (long) g[Conv.IN_CHANNELS] * (2 * tileRows + 2) * (2L * tilesW + 2) + WINDOW_SLACK;
    }
    return Math.toIntExact(Math.max(1, panels + window));
  }
}
