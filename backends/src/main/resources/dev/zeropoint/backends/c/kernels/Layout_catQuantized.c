/* Layout.catQuantized: cat whose every element is requantized from its input's parameters
   (scales[k], zeroPoints[k]) to the output's (the last entry) by PyTorchAtenQuantized.requantize;
   storage is the output's ElementType ordinal.
   requires: PyTorchAtenQuantized_requantize */
static void $NAME($T0 *out, int32_t out_n, const $T1 *const *xs, const int32_t *xs_n, int32_t xs_count,
    const $T2 *blocks, int32_t blocks_n, int32_t outer, const $T3 *scales, int32_t scales_n,
    const $T4 *zeroPoints, int32_t zeroPoints_n, int32_t storage) {
  int32_t row = 0;
  int32_t offset = 0;
  double outScale = scales[xs_count];
  int64_t outZeroPoint = zeroPoints[xs_count];
  int32_t k;
  (void) out_n;
  (void) xs_n;
  (void) scales_n;
  (void) zeroPoints_n;
  for (k = 0; k < blocks_n; k++) {
    int32_t b = blocks[k];
    row += b;
  }
  for (k = 0; k < xs_count; k++) {
    int32_t block = blocks[k];
    const $T1 *x = xs[k];
    double scale = scales[k];
    int64_t zeroPoint = zeroPoints[k];
    int32_t o;
    for (o = 0; o < outer; o++) {
      int32_t src = o * block;
      int32_t dst = o * row + offset;
      int32_t i;
      for (i = 0; i < block; i++) {
        int32_t q = x[src + i];
        out[dst + i] = ($T0) zp_PyTorchAtenQuantized_requantize(q, scale, zeroPoint, outScale, outZeroPoint, storage);
      }
    }
    offset += block;
  }
}
