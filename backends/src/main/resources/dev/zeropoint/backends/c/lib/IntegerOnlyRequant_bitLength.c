/* IntegerOnlyRequant.bitLength: 64 - Long.numberOfLeadingZeros(v), the bit length of v >= 0. */
static int32_t zp_IntegerOnlyRequant_bitLength(int64_t v) {
  uint64_t u = (uint64_t) v;
  int32_t n = 0;
  if (u >> 32) { n += 32; u >>= 32; }
  if (u >> 16) { n += 16; u >>= 16; }
  if (u >> 8) { n += 8; u >>= 8; }
  if (u >> 4) { n += 4; u >>= 4; }
  if (u >> 2) { n += 2; u >>= 2; }
  if (u >> 1) { n += 1; u >>= 1; }
  return n + (int32_t) u;
}
