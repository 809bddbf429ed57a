/* PyTorchAtenQuantized.batchNorm: element q of channel channel (of channels) of PyTorch's quantized
   batch norm, by the vector or the scalar formula as batchNormIsVectorized says.
   requires: PyTorchAtenQuantized_BatchNormChannel PyTorchAtenQuantized_batchNormIsVectorized
   requires: PyTorchAtenQuantized_batchNormVectorized PyTorchAtenQuantized_batchNormScalar */
static int32_t zp_PyTorchAtenQuantized_batchNorm(int32_t q, int32_t channel, int32_t channels,
    int32_t inputZeroPoint, const zp_PyTorchAtenQuantized_BatchNormChannel *c, int32_t outputZeroPoint,
    int32_t storage) {
  return zp_PyTorchAtenQuantized_batchNormIsVectorized(channel, channels)
      ? zp_PyTorchAtenQuantized_batchNormVectorized(q, inputZeroPoint, c, outputZeroPoint, storage)
      : zp_PyTorchAtenQuantized_batchNormScalar(q, inputZeroPoint, c, outputZeroPoint, storage);
}
