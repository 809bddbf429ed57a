/* Arithmetic.addAtenFloatBroadcast: ATen's float-path quantized add, broadcasting: in each row of
   `row` consecutive outputs the first `head` take PyTorchAtenQuantized.floatAddVectorized, the rest
   floatAddScalar. f: a scale, a's -zp * scale, b scale, b's, output scale, its inverse. storage is
   an ElementType ordinal.
   requires: PyTorchAtenQuantized_FloatAddParams PyTorchAtenQuantized_floatAddVectorized
   requires: PyTorchAtenQuantized_floatAddScalar */
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n,
    const $T3 *ia, int32_t ia_n, const $T4 *ib, int32_t ib_n, const $T5 *f, int32_t f_n, int32_t aZeroPoint,
    int32_t bZeroPoint, int32_t outputZeroPoint, int32_t storage, int32_t row, int32_t head) {
  zp_PyTorchAtenQuantized_FloatAddParams p;
  int64_t start;
  (void) a_n;
  (void) b_n;
  (void) ia_n;
  (void) ib_n;
  (void) f_n;
  p.aScale = f[0];
  p.aZeroPoint = aZeroPoint;
  p.aNegZeroPointTimesScale = f[1];
  p.bScale = f[2];
  p.bZeroPoint = bZeroPoint;
  p.bNegZeroPointTimesScale = f[3];
  p.outputScale = f[4];
  p.outputZeroPoint = outputZeroPoint;
  p.inverseOutputScale = f[5];
  p.storage = storage;
  for (start = 0; start < out_n; start += row) {
    int64_t split = start + head < out_n ? start + head : out_n;
    int64_t end = start + row < out_n ? start + row : out_n;
    int64_t i;
    for (i = start; i < split; i++) {
      int32_t va = a[ia[i]];
      int32_t vb = b[ib[i]];
      out[i] = ($T0) zp_PyTorchAtenQuantized_floatAddVectorized(va, vb, &p);
    }
    for (i = split; i < end; i++) {
      int32_t va = a[ia[i]];
      int32_t vb = b[ib[i]];
      out[i] = ($T0) zp_PyTorchAtenQuantized_floatAddScalar(va, vb, &p);
    }
  }
}
