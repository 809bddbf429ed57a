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
      float p = (float) a * m;
      /* Below 2^22 in magnitude, adding and subtracting 1.5 * 2^23 rounds p to the nearest integer,
         ties to even (the sum lies where the float spacing is 1), exactly what scaleAndRound's rint
         gives, without its bit handling; NaN and larger values take the general route. */
      int64_t y = p > -0x1p22f && p < 0x1p22f ? (int64_t) (int32_t) ((p + 0x1.8p23f) - 0x1.8p23f)
          : zp_PyTorchQnnpack_scaleAndRound(a, m);
      out[i] = ($T0) zp_PyTorchQnnpack_finishRequantization(y, outputZeroPoint, min, max);
    }
  }
}
