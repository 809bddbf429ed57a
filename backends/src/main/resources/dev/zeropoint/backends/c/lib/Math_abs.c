/* Math.abs(double): x with its sign bit cleared (-0.0 gives 0.0). */
static double zp_Math_abs(double x) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  bits &= ~((uint64_t) 1 << 63);
  memcpy(&x, &bits, sizeof x);
  return x;
}
