package dev.zeropoint.backends.accel;

/**
 * What one {@link Simulator} run did: instructions executed by kind, DRAM bytes moved by memory
 * type, fsim's operation counters, and an estimate of the cycles (the model is described on
 * {@link Simulator}).
 *
 * @param loadInsns LOAD instructions of every memory type (including those with {@code x_size == 0})
 * @param gemmInsns GEMM instructions, reset or not
 * @param aluInsns ALU instructions
 * @param storeInsns STORE instructions
 * @param finishInsns FINISH instructions
 * @param uopLoadBytes DRAM bytes read by LOAD UOP
 * @param inpLoadBytes DRAM bytes read by LOAD INP
 * @param wgtLoadBytes DRAM bytes read by LOAD WGT
 * @param accLoadBytes DRAM bytes read by LOAD ACC and LOAD ACC_8BIT (one byte per lane for the latter)
 * @param outStoreBytes DRAM bytes written by STORE
 * @param gemmOps fsim's {@code gemm_counter}: {@code iter_out * iter_in * (uop_end - uop_bgn)} summed over
 *     the GEMMs without reset (tile products)
 * @param aluOps fsim's {@code alu_counter}: the same count summed over the ALU instructions (vector ops)
 * @param cycles the estimated cycles from the start of the run to the end of its last instruction
 */
public record SimStats(long loadInsns, long gemmInsns, long aluInsns, long storeInsns, long finishInsns,
    long uopLoadBytes, long inpLoadBytes, long wgtLoadBytes, long accLoadBytes, long outStoreBytes, long gemmOps,
    long aluOps, long cycles) {

  /** Statistics of a run that did nothing. */
  public static final SimStats ZERO = new SimStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** All DRAM traffic: the bytes of every load and store. */
  public long dramBytes() {
    return uopLoadBytes + inpLoadBytes + wgtLoadBytes + accLoadBytes + outStoreBytes;
  }

  /**
   * The statistics of this run followed by {@code o}: every count is summed, cycles too (the runs
   * are sequential: the host starts the next after the previous has finished).
   */
  public SimStats plus(SimStats o) {
    return new SimStats(loadInsns + o.loadInsns, gemmInsns + o.gemmInsns, aluInsns + o.aluInsns,
        storeInsns + o.storeInsns, finishInsns + o.finishInsns, uopLoadBytes + o.uopLoadBytes,
        inpLoadBytes + o.inpLoadBytes, wgtLoadBytes + o.wgtLoadBytes, accLoadBytes + o.accLoadBytes,
        outStoreBytes + o.outStoreBytes, gemmOps + o.gemmOps, aluOps + o.aluOps, cycles + o.cycles);
  }
}
