package dev.zeropoint.backends.accel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The simulator on hand-built programs. Every expected value is computed by hand or by the plain
 * Java reference in this class (matrix products, lane arithmetic), never taken from the simulator.
 */
class SimulatorTest {
  private static final TargetDescription VTA = TargetDescription.vta();
  private static final TargetDescription VTA_MUL = TargetDescription.vtaMul();
  /** A tile that is neither square nor batch 1, to check nothing assumes VTA's numbers. */
  private static final TargetDescription ODD = new TargetDescription("odd", 2, 3, 5, 64, 64, 64, 64,
      EnumSet.of(AluOp.MIN, AluOp.MAX, AluOp.ADD, AluOp.SHR), 0, 15, 16, 14);
  private static final Insn.Deps NONE = Insn.Deps.NONE;

  /** A DRAM image: up to 64 instructions from byte 0, then data regions aligned to their element size. */
  private static final class Image {
    final TargetDescription t;
    final Isa isa;
    final byte[] dram;
    int count;
    int top = 64 * Isa.INSN_BYTES;

    Image(TargetDescription t) {
      this.t = t;
      this.isa = new Isa(t);
      this.dram = new byte[1 << 16];
    }

    Image add(Insn insn) {
      System.arraycopy(isa.encode(insn), 0, dram, count * Isa.INSN_BYTES, Isa.INSN_BYTES);
      count++;
      return this;
    }

    /** Reserves {@code n} elements of {@code type}; returns the byte offset. */
    int alloc(MemType type, int n) {
      int eb = t.elementBytes(type);
      top = (top + eb - 1) / eb * eb;
      int at = top;
      top += n * eb;
      return at;
    }

    long elem(MemType type, int byteOffset) {
      int eb = t.elementBytes(type);
      assertEquals(0, byteOffset % eb, "misaligned " + type);
      return byteOffset / eb;
    }

    void uops(int at, Insn.Uop... uops) {
      for (int i = 0; i < uops.length; i++) {
        putInt(at + 4 * i, isa.encodeUop(uops[i]));
      }
    }

    void putInt(int at, int v) {
      for (int b = 0; b < 4; b++) {
        dram[at + b] = (byte) (v >>> (8 * b));
      }
    }

    void ints(int at, int[] v) {
      for (int i = 0; i < v.length; i++) {
        putInt(at + 4 * i, v[i]);
      }
    }

    void bytes(int at, byte[] b) {
      System.arraycopy(b, 0, dram, at, b.length);
    }

    byte[] read(int at, int n) {
      return Arrays.copyOfRange(dram, at, at + n);
    }

    SimStats run(Simulator sim) {
      return sim.run(dram, 0, count);
    }
  }

  private static Insn.Deps deps(String... flags) {
    Insn.Deps d = NONE;
    for (String f : flags) {
      d = switch (f) {
        case "pop_prev" -> d.withPopPrev();
        case "pop_next" -> d.withPopNext();
        case "push_prev" -> d.withPushPrev();
        case "push_next" -> d.withPushNext();
        default -> throw new IllegalArgumentException(f);
      };
    }
    return d;
  }

  private static Insn.Load load(Insn.Deps d, MemType type, int sram, long dram, int y, int x, int stride) {
    return new Insn.Load(d, type, sram, dram, y, x, stride, 0, 0, 0, 0);
  }

  private static Insn.Store store(Insn.Deps d, int sram, long dram, int y, int x, int stride) {
    return new Insn.Store(d, sram, dram, y, x, stride);
  }

  private static Insn.Gemm gemm(Insn.Deps d, boolean reset, int bgn, int end, int iterOut, int iterIn, int dfo,
      int dfi, int sfo, int sfi, int wfo, int wfi) {
    return new Insn.Gemm(d, reset, bgn, end, iterOut, iterIn, dfo, dfi, sfo, sfi, wfo, wfi);
  }

  private static Insn.Alu alu(Insn.Deps d, AluOp op, boolean useImm, int imm, int bgn, int end, int iterOut,
      int iterIn, int dfo, int dfi, int sfo, int sfi) {
    return new Insn.Alu(d, false, bgn, end, iterOut, iterIn, dfo, dfi, sfo, sfi, op, useImm, imm);
  }

  private static Insn.Finish finish(Insn.Deps d) {
    return new Insn.Finish(d);
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  private static void assertFailsWith(Executable run, String... fragments) {
    SimulationException e = assertThrows(SimulationException.class, run);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message lacks \"" + f + "\": " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- GEMM

  /** The 1-tile GEMM program on VTA with the given inp and wgt; returns the output offset. */
  private static int oneTileGemm(Image im, byte[] in, byte[] w, boolean reset) {
    int uopAt = im.alloc(MemType.UOP, 1);
    im.uops(uopAt, new Insn.Uop(0, 0, 0));
    int inpAt = im.alloc(MemType.INP, 1);
    im.bytes(inpAt, in);
    int wgtAt = im.alloc(MemType.WGT, 1);
    im.bytes(wgtAt, w);
    int outAt = im.alloc(MemType.OUT, 1);
    im.add(load(NONE, MemType.UOP, 0, im.elem(MemType.UOP, uopAt), 1, 1, 1));
    im.add(load(NONE, MemType.INP, 0, im.elem(MemType.INP, inpAt), 1, 1, 1));
    im.add(load(deps("push_next"), MemType.WGT, 0, im.elem(MemType.WGT, wgtAt), 1, 1, 1));
    if (reset) {
      im.add(gemm(NONE, true, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0));
    }
    im.add(gemm(deps("pop_prev", "push_next"), false, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0));
    im.add(store(deps("pop_prev", "push_prev"), 0, im.elem(MemType.OUT, outAt), 1, 1, 1));
    im.add(finish(deps("pop_next")));
    return outAt;
  }

  @Test
  void oneTileGemmIsTheInt8ProductTruncatedToInt8() {
    Random r = new Random(42);
    byte[] in = randomBytes(r, 16);
    byte[] w = randomBytes(r, 256);
    Image im = new Image(VTA);
    int outAt = oneTileGemm(im, in, w, true);
    SimStats stats = im.run(new Simulator(VTA));

    byte[] expected = new byte[16];
    boolean wrapped = false;
    for (int j = 0; j < 16; j++) {
      int sum = 0;
      for (int k = 0; k < 16; k++) {
        sum += in[k] * w[j * 16 + k];
      }
      expected[j] = (byte) sum;
      wrapped |= sum != expected[j];
    }
    assertTrue(wrapped, "the data should exercise the truncation");
    assertArrayEquals(expected, im.read(outAt, 16));
    // Cycles by hand: the compute queue runs LOAD UOP 0..21 (20 + ceil(4 / 8)) and the GEMM reset 21..26 (4 + 1)
    // while the load queue runs LOAD INP 0..22 (20 + 2) and LOAD WGT 22..74 (20 + 32); the GEMM waits for the WGT
    // token: 74..79, then STORE 79..101 (20 + 2) and FINISH 101..102.
    assertEquals(new SimStats(3, 2, 0, 1, 1, 4, 16, 256, 0, 16, 1, 0, 102), stats);
    assertEquals(4 + 16 + 256 + 16, stats.dramBytes());
  }

  @Test
  void tiledGemmOnAnOddTileIsTheMatrixProduct() {
    int m = 3;
    int kt = 4;
    int n = 2;
    int b = ODD.batch();
    int bi = ODD.blockIn();
    int bo = ODD.blockOut();
    Random r = new Random(7);
    byte[][] a = new byte[m * b][kt * bi];
    byte[][] w = new byte[n * bo][kt * bi];
    for (byte[] row : a) {
      r.nextBytes(row);
    }
    for (byte[] row : w) {
      r.nextBytes(row);
    }
    Image im = new Image(ODD);
    int uopAt = im.alloc(MemType.UOP, kt);
    for (int k = 0; k < kt; k++) {
      im.uops(uopAt + 4 * k, new Insn.Uop(0, k, k));
    }
    // inp tiles (mi, k) at element mi * (kt + 1) + k: a gap after every row of tiles, so the stride matters
    int inpAt = im.alloc(MemType.INP, m * (kt + 1));
    for (int mi = 0; mi < m; mi++) {
      for (int k = 0; k < kt; k++) {
        for (int bb = 0; bb < b; bb++) {
          for (int kk = 0; kk < bi; kk++) {
            im.dram[inpAt + ((mi * (kt + 1) + k) * b + bb) * bi + kk] = a[mi * b + bb][k * bi + kk];
          }
        }
      }
    }
    int wgtAt = im.alloc(MemType.WGT, n * kt);
    for (int ni = 0; ni < n; ni++) {
      for (int k = 0; k < kt; k++) {
        for (int j = 0; j < bo; j++) {
          for (int kk = 0; kk < bi; kk++) {
            im.dram[wgtAt + ((ni * kt + k) * bo + j) * bi + kk] = w[ni * bo + j][k * bi + kk];
          }
        }
      }
    }
    // out tiles (mi, ni) at element mi * (n + 1) + ni; the gaps keep a sentinel
    int outAt = im.alloc(MemType.OUT, m * (n + 1));
    Arrays.fill(im.dram, outAt, outAt + m * (n + 1) * b * bo, (byte) 0x55);
    im.add(load(NONE, MemType.UOP, 0, im.elem(MemType.UOP, uopAt), 1, kt, kt));
    im.add(load(NONE, MemType.INP, 0, im.elem(MemType.INP, inpAt), m, kt, kt + 1));
    im.add(load(deps("push_next"), MemType.WGT, 0, im.elem(MemType.WGT, wgtAt), 1, n * kt, n * kt));
    im.add(gemm(NONE, true, 0, 1, m, n, n, 1, 0, 0, 0, 0));
    im.add(gemm(deps("pop_prev", "push_next"), false, 0, kt, m, n, n, 1, kt, 0, 0, kt));
    im.add(store(deps("pop_prev", "push_prev"), 0, im.elem(MemType.OUT, outAt), m, n, n + 1));
    im.add(finish(deps("pop_next")));
    byte[] before = im.dram.clone();
    Simulator sim = new Simulator(ODD);
    SimStats stats = im.run(sim);

    for (int mi = 0; mi < m; mi++) {
      for (int ni = 0; ni <= n; ni++) {
        for (int bb = 0; bb < b; bb++) {
          for (int j = 0; j < bo; j++) {
            byte expected = 0x55;
            if (ni < n) {
              int sum = 0;
              for (int k = 0; k < kt * bi; k++) {
                sum += a[mi * b + bb][k] * w[ni * bo + j][k];
              }
              expected = (byte) sum;
            }
            assertEquals(expected, im.dram[outAt + ((mi * (n + 1) + ni) * b + bb) * bo + j],
                "out tile " + mi + "," + ni + " row " + bb + " lane " + j);
          }
        }
      }
    }
    // cycles: load queue INP 0..29 (72 B: 20 + 9), WGT 29..64 (120 B: 20 + 15); compute LOAD UOP 0..22, reset
    // 22..32 (4 + 6), GEMM 64..92 (4 + 24), STORE 92..120 (60 B: 20 + 8), FINISH 120..121
    assertEquals(new SimStats(3, 2, 0, 1, 1, 4 * kt, m * kt * b * bi, n * kt * bo * bi, 0, m * n * b * bo,
        m * n * kt, 0, 121), stats);

    // every start order gives the same, and leaves the same DRAM and state as run()
    Simulator every = new Simulator(ODD);
    byte[] dram = before.clone();
    assertEquals(stats, every.runEveryStartOrder(dram, 0, im.count));
    assertArrayEquals(im.dram, dram);
    for (int e = 0; e < m * n; e++) {
      assertArrayEquals(sim.accEntry(e), every.accEntry(e), "acc entry " + e);
    }
  }

  @Test
  void gemmWithoutResetAccumulatesOntoWhateverTheBuffersHeld() {
    Random r = new Random(3);
    byte[] in = randomBytes(r, 16);
    byte[] w = randomBytes(r, 256);
    byte[][] outs = new byte[4][];
    long[] seeds = {1, 2, 1};
    for (int i = 0; i < 3; i++) {
      Image im = new Image(VTA);
      int outAt = oneTileGemm(im, in, w, false);
      Simulator sim = new Simulator(VTA);
      sim.scramble(seeds[i]);
      im.run(sim);
      outs[i] = im.read(outAt, 16);
    }
    Image im = new Image(VTA);
    int outAt = oneTileGemm(im, in, w, false);
    im.run(new Simulator(VTA));
    outs[3] = im.read(outAt, 16);
    assertFalse(Arrays.equals(outs[0], outs[1]), "scramble(1) and scramble(2) should give different garbage");
    assertArrayEquals(outs[0], outs[2], "the garbage is seeded");
    Image im2 = new Image(VTA);
    int outAt2 = oneTileGemm(im2, in, w, false);
    im2.run(new Simulator(VTA));
    assertArrayEquals(outs[3], im2.read(outAt2, 16), "a new simulator always starts from the same garbage");
  }

  // ---------------------------------------------------------------- LOAD and STORE

  @Test
  void loadZeroFillsThePaddingAndFollowsTheStride() {
    Random r = new Random(11);
    Image im = new Image(VTA);
    byte[] identity = new byte[256];
    for (int j = 0; j < 16; j++) {
      identity[j * 16 + j] = 1;
    }
    int wgtAt = im.alloc(MemType.WGT, 1);
    im.bytes(wgtAt, identity);
    // 2 rows of 3 tiles in DRAM; the load takes 2 tiles of each row (stride 3), padded 1 above, 1 below, 1 left,
    // 2 right: 4 rows of 5 entries from sram entry 5
    int inpAt = im.alloc(MemType.INP, 6);
    byte[][] tiles = new byte[6][];
    for (int t = 0; t < 6; t++) {
      tiles[t] = randomBytes(r, 16);
      tiles[t][0] = (byte) (t + 1);
      im.bytes(inpAt + 16 * t, tiles[t]);
    }
    int uopAt = im.alloc(MemType.UOP, 1);
    im.uops(uopAt, new Insn.Uop(0, 5, 0));
    int outAt = im.alloc(MemType.OUT, 20);
    im.add(load(NONE, MemType.WGT, 0, im.elem(MemType.WGT, wgtAt), 1, 1, 1));
    im.add(new Insn.Load(deps("push_next"), MemType.INP, 5, im.elem(MemType.INP, inpAt), 2, 2, 3, 1, 1, 1, 2));
    im.add(load(NONE, MemType.UOP, 0, im.elem(MemType.UOP, uopAt), 1, 1, 1));
    im.add(gemm(NONE, true, 0, 1, 20, 1, 1, 0, 0, 0, 0, 0));
    im.add(gemm(deps("pop_prev", "push_next"), false, 0, 1, 20, 1, 1, 0, 1, 0, 0, 0));
    im.add(store(deps("pop_prev", "push_prev"), 0, im.elem(MemType.OUT, outAt), 1, 20, 20));
    im.add(finish(deps("pop_next")));
    SimStats stats = im.run(new Simulator(VTA));

    for (int e = 0; e < 20; e++) {
      int row = e / 5;
      int col = e % 5;
      byte[] expected = new byte[16];
      if (row >= 1 && row <= 2 && col >= 1 && col <= 2) {
        expected = tiles[(row - 1) * 3 + (col - 1)];
      }
      assertArrayEquals(expected, im.read(outAt + 16 * e, 16), "entry " + e);
    }
    assertEquals(4 * 16, stats.inpLoadBytes(), "padding moves no DRAM bytes");
  }

  @Test
  void storeKeepsTheLow8BitsAndAccLoadsAreLittleEndianInt32() {
    int[] lanes = {300, -129, 0x12345678, 255, 256, -1, 127, 128, -128, 0, Integer.MIN_VALUE, Integer.MAX_VALUE,
        0x80, 0x17F, -300, 1000};
    byte[] expected = {44, 127, 0x78, -1, 0, -1, 127, -128, -128, 0, 0, -1, -128, 127, -44, -24};
    Image im = new Image(VTA);
    int accAt = im.alloc(MemType.ACC, 1);
    im.ints(accAt, lanes);
    int outAt = im.alloc(MemType.OUT, 1);
    im.add(load(deps("push_next"), MemType.ACC, 3, im.elem(MemType.ACC, accAt), 1, 1, 1));
    im.add(store(deps("pop_prev", "push_prev"), 3, im.elem(MemType.OUT, outAt), 1, 1, 1));
    im.add(finish(deps("pop_next")));
    Simulator sim = new Simulator(VTA);
    SimStats stats = im.run(sim);
    assertArrayEquals(lanes, sim.accEntry(3));
    assertArrayEquals(expected, im.read(outAt, 16));
    assertEquals(64, stats.accLoadBytes());
    assertEquals(16, stats.outStoreBytes());
  }

  @Test
  void acc8BitLoadsSignExtendEachByte() {
    byte[] data = {-128, -1, 5, 127, -2, 0, 1, -16, -17, 15, 16, 100, -100, 64, -64, 3};
    Image im = new Image(VTA);
    int at = im.alloc(MemType.ACC, 1) + 16; // an ACC_8BIT element (16 B) that is not an ACC element (64 B)
    im.top = at + 16;
    im.bytes(at, data);
    int uopAt = im.alloc(MemType.UOP, 1);
    im.uops(uopAt, new Insn.Uop(1, 0, 0));
    int outAt = im.alloc(MemType.OUT, 1);
    im.add(load(NONE, MemType.UOP, 0, im.elem(MemType.UOP, uopAt), 1, 1, 1));
    im.add(load(NONE, MemType.ACC_8BIT, 0, im.elem(MemType.ACC_8BIT, at), 1, 1, 1));
    im.add(load(NONE, MemType.ACC_8BIT, 1, im.elem(MemType.ACC_8BIT, at), 1, 1, 1));
    im.add(alu(deps("push_next"), AluOp.SHR, true, 4, 0, 1, 1, 1, 0, 0, 0, 0));
    im.add(store(deps("pop_prev", "push_prev"), 1, im.elem(MemType.OUT, outAt), 1, 1, 1));
    im.add(finish(deps("pop_next")));
    Simulator sim = new Simulator(VTA);
    SimStats stats = im.run(sim);
    int[] extended = new int[16];
    byte[] shifted = new byte[16];
    for (int i = 0; i < 16; i++) {
      extended[i] = data[i];
      shifted[i] = (byte) (data[i] >> 4);
    }
    assertArrayEquals(extended, sim.accEntry(0));
    // -128 >> 4 = -8, -1 >> 4 = -1, 127 >> 4 = 7 (zero-extended bytes would give 8, 15, 7)
    assertEquals(-8, shifted[0]);
    assertArrayEquals(shifted, im.read(outAt, 16));
    assertEquals(32, stats.accLoadBytes(), "one DRAM byte per lane");
  }

  @Test
  void theStateCarriesOverBetweenRuns() {
    int[] lanes = new int[16];
    for (int i = 0; i < 16; i++) {
      lanes[i] = 1000 * i - 7000;
    }
    Image im = new Image(VTA);
    int accAt = im.alloc(MemType.ACC, 1);
    im.ints(accAt, lanes);
    int outAt = im.alloc(MemType.OUT, 1);
    im.add(load(NONE, MemType.ACC, 9, im.elem(MemType.ACC, accAt), 1, 1, 1));
    im.add(finish(NONE));
    int second = im.count;
    im.add(store(deps("push_prev"), 9, im.elem(MemType.OUT, outAt), 1, 1, 1));
    im.add(finish(deps("pop_next")));
    Simulator sim = new Simulator(VTA);
    sim.run(im.dram, 0, 2);
    SimStats stats = sim.run(im.dram, second * Isa.INSN_BYTES, 2);
    for (int i = 0; i < 16; i++) {
      assertEquals((byte) lanes[i], im.dram[outAt + i]);
    }
    assertEquals(0, stats.loadInsns());
  }

  // ---------------------------------------------------------------- ALU

  /** acc entry 0 := op(a, useImm ? imm : b) with b in entry 1, on a fresh simulator. */
  private static Simulator runAlu(TargetDescription t, int[] a, int[] b, AluOp op, boolean useImm, int imm) {
    Image im = new Image(t);
    int uopAt = im.alloc(MemType.UOP, 1);
    im.uops(uopAt, new Insn.Uop(0, 1, 0));
    int accAt = im.alloc(MemType.ACC, 2);
    im.ints(accAt, a);
    im.ints(accAt + 4 * a.length, b);
    im.add(load(NONE, MemType.UOP, 0, im.elem(MemType.UOP, uopAt), 1, 1, 1));
    im.add(load(NONE, MemType.ACC, 0, im.elem(MemType.ACC, accAt), 1, 2, 2));
    im.add(alu(NONE, op, useImm, imm, 0, 1, 1, 1, 0, 0, 0, 0));
    im.add(finish(NONE));
    Simulator sim = new Simulator(t);
    SimStats stats = im.run(sim);
    assertEquals(1, stats.aluOps());
    return sim;
  }

  private static int[] randomInts(Random r, int n) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt();
    }
    return v;
  }

  @Test
  void aluMinMaxAddWithVectorAndImmediate() {
    Random r = new Random(5);
    for (int trial = 0; trial < 10; trial++) {
      int[] a = randomInts(r, 16);
      int[] b = randomInts(r, 16);
      b[0] = a[0];
      int imm = r.nextInt(-32768, 32768);
      for (AluOp op : List.of(AluOp.MIN, AluOp.MAX, AluOp.ADD)) {
        int[] vec = new int[16];
        int[] withImm = new int[16];
        for (int i = 0; i < 16; i++) {
          vec[i] = switch (op) {
            case MIN -> a[i] < b[i] ? a[i] : b[i];
            case MAX -> a[i] > b[i] ? a[i] : b[i];
            default -> (int) ((long) a[i] + b[i]);
          };
          withImm[i] = switch (op) {
            case MIN -> a[i] < imm ? a[i] : imm;
            case MAX -> a[i] > imm ? a[i] : imm;
            default -> (int) ((long) a[i] + imm);
          };
        }
        Simulator sim = runAlu(VTA, a, b, op, false, 0);
        assertArrayEquals(vec, sim.accEntry(0), op + " vector");
        assertArrayEquals(b, sim.accEntry(1), op + " leaves the source");
        assertArrayEquals(withImm, runAlu(VTA, a, b, op, true, imm).accEntry(0), op + " imm " + imm);
      }
    }
  }

  @Test
  void aluLoopsUseTheFactorsAndASourceEqualToTheDestination() {
    Random r = new Random(8);
    Image im = new Image(VTA);
    int uopAt = im.alloc(MemType.UOP, 2);
    im.uops(uopAt, new Insn.Uop(0, 8, 0), new Insn.Uop(20, 20, 0));
    int[][] entries = new int[21][];
    int accAt = im.alloc(MemType.ACC, 21);
    for (int e = 0; e < 21; e++) {
      entries[e] = new int[16];
      for (int i = 0; i < 16; i++) {
        entries[e][i] = r.nextInt(-1_000_000, 1_000_000);
      }
      im.ints(accAt + 64 * e, entries[e]);
    }
    im.add(load(NONE, MemType.UOP, 0, im.elem(MemType.UOP, uopAt), 1, 2, 2));
    im.add(load(NONE, MemType.ACC, 0, im.elem(MemType.ACC, accAt), 1, 21, 21));
    // entries 0..5 (3 * y + x) += entries 8..13; then entry 20 += itself
    im.add(alu(NONE, AluOp.ADD, false, 0, 0, 1, 2, 3, 3, 1, 3, 1));
    im.add(alu(NONE, AluOp.ADD, false, 0, 1, 2, 1, 1, 0, 0, 0, 0));
    im.add(finish(NONE));
    Simulator sim = new Simulator(VTA);
    SimStats stats = im.run(sim);
    for (int e = 0; e < 21; e++) {
      int[] expected = entries[e].clone();
      for (int i = 0; i < 16; i++) {
        if (e < 6) {
          expected[i] += entries[e + 8][i];
        } else if (e == 20) {
          expected[i] *= 2;
        }
      }
      assertArrayEquals(expected, sim.accEntry(e), "entry " + e);
    }
    assertEquals(7, stats.aluOps());
    assertEquals(2, stats.aluInsns());
  }

  @Test
  void shiftRightIsArithmeticAndANegativeAmountShiftsLeftOnVtaMul() {
    int[] a = new int[16];
    int[] b = new int[16];
    Random r = new Random(9);
    for (int i = 0; i < 16; i++) {
      a[i] = r.nextInt();
      b[i] = r.nextInt(-31, 32);
    }
    a[0] = 3;
    b[0] = -4;
    a[1] = -256;
    b[1] = 4;
    int[] expected = new int[16];
    for (int i = 0; i < 16; i++) {
      expected[i] = b[i] >= 0 ? (int) Math.floorDiv((long) a[i], 1L << b[i]) : (int) ((long) a[i] * (1L << -b[i]));
    }
    assertEquals(48, expected[0]);
    assertEquals(-16, expected[1]);
    assertArrayEquals(expected, runAlu(VTA_MUL, a, b, AluOp.SHR, false, 0).accEntry(0));
    int[] byImm = runAlu(VTA_MUL, a, b, AluOp.SHR, true, -3).accEntry(0);
    assertEquals(24, byImm[0]);
    assertEquals(-2048, byImm[1]);
  }

  @Test
  void mulWrapsOnVtaMulAndIsRejectedOnVta() {
    int[] a = new int[16];
    int[] b = new int[16];
    Random r = new Random(10);
    for (int i = 0; i < 16; i++) {
      a[i] = r.nextInt();
      b[i] = r.nextInt();
    }
    a[0] = 0x10000;
    b[0] = 0x10000;
    a[1] = 46341;
    b[1] = 46341;
    int[] expected = new int[16];
    for (int i = 0; i < 16; i++) {
      expected[i] = (int) ((long) a[i] * b[i]);
    }
    assertEquals(0, expected[0]);
    assertEquals(-2147479015, expected[1]);
    assertArrayEquals(expected, runAlu(VTA_MUL, a, b, AluOp.MUL, false, 0).accEntry(0));
    assertFailsWith(() -> runAlu(VTA, a, b, AluOp.MUL, false, 0), "instruction 2", "MUL");
    assertFailsWith(() -> runAlu(VTA, a, b, AluOp.MUL, true, 3), "instruction 2", "MUL");
  }

  @Test
  void shiftAmountsOutsideTheTargetsRangeAreRejected() {
    int[] a = new int[16];
    int[] ok = new int[16];
    Arrays.fill(a, 1 << 20);
    Arrays.fill(ok, 15);
    assertArrayEquals(new int[] {32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32},
        runAlu(VTA, a, ok, AluOp.SHR, false, 0).accEntry(0));
    assertFailsWith(() -> runAlu(VTA, a, ok, AluOp.SHR, true, 16), "instruction 2", "shift amount 16");
    assertFailsWith(() -> runAlu(VTA, a, ok, AluOp.SHR, true, -1), "instruction 2", "shift amount -1");
    assertFailsWith(() -> runAlu(VTA_MUL, a, ok, AluOp.SHR, true, 32), "shift amount 32");
    int[] bad = ok.clone();
    bad[7] = 16;
    assertFailsWith(() -> runAlu(VTA, a, bad, AluOp.SHR, false, 0), "instruction 2", "shift amount 16", "lane 7");
    bad[7] = -1;
    assertFailsWith(() -> runAlu(VTA, a, bad, AluOp.SHR, false, 0), "shift amount -1");
    bad[7] = -32;
    assertFailsWith(() -> runAlu(VTA_MUL, a, bad, AluOp.SHR, false, 0), "shift amount -32");
  }

  // ---------------------------------------------------------------- dependency tokens and scheduling

  private static final Duration QUICK = Duration.ofSeconds(5);

  @Test
  void aTokenNobodyPushesIsADeadlockNotAHang() {
    Image im = new Image(VTA);
    im.add(load(NONE, MemType.INP, 0, 0, 0, 0, 0));
    im.add(finish(deps("pop_prev")));
    assertTimeoutPreemptively(QUICK, () -> assertFailsWith(() -> im.run(new Simulator(VTA)), "deadlock",
        "COMPUTE queue", "instruction 1 (FINISH)", "LOAD->COMPUTE"));

    Image im2 = new Image(VTA);
    im2.add(store(deps("pop_prev", "push_prev"), 0, 0, 0, 0, 0));
    im2.add(gemm(deps("pop_next", "push_next"), true, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    im2.add(finish(NONE));
    assertTimeoutPreemptively(QUICK, () -> assertFailsWith(() -> im2.run(new Simulator(VTA)), "deadlock",
        "COMPUTE queue (2 instruction(s) left) waits at instruction 1 (GEMM reset) for a token from STORE",
        "STORE queue (1 instruction(s) left) waits at instruction 0 (STORE OUT) for a token from COMPUTE",
        "COMPUTE->STORE FIFO empty", "STORE->COMPUTE FIFO empty"));
  }

  @Test
  void tokensLeftAtTheEndAreUnbalanced() {
    Image im = new Image(VTA);
    im.add(load(deps("push_next"), MemType.ACC, 0, 0, 0, 0, 0));
    im.add(load(deps("push_prev"), MemType.UOP, 0, 0, 0, 0, 0));
    im.add(load(deps("push_prev"), MemType.UOP, 0, 0, 0, 0, 0));
    im.add(finish(NONE));
    assertTimeoutPreemptively(QUICK, () -> assertFailsWith(() -> im.run(new Simulator(VTA)), "unbalanced",
        "2 token(s) in the COMPUTE->LOAD FIFO", "1 token(s) in the COMPUTE->STORE FIFO"));
  }

  @Test
  void loadQueueMayNotUsePrevFlagsNorStoreQueueNextFlags() {
    for (String flag : List.of("pop_prev", "push_prev")) {
      Image im = new Image(VTA);
      im.add(finish(NONE));
      im.add(load(deps(flag), MemType.WGT, 0, 0, 0, 0, 0));
      assertFailsWith(() -> im.run(new Simulator(VTA)), "instruction 1 (LOAD WGT)", flag);
    }
    for (String flag : List.of("pop_next", "push_next")) {
      Image im = new Image(VTA);
      im.add(store(deps(flag), 0, 0, 0, 0, 0));
      im.add(finish(NONE));
      assertFailsWith(() -> im.run(new Simulator(VTA)), "instruction 0 (STORE OUT)", flag);
    }
    // a LOAD on the compute queue may use every flag
    Image im = new Image(VTA);
    im.add(load(deps("push_prev"), MemType.ACC, 0, 0, 0, 0, 0));
    im.add(load(deps("pop_next", "push_next"), MemType.INP, 0, 0, 0, 0, 0));
    im.add(finish(deps("pop_prev")));
    assertEquals(2, im.run(new Simulator(VTA)).loadInsns());
  }

  @Test
  void aProgramMustEndWithFinish() {
    Image im = new Image(VTA);
    im.add(load(NONE, MemType.ACC, 0, 0, 0, 0, 0));
    assertFailsWith(() -> im.run(new Simulator(VTA)), "without a FINISH");
    assertFailsWith(() -> new Simulator(VTA).run(im.dram, 0, 0), "without a FINISH");

    Image early = new Image(VTA);
    early.add(finish(NONE));
    early.add(load(NONE, MemType.ACC, 0, 0, 0, 0, 0));
    assertFailsWith(() -> early.run(new Simulator(VTA)), "instruction 0 (FINISH) ran with instructions left",
        "COMPUTE queue from instruction 1 (LOAD ACC");

    // FINISH that does not wait for the load queue: fine if the load queue starts first, wrong otherwise
    Image racy = new Image(VTA);
    racy.add(load(NONE, MemType.INP, 0, 0, 0, 0, 0));
    racy.add(finish(NONE));
    assertEquals(20, racy.run(new Simulator(VTA)).cycles());
    assertFailsWith(() -> new Simulator(VTA).run(racy.dram, 0, 2, List.of(Insn.Queue.COMPUTE, Insn.Queue.LOAD,
        Insn.Queue.STORE)), "ran with instructions left", "LOAD queue from instruction 0");
    assertFailsWith(() -> new Simulator(VTA).runEveryStartOrder(racy.dram, 0, 2), "start order [COMPUTE");
  }

  @Test
  void theStartOrderMustNameEachQueueOnce() {
    Image im = new Image(VTA);
    im.add(finish(NONE));
    assertThrows(IllegalArgumentException.class, () -> new Simulator(VTA).run(im.dram, 0, 1,
        List.of(Insn.Queue.LOAD, Insn.Queue.LOAD, Insn.Queue.STORE)));
    assertEquals(1, new Simulator(VTA).run(im.dram, 0, 1, List.of(Insn.Queue.STORE, Insn.Queue.COMPUTE,
        Insn.Queue.LOAD)).finishInsns());
  }

  /**
   * The compute queue's GEMM waits for the first LOAD INP's token, but the second LOAD INP (same
   * entry) only waits for compute's LOAD UOP, which comes before the GEMM: with the load queue first
   * the GEMM reads the first input, with compute first the second.
   */
  @Test
  void aResultThatDependsOnTheStartOrderIsCaught() {
    Random r = new Random(12);
    byte[] inA = randomBytes(r, 16);
    byte[] inB = randomBytes(r, 16);
    byte[] w = randomBytes(r, 256);
    Image im = new Image(VTA);
    int uopAt = im.alloc(MemType.UOP, 1);
    im.uops(uopAt, new Insn.Uop(0, 0, 0));
    int inpAt = im.alloc(MemType.INP, 2);
    im.bytes(inpAt, inA);
    im.bytes(inpAt + 16, inB);
    int wgtAt = im.alloc(MemType.WGT, 1);
    im.bytes(wgtAt, w);
    int outAt = im.alloc(MemType.OUT, 1);
    long inp = im.elem(MemType.INP, inpAt);
    im.add(load(deps("push_prev"), MemType.UOP, 0, im.elem(MemType.UOP, uopAt), 1, 1, 1));
    im.add(load(NONE, MemType.WGT, 0, im.elem(MemType.WGT, wgtAt), 1, 1, 1));
    im.add(load(deps("push_next"), MemType.INP, 0, inp, 1, 1, 1));
    im.add(load(deps("pop_next", "push_next"), MemType.INP, 0, inp + 1, 1, 1, 1));
    im.add(gemm(NONE, true, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0));
    im.add(gemm(deps("pop_prev", "push_next"), false, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0));
    im.add(store(deps("pop_prev", "push_prev"), 0, im.elem(MemType.OUT, outAt), 1, 1, 1));
    im.add(finish(deps("pop_prev", "pop_next")));

    byte[] withA = new byte[16];
    byte[] withB = new byte[16];
    for (int j = 0; j < 16; j++) {
      int sa = 0;
      int sb = 0;
      for (int k = 0; k < 16; k++) {
        sa += inA[k] * w[j * 16 + k];
        sb += inB[k] * w[j * 16 + k];
      }
      withA[j] = (byte) sa;
      withB[j] = (byte) sb;
    }
    assertFalse(Arrays.equals(withA, withB));
    byte[] clean = im.dram.clone();
    im.run(new Simulator(VTA));
    assertArrayEquals(withA, im.read(outAt, 16), "load queue first");
    byte[] dram = clean.clone();
    new Simulator(VTA).run(dram, 0, im.count, List.of(Insn.Queue.COMPUTE, Insn.Queue.LOAD, Insn.Queue.STORE));
    assertArrayEquals(withB, Arrays.copyOfRange(dram, outAt, outAt + 16), "compute queue first");
    assertTimeoutPreemptively(QUICK, () -> assertFailsWith(
        () -> new Simulator(VTA).runEveryStartOrder(clean.clone(), 0, im.count), "different DRAM"));
  }

  // ---------------------------------------------------------------- out of range

  @Test
  void outOfRangeAccessesAreSimulationErrors() {
    List<Insn> bad = List.of(
        load(NONE, MemType.INP, 0, (1 << 16) / 16, 1, 1, 1),            // DRAM end
        load(NONE, MemType.INP, 0, (1 << 16) / 16 - 2, 2, 1, 3),         // second row past the end
        load(NONE, MemType.WGT, 0, 0xFFFFFFFFL, 1, 1, 1),                // far beyond
        store(NONE, 0, (1 << 16) / 16, 1, 1, 1),                         // DRAM end
        load(NONE, MemType.INP, 2047, 0, 1, 2, 2),                       // sram end
        new Insn.Load(NONE, MemType.ACC, 2040, 0, 1, 1, 1, 4, 4, 0, 0),  // padding past the sram end
        store(NONE, 2047, 0, 2, 1, 1),                                   // acc end
        new Insn.Load(NONE, MemType.OUT, 0, 0, 1, 1, 1, 0, 0, 0, 0),     // LOAD OUT
        new Insn.Store(NONE, MemType.ACC, 0, 0, 1, 1, 1, 0, 0, 0, 0),    // STORE ACC
        new Insn.Store(NONE, MemType.OUT, 0, 0, 1, 1, 1, 0, 0, 1, 0),    // STORE with padding
        gemm(NONE, false, 5, 4, 1, 1, 0, 0, 0, 0, 0, 0),                 // uop_end < uop_bgn
        gemm(NONE, true, 8191, 8193, 1, 1, 0, 0, 0, 0, 0, 0),            // uop past the buffer
        gemm(NONE, true, 0, 1, 2, 1, 2047, 0, 0, 0, 0, 0),               // acc index 2047
        gemm(NONE, false, 0, 1, 1, 3, 0, 0, 0, 1023, 0, 0),              // inp index 2 + 2 * 1023
        gemm(NONE, false, 0, 1, 1, 3, 0, 0, 0, 0, 0, 1023),              // wgt index 0 + 2 * 1023
        alu(NONE, AluOp.ADD, false, 0, 0, 1, 1, 2, 0, 0, 0, 2047),       // acc src index
        alu(NONE, AluOp.ADD, true, 1, 0, 1, 1, 2, 0, 0, 0, 2047));       // even with an immediate (fsim CHECKs)
    String[] problems = {"DRAM", "DRAM", "DRAM", "DRAM", "INP buffer depth", "ACC buffer depth", "acc buffer", "OUT",
        "OUT", "pad", "uop_end 4 < uop_bgn 5", "uop buffer", "acc index up to 2048", "inp index up to 2048",
        "wgt index up to 2046", "acc index up to 2049", "acc index up to 2049"};
    for (int c = 0; c < bad.size(); c++) {
      Image im = new Image(VTA);
      int uopAt = im.alloc(MemType.UOP, 1);
      im.uops(uopAt, new Insn.Uop(1, 2, 0));
      im.add(load(NONE, MemType.UOP, 0, im.elem(MemType.UOP, uopAt), 1, 1, 1));
      im.add(bad.get(c));
      im.add(finish(NONE));
      // the load and store queues first, so that nothing waits for tokens: each case runs
      assertFailsWith(() -> new Simulator(VTA).run(im.dram, 0, im.count, List.of(Insn.Queue.LOAD, Insn.Queue.STORE,
          Insn.Queue.COMPUTE)), "instruction 1", problems[c]);
    }
  }

  @Test
  void undecodableInstructionsAndRegionsOutsideDramAreSimulationErrors() {
    Image im = new Image(VTA);
    im.add(finish(NONE));
    im.add(finish(NONE));
    im.dram[16] = 7; // opcode 7
    assertFailsWith(() -> im.run(new Simulator(VTA)), "instruction 1", "decode");
    im.dram[16] = Isa.ALU;
    im.dram[16 + 13] = (byte) (6 << 4); // alu_opcode (bits 108..110) 6
    assertFailsWith(() -> im.run(new Simulator(VTA)), "instruction 1", "decode");
    assertFailsWith(() -> new Simulator(VTA).run(im.dram, im.dram.length - 16, 2), "outside");
    assertFailsWith(() -> new Simulator(VTA).run(im.dram, -16, 1), "outside");
  }

  // ---------------------------------------------------------------- statistics

  @Test
  void statisticsAndTheCycleEstimateOfAChain() {
    Image im = new Image(VTA);
    int uopAt = im.alloc(MemType.UOP, 1);
    im.uops(uopAt, new Insn.Uop(0, 0, 0));
    int inpAt = im.alloc(MemType.INP, 4);
    int outAt = im.alloc(MemType.OUT, 2);
    im.add(load(NONE, MemType.UOP, 0, im.elem(MemType.UOP, uopAt), 1, 1, 1));
    im.add(load(deps("push_next"), MemType.INP, 0, im.elem(MemType.INP, inpAt), 1, 4, 4));
    im.add(alu(deps("pop_prev", "push_next"), AluOp.ADD, true, 1, 0, 1, 2, 3, 0, 0, 0, 0));
    im.add(store(deps("pop_prev", "push_prev"), 0, im.elem(MemType.OUT, outAt), 1, 2, 2));
    im.add(finish(deps("pop_next")));
    SimStats stats = im.run(new Simulator(VTA));
    // LOAD UOP (compute) 0..21 runs beside LOAD INP (load queue) 0..28 (64 B: 20 + 8); the chain then is ALU
    // 28..38 (4 + 2*3), STORE 38..62 (32 B: 20 + 4), FINISH 62..63
    assertEquals(new SimStats(2, 0, 1, 1, 1, 4, 64, 0, 0, 32, 0, 6, 28 + 10 + 24 + 1), stats);
    assertEquals(100, stats.dramBytes());
    SimStats twice = stats.plus(stats);
    assertEquals(new SimStats(4, 0, 2, 2, 2, 8, 128, 0, 0, 64, 0, 12, 126), twice);
    assertEquals(200, twice.dramBytes());

    Image noop = new Image(VTA);
    noop.add(load(NONE, MemType.ACC, 0, 0, 5, 0, 0));
    noop.add(finish(NONE));
    assertEquals(new SimStats(1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 21), noop.run(new Simulator(VTA)));
  }
}
