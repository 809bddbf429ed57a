package dev.zeropoint.ir;

/** One message about a model, tied to where in the source it arises. */
public record Diagnostic(Severity severity, SourceLocation location, String message) {
  public enum Severity {
    ERROR,
    WARNING,
    NOTE;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static Diagnostic error(SourceLocation at, String message) {
    return new Diagnostic(Severity.ERROR, at, message);
  }

  /** {@code file:line:col: error: message}, without the source excerpt. */
  @Override
  public String toString() {
    return location + ": " + severity + ": " + message;
  }
}
