/* Arithmetic.mulF32: out[i] = a[i] * b[i] in float. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n) {
  int32_t i;
  (void) a_n;
  (void) b_n;
  for (i = 0; i < out_n; i++) {
    out[i] = a[i] * b[i];
  }
}
