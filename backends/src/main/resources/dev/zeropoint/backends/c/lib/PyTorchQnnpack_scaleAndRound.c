/* PyTorchQnnpack.scaleAndRound: RNE(f32(f32(acc) * m)) as an int64 (Java's (long) of the rounded
   value: NaN gives 0, beyond the int64 range saturates), not yet converted to int32.
   requires: Math_rint Java_d2l */
static int64_t zp_PyTorchQnnpack_scaleAndRound(int32_t acc, float m) {
  float product = (float) acc * m;
  return zp_Java_d2l(zp_Math_rint((double) product));
}
