/* Arithmetic.clampF32: PyTorch's float clamp, v < lo ? lo : v, then v > hi ? hi : v (NaN and -0.0
   pass); bounds = {lo, hi}. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *bounds, int32_t bounds_n) {
  float lo = bounds[0];
  float hi = bounds[1];
  int32_t i;
  (void) x_n;
  (void) bounds_n;
  for (i = 0; i < out_n; i++) {
    float v = x[i];
    v = v < lo ? lo : v;
    out[i] = v > hi ? hi : v;
  }
}
