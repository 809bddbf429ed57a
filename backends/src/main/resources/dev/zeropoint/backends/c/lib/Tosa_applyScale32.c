/* Tosa.applyScale32: TOSA apply_scale_32, round = 2^(shift - 1), plus 2^30 toward value's sign when
   doubleRound (a boolean) and shift > 31, result ((int64) value * multiplier + round) >> shift, the
   low 32 bits. (The Java throws IllegalArgumentException when a spec REQUIRE fails: multiplier >= 0,
   shift in [2, 62], value in [-2^(shift-1), 2^(shift-1)); the compiler validated, so no check here.)
   requires: Java_lshr Java_l2i */
static int32_t zp_Tosa_applyScale32(int32_t value, int32_t multiplier, int32_t shift, int doubleRound) {
  int64_t round = (int64_t) 1 << (shift - 1);
  if (doubleRound && shift > 31) {
    round += value >= 0 ? ((int64_t) 1 << 30) : -((int64_t) 1 << 30);
  }
  return zp_Java_l2i(zp_Java_lshr((int64_t) value * multiplier + round, shift));
}
