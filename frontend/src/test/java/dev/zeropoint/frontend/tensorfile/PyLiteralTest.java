package dev.zeropoint.frontend.tensorfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PyLiteralTest {
  private static Object parse(String text) throws PyLiteral.SyntaxError {
    return PyLiteral.parse(text, false);
  }

  private static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }

  @Test
  void tuplesFollowPythonRules() throws Exception {
    assertEquals(new PyLiteral.Tuple(List.of()), parse("()"));
    assertEquals(new PyLiteral.Tuple(List.of(big(3))), parse("(3,)"));
    assertEquals(big(3), parse("(3)"), "parentheses without a comma make no tuple");
    assertEquals(new PyLiteral.Tuple(List.of(big(2), big(3))), parse("( 2 ,\n 3 , )"));
    assertEquals(new PyLiteral.Tuple(List.of(new PyLiteral.Tuple(List.of()), List.of())), parse("((), [])"));
  }

  @Test
  void scalars() throws Exception {
    assertEquals("it's", parse("'it\\'s'"));
    assertEquals("say \"hi\"", parse("\"say \\\"hi\\\"\""));
    assertEquals("a\tb\\dA", parse("'a\\tb\\d\\x41'"), "unknown escapes keep their backslash, as in Python");
    assertEquals(big(-12), parse("- 12"));
    assertEquals(new BigInteger("123456789012345678901234567890"), parse("123456789012345678901234567890"));
    assertEquals(big(0), parse("000"));
    assertEquals(2.5, parse("2.5"));
    assertEquals(-0.5, parse("-.5"));
    assertEquals(1e-3, parse("1e-3"));
    assertEquals(Boolean.TRUE, parse("True"));
    assertSame(PyLiteral.NONE, parse("None"));
    assertEquals(big(7), PyLiteral.parse("7L", true));
  }

  @Test
  void dictsKeepDuplicatesForTheCaller() throws Exception {
    PyLiteral.Dict dict = (PyLiteral.Dict) parse("{'a': 1, 'a': 2,}");
    assertEquals(List.of(Map.entry("a", big(1)), Map.entry("a", big(2))), dict.entries());
    assertEquals(new PyLiteral.Dict(List.of()), parse("{}"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "(,)                | unexpected character ',' at offset 1",
      "[1 2]              | expected ',' or ']' but found character '2' at offset 3",
      "{'a' 1}            | expected ':' but found character '1' at offset 5",
      "{'a': 1,,}         | unexpected character ',' at offset 8",
      "'abc               | unterminated string at offset 0",
      "'ab\\x4'           | bad \\x escape at offset 5",
      "1.2.3              | malformed number at offset 0",
      "1e                 | malformed number at offset 0",
      "0x10               | unexpected character 'x' after the literal at offset 1",
      "-                  | expected a number after '-' but found the end of the header at offset 0",
      "+(                 | expected a number after '+' but found character '(' at offset 0",
      "7L                 | unexpected character 'L' after the literal at offset 1",
      "true               | unexpected name 'true' at offset 0",
      "(1) (2)            | unexpected character '(' after the literal at offset 4",
      "b'x'               | unexpected name 'b' at offset 0",
  })
  void syntaxErrors(String text, String message) {
    PyLiteral.SyntaxError e = assertThrows(PyLiteral.SyntaxError.class, () -> parse(text.strip()));
    assertEquals(message.strip(), e.getMessage());
  }

  @Test
  void reprIsPythonLike() throws Exception {
    assertEquals("{'descr': [('a', '<i4')], 'x': (1,), 'y': None, 'z': True}",
        PyLiteral.repr(parse("{'descr': [('a', '<i4')], 'x': (1,), 'y': None, 'z': True}")));
  }
}
