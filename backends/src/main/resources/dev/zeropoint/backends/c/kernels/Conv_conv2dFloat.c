/* Conv.conv2dFloat: each output sums x * w in float over (input channel, kernel row, kernel column)
   ascending, skipping taps outside the input, then adds the bias (0.0f when bias is empty). g is
   the geometry array, as for Conv_conv2dAcc. */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *w, int32_t w_n,
    const $T3 *bias, int32_t bias_n, const $T4 *g, int32_t g_n) {
  int32_t batch = g[0], inChannels = g[1], height = g[2], width = g[3], outChannels = g[4];
  int32_t inPerGroup = g[5], outPerGroup = g[6], kernelH = g[7], kernelW = g[8], outH = g[9], outW = g[10];
  int32_t strideH = g[11], strideW = g[12], padTop = g[13], padLeft = g[14], dilationH = g[15];
  int32_t dilationW = g[16];
  int32_t plane = outH * outW;
  int32_t inPlane = height * width;
  int32_t kernel = kernelH * kernelW;
  int32_t bo;
  (void) out_n;
  (void) x_n;
  (void) w_n;
  (void) g_n;
  for (bo = 0; bo < batch * outChannels; bo++) {
    int32_t b = bo / outChannels;
    int32_t o = bo % outChannels;
    int32_t outBase = bo * plane;
    int32_t group = o / outPerGroup;
    int32_t ci;
    int32_t i;
    float bv;
    for (i = outBase; i < outBase + plane; i++) {
      out[i] = 0.0f;
    }
    for (ci = 0; ci < inPerGroup; ci++) {
      int32_t xBase = (b * inChannels + group * inPerGroup + ci) * inPlane;
      int32_t wBase = (o * inPerGroup + ci) * kernel;
      int32_t kh;
      for (kh = 0; kh < kernelH; kh++) {
        int32_t kw;
        for (kw = 0; kw < kernelW; kw++) {
          float wv = w[wBase + kh * kernelW + kw];
          int32_t offH = kh * dilationH - padTop;
          int32_t offW = kw * dilationW - padLeft;
          /* Conv.validStart and validEnd: the outputs whose tap lies inside the input. */
          int32_t lastW = width - 1 - offW;
          int32_t lastH = height - 1 - offH;
          int32_t owStart = offW >= 0 ? 0 : (-offW + strideW - 1) / strideW;
          int32_t owEnd = lastW < 0 ? 0 : lastW / strideW + 1;
          int32_t oh = offH >= 0 ? 0 : (-offH + strideH - 1) / strideH;
          int32_t ohEnd = lastH < 0 ? 0 : lastH / strideH + 1;
          if (owStart > outW) {
            owStart = outW;
          }
          if (owEnd > outW) {
            owEnd = outW;
          }
          if (oh > outH) {
            oh = outH;
          }
          if (ohEnd > outH) {
            ohEnd = outH;
          }
          for (; oh < ohEnd; oh++) {
            int32_t row = xBase + (oh * strideH + offH) * width + offW;
            int32_t accRow = outBase + oh * outW;
            int32_t ow;
            for (ow = owStart; ow < owEnd; ow++) {
              float xv = x[row + ow * strideW];
              out[accRow + ow] += xv * wv;
            }
          }
        }
      }
    }
    bv = bias_n == 0 ? 0.0f : bias[o];
    for (i = outBase; i < outBase + plane; i++) {
      out[i] += bv;
    }
  }
}
