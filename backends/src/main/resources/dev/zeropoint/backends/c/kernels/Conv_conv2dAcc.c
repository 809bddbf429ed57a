/* Conv.conv2dAcc: out[b, o, oh, ow] = bias[o] + the sum over (ci, kh, kw) of the taps inside the
   input of (x - inputZeroPoint) * wc, int32 with wrap-around (summed in uint32_t, as Java's int
   wraps). x is [batch, inChannels, height, width], wc the weights minus their zero points
   [outChannels, inPerGroup, kernelH, kernelW], g the geometry array indexed as Conv's constants
   (BATCH 0, IN_CHANNELS 1, HEIGHT 2, WIDTH 3, OUT_CHANNELS 4, IN_PER_GROUP 5, OUT_PER_GROUP 6,
   KERNEL_H 7, KERNEL_W 8, OUT_H 9, OUT_W 10, STRIDE_H 11, STRIDE_W 12, PAD_TOP 13, PAD_LEFT 14,
   DILATION_H 15, DILATION_W 16). As in the Java, each output row is summed in a row of
   accumulators, here in chunks of 64 columns.
   With AVX2 (-mavx2, -march=x86-64-v3), one input channel per group (depthwise), 1-byte inputs, an
   int32 output, the output channel's weights in int16 and |inputZeroPoint| <= 32512, the rows are
   summed 16 lanes at a time on int16 pairs instead: 16 columns of one row, or 8 of each of two
   rows when the rows have at most 8. The input a band of output rows reads is first converted to
   x - inputZeroPoint (in [-32640, 32767]), 0 in the padding, its rows and columns split by
   strideH and strideW into phases, so that a tap reads consecutive int16 for consecutive output
   columns, at a distance of one row for the next output row. The nonzero taps are taken two by
   two, their values interleaved, and vpmaddwd adds w0 * v0 + w1 * v1 to int32 lanes that start at
   the bias: exact, as each product is below 2^30 in magnitude and their sum fits int32, and the
   lanes wrap as Java's int. Lanes past the row are computed from zeros or unused columns and not
   stored. Other geometries and types take the scalar path.
   This call does part of parts: the part-th of parts contiguous ranges of the (batch item, output
   channel) planes.
   requires: Java_l2i */
#if defined(__AVX2__)
#include <immintrin.h>
#endif
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *wc, int32_t wc_n,
    const $T3 *bias, int32_t bias_n, const $T4 *g, int32_t g_n, int32_t inputZeroPoint, int32_t part, int32_t parts) {
  uint32_t row[64];
  int32_t batch = g[0], inChannels = g[1], height = g[2], width = g[3], outChannels = g[4];
  int32_t inPerGroup = g[5], outPerGroup = g[6], kernelH = g[7], kernelW = g[8], outH = g[9], outW = g[10];
  int32_t strideH = g[11], strideW = g[12], padTop = g[13], padLeft = g[14], dilationH = g[15];
  int32_t dilationW = g[16];
  int32_t plane = outH * outW;
  int32_t inPlane = height * width;
  int32_t kernel = kernelH * kernelW;
  uint32_t zp = (uint32_t) inputZeroPoint;
  int32_t bo;
#if defined(__AVX2__)
  /* The converted input of a band of output rows: for row phase ph and column phase pw,
     bandRows rows of phaseLen int16, row i element j the padded input at row (band's first output
     row + i) * strideH + ph, column j * strideW + pw; 16 more for the 16-lane writes that pass the
     end of a row. */
  int16_t band[16384 + 16];
  /* Where tap kh * kernelW + kw reads for the band's output row 0, column 0; the output channel's
     nonzero taps (an even number, the last weight 0 if need be), their weights two by two as
     vpmaddwd's int16 pairs. */
  int32_t tapOffset[64];
  int32_t tapAt[66];
  int32_t tapWeight[66];
  __m256i pairWeights[33];
  int32_t taps = 0;
  /* Phase pw of a row holds input columns from element phaseFirst[pw] to phaseEnd[pw] (exclusive),
     zeros around them. */
  int32_t phaseFirst[16];
  int32_t phaseEnd[16];
  const int32_t phaseLen = ((outW + 15) / 16) * 16 + (kernelW - 1) * dilationW / strideW;
  const int32_t extraRows = (kernelH - 1) * dilationH / strideH;
  const int64_t rowSize = (int64_t) strideH * strideW * phaseLen;
  const int32_t fitRows = rowSize <= 16384 ? (int32_t) (16384 / rowSize) : 0;
  const int32_t bandRows = fitRows < outH + extraRows ? fitRows : outH + extraRows;
  const int vectorPath = sizeof($T1) == 1 && sizeof($T0) == 4 && ($T0) -1 < 0 && inPerGroup == 1
      && inputZeroPoint >= -32512 && inputZeroPoint <= 32512 && kernel <= 64 && strideW <= 16
      && bandRows > extraRows;
  const __m256i zp16 = _mm256_set1_epi16((short) inputZeroPoint);
  const __m256i lanes = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  int32_t bandStart = 0, bandEnd = 0;
  if (vectorPath) {
    int32_t kh, kw, p;
    for (kh = 0; kh < kernelH; kh++) {
      for (kw = 0; kw < kernelW; kw++) {
        tapOffset[kh * kernelW + kw] = (((kh * dilationH % strideH) * strideW + kw * dilationW % strideW) * bandRows
            + kh * dilationH / strideH) * phaseLen + kw * dilationW / strideW;
      }
    }
    for (p = 0; p < strideW; p++) {
      int32_t lead = padLeft - p;
      int32_t last = width - 1 + padLeft - p;
      int32_t first = lead <= 0 ? 0 : (lead + strideW - 1) / strideW;
      int32_t end = last < 0 ? 0 : last / strideW + 1;
      phaseFirst[p] = first < phaseLen ? first : phaseLen;
      phaseEnd[p] = end < phaseLen ? end : phaseLen;
    }
  }
#endif
  (void) out_n;
  (void) x_n;
  (void) wc_n;
  (void) bias_n;
  (void) g_n;
  for (bo = (int32_t) ((int64_t) batch * outChannels * part / parts);
      bo < (int32_t) ((int64_t) batch * outChannels * (part + 1) / parts); bo++) {
    int32_t b = bo / outChannels;
    int32_t o = bo % outChannels;
    int32_t outBase = bo * plane;
    int32_t group = o / outPerGroup;
    int32_t bv = bias[o];
    int32_t oh;
#if defined(__AVX2__)
    const int32_t xChannel = (b * inChannels + group) * inPlane;
    int vectorChannel = vectorPath;
    if (vectorChannel) {
      int32_t k, t;
      taps = 0;
      for (k = 0; k < kernel; k++) {
        int32_t wv = wc[o * kernel + k];
        if (wv < -32768 || wv > 32767) {
          vectorChannel = 0;
        } else if (wv != 0) {
          tapAt[taps] = tapOffset[k];
          tapWeight[taps] = wv;
          taps++;
        }
      }
      if (taps % 2 == 1) {
        tapAt[taps] = tapAt[taps - 1];
        tapWeight[taps] = 0;
        taps++;
      }
      for (t = 0; t < taps; t += 2) {
        pairWeights[t / 2] = _mm256_unpacklo_epi16(_mm256_set1_epi16((short) tapWeight[t]),
            _mm256_set1_epi16((short) tapWeight[t + 1]));
      }
      bandStart = 0;
      bandEnd = 0;
    }
#endif
    for (oh = 0; oh < outH; oh++) {
      int32_t chunk;
#if defined(__AVX2__)
      if (vectorChannel) {
        int32_t two, r, ow;
        const int16_t *base;
        if (oh == bandEnd) {
          /* Convert the input of output rows oh.. (as many as the band holds). */
          int32_t ph, pw, i;
          bandStart = oh;
          bandEnd = oh + bandRows - extraRows < outH ? oh + bandRows - extraRows : outH;
          for (ph = 0; ph < strideH; ph++) {
            for (pw = 0; pw < strideW; pw++) {
              for (i = 0; i < bandEnd - bandStart + extraRows; i++) {
                int16_t *dst = band + ((ph * strideW + pw) * bandRows + i) * phaseLen;
                const int32_t ih = (oh + i) * strideH + ph - padTop;
                const int32_t first = phaseFirst[pw];
                const int32_t end = ih < 0 || ih >= height ? 0 : phaseEnd[pw];
                const int32_t xRow = xChannel + ih * width;
                int32_t j;
                /* 16 elements at a time (the last ones past the row's end), those outside [first, end)
                   0: read 16 (strideW 1) or 32 (strideW 2, the even ones) bytes from element j's column
                   while inside x, else one by one. */
                for (j = 0; j < phaseLen; j += 16) {
                  const int32_t at = xRow + j * strideW + pw - padLeft;
                  const __m256i inside = _mm256_andnot_si256(
                      _mm256_cmpgt_epi16(_mm256_set1_epi16((short) (first - j)), lanes),
                      _mm256_cmpgt_epi16(_mm256_set1_epi16((short) (end - j)), lanes));
                  if (j >= end || j + 16 <= first) {
                    /* No input here: the mask is 0 (a plain loop of zeros could become memset). */
                    _mm256_storeu_si256((__m256i *) (void *) (dst + j), inside);
                  } else if (strideW == 1 && at >= 0 && at + 16 <= x_n) {
                    const __m128i v = _mm_loadu_si128((const __m128i *) (const void *) (x + at));
                    const __m256i w = ($T1) -1 < 0 ? _mm256_cvtepi8_epi16(v) : _mm256_cvtepu8_epi16(v);
                    _mm256_storeu_si256((__m256i *) (void *) (dst + j),
                        _mm256_and_si256(_mm256_sub_epi16(w, zp16), inside));
                  } else if (strideW == 2 && at >= 0 && at + 32 <= x_n) {
                    const __m256i v = _mm256_loadu_si256((const __m256i *) (const void *) (x + at));
                    const __m256i w = ($T1) -1 < 0 ? _mm256_srai_epi16(_mm256_slli_epi16(v, 8), 8)
                        : _mm256_and_si256(v, _mm256_set1_epi16(0xff));
                    _mm256_storeu_si256((__m256i *) (void *) (dst + j),
                        _mm256_and_si256(_mm256_sub_epi16(w, zp16), inside));
                  } else {
                    int32_t k;
                    for (k = j; k < j + 16; k++) {
                      dst[k] = (int16_t) (k >= first && k < end
                          ? (int32_t) x[xRow + k * strideW + pw - padLeft] - inputZeroPoint : 0);
                    }
                  }
                }
              }
            }
          }
        }
        /* Block rows 0 and 1: columns ow.. of rows oh and oh + 1, or columns ow.. and ow + 8.. of
           row oh. */
        two = outW <= 8 && oh + 1 < bandEnd;
        base = band + (oh - bandStart) * phaseLen;
        for (ow = 0; ow < outW; ow += two ? 8 : 16) {
          const int32_t ob = two ? ow : ow + 8;
          __m256i lo = _mm256_set1_epi32(bv);
          __m256i hi = lo;
          int32_t t;
          for (t = 0; !two && t < taps; t += 2) {
            const __m256i v0 = _mm256_loadu_si256((const __m256i *) (const void *) (base + tapAt[t] + ow));
            const __m256i v1 = _mm256_loadu_si256((const __m256i *) (const void *) (base + tapAt[t + 1] + ow));
            lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(v0, v1), pairWeights[t / 2]));
            hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(v0, v1), pairWeights[t / 2]));
          }
          for (t = 0; two && t < taps; t += 2) {
            const __m256i v0 = _mm256_inserti128_si256(_mm256_castsi128_si256(
                _mm_loadu_si128((const __m128i *) (const void *) (base + tapAt[t] + ow))),
                _mm_loadu_si128((const __m128i *) (const void *) (base + phaseLen + tapAt[t] + ob)), 1);
            const __m256i v1 = _mm256_inserti128_si256(_mm256_castsi128_si256(
                _mm_loadu_si128((const __m128i *) (const void *) (base + tapAt[t + 1] + ow))),
                _mm_loadu_si128((const __m128i *) (const void *) (base + phaseLen + tapAt[t + 1] + ob)), 1);
            lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(v0, v1), pairWeights[t / 2]));
            hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(v0, v1), pairWeights[t / 2]));
          }
          /* lo holds columns 0-3 of both block rows, hi columns 4-7. */
          for (r = 0; r < 2; r++) {
            const __m256i sums = _mm256_permute2x128_si256(lo, hi, r == 0 ? 0x20 : 0x31);
            int32_t count = outW - (r == 0 ? ow : ob);
            $T0 *dst = count > 0 ? out + outBase + (oh + (r & two)) * outW + (r == 0 ? ow : ob) : out;
            if (count >= 8) {
              _mm256_storeu_si256((__m256i *) (void *) dst, sums);
            } else if (count > 0) {
              __m128i q = _mm256_castsi256_si128(sums);
              if (count >= 4) {
                _mm_storeu_si128((__m128i *) (void *) dst, q);
                q = _mm256_extracti128_si256(sums, 1);
                dst += 4;
                count -= 4;
              }
              if (count >= 2) {
                _mm_storel_epi64((__m128i *) (void *) dst, q);
                q = _mm_srli_si128(q, 8);
                dst += 2;
                count -= 2;
              }
              if (count == 1) {
                *dst = ($T0) _mm_cvtsi128_si32(q);
              }
            }
          }
        }
        oh += two;
        continue;
      }
#endif
      for (chunk = 0; chunk < outW; chunk += 64) {
        int32_t count = outW - chunk < 64 ? outW - chunk : 64;
        int32_t j;
        int32_t ci;
        for (j = 0; j < count; j++) {
          row[j] = (uint32_t) bv;
        }
        for (ci = 0; ci < inPerGroup; ci++) {
          int32_t xBase = (b * inChannels + group * inPerGroup + ci) * inPlane;
          int32_t wBase = (o * inPerGroup + ci) * kernel;
          int32_t kh;
          for (kh = 0; kh < kernelH; kh++) {
            int32_t ih = oh * strideH + kh * dilationH - padTop;
            int32_t inRow;
            int32_t kw;
            if (ih < 0 || ih >= height) {
              continue;
            }
            inRow = xBase + ih * width;
            for (kw = 0; kw < kernelW; kw++) {
              int32_t wv = wc[wBase + kh * kernelW + kw];
              int32_t offW = kw * dilationW - padLeft;
              int32_t src = inRow + offW;
              int32_t last = width - 1 - offW;
              /* The output columns whose tap lies inside the input (Conv.validStart, validEnd),
                 within this chunk. */
              int32_t first = offW >= 0 ? 0 : (-offW + strideW - 1) / strideW;
              int32_t end = last < 0 ? 0 : last / strideW + 1;
              uint32_t w = (uint32_t) wv;
              int32_t ow;
              if (wv == 0) {
                continue;
              }
              if (first < chunk) {
                first = chunk;
              }
              if (end > chunk + count) {
                end = chunk + count;
              }
              for (ow = first; ow < end; ow++) {
                int32_t xv = x[src + ow * strideW];
                row[ow - chunk] += ((uint32_t) xv - zp) * w;
              }
            }
          }
        }
        for (j = 0; j < count; j++) {
          out[outBase + oh * outW + chunk + j] = ($T0) zp_Java_l2i((int64_t) row[j]);
        }
      }
    }
  }
}
