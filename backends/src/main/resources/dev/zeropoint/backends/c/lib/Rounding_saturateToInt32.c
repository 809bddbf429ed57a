/* Rounding.saturateToInt32: saturating cast of a long to int32. */
static int32_t zp_Rounding_saturateToInt32(int64_t v) {
  return v < INT32_MIN ? INT32_MIN : (v > INT32_MAX ? INT32_MAX : (int32_t) v);
}
