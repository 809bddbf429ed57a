package dev.zeropoint.backends.c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MemoryPlanTest {
  @Test
  void buffersLiveAtTheSameTimeNeverShareABytesAndAllFitTheArena() {
    Random r = new Random(11);
    for (int t = 0; t < 300; t++) {
      List<MemoryPlan.Buffer> buffers = new ArrayList<>();
      int n = 1 + r.nextInt(40);
      for (int i = 0; i < n; i++) {
        int first = r.nextInt(30);
        buffers.add(new MemoryPlan.Buffer("b" + i, r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(5000), first,
            first + r.nextInt(8)));
      }
      MemoryPlan plan = MemoryPlan.of(buffers);
      long peak = 0;
      for (int step = 0; step < 40; step++) {
        long live = 0;
        for (MemoryPlan.Buffer b : buffers) {
          live += b.first() <= step && step <= b.last() ? b.bytes() : 0;
        }
        peak = Math.max(peak, live);
      }
      for (int i = 0; i < n; i++) {
        MemoryPlan.Buffer a = buffers.get(i);
        assertEquals(0, plan.offset(i) % MemoryPlan.ALIGNMENT);
        assertTrue(plan.offset(i) + a.bytes() <= plan.size());
        for (int j = i + 1; j < n; j++) {
          MemoryPlan.Buffer b = buffers.get(j);
          boolean together = a.first() <= b.last() && b.first() <= a.last();
          boolean overlap = plan.offset(i) < plan.offset(j) + b.bytes() && plan.offset(j) < plan.offset(i) + a.bytes();
          assertFalse(together && overlap && a.bytes() > 0 && b.bytes() > 0,
              "case " + t + ": " + a + " at " + plan.offset(i) + " and " + b + " at " + plan.offset(j));
        }
      }
      assertTrue(plan.size() <= plan.naiveSize(), "case " + t);
      assertTrue(plan.size() >= peak, "case " + t);
    }
  }

  @Test
  void aChainNeedsTwoBuffersNotOnePerTensor() {
    List<MemoryPlan.Buffer> chain = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      chain.add(new MemoryPlan.Buffer("v" + i, 1000, i, i + 1));
    }
    MemoryPlan plan = MemoryPlan.of(chain);
    assertEquals(2 * 1024, plan.size()); // two aligned buffers of 1000 bytes, alternating
    assertEquals(10 * 1024, plan.naiveSize());
  }
}
