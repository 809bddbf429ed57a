/* PyTorchAtenQuantized.mulVectorized: the vectorized lambda of qmul_kernel (RequantizeAvx2), the
   same product, cvtps2dq (out of int32 gives INT32_MIN), plus the zero point in wrapping int32,
   saturated to the storage (an ElementType ordinal). (The Java throws IllegalArgumentException
   unless the storage is U8 or I8; the compiler validated, so no check here.)
   requires: Java_l2i Rounding_x86FloatToInt32RoundHalfEven Rounding_saturate */
static int32_t zp_PyTorchAtenQuantized_mulVectorized(int32_t a, int32_t aZeroPoint, int32_t b, int32_t bZeroPoint,
    float multiplier, int32_t outputZeroPoint, int32_t storage) {
  int32_t ca = zp_Java_l2i((int64_t) a - aZeroPoint);
  int32_t cb = zp_Java_l2i((int64_t) b - bZeroPoint);
  int32_t product = zp_Java_l2i((int64_t) ca * cb);
  int32_t y = zp_Java_l2i(
      (int64_t) zp_Rounding_x86FloatToInt32RoundHalfEven((float) product * multiplier) + outputZeroPoint);
  return zp_Java_l2i(zp_Rounding_saturate(y, storage));
}
