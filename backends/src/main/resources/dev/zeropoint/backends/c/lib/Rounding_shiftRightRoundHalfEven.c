/* Rounding.shiftRightRoundHalfEven: v / 2^shift rounded half to even, any v, shift in [0, 63] (the
   Java throws IllegalArgumentException outside; the compiler validated, so no check here).
   requires: Java_lshr */
static int64_t zp_Rounding_shiftRightRoundHalfEven(int64_t v, int32_t shift) {
  int64_t quotient;
  uint64_t remainder;
  uint64_t half;
  if (shift == 0) {
    return v;
  }
  quotient = zp_Java_lshr(v, shift); /* floor */
  remainder = (uint64_t) v & (((uint64_t) 1 << shift) - 1u); /* v - quotient * 2^shift, in [0, 2^shift) */
  half = (uint64_t) 1 << (shift - 1);
  if (remainder > half || (remainder == half && (quotient & 1) != 0)) {
    quotient++;
  }
  return quotient;
}
