/* IntegerOnlyRequant.productScale: the binary exponent that goes with productSignificand.
   requires: IntegerOnlyRequant IntegerOnlyRequant_bitLength Rounding_shiftRightRoundHalfEven */
static int32_t zp_IntegerOnlyRequant_productScale(const zp_IntegerOnlyRequant *self, int64_t magnitude) {
  int32_t accShift = zp_IntegerOnlyRequant_bitLength(magnitude) - 24;
  int64_t accSignificand;
  int64_t product;
  int32_t productShift;
  accShift = accShift > 0 ? accShift : 0;
  accSignificand = zp_Rounding_shiftRightRoundHalfEven(magnitude, accShift);
  product = accSignificand * self->mantissa;
  productShift = zp_IntegerOnlyRequant_bitLength(product) - 24;
  productShift = productShift > 0 ? productShift : 0;
  return accShift + productShift + self->exponent;
}
