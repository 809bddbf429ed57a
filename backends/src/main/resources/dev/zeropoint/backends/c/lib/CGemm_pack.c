/* CGemm.pack: packs count (<= the chunk) output positions from start of batch item b and group grp
   into the panel as int16: the input taps minus the input zero point, 0 outside the input, tap kk
   of position n at panel[((n / 16 * pairs + kk / 2) * 16 + n % 16) * 2 + kk % 2], zero past the last
   position of the last tile and past the last tap. x is u8, or i8 when xSigned. The input rows the
   chunk reads are first copied to window, centered and padded with zeros (as many elements as the
   compiler's CGemm.panelElements counts), so that packing a tap is one load. A 1 x 1 convolution
   with stride 1 and no padding reads position n of the chunk at input position start + n of every
   channel: its taps are copied a channel pair and tile at a time, in loops the compiler vectorizes.
   With AVX2, a tile of 16 positions in one output row with column stride 1 or 2 is packed in
   vector loads, which may read one element past the window (the compiler counts slack for it).
   requires: CGemm_Geometry CGemm_window */
#if defined(__AVX2__)
#include <immintrin.h>
#endif
static inline void zp_CGemm_pack(int16_t *panel, int16_t *window, const void *x, int32_t xSigned,
    const zp_CGemm_Geometry *g, int32_t b, int32_t grp, int32_t start, int32_t count, int32_t inputZeroPoint) {
  const int32_t inPerGroup = g->inPerGroup, kernelH = g->kernelH, kernelW = g->kernelW;
  const int32_t height = g->height, width = g->width, outW = g->outW, strideH = g->strideH, strideW = g->strideW;
  const int32_t dilationH = g->dilationH, dilationW = g->dilationW, padTop = g->padTop, padLeft = g->padLeft;
  const int32_t pairs = (inPerGroup * kernelH * kernelW + 1) / 2;
  const int32_t tiles = (count + 15) / 16;
  const size_t inPlane = (size_t) height * width;
  const size_t first = ((size_t) b * g->inChannels + (size_t) grp * inPerGroup) * inPlane;
  const uint8_t *xu = (const uint8_t *) x + first;
  const int8_t *xs = (const int8_t *) x + first;
  int32_t tile;
  if (kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0
      && g->outH == height && outW == width) {
    for (tile = 0; tile < tiles; tile++) {
      const int32_t n0 = tile * 16;
      const int32_t cols = count - n0 < 16 ? count - n0 : 16;
      int32_t p, c;
      for (p = 0; p < pairs; p++) {
        int16_t *d = panel + ((size_t) tile * pairs + p) * 32;
        const size_t at = (size_t) (2 * p) * inPlane + (size_t) start + n0;
        if (cols == 16 && 2 * p + 1 < inPerGroup) {
#if defined(__AVX2__)
          /* The two channels' 16 bytes widened, minus the zero point, interleaved. */
          const __m128i *ca = (const __m128i *) (const void *) (xSigned ? (const void *) (xs + at) : (const void *) (xu + at));
          const __m128i *cb = (const __m128i *) (const void *) (xSigned ? (const void *) (xs + at + inPlane)
              : (const void *) (xu + at + inPlane));
          const __m256i z = _mm256_set1_epi16((int16_t) inputZeroPoint);
          const __m256i a = _mm256_sub_epi16(xSigned ? _mm256_cvtepi8_epi16(_mm_loadu_si128(ca))
              : _mm256_cvtepu8_epi16(_mm_loadu_si128(ca)), z);
          const __m256i bb = _mm256_sub_epi16(xSigned ? _mm256_cvtepi8_epi16(_mm_loadu_si128(cb))
              : _mm256_cvtepu8_epi16(_mm_loadu_si128(cb)), z);
          const __m256i lo = _mm256_unpacklo_epi16(a, bb), hi = _mm256_unpackhi_epi16(a, bb);
          _mm256_storeu_si256((__m256i *) (void *) d, _mm256_permute2x128_si256(lo, hi, 0x20));
          _mm256_storeu_si256((__m256i *) (void *) (d + 16), _mm256_permute2x128_si256(lo, hi, 0x31));
          continue;
#endif
          if (xSigned) {
            for (c = 0; c < 16; c++) {
              d[c * 2] = (int16_t) ((int32_t) xs[at + c] - inputZeroPoint);
              d[c * 2 + 1] = (int16_t) ((int32_t) xs[at + inPlane + c] - inputZeroPoint);
            }
          } else {
            for (c = 0; c < 16; c++) {
              d[c * 2] = (int16_t) ((int32_t) xu[at + c] - inputZeroPoint);
              d[c * 2 + 1] = (int16_t) ((int32_t) xu[at + inPlane + c] - inputZeroPoint);
            }
          }
          continue;
        }
        for (c = 0; c < 16; c++) {
          int32_t v0 = 0, v1 = 0;
          if (c < cols) {
            v0 = (xSigned ? (int32_t) xs[at + c] : (int32_t) xu[at + c]) - inputZeroPoint;
            if (2 * p + 1 < inPerGroup) {
              v1 = (xSigned ? (int32_t) xs[at + inPlane + c] : (int32_t) xu[at + inPlane + c]) - inputZeroPoint;
            }
          }
          d[c * 2] = (int16_t) v0;
          d[c * 2 + 1] = (int16_t) v1;
        }
      }
    }
    return;
  }
  {
    /* The input rows the chunk reads (zp_CGemm_window). */
    const int32_t ohFirst = start / outW, ohLast = (start + count - 1) / outW;
    const int32_t ihFirst = ohFirst * strideH - padTop;
    const int32_t rows = (ohLast - ohFirst) * strideH + (kernelH - 1) * dilationH + 1;
    const int32_t wide = (outW - 1) * strideW + (kernelW - 1) * dilationW + 1;
    const size_t channel = (size_t) rows * wide;
    int32_t ci;
    zp_CGemm_window(window, xu, xs, xSigned, inPerGroup, height, width, ihFirst, padLeft, rows, wide,
        inputZeroPoint, 0);
    /* Each tap of each position: one load from the window at tap offset + position offset. */
    for (tile = 0; tile < tiles; tile++) {
      int16_t *dst = panel + (size_t) tile * pairs * 32;
      const int32_t cols = count - tile * 16 < 16 ? count - tile * 16 : 16;
      int32_t position[16];
      int32_t c, kk = 0, kh, kw;
      for (c = 0; c < cols; c++) {
        const int32_t n = start + tile * 16 + c;
        position[c] = (n / outW - ohFirst) * strideH * wide + (n % outW) * strideW;
      }
#if defined(__AVX2__)
      /* A whole tile in one output row with column stride 1 or 2: each pair of taps' 16 positions in
         vector loads, interleaved as the pair's two int16 per position (stride 2: the even elements
         of 32, the window's slack covering the last odd one). */
      if (cols == 16 && (strideW == 1 || strideW == 2) && (start + tile * 16) % outW + 16 <= outW) {
        const int16_t *base = window + position[0];
        int32_t p;
        ci = 0;
        kh = 0;
        kw = 0;
        for (p = 0; p < pairs; p++) {
          const int16_t *t[2] = {NULL, NULL};
          __m256i v[2][2];
          int32_t h;
          for (h = 0; h < 2 && 2 * p + h < kernelH * kernelW * inPerGroup; h++) {
            t[h] = base + ci * channel + (size_t) kh * dilationH * wide + (size_t) kw * dilationW;
            if (++kw == kernelW) {
              kw = 0;
              if (++kh == kernelH) {
                kh = 0;
                ci++;
              }
            }
          }
          for (h = 0; h < 2; h++) {
            v[h][0] = t[h] == NULL ? _mm256_setzero_si256()
                : _mm256_loadu_si256((const __m256i *) (const void *) t[h]);
            v[h][1] = t[h] == NULL || strideW == 1 ? _mm256_setzero_si256()
                : _mm256_loadu_si256((const __m256i *) (const void *) (t[h] + 16));
          }
          if (strideW == 1) {
            const __m256i lo = _mm256_unpacklo_epi16(v[0][0], v[1][0]), hi = _mm256_unpackhi_epi16(v[0][0], v[1][0]);
            _mm256_storeu_si256((__m256i *) (void *) (dst + p * 32), _mm256_permute2x128_si256(lo, hi, 0x20));
            _mm256_storeu_si256((__m256i *) (void *) (dst + p * 32 + 16), _mm256_permute2x128_si256(lo, hi, 0x31));
          } else {
            _mm256_storeu_si256((__m256i *) (void *) (dst + p * 32),
                _mm256_blend_epi16(v[0][0], _mm256_slli_epi32(v[1][0], 16), 0xAA));
            _mm256_storeu_si256((__m256i *) (void *) (dst + p * 32 + 16),
                _mm256_blend_epi16(v[0][1], _mm256_slli_epi32(v[1][1], 16), 0xAA));
          }
        }
        continue;
      }
#endif
      for (ci = 0; ci < inPerGroup; ci++) {
        for (kh = 0; kh < kernelH; kh++) {
          for (kw = 0; kw < kernelW; kw++, kk++) {
            const int16_t *tap = window + ci * channel + (size_t) kh * dilationH * wide + (size_t) kw * dilationW;
            int16_t *d = dst + (kk / 2) * 32 + kk % 2;
            for (c = 0; c < cols; c++) {
              d[c * 2] = tap[position[c]];
            }
            for (c = cols; c < 16; c++) {
              d[c * 2] = 0;
            }
          }
        }
      }
      if (kk < 2 * pairs) {
        for (c = 0; c < 16; c++) {
          dst[(kk / 2) * 32 + c * 2 + 1] = 0;
        }
      }
    }
  }
}
