/* Math.floor(double): the largest integer not above x; -0.0 gives -0.0, -0.5 gives -1.0, NaN and
   infinities come back unchanged. The nearest integer, less one when it lies above x (exact: the
   nearest integer of a non-integer is below 2^52).
   requires: Math_rint */
static double zp_Math_floor(double x) {
  double r = zp_Math_rint(x);
  return r > x ? r - 1.0 : r;
}
