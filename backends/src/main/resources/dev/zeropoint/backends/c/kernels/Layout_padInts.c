/* Layout.padInts: constant pad: out filled with fill, then row r of x (row elements) copied to
   out[targets[r]..]. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, int32_t fill, const $T2 *targets,
    int32_t targets_n, int32_t row) {
  int32_t i;
  int32_t r;
  (void) x_n;
  for (i = 0; i < out_n; i++) {
    out[i] = ($T0) fill;
  }
  for (r = 0; r < targets_n; r++) {
    int32_t target = targets[r];
    for (i = 0; i < row; i++) {
      int32_t v = x[r * row + i];
      out[target + i] = ($T0) v;
    }
  }
}
