/* Java's (long) of a double (JVM d2l; also (long) of a float, widened exactly): truncation toward
   zero, NaN gives 0, values beyond the long range saturate. (C's conversion is undefined there.) */
static int64_t zp_Java_d2l(double x) {
  if (x != x) {
    return 0;
  }
  if (x >= 0x1p63) {
    return INT64_MAX;
  }
  if (x <= -0x1p63) {
    return INT64_MIN;
  }
  return (int64_t) x;
}
