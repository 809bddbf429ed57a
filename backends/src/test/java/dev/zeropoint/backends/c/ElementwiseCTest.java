package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.zeropoint.runtime.kernels.Elementwise;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The C ports of {@link Elementwise}'s kernels compute what the Java kernels compute. */
class ElementwiseCTest {
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
}
