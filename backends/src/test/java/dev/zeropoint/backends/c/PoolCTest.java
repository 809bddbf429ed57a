package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.BatchedKernelCases.floats;
import static dev.zeropoint.backends.c.BatchedKernelCases.ints;
import static dev.zeropoint.backends.c.BatchedKernelCases.pick;
import static dev.zeropoint.backends.c.BatchedKernelCases.scale;
import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.IntegerOnlyRequant;
import dev.zeropoint.ir.numerics.PyTorchQnnpackPooling;
import dev.zeropoint.runtime.kernels.Pool;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The C ports of {@link Pool}'s kernels compute what the Java kernels compute: seeded random pools
 * (kernel, stride, padding, dilation, ceil mode, count_include_pad, divisor_override, adaptive and
 * QNNPACK-strided windows, and arbitrary window tables with empty windows), parameters from the
 * numerics the lowering uses ({@code PoolLowering}: {@link PyTorchQnnpackPooling}, {@link
 * IntegerOnlyRequant} decompositions as in {@code PoolRescale}), u8 / i8 storage (i32 arrays too),
 * all run in one C program.
 */
class PoolCTest {
  private static final int CASES = 30;
  private static final BatchedKernelCases cases = new BatchedKernelCases();

  private static KernelHarness.In constant(int[] v) {
    return in(CType.narrowest(v), v);
  }

  // ---------------------------------------------------------------- geometry

  /** PyTorch's pooling_output_shape. */
  private static int outputSize(int in, int k, int pad, int stride, int dilation, boolean ceil) {
    int numerator = in + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0);
    int out = Math.floorDiv(numerator, stride) + 1;
    if (ceil && (out - 1) * stride >= in + pad) {
      out--;
    }
    return out;
  }

  /** A max pool's geometry ({@link Pool#PLANES} ...), or null when the output would be empty. */
  private static int[] maxGeometry(Random r) {
    int[] g = new int[Pool.GEOMETRY_SIZE];
    g[Pool.PLANES] = r.nextInt(12) == 0 ? 0 : 1 + r.nextInt(3);
    g[Pool.IN_H] = 1 + r.nextInt(8);
    g[Pool.IN_W] = 1 + r.nextInt(8);
    g[Pool.KERNEL_H] = 1 + r.nextInt(4);
    g[Pool.KERNEL_W] = 1 + r.nextInt(4);
    g[Pool.STRIDE_H] = 1 + r.nextInt(3);
    g[Pool.STRIDE_W] = 1 + r.nextInt(3);
    g[Pool.PAD_TOP] = r.nextInt(g[Pool.KERNEL_H] / 2 + 1);
    g[Pool.PAD_LEFT] = r.nextInt(g[Pool.KERNEL_W] / 2 + 1);
    g[Pool.DILATION_H] = 1 + (r.nextInt(3) == 0 ? r.nextInt(3) : 0);
    g[Pool.DILATION_W] = 1 + (r.nextInt(3) == 0 ? r.nextInt(3) : 0);
    boolean ceil = r.nextBoolean();
    g[Pool.OUT_H] = outputSize(g[Pool.IN_H], g[Pool.KERNEL_H], g[Pool.PAD_TOP], g[Pool.STRIDE_H], g[Pool.DILATION_H],
        ceil);
    g[Pool.OUT_W] = outputSize(g[Pool.IN_W], g[Pool.KERNEL_W], g[Pool.PAD_LEFT], g[Pool.STRIDE_W],
        g[Pool.DILATION_W], ceil);
    return g[Pool.OUT_H] < 1 || g[Pool.OUT_W] < 1 ? null : g;
  }

  private static int inputSize(int[] g) {
    return g[Pool.PLANES] * g[Pool.IN_H] * g[Pool.IN_W];
  }

  private static int outputSize(int[] g) {
    return g[Pool.PLANES] * g[Pool.OUT_H] * g[Pool.OUT_W];
  }

  /**
   * An average pool's windows as {@code PoolLowering.Windows} lays them out, with each window's
   * counted size for the divisor or multiplier table ({@code divisors[oh * outW + ow]}).
   */
  private record Windows(int[] table, int[] inBounds, int[] padded, String what) {
    int planes() {
      return table[0];
    }

    int outH() {
      return table[3];
    }

    int outW() {
      return table[4];
    }

    int inputSize() {
      return table[0] * table[1] * table[2];
    }

    int outputSize() {
      return table[0] * table[3] * table[4];
    }

    int windows() {
      return table[3] * table[4];
    }

    int rows(int oh) {
      return table[Pool.WINDOW_HEADER + 2 * oh + 1] - table[Pool.WINDOW_HEADER + 2 * oh];
    }

    int cols(int ow) {
      int c = Pool.WINDOW_HEADER + 2 * outH();
      return table[c + 2 * ow + 1] - table[c + 2 * ow];
    }
  }

  private static int[] header(int planes, int inH, int inW, int outH, int outW) {
    int[] t = new int[Pool.WINDOW_HEADER + 2 * outH + 2 * outW];
    t[0] = planes;
    t[1] = inH;
    t[2] = inW;
    t[3] = outH;
    t[4] = outW;
    return t;
  }

  private static void clip(int[] table, int at, int start, int end, int size) {
    int s = Math.max(start, 0);
    int e = Math.min(end, size);
    table[at] = s;
    table[at + 1] = Math.max(s, e);
  }

  private static Windows finish(int[] t, int[] paddedRows, int[] paddedCols, String what) {
    int outH = t[3];
    int outW = t[4];
    int[] inBounds = new int[outH * outW];
    int[] padded = new int[outH * outW];
    Windows w = new Windows(t, inBounds, padded, what);
    for (int oh = 0; oh < outH; oh++) {
      for (int ow = 0; ow < outW; ow++) {
        inBounds[oh * outW + ow] = w.rows(oh) * w.cols(ow);
        padded[oh * outW + ow] = paddedRows[oh] * paddedCols[ow];
      }
    }
    return w;
  }

  /** avg_pool2d's windows (PoolLowering.Windows.average), or null for an empty output. */
  private static Windows averageWindows(Random r, boolean ceil) {
    int planes = r.nextInt(12) == 0 ? 0 : 1 + r.nextInt(3);
    int inH = 1 + r.nextInt(8);
    int inW = 1 + r.nextInt(8);
    int kH = 1 + r.nextInt(4);
    int kW = 1 + r.nextInt(4);
    int sH = 1 + r.nextInt(3);
    int sW = 1 + r.nextInt(3);
    int[] pad = {r.nextInt(kH / 2 + 1), r.nextInt(kW / 2 + 1), 0, 0};
    // Symmetric as PyTorch's, or now and then asymmetric as another frontend's.
    pad[2] = r.nextInt(4) == 0 ? r.nextInt(kH / 2 + 1) : pad[0];
    pad[3] = r.nextInt(4) == 0 ? r.nextInt(kW / 2 + 1) : pad[1];
    int outH = outputSize(inH, kH, pad[0], sH, 1, ceil);
    int outW = outputSize(inW, kW, pad[1], sW, 1, ceil);
    if (outH < 1 || outW < 1) {
      return null;
    }
    int[] t = header(planes, inH, inW, outH, outW);
    int cols = Pool.WINDOW_HEADER + 2 * outH;
    int[] paddedRows = new int[outH];
    int[] paddedCols = new int[outW];
    for (int oh = 0; oh < outH; oh++) {
      int h0 = oh * sH - pad[0];
      int h1 = Math.min(h0 + kH, inH + pad[2]);
      paddedRows[oh] = h1 - h0;
      clip(t, Pool.WINDOW_HEADER + 2 * oh, h0, h1, inH);
    }
    for (int ow = 0; ow < outW; ow++) {
      int w0 = ow * sW - pad[1];
      int w1 = Math.min(w0 + kW, inW + pad[3]);
      paddedCols[ow] = w1 - w0;
      clip(t, cols + 2 * ow, w0, w1, inW);
    }
    return finish(t, paddedRows, paddedCols, "avg " + planes + "x" + inH + "x" + inW + " k " + kH + "x" + kW
        + " s " + sH + "x" + sW + " pad " + Arrays.toString(pad) + (ceil ? " ceil" : ""));
  }

  /** adaptive_avg_pool2d's windows: rows [floor(o * in / out), ceil((o + 1) * in / out)). */
  private static Windows adaptiveWindows(Random r) {
    int planes = r.nextInt(12) == 0 ? 0 : 1 + r.nextInt(3);
    int inH = 1 + r.nextInt(9);
    int inW = 1 + r.nextInt(9);
    int outH = 1 + r.nextInt(Math.min(inH + 2, 6));
    int outW = 1 + r.nextInt(Math.min(inW + 2, 6));
    int[] t = header(planes, inH, inW, outH, outW);
    int cols = Pool.WINDOW_HEADER + 2 * outH;
    for (int oh = 0; oh < outH; oh++) {
      clip(t, Pool.WINDOW_HEADER + 2 * oh, (int) Math.floorDiv((long) oh * inH, outH),
          (int) -Math.floorDiv(-(long) (oh + 1) * inH, outH), inH);
    }
    for (int ow = 0; ow < outW; ow++) {
      clip(t, cols + 2 * ow, (int) Math.floorDiv((long) ow * inW, outW),
          (int) -Math.floorDiv(-(long) (ow + 1) * inW, outW), inW);
    }
    Windows w = finish(t, new int[outH], new int[outW], "adaptive " + planes + "x" + inH + "x" + inW + " to "
        + outH + "x" + outW);
    System.arraycopy(w.inBounds(), 0, w.padded(), 0, w.windows());
    return w;
  }

  /** QNNPACK's adaptive windows: kernel = stride = input / output, the output dividing the input. */
  private static Windows stridedWindows(Random r) {
    int planes = 1 + r.nextInt(3);
    int outH = 1 + r.nextInt(3);
    int outW = 1 + r.nextInt(3);
    int kH = 1 + r.nextInt(3);
    int kW = 1 + r.nextInt(3);
    if (kH * kW == 1) {
      kW = 2;
    }
    int inH = outH * kH;
    int inW = outW * kW;
    int[] t = header(planes, inH, inW, outH, outW);
    int cols = Pool.WINDOW_HEADER + 2 * outH;
    for (int oh = 0; oh < outH; oh++) {
      clip(t, Pool.WINDOW_HEADER + 2 * oh, oh * kH, Math.min(oh * kH + kH, inH), inH);
    }
    for (int ow = 0; ow < outW; ow++) {
      clip(t, cols + 2 * ow, ow * kW, Math.min(ow * kW + kW, inW), inW);
    }
    Windows w = finish(t, new int[outH], new int[outW], "strided " + planes + "x" + inH + "x" + inW + " k " + kH
        + "x" + kW);
    System.arraycopy(w.inBounds(), 0, w.padded(), 0, w.windows());
    return w;
  }

  /** An arbitrary table: any [start, end) inside the input per row and column, empty ones included. */
  private static Windows arbitraryWindows(Random r) {
    int planes = 1 + r.nextInt(3);
    int inH = 1 + r.nextInt(6);
    int inW = 1 + r.nextInt(6);
    int outH = 1 + r.nextInt(4);
    int outW = 1 + r.nextInt(4);
    int[] t = header(planes, inH, inW, outH, outW);
    int cols = Pool.WINDOW_HEADER + 2 * outH;
    for (int oh = 0; oh < outH; oh++) {
      int a = r.nextInt(inH + 1);
      int b = r.nextInt(5) == 0 ? a : r.nextInt(inH + 1);
      t[Pool.WINDOW_HEADER + 2 * oh] = Math.min(a, b);
      t[Pool.WINDOW_HEADER + 2 * oh + 1] = Math.max(a, b);
    }
    for (int ow = 0; ow < outW; ow++) {
      int a = r.nextInt(inW + 1);
      int b = r.nextInt(5) == 0 ? a : r.nextInt(inW + 1);
      t[cols + 2 * ow] = Math.min(a, b);
      t[cols + 2 * ow + 1] = Math.max(a, b);
    }
    Windows w = finish(t, new int[outH], new int[outW], "arbitrary " + Arrays.toString(t));
    for (int i = 0; i < w.windows(); i++) {
      w.padded()[i] = Math.max(1, w.inBounds()[i]) + r.nextInt(3);
    }
    return w;
  }

  /** Any kind of average windows (never an empty output table). */
  private static Windows anyWindows(Random r) {
    while (true) {
      Windows w = switch (r.nextInt(6)) {
        case 0 -> adaptiveWindows(r);
        case 1 -> stridedWindows(r);
        case 2 -> arbitraryWindows(r);
        default -> averageWindows(r, r.nextBoolean());
      };
      if (w != null) {
        return w;
      }
    }
  }

  private static ElementType storage(Random r) {
    return pick(r, ElementType.U8, ElementType.I8);
  }

  private static int[] values(Random r, int n, ElementType e) {
    int[] v = ints(r, n, e.minValue(), e.maxValue());
    // Now and then all at one extreme, so sums and averages saturate.
    if (r.nextInt(6) == 0) {
      Arrays.fill(v, (int) (r.nextBoolean() ? e.minValue() : e.maxValue()));
    }
    return v;
  }

  private static int zeroPoint(Random r, ElementType e) {
    return ints(r, 1, e.minValue(), e.maxValue())[0];
  }

  private static CType type(Random r, ElementType e) {
    return r.nextInt(4) == 0 ? CType.I32 : CType.of(e);
  }

  // ---------------------------------------------------------------- the cases

  @BeforeAll
  static void runAll() {
    Random r = new Random(20240612);
    maxPools(r);
    floatAverages(r);
    averageQnnpack(r);
    averageAten(r);
    averageAtenAdaptiveNchw(r);
    rescales(r);
    cases.run();
  }

  private static void maxPools(Random r) {
    for (int t = 0; t < CASES; t++) {
      int[] g = maxGeometry(r);
      if (g == null) {
        t--;
        continue;
      }
      String what = "case " + t + " " + Arrays.toString(g);
      ElementType e = storage(r);
      int[] x = values(r, inputSize(g), e);
      int[] want = new int[outputSize(g)];
      Pool.maxPool(want, x, g);
      // A window with no in-bounds tap gives INT32_MIN: only an int32 output holds it.
      boolean empty = Arrays.stream(want).anyMatch(v -> v == Integer.MIN_VALUE);
      cases.add(what, List.of(want), "Pool_maxPool", out(empty ? CType.I32 : type(r, e), want.length),
          in(type(r, e), x), constant(g));

      want = new int[outputSize(g)];
      x = values(r, inputSize(g), ElementType.U8);
      Pool.maxPoolClamped(want, x, g);
      cases.add(what, List.of(want), "Pool_maxPoolClamped", out(type(r, ElementType.U8), want.length),
          in(type(r, ElementType.U8), x), constant(g));

      float[] f = floats(r, inputSize(g));
      float[] wantF = new float[outputSize(g)];
      Pool.maxPoolFloat(wantF, f, g);
      cases.add(what, List.of(wantF), "Pool_maxPoolFloat", out(CType.F32, wantF.length), in(f), constant(g));
    }
    // Dilated taps that miss the input: kernel 2, dilation 3, padding 1 on a 2x2 input.
    int[] g = {1, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 3, 3};
    int[] x = {5, -7, 9, 11};
    int[] want = new int[4];
    Pool.maxPool(want, x, g);
    cases.add("dilated", List.of(want), "Pool_maxPool", out(CType.I32, 4), in(CType.I8, x), constant(g));
    want = new int[4];
    Pool.maxPoolClamped(want, x, g);
    cases.add("dilated", List.of(want), "Pool_maxPoolClamped", out(CType.I32, 4), in(CType.I8, x), constant(g));
    float[] f = {-0.0f, 0.0f, Float.NaN, 1.0f};
    float[] wantF = new float[4];
    Pool.maxPoolFloat(wantF, f, g);
    cases.add("dilated", List.of(wantF), "Pool_maxPoolFloat", out(CType.F32, 4), in(f), constant(g));
  }

  private static void floatAverages(Random r) {
    for (int t = 0; t < CASES; t++) {
      Windows w = t % 5 == 0 ? arbitraryWindows(r) : averageWindows(r, r.nextBoolean());
      if (w == null) {
        t--;
        continue;
      }
      int override = r.nextInt(4) == 0 ? 1 + r.nextInt(20) : 0;
      boolean includePad = r.nextBoolean();
      int[] divisors = new int[w.windows()];
      for (int i = 0; i < divisors.length; i++) {
        divisors[i] = override > 0 ? override : includePad ? w.padded()[i] : w.inBounds()[i];
      }
      float[] x = floats(r, w.inputSize());
      float[] want = new float[w.outputSize()];
      Pool.averageFloat(want, x, w.table(), divisors);
      cases.add("case " + t + " " + w.what() + " divisors " + Arrays.toString(divisors), List.of(want),
          "Pool_averageFloat", out(CType.F32, want.length), in(x), constant(w.table()), constant(divisors));

      w = adaptiveWindows(r);
      x = floats(r, w.inputSize());
      want = new float[w.outputSize()];
      Pool.adaptiveAverageFloat(want, x, w.table());
      cases.add("case " + t + " " + w.what(), List.of(want), "Pool_adaptiveAverageFloat",
          out(CType.F32, want.length), in(x), constant(w.table()));
    }
  }

  private static void averageQnnpack(Random r) {
    for (int t = 0; t < CASES; t++) {
      Windows w = switch (t % 3) {
        case 0 -> stridedWindows(r);
        case 1 -> arbitraryWindows(r);
        default -> averageWindows(r, false);
      };
      if (w == null) {
        t--;
        continue;
      }
      int poolingSize = w.padded()[0];
      double si = scale(r);
      double so = r.nextBoolean() ? si : si * Math.exp(r.nextGaussian() * 2);
      float s;
      try {
        s = PyTorchQnnpackPooling.qnnpackScale(si, so, Math.max(2, poolingSize));
      } catch (IllegalArgumentException e) {
        t--;
        continue;
      }
      int zi = zeroPoint(r, ElementType.U8);
      int zo = zeroPoint(r, ElementType.U8);
      int[] x = values(r, w.inputSize(), ElementType.U8);
      int[] want = new int[w.outputSize()];
      Pool.averageQnnpack(want, x, w.table(), new float[] {s}, zi, zo);
      cases.add("case " + t + " " + w.what() + " scale " + s, List.of(want), "Pool_averageQnnpack",
          out(type(r, ElementType.U8), want.length), in(type(r, ElementType.U8), x), constant(w.table()),
          in(new float[] {s}), imm(zi), imm(zo));
    }
  }

  private static void averageAten(Random r) {
    for (int nhwc = 0; nhwc < 2; nhwc++) {
      for (int t = 0; t < CASES; t++) {
        Windows w = t % 5 == 0 ? arbitraryWindows(r) : averageWindows(r, r.nextBoolean());
        if (w == null) {
          t--;
          continue;
        }
        ElementType e = storage(r);
        double si = scale(r);
        double so = r.nextBoolean() ? si : si * Math.exp(r.nextGaussian() * 2);
        int override = r.nextInt(4) == 0 ? 1 + r.nextInt(20) : 0;
        boolean includePad = r.nextBoolean();
        float[] multipliers = new float[w.windows()];
        try {
          for (int i = 0; i < multipliers.length; i++) {
            int divisor = Math.max(1, override > 0 ? override : includePad ? w.padded()[i] : w.inBounds()[i]);
            multipliers[i] = nhwc == 1 ? PyTorchQnnpackPooling.atenNhwcMultiplier(si, so, divisor)
                : PyTorchQnnpackPooling.atenNchwMultiplier(si, so, divisor);
          }
        } catch (IllegalArgumentException ex) {
          t--;
          continue;
        }
        int zi = zeroPoint(r, e);
        int zo = zeroPoint(r, e);
        int[] x = values(r, w.inputSize(), e);
        int[] want = new int[w.outputSize()];
        String kernel;
        if (nhwc == 1) {
          kernel = "Pool_averageAtenNhwc";
          Pool.averageAtenNhwc(want, x, w.table(), multipliers, zi, zo, e.ordinal());
        } else {
          kernel = "Pool_averageAtenNchw";
          Pool.averageAtenNchw(want, x, w.table(), multipliers, zi, zo, e.ordinal());
        }
        cases.add("case " + t + " " + e + " " + w.what() + " multipliers " + Arrays.toString(multipliers),
            List.of(want), kernel, out(type(r, e), want.length), in(type(r, e), x), constant(w.table()),
            in(multipliers), imm(zi), imm(zo), imm(e.ordinal()));
      }
    }
  }

  private static void averageAtenAdaptiveNchw(Random r) {
    for (int t = 0; t < CASES; t++) {
      Windows w = t % 4 == 0 ? stridedWindows(r) : adaptiveWindows(r);
      ElementType e = storage(r);
      float[] reciprocals = new float[w.windows()];
      for (int oh = 0; oh < w.outH(); oh++) {
        for (int ow = 0; ow < w.outW(); ow++) {
          reciprocals[oh * w.outW() + ow] = PyTorchQnnpackPooling.atenAdaptiveNchwReciprocal(w.rows(oh), w.cols(ow));
        }
      }
      int[] x = values(r, w.inputSize(), e);
      int[] want = new int[w.outputSize()];
      Pool.averageAtenAdaptiveNchw(want, x, w.table(), reciprocals);
      cases.add("case " + t + " " + e + " " + w.what(), List.of(want), "Pool_averageAtenAdaptiveNchw",
          out(type(r, e), want.length), in(type(r, e), x), constant(w.table()), in(reciprocals));
    }
  }

  /**
   * The rescale kernels: per window the IntegerOnlyRequant of the multiplier the lowering derives
   * ({@code LowerInteger}, {@code PoolRescale.of}) from the window's counted size, or now and then
   * of any multiplier in (0, 2^32): tiny ones (all zero, except for aten_nchw, which refuses them)
   * and large ones (saturating, and past int32).
   */
  private static void rescales(Random r) {
    String[] kernels = {"Pool_rescaleQnnpack", "Pool_rescaleAtenNchw", "Pool_rescaleAtenNhwc",
        "Pool_rescaleAtenAdaptiveNchw"};
    for (int k = 0; k < kernels.length; k++) {
      for (int t = 0; t < CASES; t++) {
        Windows w = anyWindows(r);
        ElementType e = k == 0 ? ElementType.U8 : storage(r);
        double si = scale(r);
        double so = r.nextBoolean() ? si : si * Math.exp(r.nextGaussian() * 2);
        boolean includePad = r.nextBoolean();
        boolean wild = t % 4 == 3;
        int[] mantissas = new int[w.windows()];
        int[] exponents = new int[w.windows()];
        try {
          for (int i = 0; i < mantissas.length; i++) {
            int divisor = Math.max(1, includePad ? w.padded()[i] : w.inBounds()[i]);
            float m = switch (k) {
              case 0 -> PyTorchQnnpackPooling.qnnpackScale(si, so, Math.max(2, w.padded()[0]));
              case 1 -> PyTorchQnnpackPooling.atenNchwMultiplier(si, so, divisor);
              case 2 -> PyTorchQnnpackPooling.atenNhwcMultiplier(si, so, divisor);
              default -> PyTorchQnnpackPooling.atenAdaptiveNchwReciprocal(Math.max(1, w.rows(i / w.outW())),
                  Math.max(1, w.cols(i % w.outW())));
            };
            if (wild) {
              m = (float) Math.scalb(r.nextDouble() + 0.5, r.nextInt(k == 1 ? 60 : 70) - (k == 1 ? 28 : 38));
            }
            IntegerOnlyRequant q = IntegerOnlyRequant.of(m);
            mantissas[i] = q.mantissa();
            exponents[i] = q.exponent();
          }
        } catch (IllegalArgumentException ex) {
          t--;
          continue;
        }
        int zi = k == 3 && r.nextBoolean() ? 0 : zeroPoint(r, e);
        int zo = zeroPoint(r, e);
        int[] x = values(r, w.inputSize(), e);
        int[] want = new int[w.outputSize()];
        String what = "case " + t + " " + e + " " + w.what() + " mantissas " + Arrays.toString(mantissas)
            + " exponents " + Arrays.toString(exponents) + " zp " + zi + ", " + zo;
        KernelHarness.Arg[] common = {out(k == 3 ? CType.I32 : type(r, e), want.length), in(type(r, e), x),
            constant(w.table()), constant(mantissas), constant(exponents), imm(zi)};
        switch (k) {
          case 0 -> {
            Pool.rescaleQnnpack(want, x, w.table(), mantissas, exponents, zi, zo);
            cases.add(what, List.of(want), kernels[k], with(common, imm(zo)));
          }
          case 1 -> {
            Pool.rescaleAtenNchw(want, x, w.table(), mantissas, exponents, zi, zo, e.ordinal());
            cases.add(what, List.of(want), kernels[k], with(common, imm(zo), imm(e.ordinal())));
          }
          case 2 -> {
            Pool.rescaleAtenNhwc(want, x, w.table(), mantissas, exponents, zi, zo, e.ordinal());
            cases.add(what, List.of(want), kernels[k], with(common, imm(zo), imm(e.ordinal())));
          }
          default -> {
            Pool.rescaleAtenAdaptiveNchw(want, x, w.table(), mantissas, exponents, zi);
            cases.add(what, List.of(want), kernels[k], common);
          }
        }
      }
    }
  }

  private static KernelHarness.Arg[] with(KernelHarness.Arg[] args, KernelHarness.Arg... more) {
    KernelHarness.Arg[] all = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  // ---------------------------------------------------------------- the checks

  @Test
  void eachKernelCompilesAloneWithWhatItRequires() {
    cases.compileEachKernelAlone();
  }

  @Test
  void maxPool() {
    cases.check("Pool_maxPool", CASES + 1);
  }

  @Test
  void maxPoolClamped() {
    cases.check("Pool_maxPoolClamped", CASES + 1);
  }

  @Test
  void maxPoolFloat() {
    cases.check("Pool_maxPoolFloat", CASES + 1);
  }

  @Test
  void averageFloat() {
    cases.check("Pool_averageFloat", CASES);
  }

  @Test
  void adaptiveAverageFloat() {
    cases.check("Pool_adaptiveAverageFloat", CASES);
  }

  @Test
  void averageQnnpack() {
    cases.check("Pool_averageQnnpack", CASES);
  }

  @Test
  void averageAtenNchw() {
    cases.check("Pool_averageAtenNchw", CASES);
  }

  @Test
  void averageAtenNhwc() {
    cases.check("Pool_averageAtenNhwc", CASES);
  }

  @Test
  void averageAtenAdaptiveNchw() {
    cases.check("Pool_averageAtenAdaptiveNchw", CASES);
  }

  @Test
  void rescaleQnnpack() {
    cases.check("Pool_rescaleQnnpack", CASES);
  }

  @Test
  void rescaleAtenNchw() {
    cases.check("Pool_rescaleAtenNchw", CASES);
  }

  @Test
  void rescaleAtenNhwc() {
    cases.check("Pool_rescaleAtenNhwc", CASES);
  }

  @Test
  void rescaleAtenAdaptiveNchw() {
    cases.check("Pool_rescaleAtenAdaptiveNchw", CASES);
  }
}
