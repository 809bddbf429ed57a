/* PyTorchAtenQuantized.batchNormIsVectorized: whether q_batch_norm_kernel computes channel channel
   of channels with its vector code (blocks of 32, then a padded block of the largest multiple of 8
   of at least 8 remaining channels); a boolean. */
static int zp_PyTorchAtenQuantized_batchNormIsVectorized(int32_t channel, int32_t channels) {
  int32_t blocks = channels / 32 * 32;
  int32_t rest = channels - blocks;
  int32_t vectorized = blocks + (rest >= 8 ? rest / 8 * 8 : 0);
  return channel < vectorized;
}
