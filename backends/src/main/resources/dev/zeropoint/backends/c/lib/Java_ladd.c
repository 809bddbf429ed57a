/* Java's a + b of two longs: wraps modulo 2^64 (signed overflow is undefined in C). */
static int64_t zp_Java_ladd(int64_t a, int64_t b) {
  uint64_t u = (uint64_t) a + (uint64_t) b;
  return u <= (uint64_t) INT64_MAX ? (int64_t) u : (int64_t) (u - ((uint64_t) INT64_MAX + 1u)) + INT64_MIN;
}
