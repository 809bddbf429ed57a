package dev.zeropoint.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Diagnostic;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every case of the {@code diagnostics/*.qg} files: the model must fail with exactly the
 * errors its {@code expected-error} markers name, at those lines, and no others.
 */
class DiagnosticsFileTest {
  @TestFactory
  Stream<DynamicTest> everyCaseReportsExactlyItsExpectedErrors() throws IOException, URISyntaxException {
    Path dir = Path.of(getClass().getResource("/diagnostics").toURI());
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".qg")).sorted().toList()) {
        for (ExpectedErrors.Case c : ExpectedErrors.split(Files.readString(file))) {
          String name = file.getFileName() + ":" + c.firstLine();
          tests.add(DynamicTest.dynamicTest(name, () -> check(file, c)));
        }
      }
    }
    assertFalse(tests.isEmpty(), "no diagnostics cases found");
    return tests.stream();
  }

  private static void check(Path file, ExpectedErrors.Case c) {
    assertFalse(c.expected().isEmpty(), "case at line " + c.firstLine() + " has no expected-error marker");
    String shown = file.getFileName().toString();
    try {
      ModelParser.create().parse(shown, c.text(), file.getParent());
      fail("expected errors " + c.expected() + " but the model parsed");
    } catch (CompileException e) {
      List<ExpectedErrors.Expectation> actual = new ArrayList<>();
      for (Diagnostic d : e.diagnostics()) {
        assertEquals(shown, d.location().file(), "diagnostic in another file: " + d);
        actual.add(new ExpectedErrors.Expectation(d.location().line(), d.message()));
      }
      assertEquals(sorted(c.expected()), sorted(actual));
    }
  }

  private static List<ExpectedErrors.Expectation> sorted(List<ExpectedErrors.Expectation> list) {
    return list.stream().sorted((a, b) -> a.line() != b.line() ? a.line() - b.line()
        : a.message().compareTo(b.message())).toList();
  }
}
