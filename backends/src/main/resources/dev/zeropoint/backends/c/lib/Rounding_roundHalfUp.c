/* Rounding.roundHalfUp: floor(x + 1/2) of a double computed exactly (2.5 gives 3, -2.5 gives -2);
   NaN gives 0, values beyond the long range saturate.
   requires: Math_floor Java_d2l */
static int64_t zp_Rounding_roundHalfUp(double x) {
  double floor = zp_Math_floor(x);
  double rounded = (x - floor >= 0.5) ? floor + 1.0 : floor;
  return zp_Java_d2l(rounded);
}
