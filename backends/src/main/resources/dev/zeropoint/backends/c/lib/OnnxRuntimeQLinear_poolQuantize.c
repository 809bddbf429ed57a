/* OnnxRuntimeQLinear.poolQuantize: ONNX Runtime's QLinearAveragePool quantize_value, f32(f32(v / (float)
   scale) + (float) zeroPoint) rounded to nearest even, converted as x86's cvttss2si (NaN and values
   outside int32 give INT32_MIN), then clamped to the storage (an ElementType ordinal).
   requires: Math_rint Rounding_clamp ElementType_min ElementType_max */
static int64_t zp_OnnxRuntimeQLinear_poolQuantize(float v, double scale, int64_t zeroPoint, int32_t storage) {
  float w = v / (float) scale + (float) zeroPoint;
  double rounded = zp_Math_rint((double) w);
  int64_t asInt32 = rounded >= -0x1p31 && rounded < 0x1p31 ? (int64_t) rounded : (int64_t) INT32_MIN;
  return zp_Rounding_clamp(asInt32, zp_ElementType_min(storage), zp_ElementType_max(storage));
}
