/* Xnnpack.Qs8AddParams: the parameters of XNNPACK's qs8 add (built by the compiler,
   Xnnpack.qs8AddParams). */
typedef struct {
  int32_t aMultiplier;
  int32_t bMultiplier;
  int32_t shift;
  int32_t bias;
  int32_t outputZeroPoint;
} zp_Xnnpack_Qs8AddParams;
