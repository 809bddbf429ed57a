package dev.zeropoint.backends;

/** Inputs that do not fit the model; the message is one line naming the input. */
public final class InputException extends Exception {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message, null, false, false);
  }
}
