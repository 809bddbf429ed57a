/* Arithmetic.addQnnpack: QNNPACK's quint8 add of equal shapes (PyTorchQnnpack.add); the ints are its
   AddParams.
   With AVX2 (-mavx2, -march=x86-64-v3), 8 elements at a time in int32 lanes, exactly the scalar
   function: vpmulld and vpaddd wrap as the int32 sum does; with q = acc >> shift (arithmetic) and r
   = acc & (2^shift - 1), rounding half away from zero adds 1 when r - (acc < 0) >= 2^(shift - 1),
   i.e. when r > half, or r == half and acc >= 0; for shift in [1, 31] the rounded value lies in
   [-2^30, 2^30], so adding a zero point in [-2^30, 2^30) cannot overflow, and vpminsd then vpmaxsd
   clamp as the scalar does. Inputs of 1, 2 or 4 bytes are widened as C converts them; a uint8_t
   output with bounds in [0, 255] is packed with saturation that never saturates, a 4-byte output
   stored as is. Other shifts, zero points, bounds or types and the elements past the last 8 take
   the scalar path. This call does part of parts: the part-th of parts contiguous ranges of the
   elements.
   requires: PyTorchQnnpack_AddParams PyTorchQnnpack_add */
#if defined(__AVX2__)
#include <immintrin.h>
#endif
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n,
    int32_t aMultiplier, int32_t bMultiplier, int32_t shift, int32_t zeroPointProduct, int32_t outputZeroPoint,
    int32_t outputMin, int32_t outputMax, int32_t part, int32_t parts) {
  zp_PyTorchQnnpack_AddParams p;
  int32_t i = 0;
  const int32_t first = (int32_t) ((int64_t) out_n * part / parts);
  (void) a_n;
  (void) b_n;
  out += first;
  a += first;
  b += first;
  out_n = (int32_t) ((int64_t) out_n * (part + 1) / parts) - first;
  p.aMultiplier = aMultiplier;
  p.bMultiplier = bMultiplier;
  p.shift = shift;
  p.zeroPointProduct = zeroPointProduct;
  p.outputZeroPoint = outputZeroPoint;
  p.outputMin = outputMin;
  p.outputMax = outputMax;
#if defined(__AVX2__)
  {
    const int bytesOut = sizeof($T0) == 1 && ($T0) -1 > 0 && outputMin >= 0 && outputMin <= 255 && outputMax >= 0
        && outputMax <= 255;
    const int wordsOut = sizeof($T0) == 4;
    if (sizeof($T1) <= 4 && sizeof($T2) <= 4 && (bytesOut || wordsOut) && shift >= 1 && shift <= 31
        && outputZeroPoint >= -(1 << 30) && outputZeroPoint < (1 << 30)) {
      const __m256i am = _mm256_set1_epi32(aMultiplier);
      const __m256i bm = _mm256_set1_epi32(bMultiplier);
      const __m256i zpp = _mm256_set1_epi32(zeroPointProduct);
      const __m128i count = _mm_cvtsi32_si128(shift);
      const __m256i mask = _mm256_set1_epi32((int32_t) (((uint32_t) 1 << shift) - 1u));
      const __m256i threshold = _mm256_set1_epi32((int32_t) ((((uint32_t) 1 << shift) - 1u) >> 1));
      const __m256i zp = _mm256_set1_epi32(outputZeroPoint);
      const __m256i lo = _mm256_set1_epi32(outputMin);
      const __m256i hi = _mm256_set1_epi32(outputMax);
      for (; out_n - i >= 8; i += 8) {
        __m256i va, vb, acc, q, r, y;
        if (sizeof($T1) == 1) {
          const __m128i v = _mm_loadl_epi64((const __m128i *) (const void *) (a + i));
          va = ($T1) -1 < 0 ? _mm256_cvtepi8_epi32(v) : _mm256_cvtepu8_epi32(v);
        } else if (sizeof($T1) == 2) {
          va = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *) (const void *) (a + i)));
        } else {
          va = _mm256_loadu_si256((const __m256i *) (const void *) (a + i));
        }
        if (sizeof($T2) == 1) {
          const __m128i v = _mm_loadl_epi64((const __m128i *) (const void *) (b + i));
          vb = ($T2) -1 < 0 ? _mm256_cvtepi8_epi32(v) : _mm256_cvtepu8_epi32(v);
        } else if (sizeof($T2) == 2) {
          vb = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *) (const void *) (b + i)));
        } else {
          vb = _mm256_loadu_si256((const __m256i *) (const void *) (b + i));
        }
        acc = _mm256_add_epi32(_mm256_add_epi32(zpp, _mm256_mullo_epi32(va, am)), _mm256_mullo_epi32(vb, bm));
        q = _mm256_sra_epi32(acc, count);
        r = _mm256_add_epi32(_mm256_and_si256(acc, mask), _mm256_srai_epi32(acc, 31));
        q = _mm256_sub_epi32(q, _mm256_cmpgt_epi32(r, threshold));
        y = _mm256_max_epi32(_mm256_min_epi32(_mm256_add_epi32(q, zp), hi), lo);
        if (bytesOut) {
          const __m128i s = _mm_packs_epi32(_mm256_castsi256_si128(y), _mm256_extracti128_si256(y, 1));
          _mm_storel_epi64((__m128i *) (void *) (out + i), _mm_packus_epi16(s, s));
        } else {
          _mm256_storeu_si256((__m256i *) (void *) (out + i), y);
        }
      }
    }
  }
#endif
  for (; i < out_n; i++) {
    int32_t va = a[i];
    int32_t vb = b[i];
    out[i] = ($T0) zp_PyTorchQnnpack_add(va, vb, &p);
  }
}
