/* Arithmetic.binaryLookupBroadcast: binary_lookup, out[i] = tables[t, a - minA, b - minB] with
   a = a[ia[i]], b = b[ib[i]]; t is 0 for the first `head` outputs of each row of `row`, else `last`.
   The index arithmetic is Java's int arithmetic (wrapping, shifts of negative values included), done
   in int64_t and narrowed as Java's int.
   requires: Java_l2i */
static void $NAME($T0 *out, int32_t out_n, const $T1 *a, int32_t a_n, const $T2 *b, int32_t b_n,
    const $T3 *tables, int32_t tables_n, const $T4 *ia, int32_t ia_n, const $T5 *ib, int32_t ib_n, int32_t minA,
    int32_t minB, int32_t row, int32_t head, int32_t last) {
  int32_t lastBase = zp_Java_l2i((int64_t) last * 65536 - (int64_t) minA * 256 - minB);
  int32_t firstBase = zp_Java_l2i(-(int64_t) minA * 256 - minB);
  int64_t start;
  (void) a_n;
  (void) b_n;
  (void) tables_n;
  (void) ia_n;
  (void) ib_n;
  for (start = 0; start < out_n; start += row) {
    int64_t split = start + head < out_n ? start + head : out_n;
    int64_t end = start + row < out_n ? start + row : out_n;
    int64_t i;
    for (i = start; i < split; i++) {
      int32_t va = a[ia[i]];
      int32_t vb = b[ib[i]];
      int32_t t = tables[zp_Java_l2i((int64_t) firstBase + (int64_t) va * 256 + vb)];
      out[i] = ($T0) t;
    }
    for (i = split; i < end; i++) {
      int32_t va = a[ia[i]];
      int32_t vb = b[ib[i]];
      int32_t t = tables[zp_Java_l2i((int64_t) lastBase + (int64_t) va * 256 + vb)];
      out[i] = ($T0) t;
    }
  }
}
