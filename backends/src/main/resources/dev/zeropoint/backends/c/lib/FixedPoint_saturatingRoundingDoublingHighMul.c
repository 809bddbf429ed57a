/* FixedPoint.saturatingRoundingDoublingHighMul: gemmlowp's SRDHM, floor((a * b + 2^30) / 2^31)
   (round half up of a * b / 2^31), except a == b == INT32_MIN gives INT32_MAX.
   requires: Java_lshr Java_l2i */
static int32_t zp_FixedPoint_saturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  int64_t ab;
  if (a == INT32_MIN && b == INT32_MIN) {
    return INT32_MAX;
  }
  ab = (int64_t) a * b; /* |ab| < 2^62 here */
  return zp_Java_l2i(zp_Java_lshr(ab + ((int64_t) 1 << 30), 31));
}
