package dev.zeropoint.frontend.tensorfile;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Text helpers that keep user-facing error messages on one readable line. */
final class Messages {
  /** Names from a hostile file can be megabytes long; a message shows this many characters of one. */
  static final int MAX_QUOTED_LENGTH = 120;

  private Messages() {}

  /** {@code text} in single quotes, control characters and quotes escaped, cut to a readable length. */
  static String quote(String text) {
    StringBuilder b = new StringBuilder("'");
    String shown = text.length() <= MAX_QUOTED_LENGTH ? text : text.substring(0, MAX_QUOTED_LENGTH);
    shown.codePoints().forEach(c -> {
      switch (c) {
        case '\'' -> b.append("\\'");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            b.append(String.format("\\x%02x", c));
          } else {
            appendVisibly(b, c);
          }
        }
      }
    });
    if (shown.length() < text.length()) {
      b.append("...");
    }
    return b.append('\'').toString();
  }

  /** {@code text} with line breaks and other control characters as spaces, invisible characters escaped. */
  static String oneLine(String text) {
    StringBuilder b = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      if (Character.isISOControl(c)) {
        b.append(' ');
      } else {
        appendVisibly(b, c);
      }
    });
    return b.toString().strip();
  }

  /**
   * Escapes what would break a message's line or hide or reorder its text: format characters
   * (byte order marks, zero-width spaces, bidirectional overrides), Unicode line and paragraph
   * separators, and unpaired surrogates.
   */
  private static void appendVisibly(StringBuilder b, int c) {
    int type = Character.getType(c);
    if (type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.SURROGATE) {
      b.append(String.format("\\u%04x", c));
    } else {
      b.appendCodePoint(c);
    }
  }

  /** {@code text} on one line, cut to a readable length. */
  static String truncate(String text) {
    String line = oneLine(text);
    return line.length() <= MAX_QUOTED_LENGTH ? line : line.substring(0, MAX_QUOTED_LENGTH) + "...";
  }

  /** What went wrong in an I/O operation, without the file name the JDK repeats in its messages. */
  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
