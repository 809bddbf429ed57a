/* Conv.linearAcc: out[m, f] = bias[f] + sum_i (x[m, i] - inputZeroPoint) * wc[f, i] for rows rows,
   int32 with wrap-around (summed in uint32_t, as Java's int wraps); wc holds the weights minus their
   zero points, [features, k].
   requires: Java_l2i */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *wc, int32_t wc_n,
    const $T3 *bias, int32_t bias_n, int32_t rows, int32_t features, int32_t k, int32_t inputZeroPoint) {
  uint32_t zp = (uint32_t) inputZeroPoint;
  int32_t mf;
  (void) out_n;
  (void) x_n;
  (void) wc_n;
  (void) bias_n;
  for (mf = 0; mf < rows * features; mf++) {
    int32_t m = mf / features;
    int32_t f = mf % features;
    int32_t bv = bias[f];
    uint32_t acc = (uint32_t) bv;
    int32_t base = f * k;
    int32_t row = m * k;
    int32_t i;
    for (i = 0; i < k; i++) {
      int32_t xv = x[row + i];
      int32_t wv = wc[base + i];
      acc += ((uint32_t) xv - zp) * (uint32_t) wv;
    }
    out[mf] = ($T0) zp_Java_l2i((int64_t) acc);
  }
}
