/* CGemm.conv2d: conv2d_acc (Conv.conv2dAcc's sums, exactly) as a matrix product on int16 pairs,
   for convolutions with several output channels per group (zp_CGemm_run), part of parts of it.
   No Java twin: tested against Conv.conv2dAcc. x is u8 or i8; w the weights packed as int16 by the
   compiler (CGemm.packWeights); each tile's sums plus the bias, wrapping as Java's int, go to out.
   With winograd set (a 3 x 3 convolution, stride 1, one group, that the compiler's
   CGemm.winogradApplies admits), w holds CGemm.winogradWeights, chunk counts 2 x 2 tiles and the
   sums come from zp_CGemm_winograd, the same sums.
   requires: CGemm_Geometry CGemm_geometryOf CGemm_run CGemm_winograd */
typedef struct {
  $T0 *out;
  const $T3 *bias;
  int32_t outChannels, plane;
} $NAME_Out;

static inline void $NAME_store(void *context, int32_t acc[6][16], int32_t b, int32_t o0, int32_t rows, int32_t position,
    int32_t cols) {
  const $NAME_Out *o = (const $NAME_Out *) context;
  int32_t r, c;
  for (r = 0; r < rows; r++) {
    $T0 *dst = o->out + ((size_t) b * o->outChannels + o0 + r) * o->plane + position;
    const uint32_t bv = (uint32_t) (int32_t) o->bias[o0 + r];
    for (c = 0; c < cols; c++) {
      dst[c] = ($T0) (int32_t) (bv + (uint32_t) acc[r][c]);
    }
  }
}

static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *w, int32_t w_n,
    const $T3 *bias, int32_t bias_n, const $T4 *g, int32_t g_n, $T5 *panel, int32_t panel_n, int32_t chunk,
    int32_t winograd, int32_t inputZeroPoint, int32_t part, int32_t parts) {
  int32_t v[17];
  int32_t i;
  zp_CGemm_Geometry geometry;
  $NAME_Out o;
  (void) out_n;
  (void) x_n;
  (void) w_n;
  (void) bias_n;
  (void) g_n;
  for (i = 0; i < 17; i++) {
    v[i] = (int32_t) g[i];
  }
  geometry = zp_CGemm_geometryOf(v);
  o.out = out;
  o.bias = bias;
  o.outChannels = geometry.outChannels;
  o.plane = geometry.outH * geometry.outW;
  if (winograd) {
    zp_CGemm_winograd(&geometry, x, ($T1) -1 < 0, w, panel, panel_n, chunk, inputZeroPoint, part, parts, $NAME_store,
        &o);
  } else {
    zp_CGemm_run(&geometry, x, ($T1) -1 < 0, w, panel, panel_n, chunk, inputZeroPoint, part, parts, $NAME_store, &o);
  }
}
