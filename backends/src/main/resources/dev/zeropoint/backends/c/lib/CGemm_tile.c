/* CGemm.tile: a 6 x 16 tile of sums, acc[r][c] = the sum over pairs p of wb[p][r][0] * pt[p][c][0]
   + wb[p][r][1] * pt[p][c][1], wrapping as Java's int. pt is a tile of the panel ([pair][16][2]), wb
   a block of packed weights ([pair][6][2]). With AVX2 (-mavx2, -march=x86-64-v3) one vpmaddwd per 8
   sums and pair, else plain C on the same layout: every product fits int16 x int16 and every pair
   sum int32, as vpmaddwd requires, because the packed inputs and weights lie in [-255, 255]. */
#if defined(__AVX2__)
#include <immintrin.h>
#endif
static inline void zp_CGemm_tile(int32_t acc[6][16], const int16_t *pt, const int16_t *wb, int32_t pairs) {
  int32_t r, p;
#if defined(__AVX2__)
  __m256i a[6][2];
  for (r = 0; r < 6; r++) {
    a[r][0] = _mm256_setzero_si256();
    a[r][1] = _mm256_setzero_si256();
  }
  for (p = 0; p < pairs; p++) {
    const __m256i x0 = _mm256_loadu_si256((const __m256i *) (const void *) (pt + p * 32));
    const __m256i x1 = _mm256_loadu_si256((const __m256i *) (const void *) (pt + p * 32 + 16));
    const int16_t *wp = wb + p * 12;
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
#else
  uint32_t u[6][16];
  int32_t c;
  for (r = 0; r < 6; r++) {
    for (c = 0; c < 16; c++) {
      u[r][c] = 0;
    }
  }
  for (p = 0; p < pairs; p++) {
    const int16_t *xp = pt + p * 32;
    const int16_t *wp = wb + p * 12;
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
#endif
}
