package dev.zeropoint.ir.numerics;

/**
 * C's {@code frexp}: {@code x == mantissa * 2^exponent} with |mantissa| in [0.5, 1), exactly, for
 * every finite non-zero double (subnormals included). {@code frexp(0)} is (0, 0), keeping the sign
 * of zero. Package-private: the multiplier computations of TFLite and TOSA start from it.
 */
record Frexp(double mantissa, int exponent) {

  static Frexp of(double x) {
    if (!Double.isFinite(x)) {
      throw new IllegalArgumentException("frexp of non-finite value " + x);
    }
    if (x == 0.0) {
      return new Frexp(x, 0);
    }
    int unbiased = Math.getExponent(x);
    if (unbiased < Double.MIN_EXPONENT) {
      // Subnormal: scale into the normal range first (exact), then correct the exponent.
      unbiased = Math.getExponent(x * 0x1p64) - 64;
    }
    int exponent = unbiased + 1;
    // Scaling by a power of two into [0.5, 1) is exact.
    return new Frexp(Math.scalb(x, -exponent), exponent);
  }
}
