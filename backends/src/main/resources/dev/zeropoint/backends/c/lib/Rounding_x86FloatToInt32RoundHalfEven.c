/* Rounding.x86FloatToInt32RoundHalfEven: x86 cvtps2dq, RNE of a float to int32; NaN and rounded
   values outside [-2^31, 2^31) give INT32_MIN.
   requires: Math_rint */
static int32_t zp_Rounding_x86FloatToInt32RoundHalfEven(float x) {
  double rounded = zp_Math_rint((double) x);
  if (!(rounded >= -0x1p31 && rounded < 0x1p31)) {
    return INT32_MIN;
  }
  return (int32_t) rounded;
}
