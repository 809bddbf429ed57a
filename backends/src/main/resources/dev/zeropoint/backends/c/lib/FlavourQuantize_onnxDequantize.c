/* FlavourQuantize.onnxDequantize: ONNX DequantizeLinear, f32((float) (q - zeroPoint) * (float)
   scale), the subtraction in (wrapping) int64.
   requires: Java_lsub */
static float zp_FlavourQuantize_onnxDequantize(int32_t q, double scale, int64_t zeroPoint) {
  return (float) zp_Java_lsub(q, zeroPoint) * (float) scale;
}
