package dev.zeropoint.backends.accel;

/**
 * A program the {@link Simulator} refuses: an index outside a buffer or outside DRAM, an operation
 * the target lacks, a dependency token nobody pushes (deadlock), tokens left over, or a program that
 * does not end with FINISH. The message names the instruction (its index in the program) and the
 * problem. Where fsim would abort on a CHECK, hang, or silently compute garbage, the simulator throws
 * this instead.
 */
public class SimulationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}, which names the instruction and the problem. */
  public SimulationException(String message) {
    super(message);
  }

  /** An exception with {@code message} caused by {@code cause} (a decoding error, or a failure in one start order). */
  public SimulationException(String message, Throwable cause) {
    super(message, cause);
  }
}
