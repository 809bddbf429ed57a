package dev.zeropoint.backends.c;

/** The C compiler or a generated program failed, or is missing; the message says which and why. */
public final class CToolException extends Exception {
  public CToolException(String message) {
    super(message);
  }
}
