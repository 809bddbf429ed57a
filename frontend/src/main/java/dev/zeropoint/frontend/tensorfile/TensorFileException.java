package dev.zeropoint.frontend.tensorfile;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A tensor file that cannot be read or written. The message is a single line of the form
 * {@code <file>: <problem>}, written to be shown to a user as it is, without a stack trace.
 */
public final class TensorFileException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  public TensorFileException(Path file, String problem) {
    this(file, problem, null);
  }

  public TensorFileException(Path file, String problem, Throwable cause) {
    super(Messages.oneLine(file.toString()) + ": " + Messages.oneLine(problem), cause);
    this.file = Objects.requireNonNull(file);
    this.problem = Messages.oneLine(problem);
  }

  /** The file the problem is in, as the caller named it. */
  public Path file() {
    return file;
  }

  /** The problem alone, without the file name. */
  public String problem() {
    return problem;
  }
}
