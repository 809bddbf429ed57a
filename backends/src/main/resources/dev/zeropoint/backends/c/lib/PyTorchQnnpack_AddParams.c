/* PyTorchQnnpack.AddParams: the parameters of QNNPACK's quint8 add (built by the compiler,
   PyTorchQnnpack.addParams). */
typedef struct {
  int32_t aMultiplier;
  int32_t bMultiplier;
  int32_t shift;
  int32_t zeroPointProduct;
  int32_t outputZeroPoint;
  int32_t outputMin;
  int32_t outputMax;
} zp_PyTorchQnnpack_AddParams;
