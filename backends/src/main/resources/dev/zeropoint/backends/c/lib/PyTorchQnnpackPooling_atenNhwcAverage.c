/* PyTorchQnnpackPooling.atenNhwcAverage: one output of ATen's NHWC average pooling,
   sat(RNE(f32(f32(acc) * multiplier)) + outputZeroPoint) (the rounded value as Java's (long), the
   addition wrapping as Java's), to the storage (an ElementType ordinal).
   requires: Math_rint Java_d2l Java_ladd Rounding_saturate Java_l2i */
static int32_t zp_PyTorchQnnpackPooling_atenNhwcAverage(int32_t acc, float multiplier, int64_t outputZeroPoint,
    int32_t storage) {
  int64_t rounded = zp_Java_d2l(zp_Math_rint((double) ((float) acc * multiplier)));
  return zp_Java_l2i(zp_Rounding_saturate(zp_Java_ladd(rounded, outputZeroPoint), storage));
}
