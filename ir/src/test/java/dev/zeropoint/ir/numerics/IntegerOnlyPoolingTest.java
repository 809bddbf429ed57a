package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeropoint.ir.ElementType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The integer-only forms of PyTorch's float roundings used by lowered ops: {@link
 * IntegerOnlyRequant#applyAddRound} (ATen's NCHW average, zero point added in float), {@link
 * PoolRescale} against every {@link PyTorchQnnpackPooling} rule, and the mantissa requantization of
 * mul against {@link PyTorchAtenQuantized#mulScalar}. Every comparison asserts zero mismatches.
 */
class IntegerOnlyPoolingTest {

  /** The float computation: {@code nearbyint(f32(f32(f32(acc) * m) + addend))}, as a long. */
  private static long floatAddRound(int acc, float m, int addend) {
    return (long) Math.rint((float) acc * m + (float) addend);
  }

  private static float randomMultiplier(SplittableRandom r) {
    // log-uniform in (2^-31, 2^31): every exponent regime of the product
    return (float) Math.scalb(1.0 + r.nextDouble(), r.nextInt(-31, 31));
  }

  @Test
  void applyAddRoundHandValues() {
    IntegerOnlyRequant half = IntegerOnlyRequant.of(0.5f);
    assertEquals(4, half.applyAddRound(5, 1)); // 2.5 + 1 = 3.5 -> 4 (rounding first: 2 + 1 = 3)
    assertEquals(4, half.applyAddRound(7, 0)); // 3.5 -> 4
    assertEquals(-2, half.applyAddRound(-5, 0)); // -2.5 -> -2
    // zero point before rounding: 2.5 + 1 = 3.5 rounds to 4, where rounding first gives 2 + 1 = 3
    assertEquals(floatAddRound(5, 0.5f, 1), half.applyAddRound(5, 1));
    // a product below half an ulp of 2^24 + 2 vanishes in the float addition
    IntegerOnlyRequant tiny = IntegerOnlyRequant.of(0x1p-20f);
    assertEquals(floatAddRound(3, 0x1p-20f, 200), tiny.applyAddRound(3, 200));
    assertThrows(IllegalArgumentException.class, () -> half.applyAddRound(1, 1 << 16));
    assertThrows(IllegalArgumentException.class, () -> IntegerOnlyRequant.of(0x1p-33f).applyAddRound(1, 1));
  }

  @Test
  void applyAddRoundMatchesFloatOnRandomCases() {
    SplittableRandom r = new SplittableRandom(20261122);
    int mismatches = 0;
    for (int i = 0; i < 3_000_000; i++) {
      float m = randomMultiplier(r);
      int acc = switch (i % 3) {
        case 0 -> r.nextInt(-65536, 65537);
        case 1 -> r.nextInt();
        default -> r.nextInt(-300, 301);
      };
      int addend = r.nextInt(-128, 256);
      long expected = floatAddRound(acc, m, addend);
      long actual = IntegerOnlyRequant.of(m).applyAddRound(acc, addend);
      if (Math.abs(expected) >= 1L << 39) {
        // documented: beyond 2^39 only the sign is kept (every storage saturates far below)
        if (Long.signum(expected) != Long.signum(actual) || Math.abs(actual) < 1L << 39) {
          mismatches++;
        }
      } else if (expected != actual) {
        mismatches++;
      }
    }
    assertEquals(0, mismatches);
  }

  /** Multipliers 1/d and ratios over d as pools use them, where the product lands on halves. */
  @Test
  void applyAddRoundMatchesFloatNearTies() {
    SplittableRandom r = new SplittableRandom(7);
    int mismatches = 0;
    for (int d = 1; d <= 400; d++) {
      float[] ms = {(float) (1.0 / d), 1.0f / d, (float) (0.7 / d), (float) (1.3 / d)};
      for (float m : ms) {
        for (int acc = -255 * 9 - 600; acc <= 255 * 9 + 600; acc++) {
          int addend = r.nextInt(-128, 256);
          if (floatAddRound(acc, m, addend) != IntegerOnlyRequant.of(m).applyAddRound(acc, addend)) {
            mismatches++;
          }
        }
      }
    }
    assertEquals(0, mismatches);
  }

  @Test
  void poolRescaleFollowsEveryPyTorchRule() {
    SplittableRandom r = new SplittableRandom(11);
    int mismatches = 0;
    for (int i = 0; i < 400_000; i++) {
      double sIn = Math.scalb(1.0 + r.nextDouble(), r.nextInt(-12, 2));
      double sOut = r.nextInt(4) == 0 ? sIn : sIn * (0.5 + 1.5 * r.nextDouble());
      int rows = r.nextInt(1, 8);
      int cols = r.nextInt(1, 8);
      int divisor = rows * cols;
      int acc = r.nextInt(-255 * divisor, 255 * divisor + 1);
      ElementType storage = r.nextBoolean() ? ElementType.U8 : ElementType.I8;
      int zp = (int) (storage.minValue() + r.nextInt(256));
      // ATen NCHW
      float mNchw = PyTorchQnnpackPooling.atenNchwMultiplier(sIn, sOut, divisor);
      PoolRescale nchw = PoolRescale.of(PoolRescale.Kind.ATEN_NCHW, 8, 8, (a, b) -> PyTorchQnnpackPooling
          .atenNchwMultiplier(sIn, sOut, a * b), zp);
      mismatches += nchw.apply(acc, rows, cols, storage)
          == PyTorchQnnpackPooling.atenNchwAverage(acc, mNchw, zp, storage) ? 0 : 1;
      // ATen NHWC (equal scales: the multiplier must survive the reciprocal round trip)
      float mNhwc = PyTorchQnnpackPooling.atenNhwcMultiplier(sIn, sIn, divisor);
      PoolRescale nhwc = PoolRescale.of(PoolRescale.Kind.ATEN_NHWC, 1, 1, (a, b) -> mNhwc, zp);
      mismatches += nhwc.apply(acc, 5, 5, storage)
          == PyTorchQnnpackPooling.atenNhwcAverage(acc, mNhwc, zp, storage) ? 0 : 1;
      // adaptive NCHW: the sum of stored values, no zero point
      int sum = (int) (storage.minValue() * divisor) + r.nextInt(255 * divisor + 1);
      PoolRescale adaptive = PoolRescale.of(PoolRescale.Kind.ATEN_ADAPTIVE_NCHW, 8, 8,
          PyTorchQnnpackPooling::atenAdaptiveNchwReciprocal, 0);
      mismatches += adaptive.apply(sum, rows, cols, storage) == PyTorchQnnpackPooling.atenAdaptiveNchwAverage(sum,
          PyTorchQnnpackPooling.atenAdaptiveNchwReciprocal(rows, cols)) ? 0 : 1;
      // QNNPACK (u8; a window of at least two)
      if (divisor > 1) {
        float s = PyTorchQnnpackPooling.qnnpackScale(sIn, sOut, divisor);
        int zpU8 = zp - (int) storage.minValue();
        PoolRescale qnnpack = PoolRescale.of(PoolRescale.Kind.QNNPACK, 1, 1, (a, b) -> s, zpU8);
        mismatches += qnnpack.apply(acc, rows, cols, ElementType.U8)
            == PyTorchQnnpackPooling.qnnpackAverage(acc, s, zpU8) ? 0 : 1;
      }
    }
    assertEquals(0, mismatches);
  }

  @Test
  void poolRescaleTableAndProblems() {
    PoolRescale t = PoolRescale.of(PoolRescale.Kind.ATEN_NHWC, 2, 3, (a, b) -> 1.0f / (a * b), 0);
    assertEquals(6, t.multipliers().length());
    // entry (2, 3): divisor 6; 12 / 6 = 2
    assertEquals(2, t.apply(12, 2, 3, ElementType.U8));
    assertThrows(IllegalArgumentException.class, () -> t.apply(12, 3, 1, ElementType.U8));
    assertEquals(java.util.Optional.empty(), t.problem(ElementType.U8));
    PoolRescale q = PoolRescale.of(PoolRescale.Kind.QNNPACK, 1, 1, (a, b) -> 0.25f, 0);
    assertEquals(true, q.problem(ElementType.I8).isPresent());
  }

  /**
   * quint8 mul: {@code mulScalar} (and its vector twin, equal below 2^31) is the mantissa
   * requantization of the exact product when {@code 255^2 m < 2^31}: every product value for
   * random multipliers and zero points.
   */
  @Test
  void mulIsTheMantissaRequantizationOfTheProduct() {
    SplittableRandom r = new SplittableRandom(3);
    int mismatches = 0;
    for (int i = 0; i < 60; i++) {
      float m = PyTorchAtenQuantized.mulMultiplier(Math.scalb(1.0 + r.nextDouble(), r.nextInt(-10, 3)),
          Math.scalb(1.0 + r.nextDouble(), r.nextInt(-10, 3)), Math.scalb(1.0 + r.nextDouble(), r.nextInt(-12, 0)));
      if (!(m < 0x1p31 / 65025)) {
        continue;
      }
      int zp = r.nextInt(256);
      int za = r.nextInt(256);
      int zb = r.nextInt(256);
      Requantizer q = new Requantizer(Requantizer.Scheme.MANTISSA, com.google.common.primitives.ImmutableDoubleArray
          .of(), com.google.common.primitives.ImmutableIntArray.of(IntegerOnlyRequant.of(m).mantissa()),
          com.google.common.primitives.ImmutableIntArray.of(IntegerOnlyRequant.of(m).exponent()), zp, 0, 255,
          ElementType.U8);
      for (int a = 0; a < 256; a++) {
        for (int b = 0; b < 256; b++) {
          int expected = PyTorchAtenQuantized.mulScalar(a, za, b, zb, m, zp, ElementType.U8);
          int vector = PyTorchAtenQuantized.mulVectorized(a, za, b, zb, m, zp, ElementType.U8);
          int actual = q.apply((a - za) * (b - zb), 0);
          mismatches += (expected == actual && vector == actual) ? 0 : 1;
        }
      }
    }
    assertEquals(0, mismatches);
  }
}
