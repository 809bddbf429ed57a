/* PyTorchAtenQuantized.requantize: one element of quantized cat (and the IR's requantize in this
   flavour), PyTorchQnnpack.dequantize at the input's parameters then PyTorchQnnpack.quantize at the
   output's; storage is an ElementType ordinal.
   requires: PyTorchQnnpack_dequantize PyTorchQnnpack_quantize Java_l2i */
static int32_t zp_PyTorchAtenQuantized_requantize(int32_t q, double inputScale, int64_t inputZeroPoint,
    double outputScale, int64_t outputZeroPoint, int32_t storage) {
  float real = zp_PyTorchQnnpack_dequantize(q, inputScale, inputZeroPoint);
  return zp_Java_l2i(zp_PyTorchQnnpack_quantize(real, outputScale, outputZeroPoint, storage));
}
