/* IntegerOnlyRequant.apply: RNE(f32(f32(acc) * m)) exactly, with integer arithmetic only.
   requires: IntegerOnlyRequant IntegerOnlyRequant_productSignificand IntegerOnlyRequant_productScale
   requires: Rounding_shiftRightRoundHalfEven */
static int64_t zp_IntegerOnlyRequant_apply(const zp_IntegerOnlyRequant *self, int32_t acc) {
  int64_t magnitude;
  int64_t significand;
  int32_t scale;
  int64_t rounded;
  if (self->mantissa == 0 || acc == 0) {
    return 0;
  }
  magnitude = acc < 0 ? -(int64_t) acc : (int64_t) acc;
  significand = zp_IntegerOnlyRequant_productSignificand(self, magnitude);
  scale = zp_IntegerOnlyRequant_productScale(self, magnitude);
  /* nearbyintf of significand * 2^scale */
  rounded = scale >= 0
      ? significand << scale /* < 2^63 by the domain of m */
      : zp_Rounding_shiftRightRoundHalfEven(significand, -scale < 63 ? -scale : 63);
  return acc < 0 ? -rounded : rounded;
}
