/* Arithmetic.hardswishF32: v * min(max(v + 3, 0), 6) / 6 in float, in that order.
   requires: Arithmetic_clampZeroSix */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n) {
  int32_t i;
  (void) x_n;
  for (i = 0; i < out_n; i++) {
    float v = x[i];
    out[i] = v * zp_Arithmetic_clampZeroSix(v + 3.0f) / 6.0f;
  }
}
