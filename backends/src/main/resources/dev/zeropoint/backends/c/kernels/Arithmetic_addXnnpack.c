/* Arithmetic.addXnnpack: XNNPACK's qint8 add (Xnnpack.qs8Add), equal shapes.
   requires: Xnnpack_Qs8AddParams Xnnpack_qs8Add */
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n,
    int32_t aMultiplier, int32_t bMultiplier, int32_t shift, int32_t bias, int32_t outputZeroPoint) {
  zp_Xnnpack_Qs8AddParams p;
  int32_t i;
  (void) a_n;
  (void) b_n;
  p.aMultiplier = aMultiplier;
  p.bMultiplier = bMultiplier;
  p.shift = shift;
  p.bias = bias;
  p.outputZeroPoint = outputZeroPoint;
  for (i = 0; i < out_n; i++) {
    int32_t va = a[i];
    int32_t vb = b[i];
    out[i] = ($T0) zp_Xnnpack_qs8Add(va, vb, &p);
  }
}
