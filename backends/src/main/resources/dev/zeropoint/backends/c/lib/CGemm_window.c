/* CGemm.window: the input rows a chunk reads, centered, as int16, with zero rows and columns where
   taps fall outside the input: window[ci][r][j] = input (ci, ihFirst + r, j - padLeft) minus the
   input zero point, for channels channels (from xu or xs: u8, or i8 when xSigned, each a plane of
   height x width), rows rows and wide columns; 0 outside the input. Used by zp_CGemm_pack; with split,
   by zp_CGemm_winogradPack: each row then holds its even columns, then its odd ones (wide even,
   wide / 2 of each), so that a run of 2 x 2 tiles' columns 2k .. 2k + 3 are contiguous loads. */
static inline void zp_CGemm_windowRow(int16_t *row, const uint8_t *su, const int8_t *ss, int32_t xSigned,
    int32_t count, int32_t first, int32_t step, int32_t width, int32_t inputZeroPoint);

static inline void zp_CGemm_window(int16_t *window, const uint8_t *xu, const int8_t *xs, int32_t xSigned,
    int32_t channels, int32_t height, int32_t width, int32_t ihFirst, int32_t padLeft, int32_t rows, int32_t wide,
    int32_t inputZeroPoint, int32_t split) {
  const size_t inPlane = (size_t) height * width, channel = (size_t) rows * wide;
  int32_t ci, r, j;
  for (ci = 0; ci < channels; ci++) {
    for (r = 0; r < rows; r++) {
      int16_t *row = window + ci * channel + (size_t) r * wide;
      const int32_t ih = ihFirst + r;
      size_t at;
      if (ih < 0 || ih >= height) {
        for (j = 0; j < wide; j++) {
          row[j] = 0;
        }
        continue;
      }
      at = (size_t) ci * inPlane + (size_t) ih * width;
      if (split) {
        zp_CGemm_windowRow(row, xu + at, xs + at, xSigned, wide / 2, -padLeft, 2, width, inputZeroPoint);
        zp_CGemm_windowRow(row + wide / 2, xu + at, xs + at, xSigned, wide / 2, 1 - padLeft, 2, width,
            inputZeroPoint);
      } else {
        zp_CGemm_windowRow(row, xu + at, xs + at, xSigned, wide, -padLeft, 1, width, inputZeroPoint);
      }
    }
  }
}

/* One row of the window: row[m] = input column first + step * m of the input row su (u8) or ss (i8,
   when xSigned) minus the zero point, for m < count; 0 where that column lies outside [0, width).
   Three plain loops, the middle one a conversion the compiler vectorizes (step is a constant where
   zp_CGemm_window inlines it). */
static inline void zp_CGemm_windowRow(int16_t *row, const uint8_t *su, const int8_t *ss, int32_t xSigned,
    int32_t count, int32_t first, int32_t step, int32_t width, int32_t inputZeroPoint) {
  /* Columns m in [m0, m1) read 0 <= first + step * m < width. */
  const int32_t lo = first >= 0 ? 0 : (step - 1 - first) / step;
  const int32_t hi = width - first <= 0 ? 0 : (width - first + step - 1) / step;
  const int32_t m0 = lo < count ? lo : count;
  const int32_t m1 = hi < m0 ? m0 : (hi < count ? hi : count);
  int32_t m;
  for (m = 0; m < m0; m++) {
    row[m] = 0;
  }
  if (xSigned) {
    for (m = m0; m < m1; m++) {
      row[m] = (int16_t) ((int32_t) ss[first + step * m] - inputZeroPoint);
    }
  } else {
    for (m = m0; m < m1; m++) {
      row[m] = (int16_t) ((int32_t) su[first + step * m] - inputZeroPoint);
    }
  }
  for (m = m1; m < count; m++) {
    row[m] = 0;
  }
}
