/* Layout.splitInts and Layout.splitFloats (one template: the element type is a parameter): split /
   chunk: piece p takes blocks[p] consecutive elements of each of the outer rows of x (a row is the
   sum of the blocks). */
static void $NAME($T0 *const *outs, const int32_t *outs_n, int32_t outs_count, const $T1 *x, int32_t x_n,
    const $T2 *blocks, int32_t blocks_n, int32_t outer) {
  int32_t row = 0;
  int32_t offset = 0;
  int32_t p;
  (void) outs_n;
  (void) x_n;
  for (p = 0; p < blocks_n; p++) {
    int32_t b = blocks[p];
    row += b;
  }
  for (p = 0; p < outs_count; p++) {
    int32_t block = blocks[p];
    $T0 *dst = outs[p];
    int32_t o;
    for (o = 0; o < outer; o++) {
      int32_t from = o * row + offset;
      int32_t to = o * block;
      int32_t i;
      for (i = 0; i < block; i++) {
        int32_t s = from + i;
        dst[to + i] = ($T0) x[s];
      }
    }
    offset += block;
  }
}
