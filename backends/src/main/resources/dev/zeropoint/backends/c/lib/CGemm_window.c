/* CGemm.window: the input rows a chunk reads, centered, as int16, with zero rows and columns where
   taps fall outside the input: window[ci][r][j] = input (ci, ihFirst + r, j - padLeft) minus the
   input zero point, for channels channels (from xu or xs: u8, or i8 when xSigned, each a plane of
   height x width), rows rows and wide columns; 0 outside the input. Used by zp_CGemm_pack and
   zp_CGemm_winogradPack. */
static inline void zp_CGemm_window(int16_t *window, const uint8_t *xu, const int8_t *xs, int32_t xSigned,
    int32_t channels, int32_t height, int32_t width, int32_t ihFirst, int32_t padLeft, int32_t rows, int32_t wide,
    int32_t inputZeroPoint) {
  const size_t inPlane = (size_t) height * width, channel = (size_t) rows * wide;
  int32_t ci, r, j;
  for (ci = 0; ci < channels; ci++) {
    for (r = 0; r < rows; r++) {
      int16_t *row = window + ci * channel + (size_t) r * wide;
      const int32_t ih = ihFirst + r;
      if (ih < 0 || ih >= height) {
        for (j = 0; j < wide; j++) {
          row[j] = 0;
        }
        continue;
      }
      {
        /* Columns j with 0 <= j - padLeft < width read the input; the rest are zero. Three plain loops,
           the middle one a conversion the compiler vectorizes. */
        const int32_t j0 = padLeft < 0 ? 0 : (padLeft < wide ? padLeft : wide);
        const int32_t j1 = padLeft + width < j0 ? j0 : (padLeft + width < wide ? padLeft + width : wide);
        const size_t at = (size_t) ci * inPlane + (size_t) ih * width;
        for (j = 0; j < j0; j++) {
          row[j] = 0;
        }
        if (xSigned) {
          const int8_t *s = xs + at;
          for (j = j0; j < j1; j++) {
            row[j] = (int16_t) ((int32_t) s[j - padLeft] - inputZeroPoint);
          }
        } else {
          const uint8_t *s = xu + at;
          for (j = j0; j < j1; j++) {
            row[j] = (int16_t) ((int32_t) s[j - padLeft] - inputZeroPoint);
          }
        }
        for (j = j1; j < wide; j++) {
          row[j] = 0;
        }
      }
    }
  }
}
