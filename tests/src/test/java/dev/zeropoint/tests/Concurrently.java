package dev.zeropoint.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a test's independent jobs (a gcc build, a model on a backend) a few at a time, so that a
 * long test keeps both of the CI machine's cores busy.
 */
public final class Concurrently {
  private Concurrently() {}

  /** Jobs at once: the CI machine has two cores. */
  public static final int THREADS = 2;

  /**
   * Every job's result, in the jobs' order; the first failure (in that order) is thrown: an {@link
   * AssertionError} as it is, anything else wrapped in one.
   */
  public static <T> List<T> run(List<? extends Callable<T>> jobs) {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> j : jobs) {
        futures.add(pool.submit(j));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        try {
          results.add(f.get());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof AssertionError a) {
            throw a;
          }
          throw new AssertionError(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
