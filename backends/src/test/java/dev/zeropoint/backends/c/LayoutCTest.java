package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.CTestSupport.assertBits;
import static dev.zeropoint.backends.c.CTestSupport.constant;
import static dev.zeropoint.backends.c.CTestSupport.ints;
import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.runtime.kernels.Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The C ports of {@link Layout}'s kernels compute what the Java kernels compute. */
class LayoutCTest {
  private static final CType[] INTS = {CType.U8, CType.I8, CType.I16, CType.I32};

  private static float[] floats(Random r, int n) {
    return CTestSupport.floatsWithSpecials(r, n, 10f);
  }

  @Test
  void gatherMatchesJava() {
    Random r = new Random(41);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<Object> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      int n = t < 2 ? 0 : r.nextInt(t % 10 == 0 ? 400 : 40);
      int xn = t == 0 ? 0 : n + r.nextInt(5);
      int[] source = new int[n];
      for (int i = 0; i < n; i++) {
        source[i] = r.nextInt(xn);
      }
      if (t % 2 == 0) {
        CType type = INTS[t / 2 % 4];
        int[] x = ints(r, xn, type);
        int[] want = new int[n];
        Layout.gatherInts(want, x, source);
        expected.add(want);
        calls.add(KernelHarness.Call.of("Layout_gatherInts", out(type, n), in(type, x), constant(r, source)));
      } else {
        float[] x = floats(r, xn);
        float[] want = new float[n];
        Layout.gatherFloats(want, x, source);
        expected.add(want);
        calls.add(KernelHarness.Call.of("Layout_gatherFloats", out(CType.F32, n), in(x), constant(r, source)));
      }
    }
    check(calls, expected);
  }

  @Test
  void splitMatchesJava() {
    Random r = new Random(42);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<Object> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      int pieces = t < 2 ? 0 : 1 + r.nextInt(4);
      int outer = t == 2 || t == 3 ? 0 : 1 + r.nextInt(5);
      int[] blocks = new int[pieces];
      int[] sizes = new int[pieces];
      int row = 0;
      for (int p = 0; p < pieces; p++) {
        blocks[p] = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(9);
        sizes[p] = blocks[p] * outer;
        row += blocks[p];
      }
      if (t % 2 == 0) {
        CType type = INTS[t / 2 % 4];
        int[] x = ints(r, row * outer, type);
        int[][] want = new int[pieces][];
        for (int p = 0; p < pieces; p++) {
          want[p] = new int[sizes[p]];
        }
        Layout.splitInts(want, x, blocks, outer);
        expected.add(want);
        calls.add(KernelHarness.Call.of("Layout_splitInts", KernelHarness.outs(type, sizes), in(type, x),
            constant(r, blocks), imm(outer)));
      } else {
        float[] x = floats(r, row * outer);
        float[][] want = new float[pieces][];
        for (int p = 0; p < pieces; p++) {
          want[p] = new float[sizes[p]];
        }
        Layout.splitFloats(want, x, blocks, outer);
        expected.add(want);
        calls.add(KernelHarness.Call.of("Layout_splitFloats", KernelHarness.outs(CType.F32, sizes), in(x),
            constant(r, blocks), imm(outer)));
      }
    }
    check(calls, expected);
  }

  @Test
  void catMatchesJava() {
    Random r = new Random(43);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<Object> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      int pieces = t < 2 ? 0 : 1 + r.nextInt(4);
      int outer = t == 2 || t == 3 ? 0 : 1 + r.nextInt(5);
      int[] blocks = new int[pieces];
      int row = 0;
      for (int p = 0; p < pieces; p++) {
        blocks[p] = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(9);
        row += blocks[p];
      }
      if (t % 2 == 0) {
        CType type = INTS[t / 2 % 4];
        int[][] xs = new int[pieces][];
        for (int p = 0; p < pieces; p++) {
          xs[p] = ints(r, blocks[p] * outer, type);
        }
        int[] want = new int[row * outer];
        Layout.catInts(want, xs, blocks, outer);
        expected.add(want);
        calls.add(KernelHarness.Call.of("Layout_catInts", out(type, want.length),
            KernelHarness.ins(type, (Object[]) xs), constant(r, blocks), imm(outer)));
      } else {
        float[][] xs = new float[pieces][];
        for (int p = 0; p < pieces; p++) {
          xs[p] = floats(r, blocks[p] * outer);
        }
        float[] want = new float[row * outer];
        Layout.catFloats(want, xs, blocks, outer);
        expected.add(want);
        calls.add(KernelHarness.Call.of("Layout_catFloats", out(CType.F32, want.length),
            KernelHarness.ins(CType.F32, (Object[]) xs), constant(r, blocks), imm(outer)));
      }
    }
    check(calls, expected);
  }

  @Test
  void catQuantizedMatchesJava() {
    Random r = new Random(44);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<Object> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      ElementType storage = t % 2 == 0 ? ElementType.U8 : ElementType.I8;
      CType type = CType.of(storage);
      int pieces = t < 2 ? 0 : 1 + r.nextInt(4);
      int outer = t == 2 || t == 3 ? 0 : 1 + r.nextInt(5);
      int[] blocks = new int[pieces];
      int row = 0;
      double[] scales = new double[pieces + 1];
      long[] zeroPoints = new long[pieces + 1];
      for (int p = 0; p <= pieces; p++) {
        scales[p] = r.nextInt(6) == 0 ? Math.scalb(1.0, -r.nextInt(10)) : Math.exp(-7 + r.nextDouble() * 7);
        zeroPoints[p] = storage.minValue() + r.nextInt(256);
      }
      int[][] xs = new int[pieces][];
      for (int p = 0; p < pieces; p++) {
        blocks[p] = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(9);
        row += blocks[p];
        xs[p] = ints(r, blocks[p] * outer, type);
        if (r.nextInt(4) == 0) { // already at the output's parameters
          scales[p] = scales[pieces];
          zeroPoints[p] = zeroPoints[pieces];
        }
      }
      int[] want = new int[row * outer];
      Layout.catQuantized(want, xs, blocks, outer, scales, zeroPoints, storage.ordinal());
      expected.add(want);
      calls.add(KernelHarness.Call.of("Layout_catQuantized", out(type, want.length),
          KernelHarness.ins(type, (Object[]) xs), constant(r, blocks), imm(outer), in(scales), in(zeroPoints),
          imm(storage.ordinal())));
    }
    check(calls, expected);
  }

  @Test
  void padMatchesJava() {
    Random r = new Random(45);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<Object> expected = new ArrayList<>();
    for (int t = 0; t < 60; t++) {
      // A pad of a random shape with random leading and trailing pads, targets as the lowering lays them out.
      int rank = t == 4 || t == 5 ? 0 : 1 + r.nextInt(4);
      int[] inDims = new int[rank];
      int[] outDims = new int[rank];
      int[] before = new int[rank];
      int size = 1;
      int outSize = 1;
      for (int d = 0; d < rank; d++) {
        inDims[d] = t < 2 && d == 0 ? 0 : 1 + r.nextInt(4);
        before[d] = r.nextInt(3);
        outDims[d] = inDims[d] + before[d] + r.nextInt(3);
        size *= inDims[d];
        outSize *= outDims[d];
      }
      int row;
      int[] targets;
      if (size == 0) {
        row = 0;
        targets = new int[0];
      } else if (rank == 0) {
        row = 1;
        targets = new int[] {0};
      } else {
        int[] outStrides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--) {
          outStrides[d] = stride;
          stride *= outDims[d];
        }
        row = inDims[rank - 1];
        int rows = size / row;
        targets = new int[rows];
        int[] index = new int[rank - 1];
        for (int q = 0; q < rows; q++) {
          int target = before[rank - 1];
          for (int d = 0; d < rank - 1; d++) {
            target += (index[d] + before[d]) * outStrides[d];
          }
          targets[q] = target;
          for (int d = rank - 2; d >= 0; d--) {
            if (++index[d] < inDims[d]) {
              break;
            }
            index[d] = 0;
          }
        }
      }
      if (t % 2 == 0) {
        CType type = INTS[t / 2 % 4];
        int[] x = ints(r, size, type);
        int fill = ints(r, 1, type)[0];
        int[] want = new int[outSize];
        Layout.padInts(want, x, fill, targets, row);
        expected.add(want);
        calls.add(KernelHarness.Call.of("Layout_padInts", out(type, outSize), in(type, x), imm(fill),
            constant(r, targets), imm(row)));
      } else {
        float[] x = floats(r, size);
        int fill = switch (t % 7) {
          case 0 -> Float.floatToRawIntBits(-0f);
          case 1 -> 0x7fc00001; // a NaN with a payload
          case 2 -> Float.floatToRawIntBits(Float.NEGATIVE_INFINITY);
          default -> Float.floatToRawIntBits((float) r.nextGaussian());
        };
        float[] want = new float[outSize];
        Layout.padFloats(want, x, fill, targets, row);
        expected.add(want);
        calls.add(KernelHarness.Call.of("Layout_padFloats", out(CType.F32, outSize), in(x), imm(fill),
            constant(r, targets), imm(row)));
      }
    }
    check(calls, expected);
  }

  private static void check(List<KernelHarness.Call> calls, List<Object> expected) {
    List<List<Object>> got = KernelHarness.runAll(calls);
    for (int t = 0; t < calls.size(); t++) {
      Object want = expected.get(t);
      Object result = got.get(t).get(0);
      String what = "case " + t + " (" + calls.get(t).kernel() + ")";
      switch (want) {
        case int[] w -> assertArrayEquals(w, (int[]) result, what);
        case float[] w -> assertBits(w, (float[]) result, what);
        case int[][] w -> {
          Object[] parts = (Object[]) result;
          assertEquals(w.length, parts.length, what);
          for (int p = 0; p < w.length; p++) {
            assertArrayEquals(w[p], (int[]) parts[p], what + ", piece " + p);
          }
        }
        case float[][] w -> assertBits(w, (Object[]) result, what);
        default -> throw new IllegalStateException();
      }
    }
  }
}
