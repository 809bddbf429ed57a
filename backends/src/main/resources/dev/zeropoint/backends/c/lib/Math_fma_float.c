/* Math.fma(float, float, float): a * b + c computed exactly and rounded once to float.
   The product of two floats is exact in double (48 significant bits, far inside double's range),
   and TwoSum gives s + e == p + c exactly (s the rounded double sum). Rounding the exact sum to
   double "to odd" (s itself, or when inexact the neighbour with an odd last bit) and then to float
   rounds the exact sum correctly: double has at least 24 + 2 bits more than float. Zero factors and
   non-finite operands take Java's own route, (float) of the double computation, which is then
   exact. Assumes IEEE double arithmetic without excess precision (FLT_EVAL_METHOD 0) and without
   contraction (-ffp-contract=off). */
static float zp_Math_fma_float(float a, float b, float c) {
  double p;
  double s;
  double bb;
  double e;
  uint64_t bits;
  if (a == 0.0f || b == 0.0f || a - a != 0.0f || b - b != 0.0f || c - c != 0.0f) {
    return (float) ((double) a * (double) b + (double) c);
  }
  p = (double) a * (double) b;
  s = p + (double) c;
  bb = s - p;
  e = (p - (s - bb)) + ((double) c - bb);
  if (e != 0.0) {
    memcpy(&bits, &s, sizeof bits);
    if ((bits & 1u) == 0) {
      /* s is even: the exact sum lies between s and its neighbour on e's side, which is odd. */
      if ((e > 0.0) == (s > 0.0)) {
        bits++;
      } else {
        bits--;
      }
      memcpy(&s, &bits, sizeof s);
    }
  }
  return (float) s;
}
