/* PyTorchQnnpackPooling.atenAdaptiveNchwAverage: one output of ATen's NCHW adaptive_avg_pool2d,
   (int) nearbyint(f32(f32(sum) * reciprocal)) (Java's (int): NaN gives 0, beyond int32 saturates).
   requires: Math_rint Java_d2i */
static int32_t zp_PyTorchQnnpackPooling_atenAdaptiveNchwAverage(int64_t sum, float reciprocal) {
  return zp_Java_d2i(zp_Math_rint((double) ((float) sum * reciprocal)));
}
