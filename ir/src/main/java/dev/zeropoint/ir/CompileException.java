package dev.zeropoint.ir;

import java.util.List;

/** A user error with its diagnostics: the command line prints them and exits with status 1. */
public final class CompileException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<Diagnostic> diagnostics;

  public CompileException(List<Diagnostic> diagnostics) {
    super(diagnostics.isEmpty() ? "error" : diagnostics.get(0).toString());
    this.diagnostics = List.copyOf(diagnostics);
  }

  public CompileException(SourceLocation at, String message) {
    this(List.of(Diagnostic.error(at, message)));
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }
}
