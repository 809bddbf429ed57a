/* IntegerOnlyRequant.applyAddRound: nearbyint(f32(f32(f32(acc) * m) + addend)) exactly, with
   integer arithmetic only (ATen's NCHW average pooling); ±2^40 once the product reaches 2^39. (The
   Java throws IllegalArgumentException for |addend| >= 2^16 or the zero record; the compiler
   validated, so no check here.)
   requires: IntegerOnlyRequant IntegerOnlyRequant_productSignificand IntegerOnlyRequant_productScale
   requires: IntegerOnlyRequant_roundSignificand IntegerOnlyRequant_bitLength
   requires: Rounding_shiftRightRoundHalfEven */
static int64_t zp_IntegerOnlyRequant_applyAddRound(const zp_IntegerOnlyRequant *self, int32_t acc,
    int32_t addend) {
  int64_t magnitude;
  int64_t product;
  int32_t scale;
  int64_t sum;
  int64_t mag;
  int32_t shift;
  int64_t floatSignificand;
  int32_t floatScale;
  int64_t rounded;
  if (acc == 0) {
    return addend; /* f32(0 * m) = 0 */
  }
  magnitude = acc < 0 ? -(int64_t) acc : (int64_t) acc;
  product = acc < 0 ? -zp_IntegerOnlyRequant_productSignificand(self, magnitude)
      : zp_IntegerOnlyRequant_productSignificand(self, magnitude);
  scale = zp_IntegerOnlyRequant_productScale(self, magnitude);
  if (scale >= 40 - 24) {
    /* |product| >= 2^39 >> |addend|: only the sign matters. */
    return acc < 0 ? -((int64_t) 1 << 40) : (int64_t) 1 << 40;
  }
  if (scale >= 0) {
    /* An integer sum: its f32 is an integer too, so nearbyint keeps it. */
    int64_t exact = product * ((int64_t) 1 << scale) + addend; /* |.| < 2^40 + 2^16 */
    int64_t r = zp_IntegerOnlyRequant_roundSignificand(exact < 0 ? -exact : exact);
    return exact < 0 ? -r : r;
  }
  if (scale < -40) {
    /* |product| < 2^-16: below half an ulp of any nonzero integer under 2^16, and alone rounds to 0. */
    return addend;
  }
  /* The exact sum times 2^-scale, f32 by RNE to 24 bits, then nearbyint. */
  sum = product + (int64_t) addend * ((int64_t) 1 << -scale);
  mag = sum < 0 ? -sum : sum;
  shift = zp_IntegerOnlyRequant_bitLength(mag) - 24;
  shift = shift > 0 ? shift : 0;
  floatSignificand = zp_Rounding_shiftRightRoundHalfEven(mag, shift);
  floatScale = scale + shift;
  rounded = floatScale >= 0
      ? floatSignificand << floatScale
      : zp_Rounding_shiftRightRoundHalfEven(floatSignificand, -floatScale < 63 ? -floatScale : 63);
  return sum < 0 ? -rounded : rounded;
}
