/* Arithmetic.requantize: PyTorch's requantize (PyTorchAtenQuantized.requantize), each side per
   tensor or per channel (channel of i = (i / inner) % scales_n). storage: an ElementType ordinal.
   requires: PyTorchAtenQuantized_requantize */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *inScales, int32_t inScales_n,
    const $T3 *inZeroPoints, int32_t inZeroPoints_n, int32_t inInner, const $T4 *outScales, int32_t outScales_n,
    const $T5 *outZeroPoints, int32_t outZeroPoints_n, int32_t outInner, int32_t storage) {
  int32_t i;
  (void) x_n;
  (void) inZeroPoints_n;
  (void) outZeroPoints_n;
  for (i = 0; i < out_n; i++) {
    int32_t ci = inScales_n == 1 ? 0 : (i / inInner) % inScales_n;
    int32_t co = outScales_n == 1 ? 0 : (i / outInner) % outScales_n;
    int32_t q = x[i];
    double inScale = inScales[ci];
    int64_t inZeroPoint = inZeroPoints[ci];
    double outScale = outScales[co];
    int64_t outZeroPoint = outZeroPoints[co];
    out[i] = ($T0) zp_PyTorchAtenQuantized_requantize(q, inScale, inZeroPoint, outScale, outZeroPoint, storage);
  }
}
