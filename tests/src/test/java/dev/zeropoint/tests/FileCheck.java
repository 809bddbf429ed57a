package dev.zeropoint.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small FileCheck: checks lines of output against {@code CHECK}, {@code CHECK-NEXT},
 * {@code CHECK-NOT} and {@code CHECK-LABEL} directives, in order. A pattern is literal text, with
 * {@code {{regex}}} for the parts that vary.
 */
final class FileCheck {
  enum Kind { CHECK, NEXT, NOT, LABEL }

  record Directive(Kind kind, String pattern, int line) {}

  private static final Pattern DIRECTIVE = Pattern.compile("//\\s*CHECK(-NEXT|-NOT|-LABEL)?:\\s?(.*)$");

  static List<Directive> parse(List<String> lines, int firstLine) {
    List<Directive> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = DIRECTIVE.matcher(lines.get(i));
      if (m.find()) {
        Kind kind = m.group(1) == null ? Kind.CHECK : switch (m.group(1)) {
          case "-NEXT" -> Kind.NEXT;
          case "-NOT" -> Kind.NOT;
          default -> Kind.LABEL;
        };
        out.add(new Directive(kind, m.group(2).strip(), firstLine + i));
      }
    }
    return out;
  }

  /** Empty when the output satisfies every directive, else what failed. */
  static Optional<String> check(List<Directive> directives, String output) {
    List<String> lines = output.lines().toList();
    int pos = 0;
    List<Directive> pendingNot = new ArrayList<>();
    for (Directive d : directives) {
      Pattern p = compile(d.pattern());
      switch (d.kind()) {
        case NOT -> pendingNot.add(d);
        case NEXT -> {
          if (pos >= lines.size() || !p.matcher(lines.get(pos)).find()) {
            return Optional.of("line " + d.line() + ": CHECK-NEXT: " + d.pattern() + " did not match the line after "
                + "the previous match: " + (pos < lines.size() ? lines.get(pos) : "<end of output>"));
          }
          pos++;
        }
        case CHECK, LABEL -> {
          int found = -1;
          for (int i = pos; i < lines.size(); i++) {
            if (p.matcher(lines.get(i)).find()) {
              found = i;
              break;
            }
          }
          if (found < 0) {
            return Optional.of("line " + d.line() + ": " + d.kind() + ": " + d.pattern() + " not found after output line "
                + pos);
          }
          Optional<String> not = checkNot(pendingNot, lines, pos, found);
          if (not.isPresent()) {
            return not;
          }
          pendingNot.clear();
          pos = found + 1;
        }
      }
    }
    return checkNot(pendingNot, lines, pos, lines.size());
  }

  private static Optional<String> checkNot(List<Directive> nots, List<String> lines, int from, int to) {
    for (Directive d : nots) {
      Pattern p = compile(d.pattern());
      for (int i = from; i < to; i++) {
        if (p.matcher(lines.get(i)).find()) {
          return Optional.of("line " + d.line() + ": CHECK-NOT: " + d.pattern() + " found: " + lines.get(i));
        }
      }
    }
    return Optional.empty();
  }

  /** Literal text with {@code {{regex}}} holes. */
  static Pattern compile(String pattern) {
    StringBuilder re = new StringBuilder();
    int i = 0;
    while (i < pattern.length()) {
      int open = pattern.indexOf("{{", i);
      if (open < 0) {
        re.append(Pattern.quote(pattern.substring(i)));
        break;
      }
      int close = pattern.indexOf("}}", open + 2);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed {{ in " + pattern);
      }
      re.append(Pattern.quote(pattern.substring(i, open))).append('(').append(pattern, open + 2, close).append(')');
      i = close + 2;
    }
    return Pattern.compile(re.toString());
  }
}
