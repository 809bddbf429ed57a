/* IntegerOnlyRequant.productSignificand: the 24-bit significand of f32(f32(magnitude) * m),
   magnitude in [1, 2^31].
   requires: IntegerOnlyRequant IntegerOnlyRequant_bitLength Rounding_shiftRightRoundHalfEven */
static int64_t zp_IntegerOnlyRequant_productSignificand(const zp_IntegerOnlyRequant *self, int64_t magnitude) {
  int32_t accShift = zp_IntegerOnlyRequant_bitLength(magnitude) - 24;
  int64_t accSignificand;
  int64_t product;
  int32_t productShift;
  accShift = accShift > 0 ? accShift : 0;
  accSignificand = zp_Rounding_shiftRightRoundHalfEven(magnitude, accShift); /* f32(acc), <= 2^24 */
  product = accSignificand * self->mantissa; /* < 2^48, exact */
  productShift = zp_IntegerOnlyRequant_bitLength(product) - 24;
  productShift = productShift > 0 ? productShift : 0;
  return zp_Rounding_shiftRightRoundHalfEven(product, productShift); /* the float multiply, <= 2^24 */
}
