/* Rounding.roundHalfToEven: RNE of a double to a long; NaN gives 0, values beyond the long range
   saturate.
   requires: Math_rint Java_d2l */
static int64_t zp_Rounding_roundHalfToEven(double x) {
  return zp_Java_d2l(zp_Math_rint(x));
}
