/* Requantize.tail: the integer requantization schemes' tail: y plus the output zero point (int64,
   wrapping as Java's long does), saturated to the storage type (an ElementType ordinal), clamped
   into [min, max].
   requires: Java_ladd Rounding_clamp Rounding_saturate */
static int32_t zp_Requantize_tail(int64_t y, int32_t outputZeroPoint, int32_t min, int32_t max, int32_t storage) {
  return (int32_t) zp_Rounding_clamp(zp_Rounding_saturate(zp_Java_ladd(y, outputZeroPoint), storage), min, max);
}
