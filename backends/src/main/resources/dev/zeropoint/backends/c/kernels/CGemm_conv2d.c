/* CGemm.conv2d: conv2d_acc (Conv.conv2dAcc's sums, exactly) as a matrix product on int16 pairs,
   for convolutions with several output channels per group. No Java twin: tested against
   Conv.conv2dAcc. For each batch item, group and chunk of at most 256 output positions, the input
   taps minus the input zero point (0 outside the input) are packed into the scratch panel as int16,
   [tile of 16 positions][pair of taps][16][2]; the weights come packed by the compiler as int16,
   [group][block of 6 output channels][pair of taps][6][2], zero past the end. A 6 x 16 tile of
   accumulators (wrapping, as Java's int) then sums w0 * x0 + w1 * x1 per pair: with AVX2 (-mavx2, -march=x86-64-v3) one
   vpmaddwd per 8 accumulators, else plain C on the same layout. Every product fits int16 x int16
   and every pair sum int32, as vpmaddwd requires: the inputs minus their zero point lie in
   [-255, 255] and the centered weights in [-255, 255]. */
#if defined(__AVX2__)
#include <immintrin.h>
#endif
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *w, int32_t w_n,
    const $T3 *bias, int32_t bias_n, const $T4 *g, int32_t g_n, $T5 *panel, int32_t panel_n, int32_t chunk,
    int32_t inputZeroPoint) {
  const int32_t batch = g[0], inChannels = g[1], height = g[2], width = g[3], outChannels = g[4];
  const int32_t inPerGroup = g[5], outPerGroup = g[6], kernelH = g[7], kernelW = g[8], outH = g[9], outW = g[10];
  const int32_t strideH = g[11], strideW = g[12], padTop = g[13], padLeft = g[14], dilationH = g[15];
  const int32_t dilationW = g[16];
  const int32_t k = inPerGroup * kernelH * kernelW;
  const int32_t pairs = (k + 1) / 2;
  const int32_t blocks = (outPerGroup + 5) / 6;
  const int32_t plane = outH * outW;
  const int32_t groups = outPerGroup == 0 ? 0 : outChannels / outPerGroup;
  int32_t b, grp, start;
  (void) out_n;
  (void) x_n;
  (void) w_n;
  (void) bias_n;
  (void) g_n;
  (void) panel_n;
  for (b = 0; b < batch; b++) {
    for (grp = 0; grp < groups; grp++) {
      for (start = 0; start < plane; start += chunk) {
        const int32_t count = plane - start < chunk ? plane - start : chunk;
        const int32_t tiles = (count + 15) / 16;
        int32_t tile, blk;
        /* Pack the chunk: tap kk of position n at panel[((tile * pairs + kk / 2) * 16 + n % 16) * 2 + kk % 2]. */
        for (tile = 0; tile < tiles; tile++) {
          $T5 *dst = panel + (size_t) tile * pairs * 32;
          int32_t c;
          for (c = 0; c < 16; c++) {
            const int32_t n = tile * 16 + c;
            int32_t kk = 0, ci, kh, kw;
            if (n >= count) {
              for (kk = 0; kk < 2 * pairs; kk++) {
                dst[(kk / 2) * 32 + c * 2 + kk % 2] = 0;
              }
              continue;
            }
            {
              const int32_t oh = (start + n) / outW, ow = (start + n) % outW;
              for (ci = 0; ci < inPerGroup; ci++) {
                const $T1 *xc = x + ((size_t) (b * inChannels + grp * inPerGroup + ci)) * height * width;
                for (kh = 0; kh < kernelH; kh++) {
                  const int32_t ih = oh * strideH + kh * dilationH - padTop;
                  for (kw = 0; kw < kernelW; kw++, kk++) {
                    const int32_t iw = ow * strideW + kw * dilationW - padLeft;
                    int32_t v = 0;
                    if (ih >= 0 && ih < height && iw >= 0 && iw < width) {
                      v = (int32_t) xc[ih * width + iw] - inputZeroPoint;
                    }
                    dst[(kk / 2) * 32 + c * 2 + kk % 2] = ($T5) v;
                  }
                }
              }
              if (kk < 2 * pairs) {
                dst[(kk / 2) * 32 + c * 2 + 1] = 0;
              }
            }
          }
        }
        for (blk = 0; blk < blocks; blk++) {
          const $T2 *wb = w + ((size_t) grp * blocks + blk) * pairs * 12;
          const int32_t o0 = grp * outPerGroup + blk * 6;
          const int32_t rows = outPerGroup - blk * 6 < 6 ? outPerGroup - blk * 6 : 6;
          for (tile = 0; tile < tiles; tile++) {
            const $T5 *pt = panel + (size_t) tile * pairs * 32;
            const int32_t cols = count - tile * 16 < 16 ? count - tile * 16 : 16;
            int32_t acc[6][16];
            int32_t r, c, p;
#if defined(__AVX2__)
            {
              __m256i a[6][2];
              for (r = 0; r < 6; r++) {
                a[r][0] = _mm256_setzero_si256();
                a[r][1] = _mm256_setzero_si256();
              }
              for (p = 0; p < pairs; p++) {
                const __m256i x0 = _mm256_loadu_si256((const __m256i *) (const void *) (pt + p * 32));
                const __m256i x1 = _mm256_loadu_si256((const __m256i *) (const void *) (pt + p * 32 + 16));
                const $T2 *wp = wb + p * 12;
                for (r = 0; r < 6; r++) {
                  int32_t pair;
                  __m256i wv;
                  memcpy(&pair, wp + r * 2, 4);
                  wv = _mm256_set1_epi32(pair);
                  a[r][0] = _mm256_add_epi32(a[r][0], _mm256_madd_epi16(x0, wv));
                  a[r][1] = _mm256_add_epi32(a[r][1], _mm256_madd_epi16(x1, wv));
                }
              }
              for (r = 0; r < 6; r++) {
                _mm256_storeu_si256((__m256i *) (void *) acc[r], a[r][0]);
                _mm256_storeu_si256((__m256i *) (void *) (acc[r] + 8), a[r][1]);
              }
            }
#else
            {
              uint32_t u[6][16];
              for (r = 0; r < 6; r++) {
                for (c = 0; c < 16; c++) {
                  u[r][c] = 0;
                }
              }
              for (p = 0; p < pairs; p++) {
                const $T5 *xp = pt + p * 32;
                const $T2 *wp = wb + p * 12;
                for (r = 0; r < 6; r++) {
                  const int32_t w0 = wp[r * 2], w1 = wp[r * 2 + 1];
                  for (c = 0; c < 16; c++) {
                    u[r][c] += (uint32_t) (w0 * (int32_t) xp[c * 2] + w1 * (int32_t) xp[c * 2 + 1]);
                  }
                }
              }
              for (r = 0; r < 6; r++) {
                for (c = 0; c < 16; c++) {
                  acc[r][c] = (int32_t) u[r][c];
                }
              }
            }
#endif
            for (r = 0; r < rows; r++) {
              $T0 *dst = out + ((size_t) b * outChannels + o0 + r) * plane + start + tile * 16;
              const int32_t bv = (int32_t) bias[o0 + r];
              for (c = 0; c < cols; c++) {
                dst[c] = ($T0) (int32_t) ((uint32_t) bv + (uint32_t) acc[r][c]);
              }
            }
          }
        }
      }
    }
  }
}
