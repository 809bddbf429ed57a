package dev.zeropoint.backends.accel;

/**
 * One 128-bit instruction of the VTA family, decoded. Every instruction carries its dependency
 * flags; {@link #queue()} says which of the three queues runs it. Field meanings are VTA's
 * ({@code hw_spec.h}); {@link Isa} encodes and decodes them for a {@link TargetDescription}.
 */
public sealed interface Insn {
  Deps deps();

  /** The instruction with other dependency flags. */
  Insn withDeps(Deps deps);

  /** Which queue executes this instruction. */
  default Queue queue() {
    return switch (this) {
      case Load l -> l.type() == MemType.INP || l.type() == MemType.WGT ? Queue.LOAD : Queue.COMPUTE;
      case Store s -> Queue.STORE;
      case Gemm g -> Queue.COMPUTE;
      case Alu a -> Queue.COMPUTE;
      case Finish f -> Queue.COMPUTE;
    };
  }

  /** The three instruction queues, in the order tokens flow: load, compute, store. */
  enum Queue {
    LOAD,
    COMPUTE,
    STORE
  }

  /**
   * Dependency flags: pop a token from the previous / next queue before running, push one to the
   * previous / next queue after.
   */
  record Deps(boolean popPrev, boolean popNext, boolean pushPrev, boolean pushNext) {
    public static final Deps NONE = new Deps(false, false, false, false);

    public Deps withPopPrev() {
      return new Deps(true, popNext, pushPrev, pushNext);
    }

    public Deps withPopNext() {
      return new Deps(popPrev, true, pushPrev, pushNext);
    }

    public Deps withPushPrev() {
      return new Deps(popPrev, popNext, true, pushNext);
    }

    public Deps withPushNext() {
      return new Deps(popPrev, popNext, pushPrev, true);
    }

    boolean any() {
      return popPrev || popNext || pushPrev || pushNext;
    }
  }

  /**
   * LOAD: {@code ySize} rows of {@code xSize} DRAM elements, rows {@code xStride} elements apart,
   * starting at element {@code dramBase}, into the buffer from element {@code sramBase}, with the
   * padding around them zero-filled.
   */
  record Load(Deps deps, MemType type, int sramBase, long dramBase, int ySize, int xSize, int xStride, int yPad0,
      int yPad1, int xPad0, int xPad1) implements Insn {
    @Override
    public Load withDeps(Deps d) {
      return new Load(d, type, sramBase, dramBase, ySize, xSize, xStride, yPad0, yPad1, xPad0, xPad1);
    }
  }

  /** STORE: the accumulators from {@code sramBase}, truncated to the output width, to DRAM (no padding). */
  record Store(Deps deps, MemType type, int sramBase, long dramBase, int ySize, int xSize, int xStride, int yPad0,
      int yPad1, int xPad0, int xPad1) implements Insn {
    public Store(Deps deps, int sramBase, long dramBase, int ySize, int xSize, int xStride) {
      this(deps, MemType.OUT, sramBase, dramBase, ySize, xSize, xStride, 0, 0, 0, 0);
    }

    @Override
    public Store withDeps(Deps d) {
      return new Store(d, type, sramBase, dramBase, ySize, xSize, xStride, yPad0, yPad1, xPad0, xPad1);
    }
  }

  /**
   * GEMM: for each {@code (o, i)} of the two loops and each micro-op in {@code [uopBgn, uopEnd)},
   * {@code acc[dst + o*dstFactorOut + i*dstFactorIn] += inp[src + ...] x wgt[wgt + ...]}; with
   * {@code reset} the addressed accumulators are zeroed instead.
   */
  record Gemm(Deps deps, boolean reset, int uopBgn, int uopEnd, int iterOut, int iterIn, int dstFactorOut,
      int dstFactorIn, int srcFactorOut, int srcFactorIn, int wgtFactorOut, int wgtFactorIn) implements Insn {
    @Override
    public Gemm withDeps(Deps d) {
      return new Gemm(d, reset, uopBgn, uopEnd, iterOut, iterIn, dstFactorOut, dstFactorIn, srcFactorOut, srcFactorIn,
          wgtFactorOut, wgtFactorIn);
    }
  }

  /**
   * ALU: over the same loops, {@code acc[dst] = op(acc[dst], useImm ? imm : acc[src])} lane by lane.
   * {@code reset} is the GEMM field at the same place (fsim ignores it for ALU).
   */
  record Alu(Deps deps, boolean reset, int uopBgn, int uopEnd, int iterOut, int iterIn, int dstFactorOut,
      int dstFactorIn, int srcFactorOut, int srcFactorIn, AluOp op, boolean useImm, int imm) implements Insn {
    @Override
    public Alu withDeps(Deps d) {
      return new Alu(d, reset, uopBgn, uopEnd, iterOut, iterIn, dstFactorOut, dstFactorIn, srcFactorOut, srcFactorIn,
          op, useImm, imm);
    }
  }

  /** FINISH: the program ends when this is the last instruction executed. */
  record Finish(Deps deps) implements Insn {
    @Override
    public Finish withDeps(Deps d) {
      return new Finish(d);
    }
  }

  /** A micro-op: accumulator index, input (GEMM) or accumulator (ALU) index, weight index. */
  record Uop(int dst, int src, int wgt) {}
}
