/* PyTorchAtenQuantized.quantizeAvx2: ATen's QuantizeAvx2, t = min(f32(x * inverseScale), 2147483520)
   (a NaN product becomes 2147483520), cvtps2dq (RNE, out of int32 gives INT32_MIN), plus the zero
   point in wrapping int32, saturated to the storage (an ElementType ordinal).
   requires: Rounding_x86FloatToInt32RoundHalfEven Rounding_saturate Java_l2i */
static int32_t zp_PyTorchAtenQuantized_quantizeAvx2(float x, float inverseScale, int32_t zeroPoint, int32_t storage) {
  float scaled = x * inverseScale;
  float clipped = scaled < 2147483520.0f ? scaled : 2147483520.0f;
  int32_t shifted = zp_Java_l2i((int64_t) zp_Rounding_x86FloatToInt32RoundHalfEven(clipped) + zeroPoint);
  return zp_Java_l2i(zp_Rounding_saturate(shifted, storage));
}
