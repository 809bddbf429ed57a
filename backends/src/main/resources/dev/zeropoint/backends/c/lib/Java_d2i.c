/* Java's (int) of a double (JVM d2i; also (int) of a float, widened exactly): truncation toward
   zero, NaN gives 0, values beyond the int range saturate. (C's conversion is undefined there.) */
static int32_t zp_Java_d2i(double x) {
  if (x != x) {
    return 0;
  }
  if (x >= 0x1p31) {
    return INT32_MAX;
  }
  if (x <= -0x1p31) {
    return INT32_MIN;
  }
  return (int32_t) x;
}
