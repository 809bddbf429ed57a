/* CGemm.Geometry: a convolution's geometry as the matrix-product kernels read it (the geometry
   array of Conv, indexed by Conv's constants, unpacked by zp_CGemm_geometryOf). */
typedef struct {
  int32_t batch, inChannels, height, width, outChannels, inPerGroup, outPerGroup, kernelH, kernelW, outH, outW;
  int32_t strideH, strideW, padTop, padLeft, dilationH, dilationW;
} zp_CGemm_Geometry;
