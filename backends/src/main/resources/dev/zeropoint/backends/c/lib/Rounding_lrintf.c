/* Rounding.lrintf: glibc's lrintf on x86-64, RNE of a float to int64; NaN and rounded values
   outside int64 give INT64_MIN (cvtss2si's "integer indefinite").
   requires: Math_rint */
static int64_t zp_Rounding_lrintf(float x) {
  double rounded = zp_Math_rint((double) x);
  if (!(rounded >= -0x1p63 && rounded < 0x1p63)) {
    return INT64_MIN;
  }
  return (int64_t) rounded;
}
