/* CGemm.geometryOf: the geometry array of Conv (BATCH 0, IN_CHANNELS 1, HEIGHT 2, WIDTH 3,
   OUT_CHANNELS 4, IN_PER_GROUP 5, OUT_PER_GROUP 6, KERNEL_H 7, KERNEL_W 8, OUT_H 9, OUT_W 10,
   STRIDE_H 11, STRIDE_W 12, PAD_TOP 13, PAD_LEFT 14, DILATION_H 15, DILATION_W 16), as int32 values.
   requires: CGemm_Geometry */
static zp_CGemm_Geometry zp_CGemm_geometryOf(const int32_t *v) {
  zp_CGemm_Geometry g;
  g.batch = v[0];
  g.inChannels = v[1];
  g.height = v[2];
  g.width = v[3];
  g.outChannels = v[4];
  g.inPerGroup = v[5];
  g.outPerGroup = v[6];
  g.kernelH = v[7];
  g.kernelW = v[8];
  g.outH = v[9];
  g.outW = v[10];
  g.strideH = v[11];
  g.strideW = v[12];
  g.padTop = v[13];
  g.padLeft = v[14];
  g.dilationH = v[15];
  g.dilationW = v[16];
  return g;
}
