package dev.zeropoint.backends.accel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary encoding of {@link Insn} for one {@link TargetDescription}: 128-bit little-endian
 * instructions and 32-bit micro-ops, laid out as the C bit-fields of VTA's {@code hw_spec.h} are by
 * gcc (fields in declaration order from bit 0 of 64-bit words; a field that would cross a word
 * boundary starts the next word). The widths that depend on the configuration (uop, acc, inp and
 * weight indices) come from the buffer depths.
 */
public final class Isa {
  /** Bytes per instruction. */
  public static final int INSN_BYTES = 16;
  /** Bytes per micro-op. */
  public static final int UOP_BYTES = 4;

  public static final int LOAD = 0;
  public static final int STORE = 1;
  public static final int GEMM = 2;
  public static final int FINISH = 3;
  public static final int ALU = 4;

  private final TargetDescription target;
  private final Layout mem;
  private final Layout gemm;
  private final Layout alu;
  private final Layout uop;

  public Isa(TargetDescription target) {
    this.target = target;
    int uopBits = target.logUopDepth();
    int acc = target.logAccDepth();
    int inp = target.logInpDepth();
    int wgt = target.logWgtDepth();
    int loop = target.loopBits();
    this.mem = new Layout(64, 128, common()
        .f("memory_type", 3).f("sram_base", TargetDescription.SRAM_ADDR_BITS)
        .f("dram_base", TargetDescription.DRAM_ADDR_BITS).f("y_size", TargetDescription.SIZE_BITS)
        .f("x_size", TargetDescription.SIZE_BITS).f("x_stride", TargetDescription.STRIDE_BITS)
        .f("y_pad_0", TargetDescription.PAD_BITS).f("y_pad_1", TargetDescription.PAD_BITS)
        .f("x_pad_0", TargetDescription.PAD_BITS).f("x_pad_1", TargetDescription.PAD_BITS));
    Fields loops = common().f("reset_reg", 1).f("uop_bgn", uopBits).f("uop_end", uopBits + 1).f("iter_out", loop)
        .f("iter_in", loop).f("dst_factor_out", acc).f("dst_factor_in", acc);
    this.gemm = new Layout(64, 128, loops.copy().f("src_factor_out", inp).f("src_factor_in", inp)
        .f("wgt_factor_out", wgt).f("wgt_factor_in", wgt));
    this.alu = new Layout(64, 128, loops.copy().f("src_factor_out", acc).f("src_factor_in", acc).f("alu_opcode", 3)
        .f("use_imm", 1).f("imm", target.immBits()));
    this.uop = new Layout(32, 32, new Fields().f("dst_idx", acc).f("src_idx", Math.max(acc, inp)).f("wgt_idx", wgt));
  }

  public TargetDescription target() {
    return target;
  }

  /** The bit offset of a named field of an instruction kind ({@code "mem"}, {@code "gemm"}, {@code "alu"}, {@code "uop"}). */
  public int offset(String kind, String field) {
    return layout(kind).field(field).offset;
  }

  public int width(String kind, String field) {
    return layout(kind).field(field).width;
  }

  private Layout layout(String kind) {
    return switch (kind) {
      case "mem" -> mem;
      case "gemm" -> gemm;
      case "alu" -> alu;
      case "uop" -> uop;
      default -> throw new IllegalArgumentException("no instruction kind " + kind);
    };
  }

  private static Fields common() {
    return new Fields().f("opcode", 3).f("pop_prev_dep", 1).f("pop_next_dep", 1).f("push_prev_dep", 1)
        .f("push_next_dep", 1);
  }

  /** The 16 bytes of an instruction. */
  public byte[] encode(Insn insn) {
    long[] words = new long[2];
    Insn.Deps d = insn.deps();
    switch (insn) {
      case Insn.Load l -> {
        memFields(words, LOAD, d, l.type(), l.sramBase(), l.dramBase(), l.ySize(), l.xSize(), l.xStride(), l.yPad0(),
            l.yPad1(), l.xPad0(), l.xPad1());
      }
      case Insn.Store s -> {
        memFields(words, STORE, d, s.type(), s.sramBase(), s.dramBase(), s.ySize(), s.xSize(), s.xStride(), s.yPad0(),
            s.yPad1(), s.xPad0(), s.xPad1());
      }
      case Insn.Gemm g -> {
        loopFields(gemm, words, GEMM, d, g.reset(), g.uopBgn(), g.uopEnd(), g.iterOut(), g.iterIn(), g.dstFactorOut(),
            g.dstFactorIn(), g.srcFactorOut(), g.srcFactorIn());
        gemm.put(words, "wgt_factor_out", g.wgtFactorOut());
        gemm.put(words, "wgt_factor_in", g.wgtFactorIn());
      }
      case Insn.Alu a -> {
        loopFields(alu, words, ALU, d, a.reset(), a.uopBgn(), a.uopEnd(), a.iterOut(), a.iterIn(), a.dstFactorOut(),
            a.dstFactorIn(), a.srcFactorOut(), a.srcFactorIn());
        alu.put(words, "alu_opcode", a.op().code());
        alu.put(words, "use_imm", a.useImm() ? 1 : 0);
        alu.putSigned(words, "imm", a.imm());
      }
      case Insn.Finish f -> {
        mem.put(words, "opcode", FINISH);
        deps(mem, words, d);
      }
    }
    byte[] out = new byte[INSN_BYTES];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (words[0] >>> (8 * i));
      out[8 + i] = (byte) (words[1] >>> (8 * i));
    }
    return out;
  }

  /** Decodes the instruction at {@code offset}; an unknown opcode or memory type is an IllegalArgumentException. */
  public Insn decode(byte[] bytes, int offset) {
    long[] w = new long[2];
    for (int i = 7; i >= 0; i--) {
      w[0] = (w[0] << 8) | (bytes[offset + i] & 0xFF);
      w[1] = (w[1] << 8) | (bytes[offset + 8 + i] & 0xFF);
    }
    int opcode = (int) mem.get(w, "opcode");
    Insn.Deps d = new Insn.Deps(mem.get(w, "pop_prev_dep") != 0, mem.get(w, "pop_next_dep") != 0,
        mem.get(w, "push_prev_dep") != 0, mem.get(w, "push_next_dep") != 0);
    return switch (opcode) {
      case LOAD, STORE -> {
        MemType type = MemType.ofCode((int) mem.get(w, "memory_type"));
        int sram = (int) mem.get(w, "sram_base");
        long dram = mem.get(w, "dram_base");
        int y = (int) mem.get(w, "y_size");
        int x = (int) mem.get(w, "x_size");
        int stride = (int) mem.get(w, "x_stride");
        int yp0 = (int) mem.get(w, "y_pad_0");
        int yp1 = (int) mem.get(w, "y_pad_1");
        int xp0 = (int) mem.get(w, "x_pad_0");
        int xp1 = (int) mem.get(w, "x_pad_1");
        yield opcode == LOAD ? new Insn.Load(d, type, sram, dram, y, x, stride, yp0, yp1, xp0, xp1)
            : new Insn.Store(d, type, sram, dram, y, x, stride, yp0, yp1, xp0, xp1);
      }
      case GEMM -> new Insn.Gemm(d, gemm.get(w, "reset_reg") != 0, (int) gemm.get(w, "uop_bgn"),
          (int) gemm.get(w, "uop_end"), (int) gemm.get(w, "iter_out"), (int) gemm.get(w, "iter_in"),
          (int) gemm.get(w, "dst_factor_out"), (int) gemm.get(w, "dst_factor_in"),
          (int) gemm.get(w, "src_factor_out"), (int) gemm.get(w, "src_factor_in"),
          (int) gemm.get(w, "wgt_factor_out"), (int) gemm.get(w, "wgt_factor_in"));
      case ALU -> new Insn.Alu(d, alu.get(w, "reset_reg") != 0, (int) alu.get(w, "uop_bgn"),
          (int) alu.get(w, "uop_end"), (int) alu.get(w, "iter_out"), (int) alu.get(w, "iter_in"),
          (int) alu.get(w, "dst_factor_out"), (int) alu.get(w, "dst_factor_in"),
          (int) alu.get(w, "src_factor_out"), (int) alu.get(w, "src_factor_in"),
          AluOp.ofCode((int) alu.get(w, "alu_opcode")), alu.get(w, "use_imm") != 0, (int) alu.getSigned(w, "imm"));
      case FINISH -> new Insn.Finish(d);
      default -> throw new IllegalArgumentException("unknown opcode " + opcode);
    };
  }

  /** The 32-bit encoding of a micro-op. */
  public int encodeUop(Insn.Uop u) {
    long[] w = new long[1];
    uop.put(w, "dst_idx", u.dst());
    uop.put(w, "src_idx", u.src());
    uop.put(w, "wgt_idx", u.wgt());
    return (int) w[0];
  }

  public Insn.Uop decodeUop(int bits) {
    long[] w = {bits & 0xFFFFFFFFL};
    return new Insn.Uop((int) uop.get(w, "dst_idx"), (int) uop.get(w, "src_idx"), (int) uop.get(w, "wgt_idx"));
  }

  private void memFields(long[] w, int opcode, Insn.Deps d, MemType type, int sram, long dram, int y, int x,
      int stride, int yp0, int yp1, int xp0, int xp1) {
    mem.put(w, "opcode", opcode);
    deps(mem, w, d);
    mem.put(w, "memory_type", type.code());
    mem.put(w, "sram_base", sram);
    mem.put(w, "dram_base", dram);
    mem.put(w, "y_size", y);
    mem.put(w, "x_size", x);
    mem.put(w, "x_stride", stride);
    mem.put(w, "y_pad_0", yp0);
    mem.put(w, "y_pad_1", yp1);
    mem.put(w, "x_pad_0", xp0);
    mem.put(w, "x_pad_1", xp1);
  }

  private static void loopFields(Layout l, long[] w, int opcode, Insn.Deps d, boolean reset, int bgn, int end,
      int iterOut, int iterIn, int dstOut, int dstIn, int srcOut, int srcIn) {
    l.put(w, "opcode", opcode);
    deps(l, w, d);
    l.put(w, "reset_reg", reset ? 1 : 0);
    l.put(w, "uop_bgn", bgn);
    l.put(w, "uop_end", end);
    l.put(w, "iter_out", iterOut);
    l.put(w, "iter_in", iterIn);
    l.put(w, "dst_factor_out", dstOut);
    l.put(w, "dst_factor_in", dstIn);
    l.put(w, "src_factor_out", srcOut);
    l.put(w, "src_factor_in", srcIn);
  }

  private static void deps(Layout l, long[] w, Insn.Deps d) {
    l.put(w, "pop_prev_dep", d.popPrev() ? 1 : 0);
    l.put(w, "pop_next_dep", d.popNext() ? 1 : 0);
    l.put(w, "push_prev_dep", d.pushPrev() ? 1 : 0);
    l.put(w, "push_next_dep", d.pushNext() ? 1 : 0);
  }

  /** Field names and widths in declaration order. */
  private static final class Fields {
    final List<Map.Entry<String, Integer>> list = new ArrayList<>();

    Fields f(String name, int width) {
      list.add(Map.entry(name, width));
      return this;
    }

    Fields copy() {
      Fields c = new Fields();
      c.list.addAll(list);
      return c;
    }
  }

  private record Field(int offset, int width) {}

  /** Bit-field placement with gcc's rule for fields of a {@code unitBits}-bit type. */
  private static final class Layout {
    private final Map<String, Field> fields = new LinkedHashMap<>();

    Layout(int unitBits, int totalBits, Fields declared) {
      int at = 0;
      for (Map.Entry<String, Integer> e : declared.list) {
        int width = e.getValue();
        if (at / unitBits != (at + width - 1) / unitBits) {
          at = (at / unitBits + 1) * unitBits;
        }
        fields.put(e.getKey(), new Field(at, width));
        at += width;
      }
      if (at > totalBits) {
        throw new IllegalArgumentException("the fields need " + at + " bits, more than " + totalBits
            + ": the buffer depths are too large for this encoding");
      }
    }

    Field field(String name) {
      Field f = fields.get(name);
      if (f == null) {
        throw new IllegalArgumentException("no field " + name);
      }
      return f;
    }

    void put(long[] words, String name, long value) {
      Field f = field(name);
      if (value < 0 || (f.width < 64 && value >>> f.width != 0)) {
        throw new IllegalArgumentException(name + " = " + value + " does not fit " + f.width + " bits");
      }
      words[f.offset / 64] |= value << (f.offset % 64);
    }

    void putSigned(long[] words, String name, long value) {
      Field f = field(name);
      long lo = -(1L << (f.width - 1));
      long hi = (1L << (f.width - 1)) - 1;
      if (value < lo || value > hi) {
        throw new IllegalArgumentException(name + " = " + value + " does not fit " + f.width + " signed bits");
      }
      words[f.offset / 64] |= (value & ((1L << f.width) - 1)) << (f.offset % 64);
    }

    long get(long[] words, String name) {
      Field f = field(name);
      long mask = f.width == 64 ? -1L : (1L << f.width) - 1;
      return (words[f.offset / 64] >>> (f.offset % 64)) & mask;
    }

    long getSigned(long[] words, String name) {
      Field f = field(name);
      long v = get(words, name);
      return (v << (64 - f.width)) >> (64 - f.width);
    }
  }
}
