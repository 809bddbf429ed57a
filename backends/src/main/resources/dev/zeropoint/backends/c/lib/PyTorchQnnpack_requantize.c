/* PyTorchQnnpack.requantize: the full conv / linear output, scaleAndRound then
   finishRequantization.
   requires: PyTorchQnnpack_scaleAndRound PyTorchQnnpack_finishRequantization */
static int32_t zp_PyTorchQnnpack_requantize(int32_t acc, float m, int32_t outputZeroPoint, int32_t outputMin,
    int32_t outputMax) {
  return zp_PyTorchQnnpack_finishRequantization(zp_PyTorchQnnpack_scaleAndRound(acc, m), outputZeroPoint,
      outputMin, outputMax);
}
