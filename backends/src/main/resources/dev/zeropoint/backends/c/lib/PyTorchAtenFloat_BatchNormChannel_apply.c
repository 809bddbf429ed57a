/* PyTorchAtenFloat.BatchNormChannel.apply: fma(x, scale, shift).
   requires: PyTorchAtenFloat_BatchNormChannel Math_fma_float */
static float zp_PyTorchAtenFloat_BatchNormChannel_apply(const zp_PyTorchAtenFloat_BatchNormChannel *self, float x) {
  return zp_Math_fma_float(x, self->scale, self->shift);
}
