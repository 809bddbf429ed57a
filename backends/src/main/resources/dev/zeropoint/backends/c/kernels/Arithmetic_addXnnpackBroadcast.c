/* Arithmetic.addXnnpackBroadcast: XNNPACK's qint8 add (Xnnpack.qs8Add), broadcasting: output i
   reads a[ia[i]] and b[ib[i]].
   requires: Xnnpack_Qs8AddParams Xnnpack_qs8Add */
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n,
    const $T3 *ia, int32_t ia_n, const $T4 *ib, int32_t ib_n, int32_t aMultiplier, int32_t bMultiplier,
    int32_t shift, int32_t bias, int32_t outputZeroPoint) {
  zp_Xnnpack_Qs8AddParams p;
  int32_t i;
  (void) a_n;
  (void) b_n;
  (void) ia_n;
  (void) ib_n;
  p.aMultiplier = aMultiplier;
  p.bMultiplier = bMultiplier;
  p.shift = shift;
  p.bias = bias;
  p.outputZeroPoint = outputZeroPoint;
  for (i = 0; i < out_n; i++) {
    int32_t va = a[ia[i]];
    int32_t vb = b[ib[i]];
    out[i] = ($T0) zp_Xnnpack_qs8Add(va, vb, &p);
  }
}
