/* FixedPoint.roundingDivideByPOT: gemmlowp's RoundingDivideByPOT, x / 2^exponent rounded half away
   from zero, exponent in [0, 31] (the Java throws IllegalArgumentException outside; the compiler
   validated, so no check here).
   requires: Java_lshr */
static int32_t zp_FixedPoint_roundingDivideByPOT(int32_t x, int32_t exponent) {
  int32_t mask = (int32_t) (((int64_t) 1 << exponent) - 1);
  int32_t remainder = (int32_t) ((uint32_t) x & (uint32_t) mask);
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int32_t) (zp_Java_lshr(x, exponent) + (remainder > threshold ? 1 : 0));
}
