package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.CTestSupport.assertBits;
import static dev.zeropoint.backends.c.CTestSupport.ints;
import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.PyTorchAtenFloat;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;
import dev.zeropoint.runtime.kernels.Norm;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The C ports of {@link Norm}'s kernels compute what the Java kernels compute. */
class NormCTest {
  /** Statistics of one channel: weight, bias, mean, var. */
  private static float[] statistics(Random r) {
    float var = switch (r.nextInt(8)) {
      case 0 -> 0f;
      case 1 -> Math.scalb(1f + r.nextFloat(), -30 + r.nextInt(10));
      default -> (float) Math.abs(r.nextGaussian() * 2);
    };
    return new float[] {(float) r.nextGaussian(), (float) r.nextGaussian(), (float) (r.nextGaussian() * 3), var};
  }

  /**
   * Inputs for out = fma(x, scale, shift): random values, and values where x * scale nearly cancels the
   * shift, so that the fused rounding matters.
   */
  private static float[] inputs(Random r, int n, float[] scale, float[] shift, int inner, boolean specials) {
    float[] x = specials ? CTestSupport.floatsWithSpecials(r, n, 3f) : CTestSupport.floats(r, n, 3f);
    int channels = scale.length;
    for (int i = 0; i < n; i++) {
      int c = inner == 0 ? 0 : (i / inner) % channels;
      if (r.nextInt(4) == 0 && scale[c] != 0f) {
        x[i] = -shift[c] / scale[c];
        x[i] = Math.nextAfter(x[i], r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
      }
    }
    return x;
  }

  @Test
  void batchNormFloatMatchesJava() {
    Random r = new Random(31);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      int batch = t == 0 ? 0 : 1 + r.nextInt(3);
      int channels = 1 + r.nextInt(t % 4 == 0 ? 40 : 6);
      int inner = t == 1 ? 0 : 1 + r.nextInt(9);
      float[] scale = new float[channels];
      float[] shift = new float[channels];
      for (int c = 0; c < channels; c++) {
        float[] s = statistics(r);
        PyTorchAtenFloat.BatchNormChannel p = PyTorchAtenFloat.batchNormChannel(s[0], s[1], s[2], s[3], 1e-5);
        scale[c] = p.scale();
        shift[c] = p.shift();
      }
      int n = batch * channels * inner;
      float[] x = inputs(r, n, scale, shift, inner, t % 5 == 4);
      float[] want = new float[n];
      Norm.batchNormFloat(want, x, scale, shift, batch, inner);
      expected.add(want);
      calls.add(KernelHarness.Call.of("Norm_batchNormFloat", out(CType.F32, n), in(x), in(scale), in(shift),
          imm(batch), imm(inner)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertBits(expected.get(t), (float[]) got.get(t).get(0), "case " + t);
    }
  }

  @Test
  void batchNormFloatStatisticsMatchesJava() {
    Random r = new Random(32);
    double[] epsilons = {1e-5, 1e-3, 0.1, 0.0, 1e-12};
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      int batch = t == 0 ? 0 : 1 + r.nextInt(3);
      int channels = 1 + r.nextInt(t % 4 == 0 ? 40 : 6);
      int inner = t == 1 ? 0 : 1 + r.nextInt(9);
      float[] weight = new float[channels];
      float[] bias = new float[channels];
      float[] mean = new float[channels];
      float[] var = new float[channels];
      for (int c = 0; c < channels; c++) {
        float[] s = statistics(r);
        weight[c] = s[0];
        bias[c] = s[1];
        mean[c] = s[2];
        var[c] = s[3];
      }
      double[] eps = {epsilons[t % epsilons.length]};
      int n = batch * channels * inner;
      float[] x = CTestSupport.floats(r, n, 3f);
      float[] want = new float[n];
      Norm.batchNormFloatStatistics(want, x, weight, bias, mean, var, eps, batch, inner);
      expected.add(want);
      calls.add(KernelHarness.Call.of("Norm_batchNormFloatStatistics", out(CType.F32, n), in(x), in(weight), in(bias),
          in(mean), in(var), in(eps), imm(batch), imm(inner)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertBits(expected.get(t), (float[]) got.get(t).get(0), "case " + t);
    }
  }

  @Test
  void batchNormQuantizedMatchesJava() {
    Random r = new Random(33);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      ElementType storage = t % 2 == 0 ? ElementType.U8 : ElementType.I8;
      CType type = CType.of(storage);
      int batch = t == 0 ? 0 : 1 + r.nextInt(2);
      int channels = 1 + r.nextInt(t % 3 == 0 ? 50 : 12);
      int inner = t == 2 ? 0 : 1 + r.nextInt(7);
      int inputZeroPoint = (int) storage.minValue() + r.nextInt(256);
      int outputZeroPoint = (int) storage.minValue() + r.nextInt(256);
      double inputScale = Math.exp(-6 + r.nextDouble() * 5);
      double outputScale = Math.exp(-6 + r.nextDouble() * 5);
      float[] alpha = new float[channels];
      float[] beta = new float[channels];
      int vectorized = 0;
      for (int c = 0; c < channels; c++) {
        float[] s = statistics(r);
        PyTorchAtenQuantized.BatchNormChannel p = PyTorchAtenQuantized.batchNormChannel(s[0], s[1], s[2], s[3], 1e-5,
            inputScale, outputScale);
        alpha[c] = p.alpha();
        beta[c] = p.beta();
        if (t % 7 == 6 && c == 0) { // beyond int32 and NaN: where the vector and scalar formulas differ
          alpha[c] = r.nextBoolean() ? 3e9f : Float.NaN;
        }
        if (PyTorchAtenQuantized.batchNormIsVectorized(c, channels)) {
          vectorized = c + 1;
        }
      }
      if (t % 7 == 5) { // every channel by either formula
        vectorized = r.nextBoolean() ? 0 : channels;
      }
      int n = batch * channels * inner;
      int[] x = ints(r, n, type);
      int[] want = new int[n];
      Norm.batchNormQuantized(want, x, alpha, beta, vectorized, batch, inner, inputZeroPoint, outputZeroPoint,
          storage.ordinal());
      expected.add(want);
      calls.add(KernelHarness.Call.of("Norm_batchNormQuantized", out(type, n), in(type, x), in(alpha), in(beta),
          imm(vectorized), imm(batch), imm(inner), imm(inputZeroPoint), imm(outputZeroPoint), imm(storage.ordinal())));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t);
    }
  }
}
