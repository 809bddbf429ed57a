/* PyTorchQnnpackPooling.atenNchwAverage: one output of ATen's NCHW avg_pool2d,
   nearbyint(f32(f32(f32(acc) * multiplier) + (float) outputZeroPoint)), converted to int32 as x86
   does (out of range gives INT32_MIN) and saturated to the storage (an ElementType ordinal).
   requires: Math_rint PyTorchQnnpackPooling_x86FloatToInt32 Rounding_saturate Java_l2i */
static int32_t zp_PyTorchQnnpackPooling_atenNchwAverage(int32_t acc, float multiplier, int64_t outputZeroPoint,
    int32_t storage) {
  float value = (float) acc * multiplier + (float) outputZeroPoint;
  return zp_Java_l2i(zp_Rounding_saturate(zp_PyTorchQnnpackPooling_x86FloatToInt32(zp_Math_rint((double) value)),
      storage));
}
