/* Conv.linearFloat: out[m, f] = sum_i x[m, i] * w[f, i] in float, i ascending, plus bias[f] when
   bias is not empty. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *w, int32_t w_n,
    const $T3 *bias, int32_t bias_n, int32_t rows, int32_t features, int32_t k) {
  int32_t m;
  (void) out_n;
  (void) x_n;
  (void) w_n;
  for (m = 0; m < rows; m++) {
    int32_t f;
    for (f = 0; f < features; f++) {
      float acc = 0.0f;
      int32_t i;
      for (i = 0; i < k; i++) {
        float xv = x[m * k + i];
        float wv = w[f * k + i];
        acc += xv * wv;
      }
      if (bias_n == 0) {
        out[m * features + f] = acc;
      } else {
        float bv = bias[f];
        out[m * features + f] = acc + bv;
      }
    }
  }
}
