/* PyTorchAtenFloat.batchNormChannel: a channel of PyTorch's inference float batch norm folded in
   float: invstd = f32(1 / f32(sqrt(f32(var + (float) eps)))), scale = f32(invstd * weight),
   shift = fma(-mean, scale, bias).
   requires: PyTorchAtenFloat_BatchNormChannel Math_sqrt_float Math_fma_float */
static zp_PyTorchAtenFloat_BatchNormChannel zp_PyTorchAtenFloat_batchNormChannel(float weight, float bias,
    float mean, float var, double eps) {
  zp_PyTorchAtenFloat_BatchNormChannel c;
  float invstd = 1.0f / zp_Math_sqrt_float(var + (float) eps);
  c.scale = invstd * weight;
  c.shift = zp_Math_fma_float(-mean, c.scale, bias);
  return c;
}
