/* zp_vta_driver.h: the functions of VTA's driver API (apache/tvm-vta, include/vta/driver.h) that
   programs compiled by Zeropoint (compile --target vta|vta-mul --host c) call, declared with VTA's
   signatures. Link the program with a VTA driver library (VTA's libvta for the board: pynq,
   de10nano, the simulators), and build it with -DUSE_VTA64 when that library was built with
   USE_VTA64 (vta_phy_addr_t is then 64 bits). docs/vta-program.md says how. */
#ifndef ZP_VTA_DRIVER_H
#define ZP_VTA_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* VTAMemAlloc's cached argument: cached memory (flushed and invalidated around each run). */
#ifndef VTA_CACHED
#define VTA_CACHED 1
#endif

typedef void *VTADeviceHandle;

#ifdef USE_VTA64
typedef uint64_t vta_phy_addr_t;
#else
typedef uint32_t vta_phy_addr_t;
#endif

/* A device handle, or NULL. */
VTADeviceHandle VTADeviceAlloc(void);

void VTADeviceFree(VTADeviceHandle handle);

/* Runs insn_count instructions at physical address insn_phy_addr and waits: 0 when they finished,
   nonzero when the device did not finish within wait_cycles. */
int VTADeviceRun(VTADeviceHandle device, vta_phy_addr_t insn_phy_addr, uint32_t insn_count, uint32_t wait_cycles);

/* Physically contiguous memory the device reads and writes, or NULL. */
void *VTAMemAlloc(size_t size, int cached);

void VTAMemFree(void *buf);

vta_phy_addr_t VTAMemGetPhyAddr(void *buf);

/* Writes the CPU's cached bytes of the range to DRAM (before the device reads them). */
void VTAFlushCache(void *vir_addr, vta_phy_addr_t phy_addr, int size);

/* Drops the CPU's cached bytes of the range (after the device wrote them). */
void VTAInvalidateCache(void *vir_addr, vta_phy_addr_t phy_addr, int size);

#ifdef __cplusplus
}
#endif

#endif
