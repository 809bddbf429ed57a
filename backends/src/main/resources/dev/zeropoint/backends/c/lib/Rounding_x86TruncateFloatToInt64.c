/* Rounding.x86TruncateFloatToInt64: x86-64 cvttss2si to int64, truncation toward zero; NaN and
   values outside [-2^63, 2^63) give INT64_MIN. */
static int64_t zp_Rounding_x86TruncateFloatToInt64(float x) {
  if (!(x >= -0x1p63f && x < 0x1p63f)) {
    return INT64_MIN;
  }
  return (int64_t) x;
}
