package dev.zeropoint.ir;

import java.util.List;
import java.util.Optional;

/**
 * Renders diagnostics as {@code file:line:col: error: message}, followed by the source line and a
 * caret under the column when the line can be had.
 */
public final class DiagnosticRenderer {
  /** Gives the text of a line (1-based) of a file, if available. */
  @FunctionalInterface
  public interface LineSource {
    Optional<String> line(String file, int line);
  }

  private final LineSource lines;

  public DiagnosticRenderer(LineSource lines) {
    this.lines = lines;
  }

  /** A renderer for diagnostics of one file whose text is in memory. */
  public static DiagnosticRenderer forText(String file, String text) {
    List<String> all = text.lines().toList();
    return new DiagnosticRenderer((f, n) -> f.equals(file) && n >= 1 && n <= all.size()
        ? Optional.of(all.get(n - 1)) : Optional.empty());
  }

  public String render(Diagnostic d) {
    StringBuilder b = new StringBuilder(d.toString()).append('\n');
    SourceLocation at = d.location();
    if (at.isKnown()) {
      lines.line(at.file(), at.line()).ifPresent(line -> {
        b.append(line).append('\n');
        for (int i = 0; i < at.column() - 1 && i < line.length(); i++) {
          b.append(line.charAt(i) == '\t' ? '\t' : ' ');
        }
        b.append("^\n");
      });
    }
    return b.toString();
  }

  public String renderAll(List<Diagnostic> diagnostics) {
    StringBuilder b = new StringBuilder();
    diagnostics.forEach(d -> b.append(render(d)));
    return b.toString();
  }
}
