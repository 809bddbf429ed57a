/* Arithmetic.mulF32Broadcast: out[i] = a[ia[i]] * b[ib[i]] in float. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n,
    const $T3 *ia, int32_t ia_n, const $T4 *ib, int32_t ib_n) {
  int32_t i;
  (void) a_n;
  (void) b_n;
  (void) ia_n;
  (void) ib_n;
  for (i = 0; i < out_n; i++) {
    out[i] = a[ia[i]] * b[ib[i]];
  }
}
