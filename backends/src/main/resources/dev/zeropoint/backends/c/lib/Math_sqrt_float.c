/* (float) Math.sqrt(x) of a float x: the correctly rounded float square root (rounding the square
   root to double first changes nothing, as double has at least 2 * 24 + 2 bits). NaN and negative x
   give NaN, -0.0 gives -0.0, +infinity gives +infinity. Computed with integers: x = m * 2^e with e
   even, the integer square root of m * 2^28 (26 or 27 bits) and its remainder, rounded to nearest
   even to 24 bits. The result is always a normal float. */
static float zp_Math_sqrt_float(float x) {
  uint32_t bits;
  uint32_t field;
  uint64_t m;
  int32_t e;
  uint64_t n;
  uint64_t root = 0;
  uint64_t bit = (uint64_t) 1 << 52;
  int32_t drop;
  uint64_t q;
  uint64_t low;
  uint64_t half;
  float y;
  memcpy(&bits, &x, sizeof bits);
  if (bits == 0u || bits == 0x80000000u || bits == 0x7F800000u || (bits & 0x7FFFFFFFu) > 0x7F800000u) {
    return x; /* ±0, +infinity, NaN */
  }
  if (bits & 0x80000000u) {
    bits = 0x7FC00000u; /* the square root of a negative number is NaN */
    memcpy(&y, &bits, sizeof y);
    return y;
  }
  field = bits >> 23;
  m = bits & 0x7FFFFFu;
  if (field == 0) {
    e = -149;
    while (m < 0x800000u) {
      m <<= 1;
      e--;
    }
  } else {
    m |= 0x800000u;
    e = (int32_t) field - 150;
  }
  if (e % 2 != 0) {
    m <<= 1;
    e--;
  }
  n = m << 28; /* in [2^51, 2^53); sqrt(x) = sqrt(n) * 2^((e - 28) / 2) */
  while (bit > n) {
    bit >>= 2;
  }
  while (bit != 0) {
    if (n >= root + bit) {
      n -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  /* root = floor(sqrt), n = the remainder; root has 26 or 27 bits */
  drop = root >= ((uint64_t) 1 << 26) ? 3 : 2;
  q = root >> drop;
  low = root & (((uint64_t) 1 << drop) - 1u);
  half = (uint64_t) 1 << (drop - 1);
  if (low > half || (low == half && (n != 0 || (q & 1u) != 0))) {
    q++;
    if (q == ((uint64_t) 1 << 24)) {
      q >>= 1;
      drop++;
    }
  }
  /* sqrt(x) = q * 2^(drop + (e - 28) / 2), q in [2^23, 2^24) */
  bits = ((uint32_t) (drop + (e - 28) / 2 + 23 + 127) << 23) | ((uint32_t) q & 0x7FFFFFu);
  memcpy(&y, &bits, sizeof y);
  return y;
}
