/* FixedPoint.multiplyByQuantizedMultiplier: TFLite's double-rounding MultiplyByQuantizedMultiplier,
   RDBPOT(SRDHM(x * 2^max(shift, 0), multiplier), max(-shift, 0)), the left shift a wrapping int32
   multiplication as in the Java. shift in [-31, 30] (the Java throws IllegalArgumentException
   outside; the compiler validated, so no check here).
   requires: Java_l2i FixedPoint_saturatingRoundingDoublingHighMul FixedPoint_roundingDivideByPOT */
static int32_t zp_FixedPoint_multiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int32_t shift) {
  int32_t leftShift = shift > 0 ? shift : 0;
  int32_t rightShift = shift < 0 ? -shift : 0;
  int32_t shifted = zp_Java_l2i((int64_t) x * ((int64_t) 1 << leftShift));
  return zp_FixedPoint_roundingDivideByPOT(zp_FixedPoint_saturatingRoundingDoublingHighMul(shifted, multiplier),
      rightShift);
}
