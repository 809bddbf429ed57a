package dev.zeropoint.cli;

/** A user mistake, already rendered for stderr (ending in a newline). The command exits with status 1. */
final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserError(String rendered) {
    super(rendered.endsWith("\n") ? rendered : rendered + "\n", null, false, false);
  }
}
