package dev.zeropoint.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads MLIR-style expectations from a test file: {@code // expected-error {{message}}} on the line
 * it concerns, or {@code // expected-error@+1 {{message}}} / {@code @-1} relative to it. Cases are
 * separated by {@code // -----}; each case keeps its line numbers from the whole file.
 */
final class ExpectedErrors {
  /** One expected diagnostic: the line (1-based, in the whole file) and the exact message. */
  record Expectation(int line, String message) {}

  /** One case: its text padded with blank lines so that line numbers match the file, and its expectations. */
  record Case(int firstLine, String text, List<Expectation> expected) {}

  private static final Pattern MARKER = Pattern.compile("expected-error(?:@([+-]\\d+))?\\s*\\{\\{(.*?)}}");

  static List<Case> split(String file) {
    List<String> lines = file.lines().toList();
    List<Case> cases = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= lines.size(); i++) {
      if (i == lines.size() || lines.get(i).trim().equals("// -----")) {
        StringBuilder text = new StringBuilder("\n".repeat(start));
        List<Expectation> expected = new ArrayList<>();
        for (int k = start; k < i; k++) {
          String line = lines.get(k);
          text.append(line).append('\n');
          int comment = line.indexOf("//");
          Matcher m = MARKER.matcher(comment < 0 ? "" : line.substring(comment));
          while (m.find()) {
            int offset = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
            expected.add(new Expectation(k + 1 + offset, m.group(2)));
          }
        }
        if (!text.toString().isBlank()) {
          cases.add(new Case(start + 1, text.toString(), expected));
        }
        start = i + 1;
      }
    }
    return cases;
  }
}
