/* Norm.batchNormFloat: PyTorch's float inference batch norm on [batch, channels, inner] (channels =
   scale_n): out = fma(x, scale[c], shift[c]) (PyTorchAtenFloat.BatchNormChannel.apply).
   requires: PyTorchAtenFloat_BatchNormChannel PyTorchAtenFloat_BatchNormChannel_apply */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *scale, int32_t scale_n,
    const $T3 *shift, int32_t shift_n, int32_t batch, int32_t inner) {
  int32_t channels = scale_n;
  int32_t c;
  (void) out_n;
  (void) x_n;
  (void) shift_n;
  for (c = 0; c < channels; c++) {
    zp_PyTorchAtenFloat_BatchNormChannel p;
    int32_t b;
    p.scale = scale[c];
    p.shift = shift[c];
    for (b = 0; b < batch; b++) {
      int32_t base = (b * channels + c) * inner;
      int32_t i;
      for (i = base; i < base + inner; i++) {
        out[i] = zp_PyTorchAtenFloat_BatchNormChannel_apply(&p, x[i]);
      }
    }
  }
}
