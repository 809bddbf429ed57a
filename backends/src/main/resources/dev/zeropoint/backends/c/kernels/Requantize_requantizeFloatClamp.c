/* Requantize.requantize in scheme FLOAT_CLAMP: each int32 accumulator times the float scale of its
   channel, (i / inner) % channels, or of all when scales holds one entry, by Requantize.floatClamp
   (ONNX Runtime's requantization: RNE of the float product, plus the output zero point, saturated
   to the storage type, an ElementType ordinal, clamped into [min, max]). Element by element; this
   call does part of parts: the part-th of parts contiguous ranges of the elements.
   requires: Requantize_floatClamp */
static void $NAME($T0 *out, int32_t out_n, const $T1 *acc, int32_t acc_n, const $T2 *scales, int32_t scales_n,
    int32_t inner, int32_t channels, int32_t outputZeroPoint, int32_t min, int32_t max, int32_t storage,
    int32_t part, int32_t parts) {
  const int32_t n = acc_n;
  const int32_t first = (int32_t) ((int64_t) n * part / parts), last = (int32_t) ((int64_t) n * (part + 1) / parts);
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
    for (i = start; i < end; i++) {
      out[i] = ($T0) zp_Requantize_floatClamp(acc[i], m, outputZeroPoint, min, max, storage);
    }
  }
}
