/* Math.copySign(double, double): magnitude's bits with sign's sign bit (NaN signs included). */
static double zp_Math_copySign(double magnitude, double sign) {
  uint64_t m;
  uint64_t s;
  memcpy(&m, &magnitude, sizeof m);
  memcpy(&s, &sign, sizeof s);
  m = (m & ~((uint64_t) 1 << 63)) | (s & ((uint64_t) 1 << 63));
  memcpy(&magnitude, &m, sizeof magnitude);
  return magnitude;
}
