/* PyTorchAtenQuantized.batchNormScalar: the scalar tail of q_batch_norm_kernel,
   zp_out + lrintf(fma(alpha, (float) (q - zp_in), beta)) in wrapping int64, saturated to the storage
   (an ElementType ordinal). (The Java throws IllegalArgumentException unless the storage is U8 or
   I8; the compiler validated, so no check here.)
   requires: PyTorchAtenQuantized_BatchNormChannel Math_fma_float Java_l2i Java_ladd Rounding_lrintf
   requires: Rounding_saturate */
static int32_t zp_PyTorchAtenQuantized_batchNormScalar(int32_t q, int32_t inputZeroPoint,
    const zp_PyTorchAtenQuantized_BatchNormChannel *c, int32_t outputZeroPoint, int32_t storage) {
  float y = zp_Math_fma_float(c->alpha, (float) zp_Java_l2i((int64_t) q - inputZeroPoint), c->beta);
  return zp_Java_l2i(zp_Rounding_saturate(zp_Java_ladd(outputZeroPoint, zp_Rounding_lrintf(y)), storage));
}
