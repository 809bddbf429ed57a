package dev.zeropoint.ir.op;

/** A type rule's rejection of an op; the message is complete and starts with the op's name. */
public final class TypeError extends Exception {
  private static final long serialVersionUID = 1L;

  public TypeError(String message) {
    super(message, null, false, false);
  }
}
