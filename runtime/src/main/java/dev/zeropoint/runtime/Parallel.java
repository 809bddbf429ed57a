package dev.zeropoint.runtime;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/**
 * How many threads the kernels of compiled models use: the system property {@code
 * zeropoint.threads} (default 1), or {@link #setThreads}. Kernels split independent work (batch
 * items, output channels, blocks of pixels) into indices that the threads take in chunks as they
 * become free; each output element is computed by one index's work in the same order whatever
 * thread runs it, so the result does not depend on the thread count or the schedule.
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
    if (pool != null && pool.getParallelism() != workers(n)) {
      pool.shutdown();
      pool = null;
    }
  }

  /** The pool's threads: the calling thread takes a share of the work as the others do. */
  private static int workers(int threads) {
    return Math.max(1, threads - 1);
  }

  private static synchronized ForkJoinPool pool() {
    if (pool == null) {
      pool = new ForkJoinPool(workers(threads), p -> {
        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
        t.setDaemon(true);
        t.setName("zeropoint-" + t.getPoolIndex());
        return t;
      }, null, false);
    }
    return pool;
  }

  /**
   * Runs {@code body} for every index in [0, n), over the threads when {@code n} is at least 2 and
   * there is more than one thread: each thread takes the next chunk of indices (about an eighth of
   * an equal share, at least one) when it is done with its last, so that threads finishing early
   * take work from the slow ones rather than wait. The calling thread is one of them: it starts at
   * once, and a call on two threads wakes one thread of the pool, not two.
   */
  public static void forEach(int n, IntConsumer body) {
    int parts = Math.min(threads, n);
    if (parts <= 1) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    int chunk = Math.max(1, n / (parts * 8));
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    Runnable share = () -> {
      for (int start = next.getAndAdd(chunk); start < n; start = next.getAndAdd(chunk)) {
        for (int i = start, end = Math.min(n, start + chunk); i < end; i++) {
          body.accept(i);
        }
      }
    };
    ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts - 1];
    ForkJoinPool p = pool();
    for (int t = 0; t < tasks.length; t++) {
      tasks[t] = p.submit(share);
    }
    try {
      share.run();
    } finally {
      for (ForkJoinTask<?> task : tasks) {
        task.join();
      }
    }
  }
}
