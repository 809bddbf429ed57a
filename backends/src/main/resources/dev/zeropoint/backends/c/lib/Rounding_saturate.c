/* Rounding.saturate: v clamped into the range of the integer ElementType of ordinal type (the Java
   throws IllegalArgumentException for a float type; the compiler validated, so no check here).
   requires: ElementType_min ElementType_max */
static int64_t zp_Rounding_saturate(int64_t v, int32_t type) {
  int64_t lo = zp_ElementType_min(type);
  int64_t hi = zp_ElementType_max(type);
  return v < lo ? lo : (v > hi ? hi : v);
}
