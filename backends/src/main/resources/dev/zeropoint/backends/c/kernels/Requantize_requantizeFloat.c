/* Requantize.requantize in scheme FLOAT: each int32 accumulator times the float scale of its
   channel, (i / inner) % channels, or of all when scales holds one entry, rounded and finished as
   PyTorch qnnpack does (u8 output).
   requires: PyTorchQnnpack_scaleAndRound PyTorchQnnpack_finishRequantization */
static void $NAME($T0 *out, int32_t out_n, const $T1 *acc, int32_t acc_n, const $T2 *scales, int32_t scales_n,
    int32_t inner, int32_t channels, int32_t outputZeroPoint, int32_t min, int32_t max) {
  int32_t n = acc_n;
  int32_t perChannel = scales_n;
  int32_t planes = inner == 0 ? 0 : (int32_t) (((int64_t) n + inner - 1) / inner);
  int32_t plane;
  (void) out_n;
  for (plane = 0; plane < planes; plane++) {
    int32_t start = plane * inner;
    int32_t c = perChannel == 1 ? 0 : plane % channels;
    int32_t end = (int64_t) start + inner < n ? start + inner : n;
    float m = scales[c];
    int32_t i;
    for (i = start; i < end; i++) {
      int32_t a = acc[i];
      out[i] = ($T0) zp_PyTorchQnnpack_finishRequantization(zp_PyTorchQnnpack_scaleAndRound(a, m), outputZeroPoint,
          min, max);
    }
  }
}
