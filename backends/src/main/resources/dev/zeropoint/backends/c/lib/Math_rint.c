/* Math.rint(double): the nearest integer, ties to even, as a double; -0.3 and -0.0 give -0.0, NaN
   and infinities come back unchanged. For |x| < 2^52, |x| + 2^52 lies in [2^52, 2^53), where the
   ulp is 1, so the IEEE addition (round to nearest even, FLT_EVAL_METHOD 0) rounds |x| to an integer
   and subtracting 2^52 is exact; the sign is put back with its bit. Every double of magnitude at
   least 2^52 is already an integer. */
static double zp_Math_rint(double x) {
  uint64_t bits;
  uint64_t sign;
  double magnitude;
  double rounded;
  memcpy(&bits, &x, sizeof bits);
  sign = bits & ((uint64_t) 1 << 63);
  bits &= ~((uint64_t) 1 << 63);
  memcpy(&magnitude, &bits, sizeof magnitude);
  if (!(magnitude < 0x1p52)) {
    return x;
  }
  rounded = (magnitude + 0x1p52) - 0x1p52;
  memcpy(&bits, &rounded, sizeof bits);
  bits |= sign;
  memcpy(&rounded, &bits, sizeof rounded);
  return rounded;
}
