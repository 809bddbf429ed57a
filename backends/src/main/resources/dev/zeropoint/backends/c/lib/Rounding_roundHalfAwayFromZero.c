/* Rounding.roundHalfAwayFromZero: HAZ of a double to a long (2.5 gives 3, -2.5 gives -3,
   0.49999999999999994 gives 0); NaN gives 0, values beyond the long range saturate.
   requires: Math_abs Math_floor Math_copySign Java_d2l */
static int64_t zp_Rounding_roundHalfAwayFromZero(double x) {
  double magnitude = zp_Math_abs(x);
  double floor = zp_Math_floor(magnitude);
  /* magnitude - floor is exact (below 1 it is magnitude, from 1 on Sterbenz's lemma applies). */
  double rounded = (magnitude - floor >= 0.5) ? floor + 1.0 : floor;
  return zp_Java_d2l(zp_Math_copySign(rounded, x));
}
