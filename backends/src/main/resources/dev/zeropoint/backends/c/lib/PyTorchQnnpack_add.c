/* PyTorchQnnpack.add: one output of QNNPACK's quint8 add: acc = zeroPointProduct + a * aMultiplier
   + b * bMultiplier (wrapping int32, as the Java), acc >> shift rounded half away from zero, plus the
   output zero point, clamped to [outputMin, outputMax].
   requires: PyTorchQnnpack_AddParams Java_l2i Rounding_shiftRightRoundHalfAwayFromZero */
static int32_t zp_PyTorchQnnpack_add(int32_t a, int32_t b, const zp_PyTorchQnnpack_AddParams *p) {
  int32_t acc = zp_Java_l2i((int64_t) p->zeroPointProduct + (int64_t) a * p->aMultiplier
      + (int64_t) b * p->bMultiplier);
  int32_t rounded = zp_Java_l2i(zp_Rounding_shiftRightRoundHalfAwayFromZero(acc, p->shift));
  int64_t y = (int64_t) rounded + p->outputZeroPoint;
  int64_t upper = y < p->outputMax ? y : p->outputMax;
  return (int32_t) (upper > p->outputMin ? upper : p->outputMin);
}
