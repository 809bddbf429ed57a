/* Rounding.saturateToInt16: saturating cast of a long to int16 (x86 packssdw per lane), as int32. */
static int32_t zp_Rounding_saturateToInt16(int64_t v) {
  return v < -32768 ? -32768 : (v > 32767 ? 32767 : (int32_t) v);
}
