package dev.zeropoint.ir;

/** A position in a source file: 1-based line, 1-based column; {@link #UNKNOWN} for IR built in code. */
public record SourceLocation(String file, int line, int column) {
  public static final SourceLocation UNKNOWN = new SourceLocation("", 0, 0);

  public boolean isKnown() {
    return line > 0;
  }

  @Override
  public String toString() {
    return isKnown() ? file + ":" + line + ":" + column : (file.isEmpty() ? "<unknown>" : file);
  }
}
