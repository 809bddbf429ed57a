/* PyTorchAtenQuantized.floatAddVectorized: the vectorized lambda of qadd_kernel, each operand
   dequantized as fma(scale, (float) q, f32(scale * -zp)), added in float, then quantizeAvx2.
   requires: PyTorchAtenQuantized_FloatAddParams Math_fma_float PyTorchAtenQuantized_quantizeAvx2 */
static int32_t zp_PyTorchAtenQuantized_floatAddVectorized(int32_t a, int32_t b,
    const zp_PyTorchAtenQuantized_FloatAddParams *p) {
  float da = zp_Math_fma_float(p->aScale, (float) a, p->aNegZeroPointTimesScale);
  float db = zp_Math_fma_float(p->bScale, (float) b, p->bNegZeroPointTimesScale);
  return zp_PyTorchAtenQuantized_quantizeAvx2(da + db, p->inverseOutputScale, p->outputZeroPoint, p->storage);
}
