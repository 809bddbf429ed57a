/* PyTorchAtenQuantized.BatchNormChannel: a channel's fused quantized batch norm parameters,
   y = alpha * (q - zp_in) + beta in output steps (built by the compiler,
   PyTorchAtenQuantized.batchNormChannel). */
typedef struct {
  float alpha;
  float beta;
} zp_PyTorchAtenQuantized_BatchNormChannel;
