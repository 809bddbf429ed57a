/* Elementwise.quantize: x quantized to the storage type (an ElementType ordinal) in a flavour
   (PYTORCH 0: PyTorchQnnpack.quantize, ONNX 1: FlavourQuantize.onnxQuantize, TFLITE 2:
   FlavourQuantize.tfliteQuantize, ADD_ROUND 3: OnnxRuntimeQLinear.poolQuantize), per tensor (one
   scale) or per channel, channel of i = (i / inner) % scales_n. Another flavour (the Java throws)
   leaves out untouched.
   requires: PyTorchQnnpack_quantize FlavourQuantize_onnxQuantize FlavourQuantize_tfliteQuantize
   requires: OnnxRuntimeQLinear_poolQuantize */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *scales, int32_t scales_n,
    const $T3 *zeroPoints, int32_t zeroPoints_n, int32_t inner, int32_t storage, int32_t flavour) {
  int32_t i;
  (void) out_n;
  (void) zeroPoints_n;
  if (flavour < 0 || flavour > 3) {
    return;
  }
  for (i = 0; i < x_n; i++) {
    int32_t c = scales_n == 1 ? 0 : (i / inner) % scales_n;
    float v = x[i];
    double scale = scales[c];
    int64_t zeroPoint = zeroPoints[c];
    int64_t q;
    if (flavour == 0) {
      q = zp_PyTorchQnnpack_quantize(v, scale, zeroPoint, storage);
    } else if (flavour == 1) {
      q = zp_FlavourQuantize_onnxQuantize(v, scale, zeroPoint, storage);
    } else if (flavour == 2) {
      q = zp_FlavourQuantize_tfliteQuantize(v, scale, zeroPoint, storage);
    } else {
      q = zp_OnnxRuntimeQLinear_poolQuantize(v, scale, zeroPoint, storage);
    }
    out[i] = ($T0) q;
  }
}
