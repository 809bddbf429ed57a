/* PyTorchQnnpack.quantize: quantize_val of PyTorch without FBGEMM, in its float steps:
   inv = f32(1.0f / (float) scale), r = nearbyint(f32(x * inv)), v = f32((float) zeroPoint + r),
   then x86's truncation to int64 (NaN and |v| >= 2^63 give INT64_MIN) saturated to the storage
   (an ElementType ordinal).
   requires: Math_rint Rounding_x86TruncateFloatToInt64 Rounding_saturate */
static int64_t zp_PyTorchQnnpack_quantize(float x, double scale, int64_t zeroPoint, int32_t storage) {
  float inverseScale = 1.0f / (float) scale;
  float rounded = (float) zp_Math_rint((double) (x * inverseScale));
  float shifted = (float) zeroPoint + rounded;
  return zp_Rounding_saturate(zp_Rounding_x86TruncateFloatToInt64(shifted), storage);
}
