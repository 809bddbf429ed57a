/* Elementwise.quantize: x quantized to the storage type (an ElementType ordinal) in a flavour
   (PYTORCH 0: PyTorchQnnpack.quantize, ONNX 1: FlavourQuantize.onnxQuantize, TFLITE 2:
   FlavourQuantize.tfliteQuantize, ADD_ROUND 3: OnnxRuntimeQLinear.poolQuantize), per tensor (one
   scale) or per channel, channel of i = (i / inner) % scales_n. Another flavour (the Java throws)
   leaves out untouched. This call does part of parts: the part-th of parts contiguous ranges of the
   elements.
   PyTorch's flavour with one scale, a storage within [-2^16, 2^16] and a zero point there too takes a
   vectorizable path for products x * inv below 2^22 in magnitude: adding and subtracting 1.5 * 2^23
   rounds them to the nearest integer, ties to even (nearbyint), the zero point's sum is exact in
   float, and the clamp to the storage's bounds is the saturation of the integer; a block holding a
   larger product or a NaN is redone by the scalar function.
   requires: ElementType_min ElementType_max PyTorchQnnpack_quantize FlavourQuantize_onnxQuantize FlavourQuantize_tfliteQuantize
   requires: OnnxRuntimeQLinear_poolQuantize */
static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *scales, int32_t scales_n,
    const $T3 *zeroPoints, int32_t zeroPoints_n, int32_t inner, int32_t storage, int32_t flavour, int32_t part,
    int32_t parts) {
  const int32_t first = (int32_t) ((int64_t) x_n * part / parts), last = (int32_t) ((int64_t) x_n * (part + 1) / parts);
  int32_t i = first;
  (void) out_n;
  (void) zeroPoints_n;
  if (flavour < 0 || flavour > 3) {
    return;
  }
  if (flavour == 0 && scales_n == 1 && zp_ElementType_min(storage) >= -65536 && zp_ElementType_max(storage) <= 65536
      && zeroPoints[0] >= -65536 && zeroPoints[0] <= 65536) {
    const float inverseScale = 1.0f / (float) scales[0];
    const float zeroPoint = (float) zeroPoints[0];
    const float lo = (float) zp_ElementType_min(storage), hi = (float) zp_ElementType_max(storage);
    for (; i < last; i += 256) {
      const int32_t n = last - i < 256 ? last - i : 256;
      int32_t k, large = 0;
      for (k = 0; k < n; k++) {
        const float product = x[i + k] * inverseScale;
        float shifted = zeroPoint + ((product + 0x1.8p23f) - 0x1.8p23f);
        large |= !(product > -0x1p22f && product < 0x1p22f);
        shifted = shifted < lo ? lo : (shifted > hi ? hi : shifted);
        out[i + k] = ($T0) (int32_t) shifted;
      }
      if (large) {
        for (k = 0; k < n; k++) {
          out[i + k] = ($T0) zp_PyTorchQnnpack_quantize(x[i + k], scales[0], zeroPoints[0], storage);
        }
      }
    }
    return;
  }
  for (; i < last; i++) {
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
