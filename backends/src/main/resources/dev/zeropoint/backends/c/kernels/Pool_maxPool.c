/* Pool.maxPool: the maximum over each window's in-bounds taps (ATen); an empty window gives
   INT32_MIN. g is the max pool geometry: planes, inH, inW, outH, outW, kernelH, kernelW, strideH,
   strideW, padTop, padLeft, dilationH, dilationW. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *g, int32_t g_n) {
  int32_t planes = g[0], inH = g[1], inW = g[2], outH = g[3], outW = g[4], kH = g[5], kW = g[6];
  int32_t sH = g[7], sW = g[8], pT = g[9], pL = g[10], dH = g[11], dW = g[12];
  int32_t o = 0;
  int32_t plane;
  (void) out_n;
  (void) x_n;
  (void) g_n;
  for (plane = 0; plane < planes; plane++) {
    int32_t base = plane * inH * inW;
    int32_t oh;
    for (oh = 0; oh < outH; oh++) {
      int32_t ow;
      for (ow = 0; ow < outW; ow++) {
        int32_t max = INT32_MIN;
        int32_t i;
        for (i = 0; i < kH; i++) {
          int32_t h = oh * sH - pT + i * dH;
          int32_t row;
          int32_t j;
          if (h < 0 || h >= inH) {
            continue;
          }
          row = base + h * inW;
          for (j = 0; j < kW; j++) {
            int32_t w = ow * sW - pL + j * dW;
            if (w >= 0 && w < inW) {
              int32_t v = x[row + w];
              max = v > max ? v : max;
            }
          }
        }
        out[o++] = ($T0) max;
      }
    }
  }
}
