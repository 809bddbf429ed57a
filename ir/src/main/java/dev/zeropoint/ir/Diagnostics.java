package dev.zeropoint.ir;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects diagnostics so that one run reports as many errors as it can find. */
public final class Diagnostics {
  private final List<Diagnostic> list = new ArrayList<>();

  public void error(SourceLocation at, String message) {
    list.add(Diagnostic.error(at, message));
  }

  public void add(Diagnostic d) {
    list.add(d);
  }

  public boolean hasErrors() {
    return list.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
  }

  public int errorCount() {
    return (int) list.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
  }

  /** The diagnostics in source order (stable for equal positions). */
  public List<Diagnostic> sorted() {
    List<Diagnostic> copy = new ArrayList<>(list);
    copy.sort(Comparator.comparing((Diagnostic d) -> d.location().file())
        .thenComparingInt(d -> d.location().line())
        .thenComparingInt(d -> d.location().column()));
    return copy;
  }

  public List<Diagnostic> all() {
    return List.copyOf(list);
  }
}
