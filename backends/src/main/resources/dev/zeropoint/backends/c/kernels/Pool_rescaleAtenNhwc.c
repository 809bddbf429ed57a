/* Pool.rescaleAtenNhwc: PoolRescale kind aten_nhwc: sat(m.apply(acc) + zp). storage: an ElementType
   ordinal. The window's multiplier is the IntegerOnlyRequant (mantissas[k], exponents[k]), k = oh *
   outW + ow, applied to acc = sum - rows * cols * zp_in over the in-bounds taps (Java's Math.toIntExact
   throws when acc leaves int32; this port wraps, which never happens for 8-bit inputs). windows:
   planes, inH, inW, outH, outW, then per output row its input rows [h0, h1) and per output column its
   input columns [w0, w1), clipped to the input; per-window tables are indexed by oh * outW + ow.
   requires: Java_l2i Java_ladd IntegerOnlyRequant IntegerOnlyRequant_apply
   requires: Rounding_saturate */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *windows, int32_t windows_n,
    const $T3 *mantissas, int32_t mantissas_n, const $T4 *exponents, int32_t exponents_n,
    int32_t inputZeroPoint, int32_t outputZeroPoint, int32_t storage) {
  int32_t planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
  int32_t cols = 5 + 2 * outH;
  int32_t o = 0;
  int32_t plane;
  (void) out_n;
  (void) x_n;
  (void) windows_n;
  (void) mantissas_n;
  (void) exponents_n;
  for (plane = 0; plane < planes; plane++) {
    int32_t base = plane * inH * inW;
    int32_t oh;
    for (oh = 0; oh < outH; oh++) {
      int32_t h0 = windows[5 + 2 * oh], h1 = windows[5 + 2 * oh + 1];
      int32_t ow;
      for (ow = 0; ow < outW; ow++) {
        int32_t w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
        int64_t sum = 0;
        zp_IntegerOnlyRequant r;
        int32_t acc;
        int32_t h;
        for (h = h0; h < h1; h++) {
          int32_t row = base + h * inW;
          int32_t w;
          for (w = w0; w < w1; w++) {
            int32_t v = x[row + w];
            sum += v;
          }
        }
        acc = zp_Java_l2i(sum - (int64_t) (h1 - h0) * (w1 - w0) * inputZeroPoint);
        r.mantissa = mantissas[oh * outW + ow];
        r.exponent = exponents[oh * outW + ow];
        out[o++] = ($T0) zp_Rounding_saturate(zp_Java_ladd(zp_IntegerOnlyRequant_apply(&r, acc), outputZeroPoint),
            storage);
      }
    }
  }
}
