/* FixedPoint.multiplyByQuantizedMultiplierInt64: TFLite's MultiplyByQuantizedMultiplier of an int64
   x: the multiplier reduced to 16 bits, M' = M < 0x7FFF0000 ? (M + 2^15) >> 16 : 0x7FFF, then
   (x * M' + 2^(14 - shift)) >> (15 - shift), the low 32 bits. (The Java throws
   IllegalArgumentException unless M >= 0, shift is in [-31, 7] and x in [-2^47, 2^47); the compiler
   validated, so no check here.)
   requires: Java_lshr Java_l2i */
static int32_t zp_FixedPoint_multiplyByQuantizedMultiplierInt64(int64_t x, int32_t multiplier, int32_t shift) {
  int64_t reduced = multiplier < 0x7FFF0000 ? ((int64_t) multiplier + ((int64_t) 1 << 15)) >> 16 : 0x7FFF;
  int32_t totalShift = 15 - shift;
  return zp_Java_l2i(zp_Java_lshr(x * reduced + ((int64_t) 1 << (totalShift - 1)), totalShift));
}
