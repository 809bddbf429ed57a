package dev.zeropoint.backends.c;

import java.util.ArrayList;
import java.util.List;

/** C literals with exactly the values Java has, and a look at C source text. */
public final class CSource {
  private CSource() {}

  /** An int32 literal ({@code INT32_MIN} for the one value that has none). */
  public static String intLiteral(int v) {
    return v == Integer.MIN_VALUE ? "INT32_MIN" : Integer.toString(v);
  }

  /** An int64 literal. */
  public static String longLiteral(long v) {
    return v == Long.MIN_VALUE ? "INT64_MIN" : "INT64_C(" + v + ")";
  }

  /**
   * A float constant expression with exactly this value: hexadecimal, which C99 reads without
   * rounding; infinities and NaN as divisions by zero (constant expressions, without <math.h>).
   */
  public static String floatLiteral(float v) {
    if (Float.isNaN(v)) {
      return "(0.0f / 0.0f)";
    }
    if (Float.isInfinite(v)) {
      return v > 0 ? "(1.0f / 0.0f)" : "(-1.0f / 0.0f)";
    }
    return Double.toHexString(v) + "f";
  }

  /** A double constant expression with exactly this value. */
  public static String doubleLiteral(double v) {
    if (Double.isNaN(v)) {
      return "(0.0 / 0.0)";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "(1.0 / 0.0)" : "(-1.0 / 0.0)";
    }
    return Double.toHexString(v);
  }

  /** The identifiers and keywords of C source, comments, strings and character constants left out. */
  public static List<String> words(String source) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
        int e = source.indexOf("*/", i + 2);
        i = e < 0 ? n : e + 2;
      } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
        int e = source.indexOf('\n', i);
        i = e < 0 ? n : e;
      } else if (c == '"' || c == '\'') {
        i++;
        while (i < n && source.charAt(i) != c) {
          i += source.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
      } else if (Character.isLetter(c) || c == '_') {
        int s = i;
        while (i < n && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_')) {
          i++;
        }
        out.add(source.substring(s, i));
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(source.charAt(i + 1)))) {
        // a number (pp-number): digits, letters, dots, and signs after an exponent letter
        int s = i;
        i++;
        while (i < n) {
          char d = source.charAt(i);
          char prev = source.charAt(i - 1);
          if (Character.isLetterOrDigit(d) || d == '.' || d == '_'
              || ((d == '+' || d == '-') && (prev == 'e' || prev == 'E' || prev == 'p' || prev == 'P'))) {
            i++;
          } else {
            break;
          }
        }
        out.add("#" + source.substring(s, i));
      } else {
        i++;
      }
    }
    return out;
  }

  /**
   * Whether C source uses floating point: the keywords {@code float} or {@code double}, or a
   * floating constant (comments and strings aside).
   */
  public static boolean mentionsFloat(String source) {
    for (String w : words(source)) {
      if (w.equals("float") || w.equals("double")) {
        return true;
      }
      if (w.startsWith("#")) {
        String num = w.substring(1).toLowerCase(java.util.Locale.ROOT);
        boolean hex = num.startsWith("0x");
        if (num.contains(".") || (hex ? num.contains("p") : num.contains("e"))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Bytes per string of {@link #bytesConstant}: below the 4095 characters C99 compilers must take in one. */
  static final int CHUNK = 4000;

  /**
   * Appends the declaration of a constant array {@code name} of {@code n = values.length} integers
   * of a C type of {@code size} bytes (1, 2 or 4) as the strings of its bytes, two's complement,
   * least significant byte first: a union of those bytes (rows of {@link #CHUNK}) with the array
   * {@code T v[n]}, and a macro {@code name} for {@code (name_bytes.v)}, so that {@code name[i]}
   * and {@code name} as a pointer read as for an array. A union member other than the one last
   * written may be read in C99 (6.5.2.3, note 82); the union is aligned for {@code T}. Printable
   * characters are written as such (except {@code ? " \\}: no trigraph, no end of string), the others
   * as three-digit octal escapes, which no following character extends.
   */
  public static void bytesConstant(StringBuilder out, String name, String type, int size, int[] values) {
    int n = values.length;
    long bytes = (long) n * size;
    int rows = Math.toIntExact(Math.max(1, (bytes + CHUNK - 1) / CHUNK));
    out.append("static const union { unsigned char b[").append(rows).append("][").append(CHUNK).append("]; ")
        .append(type).append(" v[").append(Math.max(1, n)).append("]; } ").append(name).append("_bytes = {{\n  \"");
    long written = 0;
    for (int v : values) {
      for (int k = 0; k < size; k++) {
        if (written > 0 && written % CHUNK == 0) {
          out.append("\",\n  \"");
        }
        int b = (v >>> (8 * k)) & 0xff;
        if (b >= 0x20 && b < 0x7f && b != '?' && b != '"' && b != '\\') {
          out.append((char) b);
        } else {
          out.append('\\').append((char) ('0' + (b >> 6))).append((char) ('0' + ((b >> 3) & 7)))
              .append((char) ('0' + (b & 7)));
        }
        written++;
      }
    }
    out.append("\"}};\n#define ").append(name).append(" (").append(name).append("_bytes.v)\n");
  }
}
