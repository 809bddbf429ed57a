/* The accelerator's side of the program (CHostProgram): relocating an image's instructions to the
   physical address it was given, and moving tensors between the host's dense layout and the image's
   tiled one. The macros ZP_VTA_* before this code describe the target's instruction encoding. */

/* A DRAM image of one accelerator region: its template and where its sections start (bytes). */
typedef struct {
  const unsigned char *image;
  size_t bytes;
  size_t arena;
  size_t insns;
  uint32_t insn_count;
} zp_vta_region;

/* A tensor crossing a region's boundary: at byte at of the image, in the layout of TiledTensor
   (batches x ceil(channels / block) x height x width x block bytes; rows: a [width, channels]
   tensor, one position per row), each byte the value plus offset (mod 256). */
typedef struct {
  size_t at;
  uint32_t batches, channels, height, width, block;
  int32_t offset;
  int rows;
} zp_vta_tensor;

static uint64_t zp_vta_get64(const unsigned char *p) {
  uint64_t w = 0;
  int i;
  for (i = 7; i >= 0; i--) {
    w = (w << 8) | p[i];
  }
  return w;
}

static void zp_vta_put64(unsigned char *p, uint64_t w) {
  int i;
  for (i = 0; i < 8; i++) {
    p[i] = (unsigned char) (w >> (8 * i));
  }
}

/* Adds phys / (element bytes of its memory type) to the dram_base of every LOAD and STORE: the
   template counts elements from the image's first byte, the hardware from physical address 0.
   0, or ZP_VTA_UNALIGNED when phys is not a multiple of an element's size, ZP_VTA_RANGE when a
   dram_base no longer fits its field. */
static int zp_vta_relocate(unsigned char *insns, uint32_t count, vta_phy_addr_t phys) {
  static const uint32_t element_bytes[] = ZP_VTA_ELEMENT_BYTES;
  const uint64_t mask = ZP_VTA_DRAM_BASE_MASK;
  uint32_t i;
  for (i = 0; i < count; i++) {
    unsigned char *insn = insns + (size_t) i * 16u;
    uint64_t first = zp_vta_get64(insn);
    uint32_t opcode = (uint32_t) (first >> ZP_VTA_OPCODE_SHIFT) & ZP_VTA_OPCODE_MASK;
    if (opcode == ZP_VTA_OPCODE_LOAD || opcode == ZP_VTA_OPCODE_STORE) {
      uint32_t type = (uint32_t) (first >> ZP_VTA_MEMORY_TYPE_SHIFT) & ZP_VTA_MEMORY_TYPE_MASK;
      unsigned char *word = insn + 8 * ZP_VTA_DRAM_BASE_WORD;
      uint64_t w = zp_vta_get64(word);
      uint64_t base = (w >> ZP_VTA_DRAM_BASE_SHIFT) & mask;
      uint64_t bytes;
      if (type >= sizeof element_bytes / sizeof element_bytes[0]) {
        return ZP_VTA_RANGE;
      }
      bytes = element_bytes[type];
      if ((uint64_t) phys % bytes != 0) {
        return ZP_VTA_UNALIGNED;
      }
      base += (uint64_t) phys / bytes;
      if (base > mask) {
        return ZP_VTA_RANGE;
      }
      w = (w & ~(mask << ZP_VTA_DRAM_BASE_SHIFT)) | (base << ZP_VTA_DRAM_BASE_SHIFT);
      zp_vta_put64(word, w);
    }
  }
  return 0;
}

/* The byte of element (n, c, y, x) in the tiled layout, and its index in the dense tensor. */
static size_t zp_vta_tiled(const zp_vta_tensor *t, uint32_t n, uint32_t c, uint32_t y, uint32_t x) {
  size_t blocks = (t->channels + t->block - 1) / t->block;
  return ((((size_t) n * blocks + c / t->block) * t->height + y) * t->width + x) * t->block + c % t->block;
}

static size_t zp_vta_dense(const zp_vta_tensor *t, uint32_t n, uint32_t c, uint32_t y, uint32_t x) {
  return t->rows ? (size_t) x * t->channels + c : (((size_t) n * t->channels + c) * t->height + y) * t->width + x;
}

/* TiledTensor.pack: writes the dense 8-bit tensor src into the image (the lanes past the last channel
   are left as they are: zero in a restored arena). */
static void zp_vta_pack(unsigned char *image, const zp_vta_tensor *t, const void *src) {
  const unsigned char *s = (const unsigned char *) src;
  unsigned char *d = image + t->at;
  uint32_t n, c, y, x;
  for (n = 0; n < t->batches; n++) {
    for (c = 0; c < t->channels; c++) {
      for (y = 0; y < t->height; y++) {
        for (x = 0; x < t->width; x++) {
          d[zp_vta_tiled(t, n, c, y, x)] = (unsigned char) (s[zp_vta_dense(t, n, c, y, x)] + t->offset);
        }
      }
    }
  }
}

/* TiledTensor.unpack: reads the tensor back from the image into the dense dst. */
static void zp_vta_unpack(void *dst, const unsigned char *image, const zp_vta_tensor *t) {
  unsigned char *d = (unsigned char *) dst;
  const unsigned char *s = image + t->at;
  uint32_t n, c, y, x;
  for (n = 0; n < t->batches; n++) {
    for (c = 0; c < t->channels; c++) {
      for (y = 0; y < t->height; y++) {
        for (x = 0; x < t->width; x++) {
          d[zp_vta_dense(t, n, c, y, x)] = (unsigned char) (s[zp_vta_tiled(t, n, c, y, x)] - t->offset);
        }
      }
    }
  }
}

/* The image of one region in accelerator memory. */
typedef struct {
  unsigned char *virt;
  vta_phy_addr_t phys;
} zp_vta_buffer;

/* Allocates the region's image, copies the template and relocates it; 0 or an error code. */
static int zp_vta_load(const zp_vta_region *r, zp_vta_buffer *b) {
  int status;
  b->virt = (unsigned char *) VTAMemAlloc(r->bytes, VTA_CACHED);
  if (b->virt == NULL) {
    return ZP_VTA_NO_MEMORY;
  }
  b->phys = VTAMemGetPhyAddr(b->virt);
  memcpy(b->virt, r->image, r->bytes);
  status = zp_vta_relocate(b->virt + r->insns, r->insn_count, b->phys);
  if (status != 0) {
    return status;
  }
  VTAFlushCache(b->virt, b->phys, (int) r->bytes);
  return 0;
}

/* Restores the region's activation arena from the template (its padding lanes must be zero). */
static void zp_vta_restore(const zp_vta_region *r, zp_vta_buffer *b) {
  memcpy(b->virt + r->arena, r->image + r->arena, r->insns - r->arena);
}

/* Runs the region's program on its image, whose inputs are packed: the arena to the device, the
   instructions, the arena back. 0 or ZP_VTA_TIMEOUT. */
static int zp_vta_run(VTADeviceHandle device, const zp_vta_region *r, zp_vta_buffer *b) {
  int size = (int) (r->insns - r->arena);
  VTAFlushCache(b->virt + r->arena, b->phys + (vta_phy_addr_t) r->arena, size);
  if (VTADeviceRun(device, b->phys + (vta_phy_addr_t) r->insns, r->insn_count, ZP_VTA_WAIT_CYCLES) != 0) {
    return ZP_VTA_TIMEOUT;
  }
  VTAInvalidateCache(b->virt + r->arena, b->phys + (vta_phy_addr_t) r->arena, size);
  return 0;
}
