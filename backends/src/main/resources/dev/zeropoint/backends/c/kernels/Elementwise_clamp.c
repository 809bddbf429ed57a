/* Elementwise.clamp: out[i] = min(max(x[i], lo), hi).
   requires: Rounding_clamp */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, int32_t lo, int32_t hi) {
  int32_t i;
  (void) out_n;
  for (i = 0; i < x_n; i++) {
    out[i] = ($T0) zp_Rounding_clamp(x[i], lo, hi);
  }
}
