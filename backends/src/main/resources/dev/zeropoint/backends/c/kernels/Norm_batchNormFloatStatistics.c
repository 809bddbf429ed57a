/* Norm.batchNormFloatStatistics: float batch norm whose statistics are run-time values: each
   channel's scale and shift as PyTorchAtenFloat.batchNormChannel derives them (eps = eps[0]), then
   out = fma(x, scale, shift) on [batch, channels, inner] (channels = weight_n), as
   Norm.batchNormFloat.
   requires: PyTorchAtenFloat_BatchNormChannel PyTorchAtenFloat_batchNormChannel
   requires: PyTorchAtenFloat_BatchNormChannel_apply */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *weight, int32_t weight_n,
    const $T3 *bias, int32_t bias_n, const $T4 *mean, int32_t mean_n, const $T5 *var, int32_t var_n,
    const $T6 *eps, int32_t eps_n, int32_t batch, int32_t inner) {
  int32_t channels = weight_n;
  int32_t c;
  (void) out_n;
  (void) x_n;
  (void) bias_n;
  (void) mean_n;
  (void) var_n;
  (void) eps_n;
  for (c = 0; c < channels; c++) {
    zp_PyTorchAtenFloat_BatchNormChannel p = zp_PyTorchAtenFloat_batchNormChannel(weight[c], bias[c], mean[c], var[c],
        eps[0]);
    int32_t b;
    for (b = 0; b < batch; b++) {
      int32_t base = (b * channels + c) * inner;
      int32_t i;
      for (i = base; i < base + inner; i++) {
        out[i] = zp_PyTorchAtenFloat_BatchNormChannel_apply(&p, x[i]);
      }
    }
  }
}
