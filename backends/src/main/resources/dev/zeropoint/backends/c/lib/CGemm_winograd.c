/* CGemm.winograd: a 3 x 3 convolution with stride 1, dilation 1 and one group as Winograd's
   F(2x2, 3x3) in exact integers, part of parts of it; called by the matrix-product kernels in place
   of zp_CGemm_run (same store), when the compiler's CGemm.winogradApplies holds. Each 2 x 2 tile of
   outputs (tile t of a plane: tile row t / tilesW, column t % tilesW, tilesW = (outW + 1) / 2) reads
   a 4 x 4 tile d of the input minus its zero point (0 outside the input) and its sums are
   Y = A^T (sum over ci of U[ci] . V[ci]) A / 4, where V = B^T d B and U = G' w G'^T (G' = 2 G, an
   integer matrix: the compiler's CGemm.winogradWeights), an identity of integers:
   A^T (U . V) A = 4 x the 3 x 3 sums. So the 16 entries xi of the tiles are 16 matrix products
   M[xi] = U[xi] (out x in) times V[xi] (in x tiles), on the int16-pair tile of zp_CGemm_tile:
   |V| <= 4 * 255 and |U| <= 9 * 255 fit int16, as the tile needs. M wraps modulo 2^32 and so does
   the output transform, a sum of M's with signs; the compiler checked that every exact sum S has
   |4 S| < 2^31, so 4 S mod 2^32 read as int32 is 4 S itself, and S = that / 4 exactly; store adds
   the bias (wrapping, as the model's int32 accumulator does).
   Work items: (batch item, chunk of at most chunkMax tiles, a multiple of 16, block of 6 output
   channels), split in parts contiguous ranges; a chunk is transformed into this part's share of
   the panel when first needed: the 16 panels of V ([group of 16 tiles][pair of channels][16][2],
   as zp_CGemm_pack lays out taps), then the window of input rows the chunk reads, centered and
   zero-padded (the compiler's CGemm.winogradPanelElements). w holds the 16 U's packed as
   CGemm.packWeights packs a 1 x 1 convolution's weights, one after the other.
   requires: CGemm_Geometry CGemm_tile CGemm_window */
/* The 16 panels of V for count tiles from t0 of batch item b: for each group of 16 tiles and pair of
   channels, each run of tiles within one tile row transformed 16 lanes at a time (t = d B over the
   run's columns, then V = B^T t, in int16: |V| <= 4 * 255), into lanes c.. of a buffer whose lanes
   past the run the next run overwrites; lanes past the group's last tile are zeroed; then each of
   the 16 entries stored as the pair's two int16 per lane. */
static inline void zp_CGemm_winogradPack(int16_t *panel, int32_t panelStride, int16_t *window, const void *x,
    int32_t xSigned, const zp_CGemm_Geometry *g, int32_t b, int32_t t0, int32_t count, int32_t inputZeroPoint) {
  const int32_t inChannels = g->inChannels, height = g->height, width = g->width;
  const int32_t tilesW = (g->outW + 1) / 2, pairs = (inChannels + 1) / 2;
  const int32_t thFirst = t0 / tilesW, thLast = (t0 + count - 1) / tilesW;
  const int32_t rows = 2 * (thLast - thFirst) + 4, wide = 2 * tilesW + 2, half = tilesW + 1;
  const int32_t ihFirst = 2 * thFirst - g->padTop;
  const size_t inPlane = (size_t) height * width, channel = (size_t) rows * wide;
  const size_t first = (size_t) b * inChannels * inPlane;
  const uint8_t *xu = (const uint8_t *) x + first;
  const int8_t *xs = (const int8_t *) x + first;
  const int32_t groups = (count + 15) / 16;
  int32_t grp, i;
  /* The window, its rows split by column parity, then 32 zeros of slack (the compiler's
     CGemm.WINDOW_SLACK), which the transform's whole-vector reads past a run may touch. */
  zp_CGemm_window(window, xu, xs, xSigned, inChannels, height, width, ihFirst, g->padLeft, rows, wide,
      inputZeroPoint, 1);
  for (i = 0; i < 32; i++) {
    window[(size_t) inChannels * channel + i] = 0;
  }
  for (grp = 0; grp < groups; grp++) {
    const int32_t cols = count - grp * 16 < 16 ? count - grp * 16 : 16;
    int32_t p;
    for (p = 0; p < pairs; p++) {
      int16_t v[2][16][32];
      int32_t ch, c, xi, k;
      for (ch = 0; ch < 2; ch++) {
        const int32_t cc = 2 * p + ch;
        if (cc >= inChannels) {
          for (xi = 0; xi < 16; xi++) {
            for (k = 0; k < 16; k++) {
              v[ch][xi][k] = 0;
            }
          }
          continue;
        }
        for (c = 0; c < cols;) {
          const int32_t t = t0 + grp * 16 + c, th = t / tilesW, tw = t % tilesW;
          const int32_t n = cols - c < tilesW - tw ? cols - c : tilesW - tw;
          const int16_t *r0 = window + cc * channel + (size_t) (2 * (th - thFirst)) * wide + tw;
#if defined(__AVX2__)
          {
            __m256i h[4][4];
            int32_t a, j;
            for (a = 0; a < 4; a++) {
              const int16_t *e = r0 + (size_t) a * wide, *o = e + half;
              const __m256i d0 = _mm256_loadu_si256((const __m256i *) (const void *) e);
              const __m256i d1 = _mm256_loadu_si256((const __m256i *) (const void *) o);
              const __m256i d2 = _mm256_loadu_si256((const __m256i *) (const void *) (e + 1));
              const __m256i d3 = _mm256_loadu_si256((const __m256i *) (const void *) (o + 1));
              h[a][0] = _mm256_sub_epi16(d0, d2);
              h[a][1] = _mm256_add_epi16(d1, d2);
              h[a][2] = _mm256_sub_epi16(d2, d1);
              h[a][3] = _mm256_sub_epi16(d1, d3);
            }
            for (j = 0; j < 4; j++) {
              _mm256_storeu_si256((__m256i *) (void *) &v[ch][j][c], _mm256_sub_epi16(h[0][j], h[2][j]));
              _mm256_storeu_si256((__m256i *) (void *) &v[ch][4 + j][c], _mm256_add_epi16(h[1][j], h[2][j]));
              _mm256_storeu_si256((__m256i *) (void *) &v[ch][8 + j][c], _mm256_sub_epi16(h[2][j], h[1][j]));
              _mm256_storeu_si256((__m256i *) (void *) &v[ch][12 + j][c], _mm256_sub_epi16(h[1][j], h[3][j]));
            }
          }
#else
          {
            int16_t h[4][4][16];
            int32_t a, j;
            for (a = 0; a < 4; a++) {
              const int16_t *e = r0 + (size_t) a * wide, *o = e + half;
              for (k = 0; k < 16; k++) {
                const int32_t d0 = e[k], d1 = o[k], d2 = e[k + 1], d3 = o[k + 1];
                h[a][0][k] = (int16_t) (d0 - d2);
                h[a][1][k] = (int16_t) (d1 + d2);
                h[a][2][k] = (int16_t) (d2 - d1);
                h[a][3][k] = (int16_t) (d1 - d3);
              }
            }
            for (j = 0; j < 4; j++) {
              for (k = 0; k < 16; k++) {
                v[ch][j][c + k] = (int16_t) (h[0][j][k] - h[2][j][k]);
                v[ch][4 + j][c + k] = (int16_t) (h[1][j][k] + h[2][j][k]);
                v[ch][8 + j][c + k] = (int16_t) (h[2][j][k] - h[1][j][k]);
                v[ch][12 + j][c + k] = (int16_t) (h[1][j][k] - h[3][j][k]);
              }
            }
          }
#endif
          c += n;
        }
        for (xi = 0; xi < 16; xi++) {
          for (k = cols; k < 16; k++) {
            v[ch][xi][k] = 0;
          }
        }
      }
      for (xi = 0; xi < 16; xi++) {
        int16_t *d = panel + (size_t) xi * panelStride + ((size_t) grp * pairs + p) * 32;
#if defined(__AVX2__)
        const __m256i a0 = _mm256_loadu_si256((const __m256i *) (const void *) v[0][xi]);
        const __m256i a1 = _mm256_loadu_si256((const __m256i *) (const void *) v[1][xi]);
        const __m256i lo = _mm256_unpacklo_epi16(a0, a1), hi = _mm256_unpackhi_epi16(a0, a1);
        _mm256_storeu_si256((__m256i *) (void *) d, _mm256_permute2x128_si256(lo, hi, 0x20));
        _mm256_storeu_si256((__m256i *) (void *) (d + 16), _mm256_permute2x128_si256(lo, hi, 0x31));
#else
        for (k = 0; k < 16; k++) {
          d[2 * k] = v[0][xi][k];
          d[2 * k + 1] = v[1][xi][k];
        }
#endif
      }
    }
  }
}

static inline void zp_CGemm_winograd(const zp_CGemm_Geometry *g, const void *x, int32_t xSigned, const int16_t *w,
    int16_t *panel, int32_t panel_n, int32_t chunkMax, int32_t inputZeroPoint, int32_t part, int32_t parts,
    void (*store)(void *context, int32_t acc[6][16], int32_t b, int32_t o0, int32_t rows, int32_t position,
        int32_t cols), void *context) {
  const int32_t pairs = (g->inChannels + 1) / 2;
  const int32_t blocks = (g->outChannels + 5) / 6;
  const int32_t outH = g->outH, outW = g->outW, tilesW = (outW + 1) / 2;
  const int32_t tiles = (outH + 1) / 2 * tilesW;
  /* More parts than batch items: chunks no larger than a part's share of the tiles (a multiple of
     16), so that two parts do not both transform the same chunk; a smaller chunk's panels and window
     fit in the space counted for chunkMax. The sums do not depend on the chunk. */
  const int32_t share = (tiles + parts - 1) / parts;
  const int32_t chunk = g->batch < parts && (share + 15) / 16 * 16 < chunkMax ? (share + 15) / 16 * 16 : chunkMax;
  const int64_t chunks = tiles <= 0 ? 0 : ((int64_t) tiles + chunk - 1) / chunk;
  const int64_t items = (int64_t) g->batch * chunks * blocks;
  const int64_t first = items * part / parts, last = items * (part + 1) / parts;
  const int32_t panelStride = ((tiles < chunk ? tiles : chunk) + 15) / 16 * pairs * 32;
  int64_t item, packed = -1;
  int16_t *window;
  panel += (size_t) part * (size_t) (panel_n / parts);
  window = panel + (size_t) 16 * panelStride;
  for (item = first; item < last; item++) {
    const int64_t unit = item / blocks; /* b * chunks + chunk index */
    const int32_t blk = (int32_t) (item % blocks);
    const int32_t b = (int32_t) (unit / chunks);
    const int32_t t0 = (int32_t) (unit % chunks) * chunk;
    const int32_t count = tiles - t0 < chunk ? tiles - t0 : chunk;
    const int32_t o0 = blk * 6;
    const int32_t rows = g->outChannels - o0 < 6 ? g->outChannels - o0 : 6;
    int32_t grp;
    if (unit != packed) {
      zp_CGemm_winogradPack(panel, panelStride, window, x, xSigned, g, b, t0, count, inputZeroPoint);
      packed = unit;
    }
    for (grp = 0; grp * 16 < count; grp++) {
      int32_t m[16][6][16], y[6][4][16], acc[6][16];
      const int32_t n = count - grp * 16 < 16 ? count - grp * 16 : 16;
      int32_t xi, r, c, i;
      for (xi = 0; xi < 16; xi++) {
        zp_CGemm_tile(m[xi], panel + (size_t) xi * panelStride + (size_t) grp * pairs * 32,
            w + ((size_t) xi * blocks + blk) * pairs * 12, pairs);
      }
      /* Y' = A^T M A, A^T = [1 1 1 0; 0 1 -1 -1], modulo 2^32; then Y = Y' / 4, exact. */
      for (r = 0; r < 6; r++) {
        for (c = 0; c < 16; c++) {
          uint32_t z[2][4];
          int32_t k;
          for (k = 0; k < 4; k++) {
            const uint32_t m0 = (uint32_t) m[k][r][c], m1 = (uint32_t) m[4 + k][r][c];
            const uint32_t m2 = (uint32_t) m[8 + k][r][c], m3 = (uint32_t) m[12 + k][r][c];
            z[0][k] = m0 + m1 + m2;
            z[1][k] = m1 - m2 - m3;
          }
          for (k = 0; k < 2; k++) {
            y[r][2 * k][c] = (int32_t) (z[k][0] + z[k][1] + z[k][2]) / 4;
            y[r][2 * k + 1][c] = (int32_t) (z[k][1] - z[k][2] - z[k][3]) / 4;
          }
        }
      }
      /* Each run of tiles in one tile row gives two output rows' contiguous columns: stored in
         pieces of at most 16 positions. */
      for (c = 0; c < n;) {
        const int32_t t = t0 + grp * 16 + c, th = t / tilesW, tw = t % tilesW;
        const int32_t len = n - c < tilesW - tw ? n - c : tilesW - tw;
        for (i = 0; i < 2 && 2 * th + i < outH; i++) {
          const int32_t col0 = 2 * tw;
          const int32_t cols = 2 * len < outW - col0 ? 2 * len : outW - col0;
          int32_t k0, k;
          for (k0 = 0; k0 < cols; k0 += 16) {
            const int32_t kc = cols - k0 < 16 ? cols - k0 : 16;
            for (r = 0; r < rows; r++) {
              for (k = 0; k < kc; k++) {
                acc[r][k] = y[r][2 * i + (k0 + k) % 2][c + (k0 + k) / 2];
              }
            }
            store(context, acc, b, o0, rows, (2 * th + i) * outW + col0 + k0, kc);
          }
        }
        c += len;
      }
    }
  }
}
