package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.CTestSupport.assertBits;
import static dev.zeropoint.backends.c.CTestSupport.ints;
import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.runtime.kernels.Elementwise;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The C ports of {@link Elementwise}'s kernels compute what the Java kernels compute. */
class ElementwiseCTest {
  private static final ElementType[] STORAGES = {ElementType.U8, ElementType.I8, ElementType.I16, ElementType.I32};

  @Test
  void clampMatchesJava() {
    Random r = new Random(7);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 20; t++) {
      int n = r.nextInt(40);
      int[] x = new int[n];
      for (int i = 0; i < n; i++) {
        x[i] = r.nextInt(256);
      }
      int lo = r.nextInt(128);
      int hi = lo + r.nextInt(128);
      int[] want = new int[n];
      Elementwise.clamp(want, x, lo, hi);
      expected.add(want);
      calls.add(KernelHarness.Call.of("Elementwise_clamp", out(CType.U8, n), in(CType.U8, x), imm(lo), imm(hi)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t);
    }
  }

  @Test
  void clampNhwcAsNchwMatchesJava() {
    Random r = new Random(8);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 40; t++) {
      CType type = t % 2 == 0 ? CType.U8 : CType.I8;
      int n = t == 0 ? 0 : 1 + r.nextInt(2);
      int c = 1 + r.nextInt(6);
      int h = t == 1 ? 0 : 1 + r.nextInt(5);
      int w = 1 + r.nextInt(5);
      int[] x = ints(r, n * c * h * w, type);
      int lo = (int) CTestSupport.min(type) + r.nextInt(128);
      int hi = lo + r.nextInt(128);
      int[] want = new int[x.length];
      Elementwise.clampNhwcAsNchw(want, x, lo, hi, n, c, h, w);
      expected.add(want);
      calls.add(KernelHarness.Call.of("Elementwise_clampNhwcAsNchw", out(type, x.length), in(type, x), imm(lo),
          imm(hi), imm(n), imm(c), imm(h), imm(w)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t);
    }
  }

  /** Per-tensor or per-channel quantization parameters of a storage type. */
  private record Params(double[] scales, long[] zeroPoints, int inner) {
    static Params random(Random r, ElementType storage, boolean perChannel) {
      int channels = perChannel ? 1 + r.nextInt(5) : 1;
      double[] scales = new double[channels];
      long[] zeroPoints = new long[channels];
      for (int c = 0; c < channels; c++) {
        scales[c] = r.nextInt(10) == 0 ? Math.scalb(1.0, -r.nextInt(12)) : Math.exp(-9 + r.nextDouble() * 9);
        long lo = storage.minValue();
        long hi = storage.maxValue();
        zeroPoints[c] = storage == ElementType.I32 ? r.nextInt(200) - 100 : lo + r.nextInt((int) Math.min(hi - lo + 1,
            1 << 16));
      }
      return new Params(scales, zeroPoints, perChannel ? 1 + r.nextInt(4) : 1 + r.nextInt(3));
    }
  }

  @Test
  void quantizeMatchesJava() {
    Random r = new Random(9);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 3 * 4 * 8; t++) {
      int flavour = t % 3;
      ElementType storage = STORAGES[(t / 3) % 4];
      Params p = Params.random(r, storage, t / 12 % 2 == 1);
      // Long inputs cover the vector path's blocks of 256, with and without specials (they send a block
      // to the scalar function).
      int n = t < 12 ? 0 : t % 4 == 0 ? 300 + r.nextInt(600) : r.nextInt(60);
      float[] x = t % 8 == 4 ? CTestSupport.floats(r, n, 100f) : CTestSupport.floatsWithSpecials(r, n, 100f);
      for (int i = 0; i < n; i++) {
        int c = p.scales().length == 1 ? 0 : (i / p.inner()) % p.scales().length;
        switch (r.nextInt(4)) {
          case 0 -> x[i] = (float) ((r.nextInt(400) - 200 + 0.5) * p.scales()[c]); // near ties
          case 1 -> x[i] = (float) ((r.nextInt(400) - 200) * p.scales()[c]);
          default -> { }
        }
      }
      int[] want = new int[n];
      Elementwise.quantize(want, x, p.scales(), p.zeroPoints(), p.inner(), storage.ordinal(), flavour);
      expected.add(want);
      calls.add(KernelHarness.Call.parts(1 + t % 3, "Elementwise_quantize", out(CType.of(storage), n), in(x),
          in(p.scales()),
          in(p.zeroPoints()), imm(p.inner()), imm(storage.ordinal()), imm(flavour)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0), "case " + t);
    }
  }

  @Test
  void dequantizeMatchesJava() {
    Random r = new Random(10);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (int t = 0; t < 3 * 4 * 8; t++) {
      int flavour = t % 3;
      ElementType storage = STORAGES[(t / 3) % 4];
      Params p = Params.random(r, storage, t / 12 % 2 == 1);
      if (storage == ElementType.I32 && t % 5 == 0) { // q - zp wraps in int32 (PyTorch) or not (ONNX, TFLite)
        p.zeroPoints()[0] = r.nextBoolean() ? Integer.MIN_VALUE + r.nextInt(100) : Integer.MAX_VALUE - r.nextInt(100);
      }
      int n = t < 12 ? 0 : r.nextInt(60);
      CType type = CType.of(storage);
      int[] x = ints(r, n, type);
      float[] want = new float[n];
      Elementwise.dequantize(want, x, p.scales(), p.zeroPoints(), p.inner(), flavour);
      expected.add(want);
      calls.add(KernelHarness.Call.of("Elementwise_dequantize", out(CType.F32, n), in(type, x), in(p.scales()),
          in(p.zeroPoints()), imm(p.inner()), imm(flavour)));
    }
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      assertBits(expected.get(t), (float[]) got.get(t).get(0), "case " + t);
    }
  }
}
