package dev.zeropoint.backends.accel;

/** One instruction as text: mnemonic, fields, and dependency flags. */
public final class Disassembler {
  private Disassembler() {}

  public static String text(Insn insn) {
    String body = switch (insn) {
      case Insn.Load l -> String.format("LOAD  %-8s sram %d dram %d y %d x %d stride %d pad %d,%d,%d,%d", l.type(),
          l.sramBase(), l.dramBase(), l.ySize(), l.xSize(), l.xStride(), l.yPad0(), l.yPad1(), l.xPad0(), l.xPad1());
      case Insn.Store st -> String.format("STORE %-8s sram %d dram %d y %d x %d stride %d", st.type(), st.sramBase(),
          st.dramBase(), st.ySize(), st.xSize(), st.xStride());
      case Insn.Gemm g -> String.format("GEMM%s uops %d..%d loops %dx%d dst %d,%d src %d,%d wgt %d,%d",
          g.reset() ? " reset" : "", g.uopBgn(), g.uopEnd(), g.iterOut(), g.iterIn(), g.dstFactorOut(),
          g.dstFactorIn(), g.srcFactorOut(), g.srcFactorIn(), g.wgtFactorOut(), g.wgtFactorIn());
      case Insn.Alu a -> String.format("ALU %s%s uops %d..%d loops %dx%d dst %d,%d src %d,%d", a.op(),
          a.useImm() ? " imm " + a.imm() : "", a.uopBgn(), a.uopEnd(), a.iterOut(), a.iterIn(), a.dstFactorOut(),
          a.dstFactorIn(), a.srcFactorOut(), a.srcFactorIn());
      case Insn.Finish f -> "FINISH";
    };
    Insn.Deps d = insn.deps();
    StringBuilder deps = new StringBuilder();
    if (d.popPrev()) {
      deps.append(" pop_prev");
    }
    if (d.popNext()) {
      deps.append(" pop_next");
    }
    if (d.pushPrev()) {
      deps.append(" push_prev");
    }
    if (d.pushNext()) {
      deps.append(" push_next");
    }
    return deps.isEmpty() ? body : body + "  [" + deps.toString().trim() + "]";
  }
}
