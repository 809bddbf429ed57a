/* PyTorchQnnpack.finishRequantization: the integer tail of QNNPACK's SSE2 requantization of
   y = RNE(f32(f32(acc) * m)): y outside int32 becomes INT32_MIN (cvtps2dq), saturate to int16, add
   the zero point with int16 saturation, saturate to uint8, clamp to [outputMin, outputMax]. (The
   Java throws IllegalArgumentException unless 0 <= zero point <= 255 and 0 <= outputMin <=
   outputMax <= 255; the compiler validated, so no check here.)
   requires: Rounding_saturateToInt16 Rounding_saturateToUint8 */
static int32_t zp_PyTorchQnnpack_finishRequantization(int64_t y, int32_t outputZeroPoint, int32_t outputMin,
    int32_t outputMax) {
  int64_t converted = (y >= INT32_MIN && y <= INT32_MAX) ? y : INT32_MIN;
  int32_t withZeroPoint = zp_Rounding_saturateToInt16(
      (int64_t) zp_Rounding_saturateToInt16(converted) + outputZeroPoint);
  int32_t u8 = zp_Rounding_saturateToUint8(withZeroPoint);
  int32_t upper = u8 < outputMax ? u8 : outputMax;
  return upper > outputMin ? upper : outputMin;
}
