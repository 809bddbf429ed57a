/* Pool.maxPoolClamped: QNNPACK's max pool, every tap's row and column clamped into the input
   (PyTorchQnnpackPooling.maxPoolUsesQnnpack). g is the max pool geometry as in Pool_maxPool. This call
   does part of parts: the part-th of parts contiguous ranges of the planes. Output columns whose taps
   all lie inside the input's columns need no column clamping: their maxima are taken a tap at a time
   over runs of up to 64 of them, in loops the compiler vectorizes; the other columns clamp each tap.
   The rows are clamped as in the scalar code, and a maximum does not depend on the order of taps. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *g, int32_t g_n, int32_t part,
    int32_t parts) {
  const int32_t planes = g[0], inH = g[1], inW = g[2], outH = g[3], outW = g[4], kH = g[5], kW = g[6];
  const int32_t sH = g[7], sW = g[8], pT = g[9], pL = g[10], dH = g[11], dW = g[12];
  const int32_t firstPlane = (int32_t) ((int64_t) planes * part / parts);
  const int32_t lastPlane = (int32_t) ((int64_t) planes * (part + 1) / parts);
  /* Columns ow in [owFirst, owLast) read w = ow * sW - pL + j * dW inside [0, inW) for every tap j. */
  const int32_t reach = inW - 1 + pL - (kW - 1) * dW;
  int32_t owFirst = pL <= 0 ? 0 : (pL + sW - 1) / sW;
  int32_t owLast = reach < 0 ? 0 : reach / sW + 1;
  int32_t plane;
  (void) out_n;
  (void) x_n;
  (void) g_n;
  owFirst = owFirst < outW ? owFirst : outW;
  owLast = owLast < owFirst ? owFirst : (owLast < outW ? owLast : outW);
  for (plane = firstPlane; plane < lastPlane; plane++) {
    const $T1 *base = x + (size_t) plane * inH * inW;
    $T0 *o = out + (size_t) plane * outH * outW;
    int32_t oh;
    for (oh = 0; oh < outH; oh++, o += outW) {
      int32_t ow, ow0;
      for (ow = 0; ow < outW; ow++) {
        int32_t max = INT32_MIN, i;
        if (ow == owFirst && owFirst < owLast) {
          ow = owLast - 1;
          continue;
        }
        for (i = 0; i < kH; i++) {
          int32_t h = oh * sH - pT + i * dH, j;
          h = h > 0 ? h : 0;
          h = h < inH - 1 ? h : inH - 1;
          for (j = 0; j < kW; j++) {
            int32_t w = ow * sW - pL + j * dW, v;
            w = w > 0 ? w : 0;
            w = w < inW - 1 ? w : inW - 1;
            v = base[(size_t) h * inW + w];
            max = v > max ? v : max;
          }
        }
        o[ow] = ($T0) max;
      }
      for (ow0 = owFirst; ow0 < owLast; ow0 += 64) {
        const int32_t n = owLast - ow0 < 64 ? owLast - ow0 : 64;
        int32_t max[64], i, k;
        for (k = 0; k < n; k++) {
          max[k] = INT32_MIN;
        }
        for (i = 0; i < kH; i++) {
          int32_t h = oh * sH - pT + i * dH, j;
          h = h > 0 ? h : 0;
          h = h < inH - 1 ? h : inH - 1;
          for (j = 0; j < kW; j++) {
            /* Input column of output column ow0 + k: (ow0 + k) * sW - pL + j * dW >= 0. */
            const $T1 *tap = base + (size_t) h * inW + (size_t) (ow0 * sW - pL + j * dW);
            if (sW == 1) {
              for (k = 0; k < n; k++) {
                const int32_t v = tap[k];
                max[k] = v > max[k] ? v : max[k];
              }
            } else if (sW == 2) {
              for (k = 0; k < n; k++) {
                const int32_t v = tap[2 * k];
                max[k] = v > max[k] ? v : max[k];
              }
            } else {
              for (k = 0; k < n; k++) {
                const int32_t v = tap[(size_t) k * sW];
                max[k] = v > max[k] ? v : max[k];
              }
            }
          }
        }
        for (k = 0; k < n; k++) {
          o[ow0 + k] = ($T0) max[k];
        }
      }
    }
  }
}
