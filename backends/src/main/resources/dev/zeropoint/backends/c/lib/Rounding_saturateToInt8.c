/* Rounding.saturateToInt8: saturating cast of a long to int8 (packsswb per lane), as int32. */
static int32_t zp_Rounding_saturateToInt8(int64_t v) {
  return v < -128 ? -128 : (v > 127 ? 127 : (int32_t) v);
}
