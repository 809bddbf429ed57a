/* PyTorchAtenQuantized.FloatAddParams: the parameters of ATen's float-path quantized add
   (qadd_kernel), built by the compiler (PyTorchAtenQuantized.floatAddParams); storage is an
   ElementType ordinal. */
typedef struct {
  float aScale;
  int32_t aZeroPoint;
  float aNegZeroPointTimesScale;
  float bScale;
  int32_t bZeroPoint;
  float bNegZeroPointTimesScale;
  float outputScale;
  int32_t outputZeroPoint;
  float inverseOutputScale;
  int32_t storage;
} zp_PyTorchAtenQuantized_FloatAddParams;
