/* FlavourQuantize.onnxQuantize: ONNX QuantizeLinear, saturate(RNE(f32(x / (float) scale)) +
   zeroPoint) (the rounded value as Java's (long), NaN giving 0; the addition wrapping as Java's),
   to the storage (an ElementType ordinal).
   requires: Math_rint Java_d2l Java_ladd Rounding_saturate */
static int64_t zp_FlavourQuantize_onnxQuantize(float x, double scale, int64_t zeroPoint, int32_t storage) {
  float v = x / (float) scale;
  double rounded = zp_Math_rint((double) v);
  return zp_Rounding_saturate(zp_Java_ladd(zp_Rounding_saturate(zp_Java_d2l(rounded), 6), zeroPoint), storage);
}
