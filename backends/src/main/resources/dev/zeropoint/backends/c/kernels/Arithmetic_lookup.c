/* Arithmetic.lookup: out[i] = table[x[i] - min]. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *table, int32_t table_n,
    int32_t min) {
  int32_t i;
  (void) x_n;
  (void) table_n;
  for (i = 0; i < out_n; i++) {
    int32_t v = x[i];
    int32_t t = table[(int64_t) v - min];
    out[i] = ($T0) t;
  }
}
