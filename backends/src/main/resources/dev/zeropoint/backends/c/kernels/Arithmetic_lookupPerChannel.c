/* Arithmetic.lookupPerChannel: out[i] = table[256 * c + x[i] - min], c = (i / inner) % channels. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *table, int32_t table_n,
    int32_t min, int32_t inner, int32_t channels) {
  int64_t start;
  (void) x_n;
  (void) table_n;
  for (start = 0; start < out_n; start += inner) {
    int32_t base = 256 * (int32_t) ((start / inner) % channels) - min;
    int64_t end = start + inner < out_n ? start + inner : out_n;
    int64_t i;
    for (i = start; i < end; i++) {
      int32_t v = x[i];
      int32_t t = table[base + v];
      out[i] = ($T0) t;
    }
  }
}
