/* Requantize.floatClamp: scheme FLOAT_CLAMP for one accumulator (ONNX Runtime's MlasRequantizeOutput):
   PyTorchQnnpack.scaleAndRound's RNE(f32(f32(acc) * m)), saturated to int32 (MLAS clamps the float
   product to [qmin - zp, qmax - zp] first: integer bounds, so the same), then Requantize.tail: plus
   the output zero point, saturated to the storage type (an ElementType ordinal), clamped into
   [min, max].
   requires: PyTorchQnnpack_scaleAndRound Rounding_saturateToInt32 Requantize_tail */
static int32_t zp_Requantize_floatClamp(int32_t acc, float m, int32_t outputZeroPoint, int32_t min, int32_t max,
    int32_t storage) {
  return zp_Requantize_tail((int64_t) zp_Rounding_saturateToInt32(zp_PyTorchQnnpack_scaleAndRound(acc, m)),
      outputZeroPoint, min, max, storage);
}
