/* IntegerOnlyRequant: a float multiplier m > 0 decomposed by the compiler (IntegerOnlyRequant.of)
   as mantissa * 2^exponent, mantissa in [2^23, 2^24), or both 0 when every result is 0. (The Java
   constructor throws IllegalArgumentException for other pairs; the compiler validated.) */
typedef struct {
  int32_t mantissa;
  int32_t exponent;
} zp_IntegerOnlyRequant;
