/* FlavourQuantize.tfliteDequantize: TFLite Dequantize, (float) (scale * (double) (q - zeroPoint)),
   the product in double, the subtraction in (wrapping) int64.
   requires: Java_lsub */
static float zp_FlavourQuantize_tfliteDequantize(int32_t q, double scale, int64_t zeroPoint) {
  return (float) (scale * (double) zp_Java_lsub(q, zeroPoint));
}
