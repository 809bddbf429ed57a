/* Arithmetic.addQnnpack: QNNPACK's quint8 add of equal shapes (PyTorchQnnpack.add); the ints are its
   AddParams.
   requires: PyTorchQnnpack_AddParams PyTorchQnnpack_add */
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n,
    int32_t aMultiplier, int32_t bMultiplier, int32_t shift, int32_t zeroPointProduct, int32_t outputZeroPoint,
    int32_t outputMin, int32_t outputMax) {
  zp_PyTorchQnnpack_AddParams p;
  int32_t i;
  (void) a_n;
  (void) b_n;
  p.aMultiplier = aMultiplier;
  p.bMultiplier = bMultiplier;
  p.shift = shift;
  p.zeroPointProduct = zeroPointProduct;
  p.outputZeroPoint = outputZeroPoint;
  p.outputMin = outputMin;
  p.outputMax = outputMax;
  for (i = 0; i < out_n; i++) {
    int32_t va = a[i];
    int32_t vb = b[i];
    out[i] = ($T0) zp_PyTorchQnnpack_add(va, vb, &p);
  }
}
