/* Rounding.clamp: v clamped into [lo, hi] (lo <= hi). */
static int64_t zp_Rounding_clamp(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}
