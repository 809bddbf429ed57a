/* fake_vta.c: VTA's driver API (zp_vta_driver.h) for the tests of the C host program
   (CHostProgramTest), with no hardware. The device is Zeropoint's Java simulator.

   - VTAMemAlloc returns page-aligned host memory filled with garbage and gives it a fake physical
     address, nonzero and different for every buffer (ZP_FAKE_VTA_MISALIGN=1 adds 16 to it). The
     device has memory of its own: VTAFlushCache copies a range from the host to the device,
     VTAInvalidateCache from the device to the host, and nothing else moves bytes between them, so
     a missing flush or invalidate shows as wrong outputs.
   - VTADeviceRun finds the buffer holding the instructions, writes its device bytes to a temporary
     file and runs `$ZP_FAKE_VTA_JAVA dev.zeropoint.tests.FakeVtaDevice FILE PHYS OFFSET COUNT TARGET`
     with the class path in $CLASSPATH: the simulator runs the instructions with dram_base counting
     from physical address 0 (the buffer starting at PHYS), and the file comes back as the device's
     memory. 0, or 1 when the simulation fails (its message is on stderr).
   - Misuse (a bad handle, a range outside its buffer, freeing twice, freeing the device while
     buffers are allocated) stops the program with exit status 3. VTADeviceFree prints one line of
     counts on stderr, or appends it to the file $ZP_FAKE_VTA_LOG. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "zp_vta_driver.h"

#define MAX_BUFFERS 256

typedef struct {
  unsigned char *host;
  unsigned char *device;
  size_t size;
  vta_phy_addr_t phys;
  int live;
} fake_buffer;

static fake_buffer buffers[MAX_BUFFERS];
static int buffer_count = 0;
static vta_phy_addr_t next_phys = 0x10000000u;
static int device_token;
static int device_live = 0;
static long runs = 0;
static long flushes = 0;
static long invalidates = 0;

static void die(const char *what) {
  fprintf(stderr, "fake VTA: %s\n", what);
  exit(3);
}

VTADeviceHandle VTADeviceAlloc(void) {
  if (device_live) {
    die("VTADeviceAlloc while a device is allocated");
  }
  device_live = 1;
  return &device_token;
}

void VTADeviceFree(VTADeviceHandle handle) {
  int i, freed = 0;
  const char *log_file;
  FILE *log;
  if (handle != &device_token || !device_live) {
    die("VTADeviceFree of a handle VTADeviceAlloc did not give");
  }
  for (i = 0; i < buffer_count; i++) {
    if (buffers[i].live) {
      die("VTADeviceFree while buffers are allocated");
    }
    freed++;
  }
  device_live = 0;
  log_file = getenv("ZP_FAKE_VTA_LOG");
  log = log_file == NULL ? NULL : fopen(log_file, "a");
  fprintf(log == NULL ? stderr : log, "fake VTA: %ld runs, %d buffers allocated and freed, %ld flushes, "
      "%ld invalidates\n", runs, freed, flushes, invalidates);
  if (log != NULL) {
    fclose(log);
  }
}

void *VTAMemAlloc(size_t size, int cached) {
  void *p;
  fake_buffer *b;
  (void) cached;
  if (buffer_count == MAX_BUFFERS || size == 0) {
    return NULL;
  }
  if (posix_memalign(&p, 4096, size) != 0) {
    return NULL;
  }
  b = &buffers[buffer_count++];
  b->host = (unsigned char *) p;
  b->device = (unsigned char *) malloc(size);
  if (b->device == NULL) {
    die("out of memory");
  }
  memset(b->host, 0x5A, size);
  memset(b->device, 0xA5, size);
  b->size = size;
  b->phys = next_phys + (getenv("ZP_FAKE_VTA_MISALIGN") != NULL ? 16u : 0u);
  next_phys += (vta_phy_addr_t) ((size + 0xFFFFFu) / 0x100000u * 0x100000u + 0x100000u);
  b->live = 1;
  return p;
}

static fake_buffer *owner(const void *buf) {
  int i;
  for (i = 0; i < buffer_count; i++) {
    if (buffers[i].live && buffers[i].host == (const unsigned char *) buf) {
      return &buffers[i];
    }
  }
  die("a pointer VTAMemAlloc did not return");
  return NULL;
}

void VTAMemFree(void *buf) {
  fake_buffer *b = owner(buf);
  free(b->host);
  free(b->device);
  b->live = 0;
}

vta_phy_addr_t VTAMemGetPhyAddr(void *buf) {
  return owner(buf)->phys;
}

/* The buffer holding [vir_addr, vir_addr + size), whose physical address must be phy_addr. */
static fake_buffer *range(const void *vir_addr, vta_phy_addr_t phy_addr, int size) {
  int i;
  const unsigned char *v = (const unsigned char *) vir_addr;
  for (i = 0; i < buffer_count; i++) {
    fake_buffer *b = &buffers[i];
    if (b->live && v >= b->host && v < b->host + b->size) {
      size_t offset = (size_t) (v - b->host);
      if (size < 0 || offset + (size_t) size > b->size) {
        die("a cache operation past the end of its buffer");
      }
      if (phy_addr != b->phys + (vta_phy_addr_t) offset) {
        die("a cache operation whose physical address is not its virtual address's");
      }
      return b;
    }
  }
  die("a cache operation outside every buffer");
  return NULL;
}

void VTAFlushCache(void *vir_addr, vta_phy_addr_t phy_addr, int size) {
  fake_buffer *b = range(vir_addr, phy_addr, size);
  size_t offset = (size_t) ((unsigned char *) vir_addr - b->host);
  memcpy(b->device + offset, b->host + offset, (size_t) size);
  flushes++;
}

void VTAInvalidateCache(void *vir_addr, vta_phy_addr_t phy_addr, int size) {
  fake_buffer *b = range(vir_addr, phy_addr, size);
  size_t offset = (size_t) ((unsigned char *) vir_addr - b->host);
  memcpy(b->host + offset, b->device + offset, (size_t) size);
  invalidates++;
}

int VTADeviceRun(VTADeviceHandle device, vta_phy_addr_t insn_phy_addr, uint32_t insn_count, uint32_t wait_cycles) {
  int i, fd, status;
  fake_buffer *b = NULL;
  char file[] = "/tmp/fake-vta-XXXXXX";
  char command[4096];
  const char *java = getenv("ZP_FAKE_VTA_JAVA");
  const char *target = getenv("ZP_FAKE_VTA_TARGET");
  FILE *f;
  (void) wait_cycles;
  if (device != &device_token || !device_live) {
    die("VTADeviceRun with a handle VTADeviceAlloc did not give");
  }
  if (java == NULL || target == NULL || getenv("CLASSPATH") == NULL) {
    die("set ZP_FAKE_VTA_JAVA, ZP_FAKE_VTA_TARGET and CLASSPATH");
  }
  for (i = 0; i < buffer_count; i++) {
    if (buffers[i].live && insn_phy_addr >= buffers[i].phys && insn_phy_addr - buffers[i].phys < buffers[i].size) {
      b = &buffers[i];
    }
  }
  if (b == NULL) {
    die("VTADeviceRun: the instructions are in no buffer");
  }
  fd = mkstemp(file);
  if (fd < 0) {
    die("cannot make a temporary file");
  }
  f = fdopen(fd, "wb");
  if (f == NULL || fwrite(b->device, 1, b->size, f) != b->size || fclose(f) != 0) {
    die("cannot write the temporary file");
  }
  snprintf(command, sizeof command,
      "'%s' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto dev.zeropoint.tests.FakeVtaDevice %s %lu %lu %lu '%s'",
      java, file, (unsigned long) b->phys, (unsigned long) (insn_phy_addr - b->phys), (unsigned long) insn_count,
      target);
  status = system(command);
  if (status == 0) {
    f = fopen(file, "rb");
    if (f == NULL || fread(b->device, 1, b->size, f) != b->size) {
      die("cannot read the temporary file back");
    }
    fclose(f);
  }
  remove(file);
  runs++;
  return status == 0 ? 0 : 1;
}
