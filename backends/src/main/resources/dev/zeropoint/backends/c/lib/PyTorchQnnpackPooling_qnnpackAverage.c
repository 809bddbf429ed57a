/* PyTorchQnnpackPooling.qnnpackAverage: one output of QNNPACK's SSE2 average pooling, the conv
   requantization PyTorchQnnpack.requantize with the range [0, 255].
   requires: PyTorchQnnpack_requantize */
static int32_t zp_PyTorchQnnpackPooling_qnnpackAverage(int32_t acc, float scale, int32_t outputZeroPoint) {
  return zp_PyTorchQnnpack_requantize(acc, scale, outputZeroPoint, 0, 255);
}
