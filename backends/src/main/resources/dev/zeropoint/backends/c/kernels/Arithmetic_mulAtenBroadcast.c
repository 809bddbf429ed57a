/* Arithmetic.mulAtenBroadcast: ATen's quantized mul, broadcasting: in each row of `row` consecutive
   outputs the first `head` take PyTorchAtenQuantized.mulVectorized, the rest mulScalar.
   multiplierBits: the float multiplier's bits; storage: an ElementType ordinal.
   requires: PyTorchAtenQuantized_mulVectorized PyTorchAtenQuantized_mulScalar */
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n,
    const $T3 *ia, int32_t ia_n, const $T4 *ib, int32_t ib_n, int32_t aZeroPoint, int32_t bZeroPoint,
    int32_t multiplierBits, int32_t outputZeroPoint, int32_t storage, int32_t row, int32_t head) {
  uint32_t bits = (uint32_t) multiplierBits;
  float m;
  int64_t start;
  (void) a_n;
  (void) b_n;
  (void) ia_n;
  (void) ib_n;
  memcpy(&m, &bits, sizeof m);
  for (start = 0; start < out_n; start += row) {
    int64_t split = start + head < out_n ? start + head : out_n;
    int64_t end = start + row < out_n ? start + row : out_n;
    int64_t i;
    for (i = start; i < split; i++) {
      int32_t va = a[ia[i]];
      int32_t vb = b[ib[i]];
      out[i] = ($T0) zp_PyTorchAtenQuantized_mulVectorized(va, aZeroPoint, vb, bZeroPoint, m, outputZeroPoint,
          storage);
    }
    for (i = split; i < end; i++) {
      int32_t va = a[ia[i]];
      int32_t vb = b[ib[i]];
      out[i] = ($T0) zp_PyTorchAtenQuantized_mulScalar(va, aZeroPoint, vb, bZeroPoint, m, outputZeroPoint,
          storage);
    }
  }
}
