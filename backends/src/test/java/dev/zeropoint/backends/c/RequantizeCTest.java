package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.CTestSupport.constant;
import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.FixedPoint;
import dev.zeropoint.ir.numerics.IntegerOnlyRequant;
import dev.zeropoint.ir.numerics.QuantizedMultiplier;
import dev.zeropoint.ir.numerics.Tosa;
import dev.zeropoint.runtime.kernels.Requantize;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The C ports of {@link Requantize#requantize}, one kernel per scheme, compute what the Java kernel
 * computes.
 */
class RequantizeCTest {
  private static final String[] KERNELS = {"Requantize_requantizeFloat", "Requantize_requantizeMantissa",
      "Requantize_requantizeTfliteDouble", "Requantize_requantizeTfliteSingle", "Requantize_requantizeTosa",
      "Requantize_requantizeTosa", "Requantize_requantizePow2", "Requantize_requantizeFloatClamp"};

  private static final ElementType[] STORAGES = {ElementType.U8, ElementType.I8, ElementType.I16, ElementType.I32};

  /** A realistic multiplier: mostly in [2^-20, 2^2], now and then far smaller or larger. */
  private static double scale(Random r) {
    return switch (r.nextInt(20)) {
      case 0 -> Math.scalb(1.0 + r.nextDouble(), -40 + r.nextInt(10)); // rounds everything to about 0
      case 1 -> Math.scalb(1.0 + r.nextDouble(), 3 + r.nextInt(20)); // saturates
      case 2 -> Math.scalb(1.0, -r.nextInt(20)); // exact powers of two: ties
      default -> Math.exp(Math.log(0x1p-20) + r.nextDouble() * (Math.log(4) - Math.log(0x1p-20)));
    };
  }

  /** Accumulators of several magnitudes, with the int32 bounds now and then. */
  private static int[] accumulators(Random r, int n) {
    int bits = 4 + r.nextInt(28);
    int[] acc = new int[n];
    for (int i = 0; i < n; i++) {
      acc[i] = switch (r.nextInt(25)) {
        case 0 -> Integer.MIN_VALUE;
        case 1 -> Integer.MAX_VALUE;
        case 2 -> 0;
        case 3 -> r.nextInt();
        default -> (int) ((r.nextLong() >> (64 - bits)));
      };
    }
    return acc;
  }

  @Test
  void everySchemeMatchesJava() {
    Random r = new Random(21);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    int schemes = KERNELS.length;
    for (int t = 0; t < schemes * 40; t++) {
      int scheme = t % schemes;
      int round = t / schemes;
      int inner = 1 + r.nextInt(round % 5 == 0 ? 40 : 6);
      int channels = 1 + r.nextInt(5);
      boolean perChannel = round % 3 != 0;
      int params = perChannel ? channels : 1;
      int n = round == 0 ? 0 : round == 1 ? inner / 2 : r.nextInt(4 * inner * channels + 1);
      int[] acc = accumulators(r, n);
      ElementType storage = scheme <= Requantize.MANTISSA ? ElementType.U8 : STORAGES[round % 4];
      long lo = storage.minValue();
      long hi = storage.maxValue();
      int zp = storage == ElementType.I32 ? r.nextInt(2001) - 1000
          : (int) (lo + r.nextInt((int) Math.min(hi - lo + 1, 1 << 16)));
      int min = (int) lo;
      int max = (int) hi;
      if (r.nextInt(3) == 0) { // a fused activation's clamp
        min = (int) Math.max(lo, Math.min(hi, zp + r.nextInt(11) - 5));
        max = (int) Math.min(hi, min + r.nextInt(300));
      }
      float[] scales = new float[0];
      int[] multipliers = new int[0];
      int[] shifts = new int[0];
      switch (scheme) {
        case Requantize.FLOAT, Requantize.FLOAT_CLAMP -> {
          scales = new float[params];
          for (int c = 0; c < params; c++) {
            scales[c] = r.nextInt(15) == 0 ? Math.scalb(1f + r.nextFloat(), 20 + r.nextInt(12)) : (float) scale(r);
          }
        }
        case Requantize.MANTISSA -> {
          multipliers = new int[params];
          shifts = new int[params];
          for (int c = 0; c < params; c++) {
            float m = r.nextInt(15) == 0 ? Math.scalb(1f + r.nextFloat(), 20 + r.nextInt(11)) : (float) scale(r);
            IntegerOnlyRequant q = IntegerOnlyRequant.of(m);
            multipliers[c] = q.mantissa();
            shifts[c] = q.exponent();
          }
        }
        case Requantize.TFLITE_DOUBLE, Requantize.TFLITE_SINGLE -> {
          multipliers = new int[params];
          shifts = new int[params];
          for (int c = 0; c < params; c++) {
            double d = scale(r);
            if (scheme == Requantize.TFLITE_DOUBLE && r.nextInt(10) == 0) {
              d = -d; // TFLite's double rounding takes a negative multiplier too
            }
            QuantizedMultiplier q = scheme == Requantize.TFLITE_DOUBLE ? FixedPoint.quantizeMultiplier(d)
                : FixedPoint.quantizeMultiplierSingleRounding(d);
            multipliers[c] = q.multiplier();
            shifts[c] = q.shift();
          }
        }
        case Requantize.TOSA_DOUBLE, Requantize.TOSA_SINGLE -> {
          multipliers = new int[params];
          shifts = new int[params];
          for (int c = 0; c < params; c++) {
            Tosa.MultiplierAndShift q = Tosa.computeMultiplierAndShift32(scale(r));
            multipliers[c] = q.multiplier();
            shifts[c] = q.shift();
          }
          // apply_scale_32 REQUIREs |value| < 2^(shift - 1) for shifts up to 32.
          for (int i = 0; i < n; i++) {
            int shift = shifts[perChannel ? (i / inner) % channels : 0];
            if (shift <= 31) {
              long bound = 1L << (shift - 1);
              acc[i] = (int) Math.max(-bound, Math.min(bound - 1, acc[i]));
            }
          }
        }
        default -> {
          shifts = new int[params];
          for (int c = 0; c < params; c++) {
            shifts[c] = r.nextInt(4) == 0 ? r.nextInt(32) : r.nextInt(12);
          }
        }
      }
      int[] want = new int[n];
      Requantize.requantize(want, acc, scheme, scales, multipliers, shifts, inner, channels, zp, min, max,
          storage.ordinal());
      expected.add(want);
      CType outType = CType.of(storage);
      calls.add(scheme == Requantize.FLOAT
          ? KernelHarness.Call.of(KERNELS[scheme], out(outType, n), in(CType.I32, acc), in(scales), imm(inner),
              imm(channels), imm(zp), imm(min), imm(max))
          : scheme == Requantize.FLOAT_CLAMP
          ? KernelHarness.Call.parts(1 + round % 3, KERNELS[scheme], out(outType, n), in(CType.I32, acc), in(scales),
              imm(inner), imm(channels), imm(zp), imm(min), imm(max), imm(storage.ordinal()))
          : scheme == Requantize.TOSA_DOUBLE || scheme == Requantize.TOSA_SINGLE
          ? KernelHarness.Call.of(KERNELS[scheme], out(outType, n), in(CType.I32, acc), constant(r, multipliers),
              constant(r, shifts), imm(inner), imm(channels), imm(zp), imm(min), imm(max), imm(storage.ordinal()),
              imm(scheme == Requantize.TOSA_DOUBLE ? 1 : 0))
          : KernelHarness.Call.of(KERNELS[scheme], out(outType, n), in(CType.I32, acc), constant(r, multipliers),
              constant(r, shifts), imm(inner), imm(channels), imm(zp), imm(min), imm(max), imm(storage.ordinal())));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t + " (" + KERNELS[t % schemes] + ")");
    }
  }

  @Test
  void tailMatchesJava() {
    Random r = new Random(22);
    StringBuilder checks = new StringBuilder();
    int count = 0;
    for (int t = 0; t < 400; t++) {
      ElementType storage = STORAGES[t % 4];
      long y = switch (t % 5) {
        case 0 -> r.nextLong();
        case 1 -> Long.MAX_VALUE - r.nextInt(3);
        case 2 -> Long.MIN_VALUE + r.nextInt(3);
        default -> r.nextInt();
      };
      int zp = t % 7 == 0 ? r.nextInt() : r.nextInt(512) - 256;
      int min = (int) Math.max(storage.minValue(), r.nextInt(3) == 0 ? zp : storage.minValue());
      int max = (int) Math.max(min, storage.maxValue() - r.nextInt(3));
      int want = Requantize.tail(y, zp, min, max, storage);
      checks.append("  if (zp_Requantize_tail(").append(y == Long.MIN_VALUE ? "INT64_MIN" : y + "LL").append(", ")
          .append(zp == Integer.MIN_VALUE ? "INT32_MIN" : zp).append(", ").append(min == Integer.MIN_VALUE ? "INT32_MIN"
              : min).append(", ").append(max).append(", ").append(storage.ordinal()).append(") != ")
          .append(want == Integer.MIN_VALUE ? "INT32_MIN" : want).append(") { printf(\"mismatch ").append(t)
          .append("\\n\"); }\n");
      count++;
    }
    CCompiler cc = CCompiler.find().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(cc != null, "no C compiler");
    String program = "#include <stdint.h>\n#include <stddef.h>\n#include <string.h>\n#include <stdio.h>\n\n"
        + CLibrary.source(List.of("Requantize_tail"), List.of()) + "int main(void) {\n" + checks
        + "  printf(\"checked " + count + "\\n\");\n  return 0;\n}\n";
    String output = KernelHarness.compileAndRun(cc, program);
    org.junit.jupiter.api.Assertions.assertEquals("checked " + count, output.strip());
  }

  @Test
  void floatSchemeAvx2MatchesJava() {
    checkFloatScheme(List.of("-mavx2"));
  }

  @Test
  void floatSchemePortableMatchesJava() {
    checkFloatScheme(List.of());
  }

  /**
   * The float scheme, built with these flags: the AVX2 kernel's 32- and 8-element steps and its
   * scalar tail (lengths and planes of every residue), per-channel and per-tensor scales (with
   * NaN, infinite, zero, negative, tiny, saturating and power-of-two scales), the int32 bounds,
   * narrow clamps, u8 output and the i8 output that takes the scalar path.
   */
  private static void checkFloatScheme(List<String> flags) {
    Random r = new Random(23);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, -0.25f, -3e-3f,
        Float.MIN_VALUE, Float.MAX_VALUE, 0x1p31f, 0x1p-31f};
    for (int t = 0; t < 160; t++) {
      int inner = 1 + r.nextInt(t % 4 == 0 ? 200 : 45);
      int channels = 1 + r.nextInt(6);
      boolean perChannel = t % 3 != 0;
      int n = t % 5 == 0 ? inner * channels * (1 + r.nextInt(2)) : r.nextInt(2 * inner * channels + 1);
      int[] acc = accumulators(r, n);
      float[] scales = new float[perChannel ? channels : 1];
      for (int c = 0; c < scales.length; c++) {
        scales[c] = switch (r.nextInt(12)) {
          case 0 -> specials[r.nextInt(specials.length)];
          case 1 -> Math.scalb(1f + r.nextFloat(), 20 + r.nextInt(12));
          case 2 -> Math.scalb(1f, -r.nextInt(24)); // ties
          default -> (float) scale(r);
        };
      }
      int zp = r.nextInt(256);
      int min = 0;
      int max = 255;
      if (r.nextInt(3) == 0) { // a fused activation's clamp, or any narrower one
        min = r.nextBoolean() ? zp : r.nextInt(256);
        max = min + r.nextInt(256 - min);
      }
      boolean u8 = t % 7 != 6;
      int[] want = new int[n];
      Requantize.requantize(want, acc, Requantize.FLOAT, scales, new int[0], new int[0], inner, channels, zp, min,
          max, ElementType.U8.ordinal());
      if (!u8) {
        for (int i = 0; i < n; i++) {
          want[i] = (byte) want[i]; // the i8 array holds the byte the C cast of the u8 value stores
        }
      }
      expected.add(want);
      calls.add(KernelHarness.Call.parts(1 + t % 4, "Requantize_requantizeFloat", out(u8 ? CType.U8 : CType.I8, n),
          in(CType.I32, acc), in(scales), imm(inner), imm(channels), imm(zp), imm(min), imm(max)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls, flags);
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t + " " + flags);
    }
  }

  @Test
  void floatSchemeTiesAndTheFastRangeEdgesAvx2() {
    floatSchemeTiesAndTheFastRangeEdges(List.of("-mavx2"));
  }

  @Test
  void floatSchemeTiesAndTheFastRangeEdgesPortable() {
    floatSchemeTiesAndTheFastRangeEdges(List.of());
  }

  /** The float scheme's fast rounding on exact ties and on both sides of 2^22, against the Java. */
  private static void floatSchemeTiesAndTheFastRangeEdges(List<String> flags) {
    int[] acc = new int[4000];
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < acc.length; i++) {
      acc[i] = i < 1000 ? i - 500 : i < 2000 ? (1 << 22) * 2 + i - 1500 : r.nextInt();
    }
    java.util.List<KernelHarness.Call> calls = new java.util.ArrayList<>();
    java.util.List<int[]> expected = new java.util.ArrayList<>();
    for (float m : new float[] {0.5f, 0.25f, 0.125f, 1.5f, 0.5000001f, 0.49999997f, 1f, 2.5e-4f, 3.0e-7f}) {
      int[] want = new int[acc.length];
      dev.zeropoint.runtime.kernels.Requantize.requantize(want, acc, dev.zeropoint.runtime.kernels.Requantize.FLOAT,
          new float[] {m}, new int[] {0}, new int[] {0}, acc.length, 1, 128, 0, 255, 3);
      expected.add(want);
      calls.add(KernelHarness.Call.of("Requantize_requantizeFloat", KernelHarness.out(CType.U8, acc.length),
          KernelHarness.in(CType.I32, acc), KernelHarness.in(new float[] {m}), KernelHarness.imm(acc.length),
          KernelHarness.imm(1), KernelHarness.imm(128), KernelHarness.imm(0), KernelHarness.imm(255)));
    }
    java.util.List<java.util.List<Object>> got = KernelHarness.runAll(calls, flags);
    for (int t = 0; t < calls.size(); t++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "scale " + t
          + " " + flags);
    }
  }
}
