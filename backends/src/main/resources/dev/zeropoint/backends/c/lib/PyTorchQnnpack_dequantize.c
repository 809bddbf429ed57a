/* PyTorchQnnpack.dequantize: dequantize_val, f32((float) scale * (float) (q - (int32) zeroPoint)),
   the subtraction in wrapping int32.
   requires: Java_l2i */
static float zp_PyTorchQnnpack_dequantize(int32_t q, double scale, int64_t zeroPoint) {
  int32_t centered = zp_Java_l2i((int64_t) q - (int64_t) zp_Java_l2i(zeroPoint));
  return (float) scale * (float) centered;
}
