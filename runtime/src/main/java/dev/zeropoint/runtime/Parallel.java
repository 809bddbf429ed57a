package dev.zeropoint.runtime;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/**
 * How many threads the kernels of compiled models use: the system property {@code
 * zeropoint.threads} (default 1), or {@link #setThreads}. Kernels split independent work (batch
 * items, output channels) into that many contiguous parts; each output element is computed by one
 * thread in the same order as with one, so the result does not depend on the thread count.
 */
public final class Parallel {
  private static volatile int threads = Math.max(1, Integer.getInteger("zeropoint.threads", 1));
  private static volatile ForkJoinPool pool;

  private Parallel() {}

  public static int threads() {
    return threads;
  }

  public static synchronized void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be at least 1, not " + n);
    }
    threads = n;
    if (pool != null && pool.getParallelism() != n) {
      pool.shutdown();
      pool = null;
    }
  }

  private static synchronized ForkJoinPool pool() {
    if (pool == null) {
      pool = new ForkJoinPool(threads, p -> {
        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
        t.setDaemon(true);
        t.setName("zeropoint-" + t.getPoolIndex());
        return t;
      }, null, false);
    }
    return pool;
  }

  /**
   * Runs {@code body} for every index in [0, n), split into contiguous parts over the threads when
   * {@code n} is at least 2 and there is more than one thread.
   */
  public static void forEach(int n, IntConsumer body) {
    int parts = Math.min(threads, n);
    if (parts <= 1) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts];
    ForkJoinPool p = pool();
    for (int t = 0; t < parts; t++) {
      int start = (int) ((long) n * t / parts);
      int end = (int) ((long) n * (t + 1) / parts);
      tasks[t] = p.submit(() -> {
        for (int i = start; i < end; i++) {
          body.accept(i);
        }
      });
    }
    for (ForkJoinTask<?> task : tasks) {
      task.join();
    }
  }
}
