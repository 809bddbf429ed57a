package dev.zeropoint.backends.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import dev.zeropoint.ir.numerics.PyTorchQnnpack.AddParams;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * QNNPACK's add as a lane program ({@link AddLayer#program}) against {@link PyTorchQnnpack#add}, the
 * reference, on every pair of quint8 inputs: on {@code vta} (no MUL, shifts 0..15), {@code vta-mul},
 * and two narrow targets (shifts up to 7, 6-bit immediates, with and without MUL) where every shift is
 * split and most operands are constant registers. {@link LaneProgram#evaluate} throws for any step the
 * target lacks, an immediate outside its field or a shift amount outside its range; the program's
 * constructor checks that no temporary is read before it is written.
 */
class AddLayerTest {
  private static final TargetDescription VTA = TargetDescription.vta();
  private static final TargetDescription MUL = TargetDescription.vtaMul();
  private static final TargetDescription NARROW = new TargetDescription("narrow", 1, 16, 16, 8192, 2048, 1024, 2048,
      EnumSet.of(AluOp.MIN, AluOp.MAX, AluOp.ADD, AluOp.SHR), 0, 7, 6, 14);
  private static final TargetDescription NARROW_MUL = new TargetDescription("narrow-mul", 1, 16, 16, 8192, 2048,
      1024, 2048, EnumSet.allOf(AluOp.class), -7, 7, 6, 14);
  private static final List<TargetDescription> TARGETS = List.of(VTA, MUL, NARROW, NARROW_MUL);

  /** Ties of the accumulator (|acc| mod 2^s == 2^(s-1)) met, negative and positive. */
  private int negativeTies;
  private int positiveTies;

  /**
   * The add's parameters as {@link PyTorchQnnpack#addParams} defines them, from the multipliers, the
   * shift and the zero points: {@code zeroPointProduct = -(am za + bm zb)}, output range [0, 255] or,
   * with ReLU, [zo, 255].
   */
  private static AddParams params(int am, int bm, int shift, int za, int zb, int zo, boolean relu) {
    return new AddParams(am, bm, shift, -(am * za + bm * zb), zo, relu ? zo : 0, 255);
  }

  @Test
  void handCheckedTiesRoundHalfAwayFromZero() throws Exception {
    // am = 2^20, bm = 2^21, s = 21 (scales 0.05 and 0.1 into 0.1): acc = 2^20 (a - 100 + 2 (b - 130)), so
    // y = 120 + round-half-away((a - 100) / 2 + (b - 130)).
    AddParams p = params(1 << 20, 1 << 21, 21, 100, 130, 120, false);
    int[][] cases = {{101, 130, 121}, {99, 130, 119}, {103, 130, 122}, {97, 130, 118}, {100, 130, 120},
        {100, 131, 121}, {98, 129, 118}, {0, 0, 0}, {255, 255, 255}, {0, 200, 140}};
    for (TargetDescription t : TARGETS) {
      LaneProgram program = AddLayer.program(p, t);
      for (int[] c : cases) {
        assertEquals(c[2] - 128, program.evaluate(new int[] {c[0] - 128, c[1] - 128}, 0, t),
            t.name() + ": a=" + c[0] + " b=" + c[1] + "\n" + program);
      }
    }
  }

  /**
   * Seeded random parameters over QNNPACK's whole range: every shift 14..31, the larger multiplier in
   * [2^21, 2^22] (about a quarter at or next to 2^22), the other from 1 up to it, any zero points, with
   * and without ReLU.
   */
  @Test
  void randomParametersOnEveryPairOfInputs() throws Exception {
    Random rnd = new Random(20261123);
    TreeSet<Integer> shifts = new TreeSet<>();
    int near22 = 0;
    for (int i = 0; i < 72; i++) {
      int shift = 14 + i % 18;
      int big = switch (rnd.nextInt(8)) {
        case 0 -> 1 << 22;
        case 1 -> (1 << 22) - 1 - rnd.nextInt(16);
        default -> (1 << 21) + rnd.nextInt(1 << 21);
      };
      int small = (int) Math.max(1, Math.min(big, Math.round(Math.scalb(rnd.nextDouble(), -rnd.nextInt(23)) * big)));
      boolean swap = rnd.nextBoolean();
      AddParams p = params(swap ? small : big, swap ? big : small, shift, rnd.nextInt(256), rnd.nextInt(256),
          rnd.nextInt(255), rnd.nextInt(4) == 0);
      shifts.add(shift);
      near22 += big >= (1 << 22) - 16 ? 1 : 0;
      checkEveryPair(p, TARGETS);
    }
    assertEquals(18, shifts.size(), "shifts " + shifts);
    assertTrue(near22 >= 10, near22 + " cases with a multiplier within 16 of 2^22");
    System.out.println("random parameters: " + negativeTies + " negative, " + positiveTies + " positive ties");
    assertTrue(negativeTies >= 1 && positiveTies >= 1, negativeTies + " negative, " + positiveTies + " positive ties");
  }

  /**
   * Multipliers {@code p 2^j}, {@code q 2^j} with odd {@code p}, {@code q} and {@code j = s - 9}: the
   * accumulator is {@code 2^j (p (a - za) + q (b - zb))}, a tie where the bracket is 256 modulo 512,
   * about one pair in 512 (for {@code p = q = 1}, the only choice at shift 31, where {@code a + b = 256 +
   * za + zb} or {@code za + zb - 256}). At every shift 14..31, with the longest chains the shift allows
   * ({@code p} up to 2^(31-s)), once with small zero points (positive ties) and once with large ones
   * (negative ties).
   */
  @Test
  void tiesAtEveryShift() throws Exception {
    Random rnd = new Random(7);
    for (int s = 14; s <= 31; s++) {
      int j = s - 9;
      int limit = 1 << (22 - j);
      int p = rnd.nextInt(limit) | 1 | limit >> 1;
      int q = rnd.nextInt(limit) | 1;
      int negative = negativeTies;
      int positive = positiveTies;
      checkEveryPair(params(p << j, q << j, s, rnd.nextInt(64), rnd.nextInt(64), rnd.nextInt(256), false), TARGETS);
      checkEveryPair(params(q << j, p << j, s, 192 + rnd.nextInt(64), 192 + rnd.nextInt(64), rnd.nextInt(256), false),
          TARGETS);
      assertTrue(negativeTies - negative >= 20 && positiveTies - positive >= 20, "shift " + s + ": "
          + (negativeTies - negative) + " negative, " + (positiveTies - positive) + " positive ties");
    }
  }

  /** With MUL: two MULs and the rounding, 14 steps. Without: about two steps per multiplier bit, no MUL. */
  @Test
  void programLengths() throws Exception {
    AddParams p = params((1 << 22) - 12345, 2929733, 31, 3, 250, 77, false);
    LaneProgram mul = AddLayer.program(p, MUL);
    assertEquals(14, mul.steps().size(), mul.toString());
    assertEquals(1, mul.temporaries(), mul.toString());
    LaneProgram vta = AddLayer.program(p, VTA);
    assertTrue(vta.steps().stream().noneMatch(s -> s.op() == AluOp.MUL), vta.toString());
    assertTrue(vta.steps().size() <= 2 * 22 + 16, vta.toString());
    assertTrue(vta.temporaries() <= 2, vta.toString());
  }

  @Test
  void targetsWithoutTheNeededOperationsAreRefused() {
    TargetDescription noMin = new TargetDescription("no-min", 1, 16, 16, 8192, 2048, 1024, 2048,
        EnumSet.of(AluOp.MAX, AluOp.ADD, AluOp.SHR, AluOp.MUL), 0, 15, 16, 14);
    TargetDescription noShift = new TargetDescription("no-shift", 1, 16, 16, 8192, 2048, 1024, 2048,
        EnumSet.of(AluOp.MIN, AluOp.MAX, AluOp.ADD, AluOp.SHR), 2, 15, 16, 14);
    AddParams p = params(1 << 21, 12345, 20, 1, 2, 3, false);
    assertTrue(assertThrows(Layer.Unsupported.class, () -> AddLayer.program(p, noMin)).getMessage().contains("MIN"));
    assertTrue(assertThrows(Layer.Unsupported.class, () -> AddLayer.program(p, noShift)).getMessage()
        .contains("shifts by 1"));
    assertThrows(IllegalArgumentException.class, () -> AddLayer.program(params((1 << 22) + 1, 1, 20, 0, 0, 0,
        false), VTA));
  }

  private void checkEveryPair(AddParams p, List<TargetDescription> targets) throws Exception {
    List<LaneProgram> programs = new ArrayList<>();
    for (TargetDescription t : targets) {
      programs.add(AddLayer.program(p, t));
    }
    int[] in = new int[2];
    for (int a = 0; a < 256; a++) {
      for (int b = 0; b < 256; b++) {
        int expected = PyTorchQnnpack.add(a, b, p) - 128;
        in[0] = a - 128;
        in[1] = b - 128;
        for (int i = 0; i < targets.size(); i++) {
          int actual = programs.get(i).evaluate(in, 0, targets.get(i));
          if (actual != expected) {
            assertEquals(expected, actual, targets.get(i).name() + " " + p + ": a=" + a + " b=" + b + "\n"
                + programs.get(i));
          }
        }
        int acc = p.zeroPointProduct() + a * p.aMultiplier() + b * p.bMultiplier();
        if (Math.abs(acc) % (1L << p.shift()) == 1L << (p.shift() - 1)) {
          if (acc < 0) {
            negativeTies++;
          } else {
            positiveTies++;
          }
        }
      }
    }
  }
}
