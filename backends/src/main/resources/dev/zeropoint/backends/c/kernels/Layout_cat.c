/* Layout.catInts and Layout.catFloats (one template: the element type is a parameter): each of the
   outer rows of out is the inputs' rows, input k's of blocks[k] elements. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *const *xs, const int32_t *xs_n, int32_t xs_count,
    const $T2 *blocks, int32_t blocks_n, int32_t outer) {
  int32_t row = 0;
  int32_t offset = 0;
  int32_t k;
  (void) out_n;
  (void) xs_n;
  for (k = 0; k < blocks_n; k++) {
    int32_t b = blocks[k];
    row += b;
  }
  for (k = 0; k < xs_count; k++) {
    int32_t block = blocks[k];
    const $T1 *x = xs[k];
    int32_t o;
    for (o = 0; o < outer; o++) {
      int32_t from = o * block;
      int32_t to = o * row + offset;
      int32_t i;
      for (i = 0; i < block; i++) {
        int32_t s = from + i;
        out[to + i] = ($T0) x[s];
      }
    }
    offset += block;
  }
}
