package dev.zeropoint.backends.accel;

import java.util.EnumSet;
import java.util.Set;

/**
 * What an int8 accelerator of the VTA instruction family offers: the GEMM tile ({@code batch x
 * blockIn} inputs times {@code blockOut x blockIn} weights into int32 accumulators), the depth of each
 * on-chip buffer in elements, the ALU operations and shift amounts it accepts, and the widths of the
 * instruction fields. Everything downstream (the instruction encoding, the tiling of each layer, the
 * partitioning, the simulator) is driven by it; nothing assumes VTA's numbers.
 *
 * @param batch rows of the GEMM tile (the lowering supports 1)
 * @param blockIn input channels per tile (the reduction)
 * @param blockOut output channels per tile (the accumulator lanes)
 * @param uopDepth micro-ops in the uop buffer
 * @param inpDepth input tiles ({@code batch x blockIn} int8) in the input buffer
 * @param wgtDepth weight tiles ({@code blockOut x blockIn} int8) in the weight buffer
 * @param accDepth accumulator tiles ({@code batch x blockOut} int32) in the accumulator buffer
 * @param aluOps the ALU operations the hardware executes
 * @param minShift the smallest SHR amount a program may use (negative: shifts left)
 * @param maxShift the largest SHR amount a program may use
 * @param immBits width of the ALU immediate (two's complement)
 * @param loopBits width of the GEMM/ALU loop counts ({@code iter_out}, {@code iter_in})
 */
public record TargetDescription(String name, int batch, int blockIn, int blockOut, int uopDepth, int inpDepth,
    int wgtDepth, int accDepth, Set<AluOp> aluOps, int minShift, int maxShift, int immBits, int loopBits) {

  /** Widths of the LOAD/STORE fields (the same in every VTA configuration). */
  public static final int SRAM_ADDR_BITS = 16;
  public static final int DRAM_ADDR_BITS = 32;
  public static final int SIZE_BITS = 16;
  public static final int STRIDE_BITS = 16;
  public static final int PAD_BITS = 4;

  public TargetDescription {
    aluOps = Set.copyOf(aluOps.isEmpty() ? EnumSet.noneOf(AluOp.class) : EnumSet.copyOf(aluOps));
    for (int depth : new int[] {uopDepth, inpDepth, wgtDepth, accDepth}) {
      if (depth < 2 || Integer.bitCount(depth) != 1) {
        throw new IllegalArgumentException(name + ": buffer depths must be powers of two, got " + depth);
      }
    }
    if (batch < 1 || blockIn < 1 || blockOut < 1) {
      throw new IllegalArgumentException(name + ": tile sizes must be positive");
    }
    if (minShift > maxShift || minShift < -31 || maxShift > 31) {
      throw new IllegalArgumentException(name + ": shift range " + minShift + ".." + maxShift + " outside -31..31");
    }
    if (immBits < 2 || immBits > 32 || loopBits < 1 || loopBits > 16) {
      throw new IllegalArgumentException(name + ": immediate or loop width out of range");
    }
  }

  /** The open VTA design's default configuration: no multiplier, portable shifts 0..15. */
  public static TargetDescription vta() {
    return new TargetDescription("vta", 1, 16, 16, 8192, 2048, 1024, 2048,
        EnumSet.of(AluOp.MIN, AluOp.MAX, AluOp.ADD, AluOp.SHR), 0, 15, 16, 14);
  }

  /** The default configuration with fsim's MUL and its full shift range. */
  public static TargetDescription vtaMul() {
    return new TargetDescription("vta-mul", 1, 16, 16, 8192, 2048, 1024, 2048, EnumSet.allOf(AluOp.class), -31, 31,
        16, 14);
  }

  public boolean has(AluOp op) {
    return aluOps.contains(op);
  }

  /** Whether arbitrary requantization scales can run (they need MUL); without it only powers of two. */
  public boolean multiplies() {
    return has(AluOp.MUL);
  }

  public int logUopDepth() {
    return log2(uopDepth);
  }

  public int logInpDepth() {
    return log2(inpDepth);
  }

  public int logWgtDepth() {
    return log2(wgtDepth);
  }

  public int logAccDepth() {
    return log2(accDepth);
  }

  /** Bytes of one DRAM element of a memory type ({@code dram_base} and {@code x_stride} count these). */
  public int elementBytes(MemType t) {
    return switch (t) {
      case UOP -> 4;
      case WGT -> blockOut * blockIn;
      case INP -> batch * blockIn;
      case ACC -> batch * blockOut * 4;
      case OUT, ACC_8BIT -> batch * blockOut;
    };
  }

  /** Elements of the on-chip buffer a memory type loads into. */
  public int depth(MemType t) {
    return switch (t) {
      case UOP -> uopDepth;
      case WGT -> wgtDepth;
      case INP -> inpDepth;
      case ACC, OUT, ACC_8BIT -> accDepth;
    };
  }

  /** The largest ALU immediate. */
  public int maxImm() {
    return (1 << (immBits - 1)) - 1;
  }

  public int minImm() {
    return -(1 << (immBits - 1));
  }

  /** The largest loop count. */
  public int maxIter() {
    return (1 << loopBits) - 1;
  }

  private static int log2(int n) {
    return Integer.numberOfTrailingZeros(n);
  }
}
