/* CGemm.run: a convolution with several output channels per group as a matrix product on int16
   pairs, part of parts of it. For each work item, (batch item, group, chunk of at most `chunk`
   output positions, block of 6 output channels) in that order, split in parts contiguous ranges of
   which this call does part's: the chunk is packed into this part's share of the panel (panel_n /
   parts elements from part times that: the packed tiles, then the window of zp_CGemm_pack; the
   compiler's CGemm.panelElements) once for the range's items of that chunk, then
   every tile of 16 positions gets its 6 x 16 sums (zp_CGemm_tile, bias not added) for each of the
   range's blocks of that chunk (tile by tile or block by block, whichever keeps more in cache), handed to
   store(context, acc, b, o0, rows, position, cols): rows channels from o0, cols positions of the
   output plane from position. w holds the weights packed by the compiler as int16,
   [group][block][pair of taps][6][2], zero past the end (CGemm.packWeights).
   requires: CGemm_Geometry CGemm_pack CGemm_tile */
static inline void zp_CGemm_run(const zp_CGemm_Geometry *g, const void *x, int32_t xSigned, const int16_t *w,
    int16_t *panel, int32_t panel_n, int32_t chunk, int32_t inputZeroPoint, int32_t part, int32_t parts,
    void (*store)(void *context, int32_t acc[6][16], int32_t b, int32_t o0, int32_t rows, int32_t position,
        int32_t cols), void *context) {
  const int32_t pairs = (g->inPerGroup * g->kernelH * g->kernelW + 1) / 2;
  const int32_t blocks = (g->outPerGroup + 5) / 6;
  const int32_t plane = g->outH * g->outW;
  const int32_t groups = g->outPerGroup == 0 ? 0 : g->outChannels / g->outPerGroup;
  const int64_t chunks = plane <= 0 ? 0 : ((int64_t) plane + chunk - 1) / chunk;
  const int64_t items = (int64_t) g->batch * groups * chunks * blocks;
  const int64_t first = items * part / parts, last = items * (part + 1) / parts;
  int64_t item;
  const int32_t tileElements = ((plane < chunk ? plane : chunk) + 15) / 16 * pairs * 32;
  int16_t *window;
  panel += (size_t) part * (size_t) (panel_n / parts);
  window = panel + tileElements;
  /* Within a chunk, the items' blocks of channels in order for each tile (the tile's panel stays in
     L1 while the blocks' weights stream from L2) when a tile's panel is small and every block's
     weights fit in half of L2; else each block over every tile (its weights stay in L1). */
  const int tileMajor = (size_t) pairs * 64 <= 16384 && (size_t) blocks * pairs * 24 <= 262144;
  item = first;
  while (item < last) {
    const int64_t unit = item / blocks; /* (b * groups + grp) * chunks + chunk index */
    const int64_t end = (unit + 1) * blocks < last ? (unit + 1) * blocks : last;
    const int32_t blkFirst = (int32_t) (item % blocks), blkEnd = blkFirst + (int32_t) (end - item);
    const int32_t b = (int32_t) (unit / chunks / groups), grp = (int32_t) (unit / chunks % groups);
    const int32_t start = (int32_t) (unit % chunks) * chunk;
    const int32_t count = plane - start < chunk ? plane - start : chunk;
    const int32_t tiles = (count + 15) / 16;
    int32_t i, j;
    zp_CGemm_pack(panel, window, x, xSigned, g, b, grp, start, count, inputZeroPoint);
    for (i = 0; i < (tileMajor ? tiles : blkEnd - blkFirst); i++) {
      for (j = 0; j < (tileMajor ? blkEnd - blkFirst : tiles); j++) {
        const int32_t tile = tileMajor ? i : j, blk = blkFirst + (tileMajor ? j : i);
        const int16_t *wb = w + ((size_t) grp * blocks + blk) * pairs * 12;
        const int32_t o0 = grp * g->outPerGroup + blk * 6;
        const int32_t rows = g->outPerGroup - blk * 6 < 6 ? g->outPerGroup - blk * 6 : 6;
        int32_t acc[6][16];
        zp_CGemm_tile(acc, panel + (size_t) tile * pairs * 32, wb, pairs);
        store(context, acc, b, o0, rows, start + tile * 16, count - tile * 16 < 16 ? count - tile * 16 : 16);
      }
    }
    item = end;
  }
}
