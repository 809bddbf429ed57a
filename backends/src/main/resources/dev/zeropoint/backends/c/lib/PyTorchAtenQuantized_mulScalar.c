/* PyTorchAtenQuantized.mulScalar: the scalar lambda of qmul_kernel, c = (a - za) * (b - zb) in
   wrapping int32, zp + lrintf(f32((float) c * multiplier)) in wrapping int64, saturated to the
   storage (an ElementType ordinal). (The Java throws IllegalArgumentException unless the storage
   is U8 or I8; the compiler validated, so no check here.)
   requires: Java_l2i Java_ladd Rounding_lrintf Rounding_saturate */
static int32_t zp_PyTorchAtenQuantized_mulScalar(int32_t a, int32_t aZeroPoint, int32_t b, int32_t bZeroPoint,
    float multiplier, int32_t outputZeroPoint, int32_t storage) {
  int32_t ca = zp_Java_l2i((int64_t) a - aZeroPoint);
  int32_t cb = zp_Java_l2i((int64_t) b - bZeroPoint);
  int32_t product = zp_Java_l2i((int64_t) ca * cb);
  int64_t y = zp_Java_ladd(outputZeroPoint, zp_Rounding_lrintf((float) product * multiplier));
  return zp_Java_l2i(zp_Rounding_saturate(y, storage));
}
