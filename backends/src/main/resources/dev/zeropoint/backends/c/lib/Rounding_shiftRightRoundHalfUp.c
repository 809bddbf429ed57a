/* Rounding.shiftRightRoundHalfUp: floor(v / 2^shift + 1/2), any v, shift in [0, 63] (the Java
   throws IllegalArgumentException outside; the compiler validated, so no check here).
   requires: Java_lshr */
static int64_t zp_Rounding_shiftRightRoundHalfUp(int64_t v, int32_t shift) {
  int64_t quotient;
  uint64_t remainder;
  if (shift == 0) {
    return v;
  }
  quotient = zp_Java_lshr(v, shift);
  remainder = (uint64_t) v & (((uint64_t) 1 << shift) - 1u);
  if (remainder >= ((uint64_t) 1 << (shift - 1))) {
    quotient++;
  }
  return quotient;
}
