/* PyTorchAtenQuantized.floatAddScalar: the scalar lambda of qadd_kernel, dequantize both operands
   (PyTorchQnnpack.dequantize), add in float, quantize (PyTorchQnnpack.quantize).
   requires: PyTorchAtenQuantized_FloatAddParams PyTorchQnnpack_dequantize PyTorchQnnpack_quantize Java_l2i */
static int32_t zp_PyTorchAtenQuantized_floatAddScalar(int32_t a, int32_t b,
    const zp_PyTorchAtenQuantized_FloatAddParams *p) {
  float da = zp_PyTorchQnnpack_dequantize(a, (double) p->aScale, p->aZeroPoint);
  float db = zp_PyTorchQnnpack_dequantize(b, (double) p->bScale, p->bZeroPoint);
  return zp_Java_l2i(zp_PyTorchQnnpack_quantize(da + db, (double) p->outputScale, p->outputZeroPoint, p->storage));
}
