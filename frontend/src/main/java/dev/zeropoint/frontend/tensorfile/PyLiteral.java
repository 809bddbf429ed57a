package dev.zeropoint.frontend.tensorfile;

import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parser for the subset of Python literal syntax that .npy headers use: dicts, tuples, lists,
 * strings in single or double quotes, integers, floats, {@code True}, {@code False} and {@code None},
 * with Python's rules for trailing commas and for {@code (x)} being no tuple. The result uses
 * {@link String}, {@link BigInteger}, {@link Double}, {@link Boolean}, {@link #NONE}, {@link List}
 * (for lists), {@link Tuple} and {@link Dict}.
 */
final class PyLiteral {
  /** Python's {@code None}. */
  static final Object NONE = new Object() {
    @Override
    public String toString() {
      return "None";
    }
  };

  /** A tuple literal. */
  record Tuple(List<Object> items) {}

  /** A dict literal, keeping duplicate keys so that the caller can refuse them. */
  record Dict(List<Map.Entry<Object, Object>> entries) {}

  /** A syntax error; the message says what and where, without a file name. */
  static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxError(String message) {
      super(message);
    }
  }

  // Bounds recursion, so a hostile header cannot overflow the stack; a valid header nests 3 deep.
  private static final int MAX_DEPTH = 32;

  private final String text;
  private final boolean allowLongSuffix;
  private int pos;

  private PyLiteral(String text, boolean allowLongSuffix) {
    this.text = text;
    this.allowLongSuffix = allowLongSuffix;
  }

  /**
   * Parses {@code text}, which must hold one literal and nothing else but whitespace.
   *
   * @param allowLongSuffix accept Python 2's {@code 3L} integers, as NumPy does for format 1.0 and 2.0
   */
  static Object parse(String text, boolean allowLongSuffix) throws SyntaxError {
    PyLiteral parser = new PyLiteral(text, allowLongSuffix);
    parser.skipSpace();
    Object value = parser.value(0);
    parser.skipSpace();
    if (parser.pos < text.length()) {
      throw parser.error("unexpected " + parser.describeHere() + " after the literal");
    }
    return value;
  }

  private Object value(int depth) throws SyntaxError {
    if (depth >= MAX_DEPTH) {
      throw error("literal nested deeper than " + MAX_DEPTH + " levels");
    }
    if (pos >= text.length()) {
      throw error("unexpected end of header");
    }
    char c = text.charAt(pos);
    return switch (c) {
      case '{' -> dict(depth);
      case '(' -> tupleOrParenthesized(depth);
      case '[' -> list(depth);
      case '\'', '"' -> string();
      default -> {
        if (c == '-' || c == '+' || c == '.' || isDigit(c)) {
          yield number();
        }
        if (Character.isLetter(c) || c == '_') {
          yield name();
        }
        throw error("unexpected " + describeHere());
      }
    };
  }

  private Dict dict(int depth) throws SyntaxError {
    pos++;
    List<Map.Entry<Object, Object>> entries = new ArrayList<>();
    while (true) {
      skipSpace();
      if (peek('}')) {
        pos++;
        return new Dict(entries);
      }
      Object key = value(depth + 1);
      skipSpace();
      expect(':');
      skipSpace();
      Object val = value(depth + 1);
      entries.add(new AbstractMap.SimpleImmutableEntry<>(key, val));
      if (!commaOrClose('}')) {
        pos++;
        return new Dict(entries);
      }
    }
  }

  private Object tupleOrParenthesized(int depth) throws SyntaxError {
    pos++;
    List<Object> items = new ArrayList<>();
    while (true) {
      skipSpace();
      if (peek(')')) {
        pos++;
        return new Tuple(items);
      }
      items.add(value(depth + 1));
      if (!commaOrClose(')')) {
        pos++;
        // In Python "(x)" is x itself; only a comma makes a one-element tuple.
        return items.size() == 1 ? items.get(0) : new Tuple(items);
      }
    }
  }

  private List<Object> list(int depth) throws SyntaxError {
    pos++;
    List<Object> items = new ArrayList<>();
    while (true) {
      skipSpace();
      if (peek(']')) {
        pos++;
        return items;
      }
      items.add(value(depth + 1));
      if (!commaOrClose(']')) {
        pos++;
        return items;
      }
    }
  }

  /** After an item: consumes a comma and returns true, or finds {@code close} and returns false. */
  private boolean commaOrClose(char close) throws SyntaxError {
    skipSpace();
    if (peek(',')) {
      pos++;
      return true;
    }
    if (peek(close)) {
      return false;
    }
    throw error("expected ',' or '" + close + "' but found " + describeHere());
  }

  private String string() throws SyntaxError {
    int start = pos;
    char quote = text.charAt(pos++);
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= text.length() || text.charAt(pos) == '\n') {
        pos = start;
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (pos >= text.length()) {
        pos = start;
        throw error("unterminated string");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '\\', '\'', '"' -> b.append(e);
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case '0' -> b.append('\0');
        case 'x' -> b.append(hexEscape());
        // Python keeps the backslash of an unknown escape.
        default -> b.append('\\').append(e);
      }
    }
  }

  private char hexEscape() throws SyntaxError {
    if (pos + 2 > text.length()) {
      throw error("truncated \\x escape");
    }
    int hi = Character.digit(text.charAt(pos), 16);
    int lo = Character.digit(text.charAt(pos + 1), 16);
    if (hi < 0 || lo < 0) {
      throw error("bad \\x escape");
    }
    pos += 2;
    return (char) (hi * 16 + lo);
  }

  private Object number() throws SyntaxError {
    int start = pos;
    boolean negative = false;
    if (peek('-') || peek('+')) {
      negative = text.charAt(pos) == '-';
      pos++;
      skipSpace();
    }
    int digitsStart = pos;
    while (pos < text.length() && isNumberChar(text.charAt(pos))) {
      // An exponent sign belongs to the number; any other sign ends it.
      char c = text.charAt(pos);
      if ((c == '+' || c == '-') && !(pos > digitsStart && "eE".indexOf(text.charAt(pos - 1)) >= 0)) {
        break;
      }
      pos++;
    }
    String digits = text.substring(digitsStart, pos);
    if (digits.isEmpty()) {
      String found = describeHere();
      pos = start;
      throw error("expected a number after '" + text.charAt(start) + "' but found " + found);
    }
    if (allowLongSuffix && (peek('L') || peek('l'))) {
      pos++;
      if (!digits.chars().allMatch(PyLiteral::isDigit)) {
        pos = start;
        throw error("malformed number");
      }
    }
    if (digits.chars().allMatch(PyLiteral::isDigit)) {
      // Python 3 refuses leading zeros in decimal integers, except for zero itself.
      if (digits.length() > 1 && digits.charAt(0) == '0' && !digits.chars().allMatch(ch -> ch == '0')) {
        pos = start;
        throw error("malformed number");
      }
      BigInteger value = new BigInteger(digits);
      return negative ? value.negate() : value;
    }
    if (!digits.matches("(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
      pos = start;
      throw error("malformed number");
    }
    double value = Double.parseDouble(digits);
    return negative ? -value : value;
  }

  private Object name() throws SyntaxError {
    int start = pos;
    while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
    }
    String name = text.substring(start, pos);
    return switch (name) {
      case "True" -> Boolean.TRUE;
      case "False" -> Boolean.FALSE;
      case "None" -> NONE;
      default -> {
        pos = start;
        throw error("unexpected name " + Messages.quote(name));
      }
    };
  }

  private void expect(char c) throws SyntaxError {
    if (!peek(c)) {
      throw error("expected '" + c + "' but found " + describeHere());
    }
    pos++;
  }

  private boolean peek(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private void skipSpace() {
    // Python's whitespace; line breaks are allowed because everything here is inside brackets.
    while (pos < text.length() && " \t\n\r\f".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
  }

  private String describeHere() {
    if (pos >= text.length()) {
      return "the end of the header";
    }
    return "character " + Messages.quote(String.valueOf(text.charAt(pos)));
  }

  private SyntaxError error(String what) {
    return new SyntaxError(what + " at offset " + pos);
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isNumberChar(char c) {
    return isDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
  }

  /** Python-like text of a parsed value, cut short for messages. */
  static String repr(Object value) {
    return Messages.truncate(reprOf(value));
  }

  private static String reprOf(Object value) {
    if (value instanceof String s) {
      return Messages.quote(s);
    }
    if (value instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (value instanceof Tuple t) {
      List<String> items = t.items().stream().map(PyLiteral::reprOf).toList();
      return items.size() == 1 ? "(" + items.get(0) + ",)" : "(" + String.join(", ", items) + ")";
    }
    if (value instanceof List<?> l) {
      return "[" + String.join(", ", l.stream().map(PyLiteral::reprOf).toList()) + "]";
    }
    if (value instanceof Dict d) {
      return "{" + String.join(", ", d.entries().stream().map(e -> reprOf(e.getKey()) + ": " + reprOf(e.getValue())).toList()) + "}";
    }
    return String.valueOf(value);
  }
}
