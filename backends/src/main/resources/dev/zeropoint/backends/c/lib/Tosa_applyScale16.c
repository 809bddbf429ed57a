/* Tosa.applyScale16: TOSA apply_scale_16, ((int64) value * multiplier + 2^(shift - 1)) >> shift.
   (The Java throws IllegalArgumentException when a spec REQUIRE fails: multiplier in [0, 2^15),
   shift in [2, 62], value an int48, the result within int32; the compiler validated, so no check
   here.)
   requires: Java_lshr Java_l2i */
static int32_t zp_Tosa_applyScale16(int64_t value, int32_t multiplier, int32_t shift) {
  return zp_Java_l2i(zp_Java_lshr(value * multiplier + ((int64_t) 1 << (shift - 1)), shift));
}
