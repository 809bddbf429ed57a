package dev.zeropoint.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Parallel#forEach} runs every index exactly once, on 1 to 4 threads, and passes failures on. */
class ParallelTest {
  @AfterEach
  void oneThread() {
    Parallel.setThreads(1);
  }

  @Test
  void everyIndexRunsExactlyOnce() {
    for (int threads = 1; threads <= 4; threads++) {
      Parallel.setThreads(threads);
      for (int n : new int[] {0, 1, 2, 3, 7, 64, 1001}) {
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        Parallel.forEach(n, runs::incrementAndGet);
        for (int i = 0; i < n; i++) {
          assertEquals(1, runs.get(i), "index " + i + " of " + n + " on " + threads + " threads");
        }
      }
    }
  }

  @Test
  void aFailingIndexFailsTheCall() {
    for (int threads = 1; threads <= 3; threads++) {
      Parallel.setThreads(threads);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(100, i -> {
        if (i == 37) {
          throw new IllegalStateException("index 37");
        }
      }));
      assertTrue(e.getMessage().contains("index 37"), e.getMessage()); // from another thread: wrapped
      // The pool still works afterwards.
      AtomicIntegerArray runs = new AtomicIntegerArray(10);
      Parallel.forEach(10, runs::incrementAndGet);
      for (int i = 0; i < 10; i++) {
        assertEquals(1, runs.get(i));
      }
    }
  }
}
