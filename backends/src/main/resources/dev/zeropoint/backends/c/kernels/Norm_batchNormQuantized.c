/* Norm.batchNormQuantized: quantized::batch_norm on [batch, channels, inner] (channels = alpha_n),
   channel c's parameters (alpha[c], beta[c]) (PyTorchAtenQuantized.BatchNormChannel); channels below
   vectorized by the kernel's vector formula (PyTorchAtenQuantized.batchNormVectorized), the rest by
   its scalar tail (batchNormScalar). storage is the output's ElementType ordinal (U8 or I8).
   requires: PyTorchAtenQuantized_BatchNormChannel PyTorchAtenQuantized_batchNormVectorized
   requires: PyTorchAtenQuantized_batchNormScalar */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *alpha, int32_t alpha_n,
    const $T3 *beta, int32_t beta_n, int32_t vectorized, int32_t batch, int32_t inner, int32_t inputZeroPoint,
    int32_t outputZeroPoint, int32_t storage) {
  int32_t channels = alpha_n;
  int32_t c;
  (void) out_n;
  (void) x_n;
  (void) beta_n;
  for (c = 0; c < channels; c++) {
    zp_PyTorchAtenQuantized_BatchNormChannel p;
    int32_t b;
    p.alpha = alpha[c];
    p.beta = beta[c];
    for (b = 0; b < batch; b++) {
      int32_t base = (b * channels + c) * inner;
      int32_t i;
      if (c < vectorized) {
        for (i = base; i < base + inner; i++) {
          int32_t q = x[i];
          out[i] = ($T0) zp_PyTorchAtenQuantized_batchNormVectorized(q, inputZeroPoint, &p, outputZeroPoint, storage);
        }
      } else {
        for (i = base; i < base + inner; i++) {
          int32_t q = x[i];
          out[i] = ($T0) zp_PyTorchAtenQuantized_batchNormScalar(q, inputZeroPoint, &p, outputZeroPoint, storage);
        }
      }
    }
  }
}
