package dev.zeropoint.backends.accel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The encoding against VTA's field table (hw_spec.h for the default configuration, as listed in
 * docs/vta-program.md): every expected word below is built by hand from the table's bit positions,
 * not from {@link Isa}'s layout code.
 */
class IsaTest {
  private final Isa vta = new Isa(TargetDescription.vta());

  /** Little-endian bytes of two 64-bit words. */
  private static byte[] bytes(long lo, long hi) {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (lo >>> (8 * i));
      b[8 + i] = (byte) (hi >>> (8 * i));
    }
    return b;
  }

  @Test
  void fieldOffsetsOfTheDefaultConfigurationAreVtas() {
    int[][] mem = {{7, 3}, {10, 16}, {26, 32}, {64, 16}, {80, 16}, {96, 16}, {112, 4}, {116, 4}, {120, 4}, {124, 4}};
    String[] memNames = {"memory_type", "sram_base", "dram_base", "y_size", "x_size", "x_stride", "y_pad_0", "y_pad_1",
        "x_pad_0", "x_pad_1"};
    for (int i = 0; i < memNames.length; i++) {
      assertEquals(mem[i][0], vta.offset("mem", memNames[i]), memNames[i]);
      assertEquals(mem[i][1], vta.width("mem", memNames[i]), memNames[i]);
    }
    String[] gemmNames = {"reset_reg", "uop_bgn", "uop_end", "iter_out", "iter_in", "dst_factor_out", "dst_factor_in",
        "src_factor_out", "src_factor_in", "wgt_factor_out", "wgt_factor_in"};
    int[] gemmOffsets = {7, 8, 21, 35, 49, 64, 75, 86, 97, 108, 118};
    for (int i = 0; i < gemmNames.length; i++) {
      assertEquals(gemmOffsets[i], vta.offset("gemm", gemmNames[i]), gemmNames[i]);
    }
    assertEquals(108, vta.offset("alu", "alu_opcode"));
    assertEquals(111, vta.offset("alu", "use_imm"));
    assertEquals(112, vta.offset("alu", "imm"));
    assertEquals(16, vta.width("alu", "imm"));
    assertEquals(11, vta.offset("uop", "src_idx"));
    assertEquals(22, vta.offset("uop", "wgt_idx"));
  }

  @Test
  void loadEncodesFieldByField() {
    var load = new Insn.Load(new Insn.Deps(false, true, false, true), MemType.INP, 5, 0x12345, 7, 230, 224, 3, 2, 1,
        15);
    long lo = 0L | (1L << 4) | (1L << 6) | (2L << 7) | (5L << 10) | (0x12345L << 26);
    long hi = 7L | (230L << 16) | (224L << 32) | (3L << 48) | (2L << 52) | (1L << 56) | (15L << 60);
    assertArrayEquals(bytes(lo, hi), vta.encode(load));
    assertEquals(load, vta.decode(vta.encode(load), 0));
  }

  @Test
  void storeAndFinishEncode() {
    var store = new Insn.Store(new Insn.Deps(true, false, true, false), 17, 0xFFFFFFFFL, 1, 56, 56);
    long lo = 1L | (1L << 3) | (1L << 5) | (4L << 7) | (17L << 10) | (0xFFFFFFFFL << 26);
    long hi = 1L | (56L << 16) | (56L << 32);
    assertArrayEquals(bytes(lo, hi), vta.encode(store));
    assertEquals(store, vta.decode(vta.encode(store), 0));
    assertArrayEquals(bytes(3L | (1L << 4), 0), vta.encode(new Insn.Finish(new Insn.Deps(false, true, false, false))));
  }

  @Test
  void gemmEncodesFieldByField() {
    var g = new Insn.Gemm(new Insn.Deps(true, false, true, false), true, 8191, 8192, 16383, 56, 2047, 1, 230, 2, 1023,
        9);
    long lo = 2L | (1L << 3) | (1L << 5) | (1L << 7) | (8191L << 8) | (8192L << 21) | (16383L << 35) | (56L << 49);
    long hi = 2047L | (1L << 11) | (230L << 22) | (2L << 33) | (1023L << 44) | (9L << 54);
    assertArrayEquals(bytes(lo, hi), vta.encode(g));
    assertEquals(g, vta.decode(vta.encode(g), 0));
  }

  @Test
  void aluEncodesANegativeImmediateInTwosComplement() {
    var a = new Insn.Alu(Insn.Deps.NONE, false, 3, 4, 2, 448, 448, 1, 0, 0, AluOp.SHR, true, -1);
    long lo = 4L | (3L << 8) | (4L << 21) | (2L << 35) | (448L << 49);
    long hi = 448L | (1L << 11) | (3L << 44) | (1L << 47) | (0xFFFFL << 48);
    assertArrayEquals(bytes(lo, hi), vta.encode(a));
    assertEquals(a, vta.decode(vta.encode(a), 0));
    var min = new Insn.Alu(Insn.Deps.NONE, false, 0, 1, 1, 1, 0, 0, 0, 0, AluOp.MAX, true, -32768);
    assertEquals(min, vta.decode(vta.encode(min), 0));
  }

  @Test
  void uopPacksAccInputAndWeightIndices() {
    assertEquals(3 | (5 << 11) | (1023 << 22), vta.encodeUop(new Insn.Uop(3, 5, 1023)));
    assertEquals(new Insn.Uop(2047, 2047, 1023), vta.decodeUop(vta.encodeUop(new Insn.Uop(2047, 2047, 1023))));
  }

  @Test
  void fieldsThatDoNotFitAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> vta.encode(
        new Insn.Gemm(Insn.Deps.NONE, false, 0, 1, 16384, 1, 0, 0, 0, 0, 0, 0)));
    assertThrows(IllegalArgumentException.class, () -> vta.encode(
        new Insn.Alu(Insn.Deps.NONE, false, 0, 1, 1, 1, 0, 0, 0, 0, AluOp.ADD, true, 32768)));
    assertThrows(IllegalArgumentException.class, () -> vta.encode(
        new Insn.Load(Insn.Deps.NONE, MemType.INP, 0, 0, 1, 1, 1, 16, 0, 0, 0)));
    assertThrows(IllegalArgumentException.class, () -> vta.encodeUop(new Insn.Uop(2048, 0, 0)));
    assertThrows(IllegalArgumentException.class, () -> vta.decode(bytes(7, 0), 0));
  }

  @Test
  void anotherConfigurationMovesTheFieldsItsDepthsWiden() {
    // uop depth 2^12, acc 2^10, inp 2^12, wgt 2^8: uop_bgn 12 bits at 8, uop_end 13 at 20, iters 14 at 33 and
    // 47; dst factors 10 bits at 64 and 74; src factors 12 bits at 84 and 96; wgt factors 8 bits at 108, 116.
    var t = new TargetDescription("t", 1, 8, 32, 4096, 4096, 256, 1024, EnumSet.of(AluOp.ADD), 0, 15, 16, 14);
    Isa isa = new Isa(t);
    assertEquals(20, isa.offset("gemm", "uop_end"));
    assertEquals(47, isa.offset("gemm", "iter_in"));
    assertEquals(84, isa.offset("gemm", "src_factor_out"));
    assertEquals(116, isa.offset("gemm", "wgt_factor_in"));
    // ALU src factors are accumulator indices (10 bits): 84 and 94, then opcode 104, use_imm 107, imm 108.
    assertEquals(104, isa.offset("alu", "alu_opcode"));
    assertEquals(108, isa.offset("alu", "imm"));
    assertEquals(10, isa.offset("uop", "src_idx"));
    assertEquals(22, isa.offset("uop", "wgt_idx"));
    assertEquals(256, t.elementBytes(MemType.WGT));
    assertEquals(8, t.elementBytes(MemType.INP));
    assertEquals(128, t.elementBytes(MemType.ACC));
  }

  @Test
  void randomInstructionsSurviveEncodeThenDecode() {
    Random r = new Random(7);
    for (int i = 0; i < 5000; i++) {
      Insn.Deps d = new Insn.Deps(r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean());
      Insn insn = switch (r.nextInt(5)) {
        case 0 -> new Insn.Load(d, MemType.values()[r.nextInt(6)], r.nextInt(1 << 16), r.nextLong() & 0xFFFFFFFFL,
            r.nextInt(1 << 16), r.nextInt(1 << 16), r.nextInt(1 << 16), r.nextInt(16), r.nextInt(16), r.nextInt(16),
            r.nextInt(16));
        case 1 -> new Insn.Store(d, r.nextInt(1 << 16), r.nextLong() & 0xFFFFFFFFL, r.nextInt(1 << 16),
            r.nextInt(1 << 16), r.nextInt(1 << 16));
        case 2 -> new Insn.Gemm(d, r.nextBoolean(), r.nextInt(1 << 13), r.nextInt(1 << 14), r.nextInt(1 << 14),
            r.nextInt(1 << 14), r.nextInt(1 << 11), r.nextInt(1 << 11), r.nextInt(1 << 11), r.nextInt(1 << 11),
            r.nextInt(1 << 10), r.nextInt(1 << 10));
        case 3 -> new Insn.Alu(d, r.nextBoolean(), r.nextInt(1 << 13), r.nextInt(1 << 14), r.nextInt(1 << 14),
            r.nextInt(1 << 14), r.nextInt(1 << 11), r.nextInt(1 << 11), r.nextInt(1 << 11), r.nextInt(1 << 11),
            AluOp.values()[r.nextInt(5)], r.nextBoolean(), r.nextInt(1 << 16) - (1 << 15));
        default -> new Insn.Finish(d);
      };
      assertEquals(insn, vta.decode(vta.encode(insn), 0));
    }
  }
}
