/* Java's (int) of a long (JVM l2i): the low 32 bits as a two's-complement int32, so Java int
   arithmetic that wraps can be computed exactly in int64_t and narrowed with this. (C's conversion of
   an out-of-range value to int32_t is implementation-defined; this one is not.) */
static int32_t zp_Java_l2i(int64_t v) {
  uint32_t u = (uint32_t) v;
  return u <= 0x7FFFFFFFu ? (int32_t) u : (int32_t) (u - 0x80000000u) + INT32_MIN;
}
