/* Arithmetic.mulIntBroadcast: the exact product of plain integers, a[ia[i]] * b[ib[i]], in int64.
   Java throws ArithmeticException for a product outside [min, max] (the element type); C has no
   exception, so such a product is clamped into [min, max] here (a deviation only on inputs the Java
   kernel rejects).
   requires: Rounding_clamp */
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n,
    const $T3 *ia, int32_t ia_n, const $T4 *ib, int32_t ib_n, int32_t min, int32_t max) {
  int32_t i;
  (void) a_n;
  (void) b_n;
  (void) ia_n;
  (void) ib_n;
  for (i = 0; i < out_n; i++) {
    int64_t va = a[ia[i]];
    int64_t vb = b[ib[i]];
    out[i] = ($T0) zp_Rounding_clamp(va * vb, min, max);
  }
}
