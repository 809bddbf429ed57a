/* Rounding.saturateToUint8: saturating cast of a long to uint8 (packuswb per lane), as int32. */
static int32_t zp_Rounding_saturateToUint8(int64_t v) {
  return v < 0 ? 0 : (v > 255 ? 255 : (int32_t) v);
}
