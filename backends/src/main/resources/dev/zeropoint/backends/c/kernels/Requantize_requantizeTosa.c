/* Requantize.requantize in schemes TOSA_DOUBLE (doubleRound 1) and TOSA_SINGLE (0): each int32
   accumulator scaled by the multiplier and shift of its channel, (i / inner) % channels, or of all
   when shifts holds one entry, by Tosa.applyScale32 with or without double rounding, then
   Requantize.tail: plus the output zero point, saturated to the storage type (an ElementType
   ordinal), clamped into [min, max].
   requires: Tosa_applyScale32 Requantize_tail */
static void $NAME($T0 *out, int32_t out_n, const $T1 *acc, int32_t acc_n, const $T2 *multipliers,
    int32_t multipliers_n, const $T3 *shifts, int32_t shifts_n, int32_t inner, int32_t channels,
    int32_t outputZeroPoint, int32_t min, int32_t max, int32_t storage, int32_t doubleRound) {
  int32_t n = acc_n;
  int32_t perChannel = shifts_n;
  int32_t planes = inner == 0 ? 0 : (int32_t) (((int64_t) n + inner - 1) / inner);
  int32_t plane;
  (void) out_n;
  (void) multipliers_n;
  for (plane = 0; plane < planes; plane++) {
    int32_t start = plane * inner;
    int32_t c = perChannel == 1 ? 0 : plane % channels;
    int32_t end = (int64_t) start + inner < n ? start + inner : n;
    int32_t m = multipliers[c];
    int32_t s = shifts[c];
    int32_t i;
    for (i = start; i < end; i++) {
      int32_t a = acc[i];
      out[i] = ($T0) zp_Requantize_tail(zp_Tosa_applyScale32(a, m, s, doubleRound), outputZeroPoint, min, max, storage);
    }
  }
}
