/* Java's v >> s of a long (or of an int widened to long), s in [0, 63]: the arithmetic shift,
   floor(v / 2^s). (C's >> of a negative value is implementation-defined; -1 - v cannot overflow.) */
static int64_t zp_Java_lshr(int64_t v, int32_t s) {
  return v >= 0 ? v >> s : -1 - ((-1 - v) >> s);
}
