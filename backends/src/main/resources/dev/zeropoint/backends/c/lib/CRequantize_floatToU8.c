/* CRequantize.floatToU8: out[i] = PyTorchQnnpack.finishRequantization(PyTorchQnnpack.scaleAndRound(acc[i],
   m), outputZeroPoint, min, max) for i < n: PyTorch's float requantization of int32 sums to uint8.
   No Java twin: tested against Requantize.requantize. With AVX2 (-mavx2, -march=x86-64-v3), 32 and
   then 8 elements at a time as QNNPACK's SSE2 requantization does, which computes exactly the scalar
   functions: vcvtdq2ps and vmulps are the casts and the f32 product; vcvtps2dq rounds to nearest
   even (the default MXCSR) and gives INT32_MIN outside int32, +-inf included; vpackssdw saturates
   to int16, vpaddsw adds the zero point with int16 saturation (exact for a zero point in [0, 255]),
   vpackuswb saturates to uint8, vpminub and vpmaxub clamp (exact for bounds in [0, 255]). The one
   difference, a NaN product (0 in the scalar path, INT32_MIN from vcvtps2dq), needs a scale that is
   NaN or infinite ((float) acc is finite, and inf * 0 is NaN): such a scale, other parameters and
   the elements past the last 8 take the scalar path.
   requires: PyTorchQnnpack_scaleAndRound PyTorchQnnpack_finishRequantization */
#if defined(__AVX2__)
#include <immintrin.h>
#endif
static inline void zp_CRequantize_floatToU8(uint8_t *out, const int32_t *acc, int32_t n, float m,
    int32_t outputZeroPoint, int32_t min, int32_t max) {
  int32_t i = 0;
#if defined(__AVX2__)
  if (outputZeroPoint >= 0 && outputZeroPoint <= 255 && min >= 0 && min <= 255 && max >= 0 && max <= 255
      && m >= -0x1.fffffep127f && m <= 0x1.fffffep127f) {
    const __m256i zp16 = _mm256_set1_epi16((short) outputZeroPoint);
    const __m256i lo8 = _mm256_set1_epi8((char) (min > 127 ? min - 256 : min));
    const __m256i hi8 = _mm256_set1_epi8((char) (max > 127 ? max - 256 : max));
    /* The dwords of vpackuswb's result over four packed vectors, back in element order. */
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    const __m256 scale = _mm256_set1_ps(m);
    for (; n - i >= 32; i += 32) {
      const __m256i y0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_cvtepi32_ps(
          _mm256_loadu_si256((const __m256i *) (const void *) (acc + i))), scale));
      const __m256i y1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_cvtepi32_ps(
          _mm256_loadu_si256((const __m256i *) (const void *) (acc + i + 8))), scale));
      const __m256i y2 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_cvtepi32_ps(
          _mm256_loadu_si256((const __m256i *) (const void *) (acc + i + 16))), scale));
      const __m256i y3 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_cvtepi32_ps(
          _mm256_loadu_si256((const __m256i *) (const void *) (acc + i + 24))), scale));
      const __m256i s01 = _mm256_adds_epi16(_mm256_packs_epi32(y0, y1), zp16);
      const __m256i s23 = _mm256_adds_epi16(_mm256_packs_epi32(y2, y3), zp16);
      __m256i u = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(s01, s23), order);
      u = _mm256_max_epu8(_mm256_min_epu8(u, hi8), lo8);
      _mm256_storeu_si256((__m256i *) (void *) (out + i), u);
    }
    for (; n - i >= 8; i += 8) {
      const __m256i y = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_cvtepi32_ps(
          _mm256_loadu_si256((const __m256i *) (const void *) (acc + i))), scale));
      const __m128i s = _mm_adds_epi16(_mm_packs_epi32(_mm256_castsi256_si128(y), _mm256_extracti128_si256(y, 1)),
          _mm256_castsi256_si128(zp16));
      __m128i u = _mm_packus_epi16(s, s);
      u = _mm_max_epu8(_mm_min_epu8(u, _mm256_castsi256_si128(hi8)), _mm256_castsi256_si128(lo8));
      _mm_storel_epi64((__m128i *) (void *) (out + i), u);
    }
  }
#endif
  for (; i < n; i++) {
    out[i] = (uint8_t) zp_PyTorchQnnpack_finishRequantization(zp_PyTorchQnnpack_scaleAndRound(acc[i], m),
        outputZeroPoint, min, max);
  }
}
