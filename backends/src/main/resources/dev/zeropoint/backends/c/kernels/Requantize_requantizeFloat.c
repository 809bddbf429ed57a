/* Requantize.requantize in scheme FLOAT: each int32 accumulator times the float scale of its
   channel, (i / inner) % channels, or of all when scales holds one entry, rounded and finished as
   PyTorch qnnpack does (u8 output). int32 accumulators to uint8_t run through
   CRequantize_floatToU8 (AVX2 when built for it); other types element by element. This call does
   part of parts: the part-th of parts contiguous ranges of the elements.
   requires: PyTorchQnnpack_scaleAndRound PyTorchQnnpack_finishRequantization CRequantize_floatToU8 */
static void $NAME($T0 *out, int32_t out_n, const $T1 *acc, int32_t acc_n, const $T2 *scales, int32_t scales_n,
    int32_t inner, int32_t channels, int32_t outputZeroPoint, int32_t min, int32_t max, int32_t part, int32_t parts) {
  const int32_t n = acc_n;
  const int32_t first = (int32_t) ((int64_t) n * part / parts), last = (int32_t) ((int64_t) n * (part + 1) / parts);
  const int bytes = sizeof($T0) == 1 && ($T0) -1 > 0 && sizeof($T1) == 4 && ($T1) -1 < 0;
  int32_t plane;
  (void) out_n;
  if (inner <= 0 || first >= last) {
    return;
  }
  for (plane = first / inner; plane <= (last - 1) / inner; plane++) {
    const int32_t start = plane * inner > first ? plane * inner : first;
    const int32_t end = (int64_t) plane * inner + inner < last ? plane * inner + inner : last;
    const float m = scales[scales_n == 1 ? 0 : plane % channels];
    int32_t i;
    if (bytes) {
      zp_CRequantize_floatToU8((uint8_t *) (void *) (out + start), (const int32_t *) (const void *) (acc + start),
          end - start, m, outputZeroPoint, min, max);
      continue;
    }
    for (i = start; i < end; i++) {
      out[i] = ($T0) zp_PyTorchQnnpack_finishRequantization(zp_PyTorchQnnpack_scaleAndRound(acc[i], m),
          outputZeroPoint, min, max);
    }
  }
}
