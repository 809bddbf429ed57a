/* Rounding.shiftRightRoundHalfAwayFromZero: v / 2^shift rounded half away from zero, any v, shift
   in [0, 63] (the Java throws IllegalArgumentException outside; the compiler validated, so no check
   here).
   requires: Java_lshr */
static int64_t zp_Rounding_shiftRightRoundHalfAwayFromZero(int64_t v, int32_t shift) {
  int64_t quotient;
  uint64_t remainder;
  uint64_t half;
  if (shift == 0) {
    return v;
  }
  quotient = zp_Java_lshr(v, shift);
  remainder = (uint64_t) v & (((uint64_t) 1 << shift) - 1u);
  half = (uint64_t) 1 << (shift - 1);
  /* A negative tie stays at the floor. */
  if (remainder > half || (remainder == half && v >= 0)) {
    quotient++;
  }
  return quotient;
}
