/* Elementwise.clampNhwcAsNchw: PyTorch 1.13's quint8 clamp of a channels-last tensor: x ([n, c, h, w])
   clamped into [lo, hi] and written in NHWC order (element k of out is element k of the NHWC walk). */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, int32_t lo, int32_t hi, int32_t n,
    int32_t c, int32_t h, int32_t w) {
  int32_t k = 0;
  int32_t in;
  (void) out_n;
  (void) x_n;
  for (in = 0; in < n; in++) {
    int32_t ih;
    for (ih = 0; ih < h; ih++) {
      int32_t iw;
      for (iw = 0; iw < w; iw++) {
        int32_t ic;
        for (ic = 0; ic < c; ic++) {
          int32_t v = x[((in * c + ic) * h + ih) * w + iw];
          out[k++] = ($T0) (v < lo ? lo : (v > hi ? hi : v));
        }
      }
    }
  }
}
