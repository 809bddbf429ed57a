/* Pool.adaptiveAverageFloat: PyTorch's float adaptive pool (outputs other than 1x1): the window summed in
   float, then / rows / cols. windows: planes, inH, inW, outH, outW, then per output row its input rows
   [h0, h1) and per output column its input columns [w0, w1), clipped to the input; per-window tables
   are indexed by oh * outW + ow. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *windows, int32_t windows_n) {
  int32_t planes = windows[0], inH = windows[1], inW = windows[2], outH = windows[3], outW = windows[4];
  int32_t cols = 5 + 2 * outH;
  int32_t o = 0;
  int32_t plane;
  (void) out_n;
  (void) x_n;
  (void) windows_n;
  for (plane = 0; plane < planes; plane++) {
    int32_t base = plane * inH * inW;
    int32_t oh;
    for (oh = 0; oh < outH; oh++) {
      int32_t h0 = windows[5 + 2 * oh], h1 = windows[5 + 2 * oh + 1];
      int32_t ow;
      for (ow = 0; ow < outW; ow++) {
        int32_t w0 = windows[cols + 2 * ow], w1 = windows[cols + 2 * ow + 1];
        float sum = 0.0f;
        int32_t h;
        for (h = h0; h < h1; h++) {
          int32_t row = base + h * inW;
          int32_t w;
          for (w = w0; w < w1; w++) {
            float v = x[row + w];
            sum += v;
          }
        }
        out[o++] = sum / (float) (h1 - h0) / (float) (w1 - w0);
      }
    }
  }
}
