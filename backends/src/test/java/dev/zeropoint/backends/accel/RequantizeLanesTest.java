package dev.zeropoint.backends.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.backends.accel.RequantizeLanes.UnsupportedRequantizationException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.IntegerOnlyRequant;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.ir.numerics.Requantizer.Scheme;
import dev.zeropoint.ir.numerics.Rounding;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every generated lane program against {@link Requantizer#apply}, the independent definition: for
 * random requantizers of each scheme (per tensor and per channel, u8 / i8 and some i16 / i32
 * storage, offsets 0 and -128), edge accumulators (0, ±1, INT_MIN, INT_MAX, powers of two and
 * their neighbours, values at and next to the rounding ties of each channel's scale, the 24-bit
 * rounding ties of f32(acc), the int32 overflow threshold of the product) on every channel, and 10^4
 * random accumulators (uniform int32, small magnitudes, and values that land inside the clamp
 * range). Running under {@code vta()} / {@code vtaMul()} also checks that every step fits the target
 * ({@link LaneProgram#evaluate} throws otherwise), and constructing the program checks that no
 * temporary is read before it is written.
 */
class RequantizeLanesTest {
  private static final TargetDescription VTA = TargetDescription.vta();
  private static final TargetDescription MUL = TargetDescription.vtaMul();
  private static final int RANDOM_ACCS = 10_000;
  private static final ElementType[] STORAGES = {ElementType.U8, ElementType.I8, ElementType.U8, ElementType.I8,
      ElementType.I16, ElementType.I32};

  // ------------------------------------------------------------------------------------------ schemes

  @Test
  void pow2OnVta() {
    Random rnd = new Random(1);
    for (int i = 0; i < 60; i++) {
      check(randomPow2(rnd, i), offset(rnd), VTA, rnd);
    }
  }

  @Test
  void pow2OnVtaMul() {
    Random rnd = new Random(2);
    for (int i = 0; i < 40; i++) {
      check(randomPow2(rnd, i), offset(rnd), MUL, rnd);
    }
  }

  /** Every shift 0..31 per tensor, with the widest i32 clamp (where shift 1 needs the INT_MAX indicator). */
  @Test
  void pow2EveryShiftWithWideClamps() {
    Random rnd = new Random(3);
    for (int n = 0; n <= 31; n++) {
      for (TargetDescription target : new TargetDescription[] {VTA, MUL}) {
        check(pow2(new int[] {n}, 0, Integer.MIN_VALUE, Integer.MAX_VALUE, ElementType.I32), 0, target, rnd, 500);
        check(pow2(new int[] {n, 1, 0, 31}, 7, -100, Integer.MAX_VALUE, ElementType.I32), -128, target, rnd, 500);
        check(pow2(new int[] {n}, -3, -128, 127, ElementType.I8), 0, target, rnd, 500);
      }
    }
    // degenerate tails: y + zp can never reach [min, max] (constant results)
    check(pow2(new int[] {1}, Integer.MAX_VALUE, Integer.MIN_VALUE, -5, ElementType.I32), 0, VTA, rnd, 500);
    check(pow2(new int[] {0}, Integer.MIN_VALUE, 3, Integer.MAX_VALUE, ElementType.I32), 0, VTA, rnd, 500);
  }

  @Test
  void floatOnVtaMul() {
    Random rnd = new Random(4);
    List<Float> special = List.of(0x1p-32f, Math.nextUp(0x1p-32f), Math.nextDown(0x1p-32f), Float.MIN_VALUE,
        Float.MIN_NORMAL, 1.0f, 0.5f, 0x1p-8f, 0x1.fffffep-1f, 0x1.000002p-7f, 0x1p31f, Math.nextDown(0x1p32f),
        0x1p32f, Float.MAX_VALUE, 0.0123f, 3.0f, 255.5f);
    for (float s : special) {
      check(floatScheme(new float[] {s}, rnd.nextInt(256), 0, 255, ElementType.U8), offset(rnd), MUL, rnd, 3000);
    }
    for (int i = 0; i < 36; i++) {
      int channels = i % 3 == 0 ? 1 : 2 + rnd.nextInt(5);
      float[] scales = new float[channels];
      for (int c = 0; c < channels; c++) {
        scales[c] = randomScale(rnd);
      }
      ElementType storage = i % 2 == 0 ? ElementType.U8 : ElementType.I8;
      int[] clamp = unsignedClamp(rnd, (int) storage.maxValue());
      check(floatScheme(scales, clamp[0], clamp[1], clamp[2], storage), offset(rnd), MUL, rnd);
    }
  }

  /**
   * ONNX Runtime's float_clamp: the float product with the generic tail (a product outside int32
   * saturates by its sign), signed and unsigned clamps, u8 / i8 / i16 storage; the same special
   * scales as the float scheme (2^31 and above, the largest float).
   */
  @Test
  void floatClampOnVtaMul() {
    Random rnd = new Random(14);
    List<Float> special = List.of(0x1p-32f, Math.nextUp(0x1p-32f), Math.nextDown(0x1p-32f), Float.MIN_VALUE,
        Float.MIN_NORMAL, 1.0f, 0.5f, 0x1p-8f, 0x1.fffffep-1f, 0x1.000002p-7f, 0x1p31f, Math.nextDown(0x1p32f),
        0x1p32f, Float.MAX_VALUE, 0.0123f, 3.0f, 255.5f, 0x1.aaaaaap-2f);
    for (float s : special) {
      ElementType storage = rnd.nextBoolean() ? ElementType.U8 : ElementType.I8;
      int[] clamp = clampIn(rnd, storage);
      check(floatClampScheme(new float[] {s}, clamp[0], clamp[1], clamp[2], storage), offset(rnd), MUL, rnd, 3000);
    }
    for (int i = 0; i < 36; i++) {
      int channels = i % 3 == 0 ? 1 : 2 + rnd.nextInt(5);
      float[] scales = new float[channels];
      for (int c = 0; c < channels; c++) {
        scales[c] = randomScale(rnd);
      }
      ElementType storage = i % 5 == 4 ? ElementType.I16 : i % 2 == 0 ? ElementType.U8 : ElementType.I8;
      int[] clamp = clampIn(rnd, storage);
      check(floatClampScheme(scales, clamp[0], clamp[1], clamp[2], storage), offset(rnd), MUL, rnd);
    }
  }

  /** float_clamp with a clamp 2^23 or more from the zero point (i32 storage) is refused, not approximated. */
  @Test
  void floatClampNeedsAClampNearTheZeroPoint() {
    Requantizer wide = floatClampScheme(new float[] {0.5f}, 0, Integer.MIN_VALUE, Integer.MAX_VALUE, ElementType.I32);
    UnsupportedRequantizationException e =
        assertThrows(UnsupportedRequantizationException.class, () -> RequantizeLanes.of(wide, 0, MUL));
    assertTrue(e.getMessage().contains("float_clamp"), e.getMessage());
    Requantizer edge = floatClampScheme(new float[] {0.5f}, 0, -(1 << 23) + 1, (1 << 23) - 1, ElementType.I32);
    check(edge, 0, MUL, new Random(15), 3000);
    assertThrows(UnsupportedRequantizationException.class, () -> RequantizeLanes.of(
        floatClampScheme(new float[] {0.5f}, 0, 0, 1 << 23, ElementType.I32), 0, MUL));
    // and it needs the multiplier, as float does
    e = assertThrows(UnsupportedRequantizationException.class, () -> RequantizeLanes.of(
        floatClampScheme(new float[] {0.0123f}, 0, 0, 255, ElementType.U8), 0, VTA));
    assertTrue(e.getMessage().contains("scheme float_clamp, scale 0.0123"), e.getMessage());
  }

  @Test
  void mantissaOnVtaMul() {
    Random rnd = new Random(5);
    int[][] special = {{0, 0}, {(1 << 24) - 1, 8}, {1 << 23, -55}, {1 << 23, 8}, {(1 << 24) - 1, -24},
        {(1 << 23) + 1, -31}, {(1 << 24) - 1, -47}};
    for (int[] me : special) {
      check(mantissa(new int[] {me[0]}, new int[] {me[1]}, rnd.nextInt(256), 0, 255, ElementType.U8), 0, MUL, rnd,
          3000);
    }
    for (int i = 0; i < 36; i++) {
      int channels = i % 3 == 0 ? 1 : 2 + rnd.nextInt(5);
      int[] m = new int[channels];
      int[] e = new int[channels];
      for (int c = 0; c < channels; c++) {
        float scale = randomScale(rnd);
        IntegerOnlyRequant q = IntegerOnlyRequant.of(scale >= 0x1p32f ? Math.scalb(scale, -8) : scale);
        m[c] = q.mantissa();
        e[c] = q.exponent();
        if (rnd.nextInt(8) == 0) {
          m[c] = (1 << 23) + rnd.nextInt(1 << 23);
          e[c] = -55 + rnd.nextInt(64);
        }
      }
      ElementType storage = i % 2 == 0 ? ElementType.U8 : ElementType.I8;
      int[] clamp = unsignedClamp(rnd, (int) storage.maxValue());
      check(mantissa(m, e, clamp[0], clamp[1], clamp[2], storage), offset(rnd), MUL, rnd);
    }
  }

  @Test
  void tfliteDoubleOnVtaMul() {
    Random rnd = new Random(6);
    int[] special = {Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 30, (1 << 30) + 1, -(1 << 30), 0, 1, -1, 65535,
        32768, -32768, 1 << 16};
    for (int m : special) {
      for (int shift : new int[] {-31, -1, 0, 1, 30}) {
        check(integerScheme(Scheme.TFLITE_DOUBLE, new int[] {m}, new int[] {shift}, rnd), offset(rnd), MUL, rnd, 800);
      }
    }
    check(integerScheme(Scheme.TFLITE_DOUBLE, new int[] {Integer.MIN_VALUE, 1 << 30, -7},
        new int[] {0, -1, 3}, rnd), 0, MUL, rnd);
    for (int i = 0; i < 36; i++) {
      check(randomInteger(Scheme.TFLITE_DOUBLE, rnd, i), offset(rnd), MUL, rnd);
    }
  }

  @Test
  void tfliteSingleOnVtaMul() {
    Random rnd = new Random(7);
    for (int m : new int[] {Integer.MAX_VALUE, 1 << 30, 0, 1, 65535, 32768}) {
      for (int shift : new int[] {-31, -16, -15, -1, 0, 1, 15, 16, 30}) {
        check(integerScheme(Scheme.TFLITE_SINGLE, new int[] {m}, new int[] {shift}, rnd), offset(rnd), MUL, rnd, 800);
      }
    }
    for (int i = 0; i < 36; i++) {
      check(randomInteger(Scheme.TFLITE_SINGLE, rnd, i), offset(rnd), MUL, rnd);
    }
  }

  @Test
  void tosaDoubleOnVtaMul() {
    Random rnd = new Random(8);
    tosa(Scheme.TOSA_DOUBLE, rnd);
  }

  @Test
  void tosaSingleOnVtaMul() {
    Random rnd = new Random(9);
    tosa(Scheme.TOSA_SINGLE, rnd);
  }

  private void tosa(Scheme scheme, Random rnd) {
    for (int m : new int[] {Integer.MAX_VALUE, 1 << 30, 0, 1, 65535, 32768}) {
      for (int shift : new int[] {2, 15, 16, 17, 31, 32, 33, 47, 48, 62}) {
        check(integerScheme(scheme, new int[] {m}, new int[] {shift}, rnd), offset(rnd), MUL, rnd, 800);
      }
    }
    for (int i = 0; i < 36; i++) {
      check(randomInteger(scheme, rnd, i), offset(rnd), MUL, rnd);
    }
  }

  /**
   * The two inner roundings of {@code f32(f32(acc) * m)} change the u8 output only at coincidences
   * (the output is at most 8 bits of a 24-bit significand), which random accumulators almost never
   * hit. These cases are built so that the inner tie (or near tie: the half plus or minus a unit in the
   * sticky bits) decides the output: an inner rounding the other way changes the result, which the test
   * confirms with an independent model before comparing the program with {@link Requantizer#apply}.
   *
   * <ul>
   *   <li>{@code f32(acc)}: {@code acc = q 2^s + 2^(s-1) + d}, with {@code q}'s low {@code kk} bits at
   *       {@code 2^(kk-1) - 1} or {@code 2^(kk-1)} and {@code m = 2^(-kk-s)} ({@code M = 2^23}, exact
   *       product), so the output is {@code RNE(RNE(acc / 2^s) / 2^kk)}.
   *   <li>The product {@code P = a M}, {@code a} in [2^23, 2^24): {@code M = M' 2^t}; {@code P mod 2^(w
   *       + kk)} is chosen (low {@code kk} bits of {@code P >> w} next to the half, {@code P mod 2^w =
   *       2^(w-1)} plus 0 or {@code ±2^t}, so with {@code t < 12} only the lowest product limb shows the
   *       difference from a tie), and {@code a} solves {@code a M' = P / 2^t} modulo {@code 2^(w + kk -
   *       t)}, searching {@code M'} when that modulus exceeds 2^23; {@code w = 23 + top} is the float
   *       multiply's rounding position.
   * </ul>
   */
  @Test
  void innerRoundingsOfTheFloatProductDecideTheOutputAtConstructedTies() {
    Random rnd = new Random(11);
    int sensitive = 0;
    for (int i = 0; i < 300; i++) {
      int s = 1 + rnd.nextInt(7);
      int kk = 16 + rnd.nextInt(8);
      int q = (((1 << 23) + rnd.nextInt(1 << 23)) >>> kk << kk) | ((1 << (kk - 1)) - 1 + rnd.nextInt(2));
      int acc = (q << s) + (1 << (s - 1)) + rnd.nextInt(3) - 1;
      int e = -kk - s - 23;
      long a = Rounding.shiftRightRoundHalfEven(acc, s);
      sensitive += checkInnerTie(acc, 1 << 23, e, a, 2 * q + 1 - a, kk);
    }
    assertTrue(sensitive > 100, "f32(acc) ties that decide the output: " + sensitive);
    sensitive = 0;
    int lowSticky = 0;
    for (int i = 0; i < 1000; i++) {
      int top = rnd.nextInt(2);
      int kk = 16 + rnd.nextInt(4);
      int t = 6 + rnd.nextInt(17); // M = M' 2^t, M' odd
      int w = 23 + top;
      long low = (1L << (kk - 1)) - 1 + rnd.nextInt(2);
      long delta = switch (rnd.nextInt(3)) {
        case 0 -> 0;
        case 1 -> 1L << t;
        default -> -(1L << t);
      };
      int bits = w + kk - t;
      long target = (((low << w) + (1L << (w - 1)) + delta) >> t) & ((1L << bits) - 1);
      long a = 0;
      int m = 0;
      // with bits <= 23 every M' has solutions a in [2^23, 2^24); otherwise search M' (about 2^(23 - bits))
      for (int tries = 0; tries < 4000 && m == 0; tries++) {
        int odd = (1 << (23 - t)) + 2 * rnd.nextInt(1 << (22 - t)) + 1;
        long inverse = odd;
        for (int step = 0; step < 6; step++) {
          inverse *= 2 - odd * inverse;
        }
        a = (target * inverse) & ((1L << bits) - 1);
        if (bits <= 23) {
          long first = ((1L << 23) - a + (1L << bits) - 1) >> bits;
          long last = ((1L << 24) - 1 - a) >> bits;
          a += (first + (long) (rnd.nextDouble() * (last - first + 1))) << bits;
        }
        if (a >= 1 << 23 && a < 1 << 24 && ((a * (odd << t)) >= 1L << 47) == (top == 1)) {
          m = odd << t;
        }
      }
      if (m == 0) {
        continue;
      }
      long product = a * m;
      int shift = rnd.nextInt(8);
      int e = -kk - shift - w;
      long p = Rounding.shiftRightRoundHalfEven(product, w);
      int decides = checkInnerTie((int) (a << shift), m, e, p, 2 * (product >> w) + 1 - p, kk);
      sensitive += decides;
      lowSticky += t < 12 && delta != 0 ? decides : 0;
    }
    assertTrue(lowSticky > 10, "ties off by less than 2^12 that decide the output: " + lowSticky);
    assertTrue(sensitive > 100, "product ties that decide the output: " + sensitive);
  }

  /**
   * Checks {@code ±acc} under mantissa {@code m}, exponent {@code e} (output {@code RNE(x / 2^kk)} for
   * the inner value {@code x}), and returns 1 if the other inner rounding {@code alt} would have given
   * another output.
   */
  private static int checkInnerTie(int acc, int m, int e, long inner, long alt, int kk) {
    long expected = Rounding.shiftRightRoundHalfEven(inner, kk);
    assertEquals(expected, new IntegerOnlyRequant(m, e).apply(acc), "the model of the inner rounding");
    for (int zp : new int[] {0, 255}) {
      Requantizer r = mantissa(new int[] {m}, new int[] {e}, zp, 0, 255, ElementType.U8);
      LaneProgram p = RequantizeLanes.of(r, 0, MUL);
      compare(p, r, zp == 0 ? acc : -acc, 0, 0, MUL);
    }
    return expected != Rounding.shiftRightRoundHalfEven(alt, kk) ? 1 : 0;
  }

  /**
   * Where {@link Requantizer#apply} throws (TOSA's REQUIRE on the value, shifts up to 32), the program
   * computes the low 32 bits of {@code (value * M + round) >> shift}, the formula without the check.
   */
  @Test
  void outsideTosasValueRangeTheProgramFollowsTheFormula() {
    Random rnd = new Random(12);
    for (Scheme s : new Scheme[] {Scheme.TOSA_DOUBLE, Scheme.TOSA_SINGLE}) {
      for (int i = 0; i < 40; i++) {
        int shift = 2 + rnd.nextInt(31);
        int m = rnd.nextInt() & Integer.MAX_VALUE;
        Requantizer r = integerScheme(s, new int[] {m}, new int[] {shift}, 0, Integer.MIN_VALUE, Integer.MAX_VALUE,
            ElementType.I32);
        LaneProgram p = RequantizeLanes.of(r, 0, MUL);
        for (int j = 0; j < 300; j++) {
          int acc = j < 2 ? (j == 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE) : rnd.nextInt();
          long round = 1L << (shift - 1);
          if (s == Scheme.TOSA_DOUBLE && shift > 31) {
            round += acc >= 0 ? 1L << 30 : -(1L << 30);
          }
          assertEquals((int) (((long) acc * m + round) >> shift), p.evaluate(acc, 0, MUL), r + " acc " + acc);
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------ refusals, shape

  @Test
  void multiplierSchemesAreRefusedOnVta() {
    Requantizer f = floatScheme(new float[] {0.0123f}, 0, 0, 255, ElementType.U8);
    UnsupportedRequantizationException e =
        assertThrows(UnsupportedRequantizationException.class, () -> RequantizeLanes.of(f, 0, VTA));
    assertTrue(e.getMessage().contains("0.0123"), e.getMessage());
    assertTrue(e.getMessage().contains("MUL"), e.getMessage());
    Random rnd = new Random(10);
    for (Scheme s : new Scheme[] {Scheme.MANTISSA, Scheme.TFLITE_DOUBLE, Scheme.TFLITE_SINGLE, Scheme.TOSA_DOUBLE,
        Scheme.TOSA_SINGLE}) {
      Requantizer r = s == Scheme.MANTISSA ? mantissa(new int[] {1 << 23}, new int[] {-30}, 0, 0, 255, ElementType.U8)
          : randomInteger(s, rnd, 0);
      assertThrows(UnsupportedRequantizationException.class, () -> RequantizeLanes.of(r, 0, VTA), s.word());
    }
    // even a power-of-two float scale: f32(acc) rounds to nearest even, which needs the multiplier here
    assertThrows(UnsupportedRequantizationException.class,
        () -> RequantizeLanes.of(floatScheme(new float[] {0.25f}, 0, 0, 255, ElementType.U8), 0, VTA));
  }

  @Test
  void invalidRequantizersAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> RequantizeLanes.of(
        floatScheme(new float[] {0.5f}, 0, -10, 100, ElementType.I8), 0, MUL));
    assertThrows(IllegalArgumentException.class, () -> RequantizeLanes.of(
        integerScheme(Scheme.TFLITE_SINGLE, new int[] {-5}, new int[] {0}, 0, -128, 127, ElementType.I8), 0, MUL));
    assertThrows(IllegalArgumentException.class, () -> RequantizeLanes.of(
        integerScheme(Scheme.TFLITE_DOUBLE, new int[] {5}, new int[] {31}, 0, -128, 127, ElementType.I8), 0, MUL));
  }

  @Test
  void perTensorPow2OnVtaIsTheClassicSequence() {
    LaneProgram p = RequantizeLanes.of(pow2(new int[] {8}, 3, -128, 127, ElementType.I8), 0, VTA);
    // SHR 7, ADD 1, SHR 1, MAX, MIN, ADD zp
    assertEquals(6, p.steps().size(), p.toString());
    assertEquals(0, p.temporaries());
    assertEquals(0, p.constants().size());
    LaneProgram wide = RequantizeLanes.of(pow2(new int[] {20, 0, 31}, 0, 0, 255, ElementType.U8), -128, VTA);
    assertTrue(wide.constants().size() > 0, wide.toString());
    for (LaneProgram.Step s : wide.steps()) {
      assertTrue(s.op() != AluOp.MUL, wide.toString());
    }
  }

  @Test
  void temporariesMustBeWrittenBeforeTheyAreRead() {
    List<LaneProgram.Constant> none = List.of();
    // ADD reads its destination
    assertThrows(IllegalArgumentException.class,
        () -> new LaneProgram(1, none, List.of(LaneProgram.Step.imm(AluOp.ADD, 1, 1))));
    // a temporary as a source before any write
    assertThrows(IllegalArgumentException.class,
        () -> new LaneProgram(2, none, List.of(LaneProgram.Step.imm(AluOp.MUL, 1, 0),
            LaneProgram.Step.reg(AluOp.ADD, 0, 2))));
    // MUL by 1 is not a reset
    assertThrows(IllegalArgumentException.class,
        () -> new LaneProgram(1, none, List.of(LaneProgram.Step.imm(AluOp.MUL, 1, 1))));
    // constants are read-only; registers must exist
    List<LaneProgram.Constant> intMin = List.of(new LaneProgram.Constant(new int[] {Integer.MIN_VALUE}, "INT_MIN"));
    assertThrows(IllegalArgumentException.class,
        () -> new LaneProgram(1, intMin, List.of(LaneProgram.Step.imm(AluOp.ADD, 2, 1))));
    assertThrows(IllegalArgumentException.class,
        () -> new LaneProgram(1, intMin, List.of(LaneProgram.Step.reg(AluOp.ADD, 0, 3))));
    // the resets: MUL #0, MIN with INT_MIN in every lane, MAX with INT_MAX
    LaneProgram ok = new LaneProgram(2, intMin, List.of(LaneProgram.Step.imm(AluOp.MUL, 1, 0),
        LaneProgram.Step.reg(AluOp.MIN, 2, 3), LaneProgram.Step.reg(AluOp.MAX, 2, 0),
        LaneProgram.Step.reg(AluOp.ADD, 1, 2), LaneProgram.Step.reg(AluOp.ADD, 0, 1)));
    assertEquals(10, ok.evaluate(5, 0, MUL));
    // a per-channel constant that is INT_MIN in only some lanes is not a reset
    List<LaneProgram.Constant> mixed =
        List.of(new LaneProgram.Constant(new int[] {Integer.MIN_VALUE, 0}, "mixed"));
    assertThrows(IllegalArgumentException.class,
        () -> new LaneProgram(1, mixed, List.of(LaneProgram.Step.reg(AluOp.MIN, 1, 2))));
  }

  @Test
  void evaluateChecksTheTarget() {
    List<LaneProgram.Constant> amounts = List.of(new LaneProgram.Constant(new int[] {3, -1}, "amounts"));
    LaneProgram vectorShift = new LaneProgram(0, amounts, List.of(LaneProgram.Step.reg(AluOp.SHR, 0, 1)));
    assertEquals(12, vectorShift.evaluate(100, 0, VTA));
    assertEquals(200, vectorShift.evaluate(100, 1, MUL));
    assertThrows(IllegalStateException.class, () -> vectorShift.evaluate(100, 1, VTA));
    LaneProgram mul = new LaneProgram(0, List.of(), List.of(LaneProgram.Step.imm(AluOp.MUL, 0, 3)));
    assertEquals(-6, mul.evaluate(-2, 0, MUL));
    assertThrows(IllegalStateException.class, () -> mul.evaluate(1, 0, VTA));
    LaneProgram bigImm = new LaneProgram(0, List.of(), List.of(LaneProgram.Step.imm(AluOp.ADD, 0, 40000)));
    assertThrows(IllegalStateException.class, () -> bigImm.evaluate(1, 0, MUL));
    LaneProgram leftImm = new LaneProgram(0, List.of(), List.of(LaneProgram.Step.imm(AluOp.SHR, 0, -2)));
    assertEquals(-20, leftImm.evaluate(-5, 0, MUL));
    assertThrows(IllegalStateException.class, () -> leftImm.evaluate(1, 0, VTA));
    LaneProgram p = RequantizeLanes.of(floatScheme(new float[] {0.01f, 0.02f}, 3, 0, 255, ElementType.U8), 0, MUL);
    assertThrows(IllegalStateException.class, () -> p.evaluate(12345, 0, VTA));
    String listing = p.toString();
    assertEquals(p.steps().size(), listing.lines().filter(l -> l.matches(" +\\d+: .*")).count(), listing);
  }

  // ------------------------------------------------------------------------------------------ the check

  private static void check(Requantizer r, int offset, TargetDescription target, Random rnd) {
    check(r, offset, target, rnd, RANDOM_ACCS);
  }

  /** Edge accumulators on every channel, then {@code randomAccs} random (accumulator, channel) pairs. */
  private static void check(Requantizer r, int offset, TargetDescription target, Random rnd, int randomAccs) {
    LaneProgram p = RequantizeLanes.of(r, offset, target);
    int channels = r.channels();
    double lo = (double) r.min() - r.outputZeroPoint();
    for (int c = 0; c < channels; c++) {
      for (int acc : edges(r, c, rnd)) {
        compare(p, r, acc, c, offset, target);
      }
    }
    for (int i = 0; i < randomAccs; i++) {
      int c = rnd.nextInt(channels);
      int acc = switch (i % 4) {
        case 0 -> rnd.nextInt();
        case 1 -> {
          int bits = 1 + rnd.nextInt(26);
          yield rnd.nextInt(1 << bits) - (1 << (bits - 1));
        }
        case 2 -> inRange(r, c, rnd.nextDouble() * Math.min(1 << 20, (double) r.max() - r.min() + 4) + lo - 2);
        default -> tie(r, c, rnd.nextInt((int) Math.min(1 << 20, (long) r.max() - r.min() + 5)) + lo - 2)
            + rnd.nextInt(5) - 2;
      };
      compare(p, r, acc, c, offset, target);
    }
  }

  private static void compare(LaneProgram p, Requantizer r, int acc, int c, int offset, TargetDescription target) {
    acc = intoDomain(r, acc, c);
    int expected = r.apply(acc, c) + offset;
    int actual = p.evaluate(acc, c, target);
    if (actual != expected) {
      fail(r + " offset " + offset + " channel " + c + " acc " + acc + ": program gives " + actual + ", apply "
          + expected + "\n" + p);
    }
  }

  /** TOSA REQUIREs the value within [-2^(shift-1), 2^(shift-1)) for shift <= 32: fold it in. */
  private static int intoDomain(Requantizer r, int acc, int c) {
    boolean tosa = r.scheme() == Scheme.TOSA_DOUBLE || r.scheme() == Scheme.TOSA_SINGLE;
    int shift = tosa ? r.shifts().get(r.channels() == 1 ? 0 : c) : 63;
    if (shift > 32) {
      return acc;
    }
    long half = 1L << (shift - 1);
    return (int) (Math.floorMod(acc + half, 2 * half) - half);
  }

  /** An accumulator whose scaled value is about {@code y} (saturated to int32). */
  private static int inRange(Requantizer r, int c, double y) {
    double s = Pow2Requantization.scale(r, c);
    if (s == 0) {
      return (int) y;
    }
    double acc = y / s;
    return acc >= Integer.MAX_VALUE ? Integer.MAX_VALUE : acc <= Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) acc;
  }

  /** The accumulator nearest the tie {@code (j + 1/2) / scale}. */
  private static int tie(Requantizer r, int c, double j) {
    double s = Pow2Requantization.scale(r, c);
    if (s == 0) {
      return (int) j;
    }
    double acc = Math.rint((j + 0.5) / s);
    return acc >= Integer.MAX_VALUE ? Integer.MAX_VALUE : acc <= Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) acc;
  }

  private static List<Integer> edges(Requantizer r, int c, Random rnd) {
    List<Integer> out = new ArrayList<>(List.of(0, 1, -1, 2, -2, 3, -3, Integer.MIN_VALUE, Integer.MIN_VALUE + 1,
        Integer.MIN_VALUE + 2, Integer.MAX_VALUE, Integer.MAX_VALUE - 1, Integer.MAX_VALUE - 2));
    for (int k = 0; k < 31; k++) {
      for (int d = -1; d <= 1; d++) {
        out.add((1 << k) + d);
        out.add(-(1 << k) + d);
      }
    }
    // ties of the scale next to and inside the clamp range, and far out
    long lo = (long) r.min() - r.outputZeroPoint();
    long hi = (long) r.max() - r.outputZeroPoint();
    for (int d = -3; d <= 3; d++) {
      addAround(out, tie(r, c, lo + d));
      addAround(out, tie(r, c, hi + d));
    }
    for (int i = 0; i < 12; i++) {
      int span = (int) Math.min(1L << 20, (long) r.max() - r.min() + 8);
      addAround(out, tie(r, c, lo - 4 + rnd.nextInt(span)));
      addAround(out, tie(r, c, rnd.nextInt()));
    }
    // where the product leaves int32 (the x86 tail's INT_MIN) and where rounding to f32 ties
    for (int sign = -1; sign <= 1; sign += 2) {
      addAround(out, inRange(r, c, sign * 0x1p31));
      addAround(out, inRange(r, c, sign * 0x1p31 - 0.5));
      for (int s = 1; s <= 7; s++) {
        int significand = (1 << 23) + rnd.nextInt(1 << 23);
        long v = ((long) significand << s) + (1L << (s - 1));
        if (v < 1L << 31) {
          addAround(out, (int) (sign * v));
        }
      }
      addAround(out, sign * ((1 << 24) + 1));
      addAround(out, sign * ((1 << 25) + 2));
      addAround(out, sign * ((1 << 25) + 6));
    }
    out.addAll(productBoundaries(r, c));
    return out;
  }

  /**
   * For the fixed-point schemes: accumulators whose exact product {@code V = acc M 2^left + R} lies
   * within a few units (times the power of two dividing {@code M}) of a multiple of {@code 2^k}, where
   * the floor shift changes value. An error in the low digits of the 64-bit product shows only there
   * (visible at the output with the wide i32 clamps). Solved with the inverse of M's odd part modulo a
   * power of two; the representative nearest 0 is taken (inside TOSA's value range when k <= 32).
   */
  private static List<Integer> productBoundaries(Requantizer r, int c) {
    List<Integer> out = new ArrayList<>();
    int i = r.channels() == 1 ? 0 : c;
    if (r.scheme().usesFloat() || r.scheme() == Scheme.MANTISSA || r.scheme() == Scheme.POW2
        || r.multipliers().get(i) == 0) {
      return out;
    }
    int shift = r.shifts().get(i);
    int k;
    long m = r.multipliers().get(i);
    List<Long> rounds = new ArrayList<>();
    switch (r.scheme()) {
      case TFLITE_DOUBLE -> {
        k = 31;
        m <<= Math.max(shift, 0);
        rounds.add(1L << 30);
      }
      case TFLITE_SINGLE -> {
        k = 31 - shift;
        rounds.add(1L << (k - 1));
      }
      default -> {
        k = shift;
        rounds.add(1L << (k - 1));
        if (r.scheme() == Scheme.TOSA_DOUBLE && k > 31) {
          rounds.add((1L << (k - 1)) + (1L << 30));
          rounds.add((1L << (k - 1)) - (1L << 30));
        }
      }
    }
    int tz = Long.numberOfTrailingZeros(m);
    if (tz >= k) {
      return out;
    }
    int bits = k - tz;
    long odd = m >> tz;
    long inverse = odd; // Newton: correct to 3 bits, doubling each step
    for (int step = 0; step < 6; step++) {
      inverse *= 2 - odd * inverse;
    }
    for (long round : rounds) {
      for (long j = -3; j <= 3; j++) {
        long delta = j << tz;
        long target = (delta - round) >> tz; // exact: round and delta are multiples of 2^tz (tz < k)
        long residue = bits >= 64 ? target * inverse : (target * inverse) & ((1L << bits) - 1);
        if (bits < 64 && residue >= 1L << (bits - 1)) {
          residue -= 1L << bits;
        }
        if (residue >= Integer.MIN_VALUE && residue <= Integer.MAX_VALUE) {
          out.add((int) residue);
        }
      }
    }
    return out;
  }

  private static void addAround(List<Integer> out, int acc) {
    for (int d = -2; d <= 2; d++) {
      long v = (long) acc + d;
      if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        out.add((int) v);
      }
    }
  }

  // ------------------------------------------------------------------------------------------ requantizers

  private static int offset(Random rnd) {
    return rnd.nextBoolean() ? 0 : -128;
  }

  private static Requantizer pow2(int[] shifts, int zp, int min, int max, ElementType storage) {
    return checked(new Requantizer(Scheme.POW2, ImmutableDoubleArray.of(), ImmutableIntArray.of(),
        ImmutableIntArray.copyOf(shifts), zp, min, max, storage));
  }

  private static Requantizer randomPow2(Random rnd, int i) {
    int channels = i % 3 == 0 ? 1 : 2 + rnd.nextInt(6);
    int[] shifts = new int[channels];
    int[] favourite = {0, 1, 2, 15, 16, 17, 30, 31};
    for (int c = 0; c < channels; c++) {
      shifts[c] = rnd.nextBoolean() ? favourite[rnd.nextInt(favourite.length)] : rnd.nextInt(32);
    }
    ElementType storage = STORAGES[i % STORAGES.length];
    int[] clamp = clampIn(rnd, storage);
    return pow2(shifts, clamp[0], clamp[1], clamp[2], storage);
  }

  private static Requantizer floatScheme(float[] scales, int zp, int min, int max, ElementType storage) {
    double[] d = new double[scales.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = scales[i];
    }
    return checked(new Requantizer(Scheme.FLOAT, ImmutableDoubleArray.copyOf(d), ImmutableIntArray.of(),
        ImmutableIntArray.of(), zp, min, max, storage));
  }

  private static Requantizer floatClampScheme(float[] scales, int zp, int min, int max, ElementType storage) {
    double[] d = new double[scales.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = scales[i];
    }
    return checked(new Requantizer(Scheme.FLOAT_CLAMP, ImmutableDoubleArray.copyOf(d), ImmutableIntArray.of(),
        ImmutableIntArray.of(), zp, min, max, storage));
  }

  private static Requantizer mantissa(int[] m, int[] e, int zp, int min, int max, ElementType storage) {
    return checked(new Requantizer(Scheme.MANTISSA, ImmutableDoubleArray.of(), ImmutableIntArray.copyOf(m),
        ImmutableIntArray.copyOf(e), zp, min, max, storage));
  }

  private static Requantizer integerScheme(Scheme s, int[] m, int[] shifts, int zp, int min, int max,
      ElementType storage) {
    return checked(new Requantizer(s, ImmutableDoubleArray.of(), ImmutableIntArray.copyOf(m),
        ImmutableIntArray.copyOf(shifts), zp, min, max, storage));
  }

  private static Requantizer integerScheme(Scheme s, int[] m, int[] shifts, Random rnd) {
    ElementType storage = STORAGES[rnd.nextInt(STORAGES.length)];
    int[] clamp = clampIn(rnd, storage);
    return integerScheme(s, m, shifts, clamp[0], clamp[1], clamp[2], storage);
  }

  /** A TFLite or TOSA requantizer: multipliers mostly in [2^30, 2^31) as the converters make them. */
  private static Requantizer randomInteger(Scheme s, Random rnd, int i) {
    int channels = i % 3 == 0 ? 1 : 2 + rnd.nextInt(5);
    int[] m = new int[channels];
    int[] shift = new int[channels];
    boolean tosa = s == Scheme.TOSA_DOUBLE || s == Scheme.TOSA_SINGLE;
    for (int c = 0; c < channels; c++) {
      m[c] = switch (rnd.nextInt(6)) {
        case 0 -> rnd.nextInt() & Integer.MAX_VALUE;
        case 1 -> rnd.nextInt(1 << (1 + rnd.nextInt(30)));
        default -> (1 << 30) + rnd.nextInt(1 << 30);
      };
      if (s == Scheme.TFLITE_DOUBLE && rnd.nextInt(5) == 0) {
        m[c] = rnd.nextInt(8) == 0 ? Integer.MIN_VALUE : -m[c];
      }
      if (tosa) {
        shift[c] = rnd.nextBoolean() ? 20 + rnd.nextInt(25) : 2 + rnd.nextInt(61);
      } else {
        shift[c] = rnd.nextBoolean() ? -12 + rnd.nextInt(14) : -31 + rnd.nextInt(62);
      }
    }
    ElementType storage = STORAGES[i % STORAGES.length];
    int[] clamp = clampIn(rnd, storage);
    return integerScheme(s, m, shift, clamp[0], clamp[1], clamp[2], storage);
  }

  /** A float32 scale, log-uniform over 2^-40 .. 2^36 with a random mantissa. */
  private static float randomScale(Random rnd) {
    return Math.scalb(1.0f + rnd.nextFloat(), rnd.nextBoolean() ? -12 + rnd.nextInt(12) : -40 + rnd.nextInt(76));
  }

  /** {zp, min, max} for qnnpack: all within [0, top] (255 for u8, 127 for i8 where the tail needs >= 0). */
  private static int[] unsignedClamp(Random rnd, int top) {
    int zp = rnd.nextInt(top + 1);
    if (rnd.nextBoolean()) {
      return new int[] {zp, 0, top};
    }
    int a = rnd.nextInt(top + 1);
    int b = rnd.nextInt(top + 1);
    return new int[] {zp, Math.min(a, b), Math.max(a, b)};
  }

  /** {zp, min, max} inside a storage type: full range, or a random sub-range. */
  private static int[] clampIn(Random rnd, ElementType storage) {
    long lo = storage.minValue();
    long hi = storage.maxValue();
    int zp = (int) (lo + (long) (rnd.nextDouble() * (hi - lo + 1)));
    if (storage == ElementType.I32 && rnd.nextBoolean()) {
      zp = rnd.nextInt(2001) - 1000;
    }
    if (rnd.nextBoolean()) {
      return new int[] {zp, (int) lo, (int) hi};
    }
    int a = (int) (lo + (long) (rnd.nextDouble() * (hi - lo + 1)));
    int b = (int) (lo + (long) (rnd.nextDouble() * (hi - lo + 1)));
    return new int[] {zp, Math.min(a, b), Math.max(a, b)};
  }

  private static Requantizer checked(Requantizer r) {
    r.problem().ifPresent(p -> fail("test built an invalid requantizer: " + p));
    return r;
  }
}
