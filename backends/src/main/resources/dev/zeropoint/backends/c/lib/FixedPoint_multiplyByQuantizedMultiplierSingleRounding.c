/* FixedPoint.multiplyByQuantizedMultiplierSingleRounding: TFLite's TFLITE_SINGLE_ROUNDING
   MultiplyByQuantizedMultiplier, (x * multiplier + 2^(30 - shift)) >> (31 - shift), the low 32 bits.
   (The Java throws IllegalArgumentException unless multiplier >= 0 and shift is in [-31, 30]; the
   compiler validated, so no check here.)
   requires: Java_lshr Java_l2i */
static int32_t zp_FixedPoint_multiplyByQuantizedMultiplierSingleRounding(int32_t x, int32_t multiplier,
    int32_t shift) {
  int32_t totalShift = 31 - shift;
  int64_t round = (int64_t) 1 << (totalShift - 1);
  return zp_Java_l2i(zp_Java_lshr((int64_t) x * multiplier + round, totalShift));
}
