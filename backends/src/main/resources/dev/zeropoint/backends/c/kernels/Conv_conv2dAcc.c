/* Conv.conv2dAcc: out[b, o, oh, ow] = bias[o] + the sum over (ci, kh, kw) of the taps inside the
   input of (x - inputZeroPoint) * wc, int32 with wrap-around (summed in uint32_t, as Java's int
   wraps). x is [batch, inChannels, height, width], wc the weights minus their zero points
   [outChannels, inPerGroup, kernelH, kernelW], g the geometry array indexed as Conv's constants
   (BATCH 0, IN_CHANNELS 1, HEIGHT 2, WIDTH 3, OUT_CHANNELS 4, IN_PER_GROUP 5, OUT_PER_GROUP 6,
   KERNEL_H 7, KERNEL_W 8, OUT_H 9, OUT_W 10, STRIDE_H 11, STRIDE_W 12, PAD_TOP 13, PAD_LEFT 14,
   DILATION_H 15, DILATION_W 16). As in the Java, each output row is summed in a row of
   accumulators, here in chunks of 64 columns.
   requires: Java_l2i */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *wc, int32_t wc_n,
    const $T3 *bias, int32_t bias_n, const $T4 *g, int32_t g_n, int32_t inputZeroPoint) {
  uint32_t row[64];
  int32_t batch = g[0], inChannels = g[1], height = g[2], width = g[3], outChannels = g[4];
  int32_t inPerGroup = g[5], outPerGroup = g[6], kernelH = g[7], kernelW = g[8], outH = g[9], outW = g[10];
  int32_t strideH = g[11], strideW = g[12], padTop = g[13], padLeft = g[14], dilationH = g[15];
  int32_t dilationW = g[16];
  int32_t plane = outH * outW;
  int32_t inPlane = height * width;
  int32_t kernel = kernelH * kernelW;
  uint32_t zp = (uint32_t) inputZeroPoint;
  int32_t bo;
  (void) out_n;
  (void) x_n;
  (void) wc_n;
  (void) bias_n;
  (void) g_n;
  for (bo = 0; bo < batch * outChannels; bo++) {
    int32_t b = bo / outChannels;
    int32_t o = bo % outChannels;
    int32_t outBase = bo * plane;
    int32_t group = o / outPerGroup;
    int32_t bv = bias[o];
    int32_t oh;
    for (oh = 0; oh < outH; oh++) {
      int32_t chunk;
      for (chunk = 0; chunk < outW; chunk += 64) {
        int32_t count = outW - chunk < 64 ? outW - chunk : 64;
        int32_t j;
        int32_t ci;
        for (j = 0; j < count; j++) {
          row[j] = (uint32_t) bv;
        }
        for (ci = 0; ci < inPerGroup; ci++) {
          int32_t xBase = (b * inChannels + group * inPerGroup + ci) * inPlane;
          int32_t wBase = (o * inPerGroup + ci) * kernel;
          int32_t kh;
          for (kh = 0; kh < kernelH; kh++) {
            int32_t ih = oh * strideH + kh * dilationH - padTop;
            int32_t inRow;
            int32_t kw;
            if (ih < 0 || ih >= height) {
              continue;
            }
            inRow = xBase + ih * width;
            for (kw = 0; kw < kernelW; kw++) {
              int32_t wv = wc[wBase + kh * kernelW + kw];
              int32_t offW = kw * dilationW - padLeft;
              int32_t src = inRow + offW;
              int32_t last = width - 1 - offW;
              /* The output columns whose tap lies inside the input (Conv.validStart, validEnd),
                 within this chunk. */
              int32_t first = offW >= 0 ? 0 : (-offW + strideW - 1) / strideW;
              int32_t end = last < 0 ? 0 : last / strideW + 1;
              uint32_t w = (uint32_t) wv;
              int32_t ow;
              if (wv == 0) {
                continue;
              }
              if (first < chunk) {
                first = chunk;
              }
              if (end > chunk + count) {
                end = chunk + count;
              }
              for (ow = first; ow < end; ow++) {
                int32_t xv = x[src + ow * strideW];
                row[ow - chunk] += ((uint32_t) xv - zp) * w;
              }
            }
          }
        }
        for (j = 0; j < count; j++) {
          out[outBase + oh * outW + chunk + j] = ($T0) zp_Java_l2i((int64_t) row[j]);
        }
      }
    }
  }
}
