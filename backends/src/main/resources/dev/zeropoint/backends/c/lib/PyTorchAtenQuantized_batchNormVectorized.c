/* PyTorchAtenQuantized.batchNormVectorized: the vector blocks of q_batch_norm_kernel,
   fma(alpha, (float) (q - zp_in), beta), then quantizeAvx2 with inverse scale 1. (The Java throws
   IllegalArgumentException unless the storage is U8 or I8; the compiler validated, so no check
   here.)
   requires: PyTorchAtenQuantized_BatchNormChannel Math_fma_float Java_l2i
   requires: PyTorchAtenQuantized_quantizeAvx2 */
static int32_t zp_PyTorchAtenQuantized_batchNormVectorized(int32_t q, int32_t inputZeroPoint,
    const zp_PyTorchAtenQuantized_BatchNormChannel *c, int32_t outputZeroPoint, int32_t storage) {
  float y = zp_Math_fma_float(c->alpha, (float) zp_Java_l2i((int64_t) q - inputZeroPoint), c->beta);
  return zp_PyTorchAtenQuantized_quantizeAvx2(y, 1.0f, outputZeroPoint, storage);
}
