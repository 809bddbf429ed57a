/* Xnnpack.qs8Add: one output of XNNPACK's qs8 add, acc = bias + a * aMultiplier + b * bMultiplier
   (wrapping int32, as the Java), (acc >> shift) + outputZeroPoint (Java's int shift: the distance
   taken mod 32), saturated to int8.
   requires: Xnnpack_Qs8AddParams Java_l2i Java_lshr Rounding_saturateToInt8 */
static int32_t zp_Xnnpack_qs8Add(int32_t a, int32_t b, const zp_Xnnpack_Qs8AddParams *p) {
  int32_t acc = zp_Java_l2i((int64_t) p->bias + (int64_t) a * p->aMultiplier + (int64_t) b * p->bMultiplier);
  int32_t y = zp_Java_l2i(zp_Java_lshr(acc, p->shift & 31) + p->outputZeroPoint);
  return zp_Rounding_saturateToInt8(y);
}
