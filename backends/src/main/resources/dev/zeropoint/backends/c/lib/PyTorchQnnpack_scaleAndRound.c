/* PyTorchQnnpack.scaleAndRound: RNE(f32(f32(acc) * m)) as an int64 (Java's (long) of the rounded
   value: NaN gives 0, beyond the int64 range saturates), not yet converted to int32.
   Below 2^22 in magnitude (every realistic product), adding and subtracting 1.5 * 2^23 rounds the
   product to the nearest integer, ties to even (the sum lies where the float spacing is 1): what
   Math.rint gives, without its bit handling, on the requantization's hot path. NaN and larger
   magnitudes take Math.rint.
   requires: Math_rint Java_d2l */
static int64_t zp_PyTorchQnnpack_scaleAndRound(int32_t acc, float m) {
  float product = (float) acc * m;
  if (product > -0x1p22f && product < 0x1p22f) {
    return (int64_t) (int32_t) ((product + 0x1.8p23f) - 0x1.8p23f);
  }
  return zp_Java_d2l(zp_Math_rint((double) product));
}
