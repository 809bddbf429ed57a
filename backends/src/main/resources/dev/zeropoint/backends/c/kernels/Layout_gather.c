/* Layout.gatherInts and Layout.gatherFloats (one template: the element type is a parameter):
   out[i] = x[source[i]] (permute). */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *source, int32_t source_n) {
  int32_t i;
  (void) x_n;
  (void) source_n;
  for (i = 0; i < out_n; i++) {
    int32_t s = source[i];
    out[i] = ($T0) x[s];
  }
}
