package dev.zeropoint.frontend;

import dev.zeropoint.frontend.parser.QgLexer;
import dev.zeropoint.frontend.parser.QgParser;
import dev.zeropoint.ir.Diagnostics;
import dev.zeropoint.ir.SourceLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Lexer;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns ANTLR's syntax errors into diagnostics in the language's own words: token kinds get
 * readable names ("a value like %x") instead of grammar symbols. The one place parse errors are
 * translated.
 */
final class SyntaxErrorListener extends BaseErrorListener {
  private final String file;
  private final Diagnostics diagnostics;
  /** Recovery often trips again on the same line; the first error there is the one that explains it. */
  private int lastErrorLine = -1;

  SyntaxErrorListener(String file, Diagnostics diagnostics) {
    this.file = file;
    this.diagnostics = diagnostics;
  }

  @Override
  public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
      String msg, RecognitionException e) {
    if (line == lastErrorLine) {
      return;
    }
    lastErrorLine = line;
    SourceLocation at = new SourceLocation(file, line, charPositionInLine + 1);
    if (recognizer instanceof Lexer lexer) {
      String text = lexer.getInputStream().getText(
          org.antlr.v4.runtime.misc.Interval.of(lexer._tokenStartCharIndex, lexer._input.index()));
      diagnostics.error(at, "unexpected character " + quote(text.isEmpty() ? "?" : text.substring(0, 1)));
      return;
    }
    Token token = (Token) offendingSymbol;
    String found = token.getType() == Token.EOF ? "end of file" : quote(token.getText());
    IntervalSet expected = recognizer instanceof Parser p ? p.getExpectedTokens() : null;
    if (expected == null || expected.isNil()) {
      diagnostics.error(at, "unexpected " + found);
      return;
    }
    diagnostics.error(at, "expected " + describe(expected) + ", found " + found);
  }

  private static String describe(IntervalSet expected) {
    TreeSet<String> names = new TreeSet<>();
    for (int type : expected.toList()) {
      names.add(tokenName(type));
    }
    List<String> list = new ArrayList<>(names);
    if (list.size() > 8) {
      return String.join(", ", list.subList(0, 8)) + ", ...";
    }
    if (list.size() == 1) {
      return list.get(0);
    }
    return String.join(", ", list.subList(0, list.size() - 1)) + " or " + list.get(list.size() - 1);
  }

  private static String tokenName(int type) {
    return switch (type) {
      case Token.EOF -> "end of file";
      case QgLexer.IDENT -> "a name";
      case QgLexer.VALUE -> "a value like %x";
      case QgLexer.INT -> "an integer";
      case QgLexer.FLOAT -> "a number";
      case QgLexer.STRING -> "a string";
      default -> {
        String literal = QgParser.VOCABULARY.getLiteralName(type);
        yield literal != null ? literal : QgParser.VOCABULARY.getDisplayName(type);
      }
    };
  }

  private static String quote(String text) {
    String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    return "'" + shown.replace("\n", "\\n") + "'";
  }
}
