/* CGemm.conv2dRequantizeFloat: CGemm.conv2d followed by Requantize.requantize in scheme FLOAT, in
   one pass: each tile's sums plus the bias, times the float scale of their output channel (or of
   all, when scales holds one entry), rounded and finished as PyTorch qnnpack does
   (CRequantize_floatToU8), go to the u8 output; the int32 sums never reach memory. Exactly what the two kernels compute one after the
   other (tested so), part of parts of it. winograd: as in CGemm_conv2d.
   requires: CGemm_Geometry CGemm_geometryOf CGemm_run CGemm_winograd CRequantize_floatToU8 */
typedef struct {
  $T0 *out;
  const $T3 *bias;
  const $T6 *scales;
  int32_t perChannel, outChannels, plane, outputZeroPoint, min, max;
} $NAME_Out;

static inline void $NAME_store(void *context, int32_t acc[6][16], int32_t b, int32_t o0, int32_t rows, int32_t position,
    int32_t cols) {
  const $NAME_Out *o = (const $NAME_Out *) context;
  int32_t r, c;
  for (r = 0; r < rows; r++) {
    $T0 *dst = o->out + ((size_t) b * o->outChannels + o0 + r) * o->plane + position;
    const uint32_t bv = (uint32_t) (int32_t) o->bias[o0 + r];
    for (c = 0; c < cols; c++) {
      acc[r][c] = (int32_t) (bv + (uint32_t) acc[r][c]);
    }
    zp_CRequantize_floatToU8((uint8_t *) (void *) dst, acc[r], cols, (float) o->scales[o->perChannel ? o0 + r : 0],
        o->outputZeroPoint, o->min, o->max);
  }
}

static void $NAME($T0 *out, int32_t out_n, const $T1 *x, int32_t x_n, const $T2 *w, int32_t w_n,
    const $T3 *bias, int32_t bias_n, const $T4 *g, int32_t g_n, $T5 *panel, int32_t panel_n, int32_t chunk,
    int32_t winograd, int32_t inputZeroPoint, const $T6 *scales, int32_t scales_n, int32_t outputZeroPoint, int32_t min, int32_t max,
    int32_t part, int32_t parts) {
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
  o.scales = scales;
  o.perChannel = scales_n > 1;
  o.outChannels = geometry.outChannels;
  o.plane = geometry.outH * geometry.outW;
  o.outputZeroPoint = outputZeroPoint;
  o.min = min;
  o.max = max;
  if (winograd) {
    zp_CGemm_winograd(&geometry, x, ($T1) -1 < 0, w, panel, panel_n, chunk, inputZeroPoint, part, parts, $NAME_store,
        &o);
  } else {
    zp_CGemm_run(&geometry, x, ($T1) -1 < 0, w, panel, panel_n, chunk, inputZeroPoint, part, parts, $NAME_store, &o);
  }
}
