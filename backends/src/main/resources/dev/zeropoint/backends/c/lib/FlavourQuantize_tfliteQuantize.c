/* FlavourQuantize.tfliteQuantize: TFLite AffineQuantize, (int32) round_HAZ(f32(x / (float) scale))
   (NaN and values outside int32 give INT32_MIN, as x86's cvttss2si) plus zeroPoint (wrapping
   int64, as Java's), saturated to the storage (an ElementType ordinal).
   requires: Rounding_roundHalfAwayFromZero Java_ladd Rounding_saturate */
static int64_t zp_FlavourQuantize_tfliteQuantize(float x, double scale, int64_t zeroPoint, int32_t storage) {
  float v = x / (float) scale;
  double rounded = (double) zp_Rounding_roundHalfAwayFromZero((double) v);
  int64_t asInt32 = (v != v || rounded >= 0x1p31 || rounded < -0x1p31) ? INT32_MIN : (int64_t) rounded;
  return zp_Rounding_saturate(zp_Java_ladd(asInt32, zeroPoint), storage);
}
