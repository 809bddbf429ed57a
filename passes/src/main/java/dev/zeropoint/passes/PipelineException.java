package dev.zeropoint.passes;

/** A pipeline that cannot be built (unknown pass, empty name); the message is one line. */
public final class PipelineException extends Exception {
  private static final long serialVersionUID = 1L;

  public PipelineException(String message) {
    super(message, null, false, false);
  }
}
