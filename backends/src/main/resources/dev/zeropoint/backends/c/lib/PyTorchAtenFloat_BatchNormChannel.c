/* PyTorchAtenFloat.BatchNormChannel: a channel's folded float batch norm, out = fma(x, scale,
   shift). */
typedef struct {
  float scale;
  float shift;
} zp_PyTorchAtenFloat_BatchNormChannel;
