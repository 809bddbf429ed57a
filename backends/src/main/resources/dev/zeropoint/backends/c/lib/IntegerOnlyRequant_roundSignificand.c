/* IntegerOnlyRequant.roundSignificand: an integer magnitude >= 0 rounded RNE to 24 significant
   bits (the float it converts to, as an integer).
   requires: IntegerOnlyRequant_bitLength Rounding_shiftRightRoundHalfEven */
static int64_t zp_IntegerOnlyRequant_roundSignificand(int64_t magnitude) {
  int32_t shift = zp_IntegerOnlyRequant_bitLength(magnitude) - 24;
  shift = shift > 0 ? shift : 0;
  return zp_Rounding_shiftRightRoundHalfEven(magnitude, shift) * ((int64_t) 1 << shift);
}
