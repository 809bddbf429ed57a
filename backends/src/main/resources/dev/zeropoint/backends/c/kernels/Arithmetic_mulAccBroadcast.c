/* Arithmetic.mulAccBroadcast: mul_acc, (a[ia[i]] - za) * (b[ib[i]] - zb) in int32 with Java's
   wrap-around.
   requires: Java_l2i */
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n,
    const $T3 *ia, int32_t ia_n, const $T4 *ib, int32_t ib_n, int32_t aZeroPoint, int32_t bZeroPoint) {
  int32_t i;
  (void) a_n;
  (void) b_n;
  (void) ia_n;
  (void) ib_n;
  for (i = 0; i < out_n; i++) {
    int32_t va = a[ia[i]];
    int32_t vb = b[ib[i]];
    int32_t da = zp_Java_l2i((int64_t) va - aZeroPoint);
    int32_t db = zp_Java_l2i((int64_t) vb - bZeroPoint);
    out[i] = ($T0) zp_Java_l2i((int64_t) da * db);
  }
}
