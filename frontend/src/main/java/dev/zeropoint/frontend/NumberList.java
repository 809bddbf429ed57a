package dev.zeropoint.frontend;

import dev.zeropoint.ir.SourceLocation;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.Token;

/**
 * Reads the elements of a {@code NUMBER_LIST} token ({@code [1, -2.5e3, nan]}, comments and
 * newlines allowed between elements). The lexer has already checked the syntax, so this only
 * finds element boundaries; large constants are visited in place, without building a list.
 */
final class NumberList {
  private NumberList() {}

  /** One element: its text and where it starts in the token's text. */
  record Element(String text, int offset, boolean integer) {}

  @FunctionalInterface
  interface Visitor {
    /** Returns false to stop. */
    boolean visit(String text, int offset, boolean integer);
  }

  /** Visits every element in order; returns how many were visited. */
  static int forEach(String token, Visitor visitor) {
    int i = skipGap(token, 1);
    int count = 0;
    while (i < token.length() && token.charAt(i) != ']') {
      int start = i;
      while (i < token.length() && !isEnd(token.charAt(i))) {
        i++;
      }
      String text = token.substring(start, i);
      count++;
      if (!visitor.visit(text, start, isInteger(text))) {
        return count;
      }
      i = skipGap(token, i);
      if (i < token.length() && token.charAt(i) == ',') {
        i = skipGap(token, i + 1);
      }
    }
    return count;
  }

  static int count(String token) {
    return forEach(token, (t, o, i) -> true);
  }

  static List<Element> elements(String token) {
    List<Element> out = new ArrayList<>();
    forEach(token, (text, offset, integer) -> out.add(new Element(text, offset, integer)));
    return out;
  }

  /** The source location of the character at {@code offset} in the token's text. */
  static SourceLocation locate(String file, Token token, int offset) {
    String text = token.getText();
    int line = token.getLine();
    int column = token.getCharPositionInLine() + 1;
    for (int i = 0; i < offset && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new SourceLocation(file, line, column);
  }

  private static boolean isEnd(char c) {
    return c == ',' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/';
  }

  private static int skipGap(String s, int i) {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        i++;
      } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
        while (i < s.length() && s.charAt(i) != '\n') {
          i++;
        }
      } else {
        break;
      }
    }
    return i;
  }

  private static boolean isInteger(String text) {
    int start = text.startsWith("+") || text.startsWith("-") ? 1 : 0;
    if (start == text.length()) {
      return false;
    }
    for (int i = start; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
