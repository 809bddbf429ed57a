/* Elementwise.dequantize: x dequantized to float in a flavour (PYTORCH 0: PyTorchQnnpack.dequantize,
   ONNX 1: FlavourQuantize.onnxDequantize, TFLITE 2: FlavourQuantize.tfliteDequantize), per tensor
   (one scale) or per channel, channel of i = (i / inner) % scales_n. Another flavour (the Java
   throws) leaves out untouched.
   requires: PyTorchQnnpack_dequantize FlavourQuantize_onnxDequantize FlavourQuantize_tfliteDequantize */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *scales, int32_t scales_n,
    const $T3 *zeroPoints, int32_t zeroPoints_n, int32_t inner, int32_t flavour) {
  int32_t i;
  (void) out_n;
  (void) zeroPoints_n;
  if (flavour < 0 || flavour > 2) {
    return;
  }
  for (i = 0; i < x_n; i++) {
    int32_t c = scales_n == 1 ? 0 : (i / inner) % scales_n;
    int32_t q = x[i];
    double scale = scales[c];
    int64_t zeroPoint = zeroPoints[c];
    float v;
    if (flavour == 0) {
      v = zp_PyTorchQnnpack_dequantize(q, scale, zeroPoint);
    } else if (flavour == 1) {
      v = zp_FlavourQuantize_onnxDequantize(q, scale, zeroPoint);
    } else {
      v = zp_FlavourQuantize_tfliteDequantize(q, scale, zeroPoint);
    }
    out[i] = ($T0) v;
  }
}
