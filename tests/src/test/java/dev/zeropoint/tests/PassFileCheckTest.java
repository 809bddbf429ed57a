package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Pass tests: {@code src/test/resources/passes/*.qg}. Each case (split by {@code // -----}) has
 * {@code // RUN: zeropoint ARGS %s} lines; the command's stdout must satisfy the case's CHECK lines.
 * A case with {@code // expected-error {{message}}} markers (on the line they concern, or
 * {@code @+N} / {@code @-N} from it) must instead fail with exactly those errors at those lines.
 * The pass manager verifies the IR after every pass here.
 */
class PassFileCheckTest {
  static final Path DIR = Path.of("src/test/resources/passes");

  /** One case of a pass test file: its lines, from {@code firstLine} (0-based) of the file. */
  record Case(Path file, int firstLine, List<String> lines) {
    String where() {
      return file.getFileName() + ":" + (firstLine + 1);
    }

    /** The commands of its {@code // RUN:} lines. */
    List<String> runs() {
      return lines.stream().filter(l -> l.contains("// RUN:")).map(l -> l.substring(l.indexOf("// RUN:") + 7).trim())
          .toList();
    }
  }

  /** Every case of every pass test file, in file and line order. */
  static List<Case> cases() throws IOException {
    List<Case> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".qg")).sorted().toList()) {
        List<String> lines = Files.readAllLines(file);
        int start = 0;
        for (int i = 0; i <= lines.size(); i++) {
          if (i == lines.size() || lines.get(i).trim().equals("// -----")) {
            cases.add(new Case(file, start, lines.subList(start, i)));
            start = i + 1;
          }
        }
      }
    }
    return cases;
  }

  @TestFactory
  Stream<DynamicTest> everyPassTestHolds() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : cases()) {
      tests.add(DynamicTest.dynamicTest(c.where(), () -> run(c)));
    }
    assertFalse(tests.isEmpty(), "no pass tests");
    return tests.stream();
  }

  private static void run(Case c) throws IOException {
    int firstLine = c.firstLine();
    List<String> caseLines = c.lines();
    List<String> runs = c.runs();
    assertFalse(runs.isEmpty(), "case at line " + (firstLine + 1) + " has no RUN line");
    List<FileCheck.Directive> checks = FileCheck.parse(caseLines, firstLine + 1);
    List<String> expectedErrors = expectedErrors(caseLines, firstLine);
    assertFalse(checks.isEmpty() && expectedErrors.isEmpty(),
        "case at line " + (firstLine + 1) + " has no CHECK line and no expected-error marker");
    Path caseFile = Files.createTempFile(Files.createDirectories(Path.of("target")), "case", ".qg");
    Files.writeString(caseFile, "\n".repeat(firstLine) + String.join("\n", caseLines) + "\n");
    try {
      for (String run : runs) {
        List<String> words = new ArrayList<>(Arrays.asList(run.split("\\s+")));
        assertEquals("zeropoint", words.remove(0), "RUN lines start with zeropoint: " + run);
        String[] args = words.stream().map(w -> w.equals("%s") ? caseFile.toString() : w).toArray(String[]::new);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.execute(withVerify(args), new PrintWriter(out, true), new PrintWriter(err, true));
        if (!expectedErrors.isEmpty()) {
          assertEquals(1, status, run + " should fail with " + expectedErrors + "\n" + out);
          String prefix = caseFile + ":";
          List<String> actual = err.toString().lines().filter(l -> l.startsWith(prefix) && l.contains(": error: "))
              .map(l -> l.substring(prefix.length()).replaceFirst("^(\\d+):\\d+: error: ", "$1: ")).sorted().toList();
          assertEquals(expectedErrors, actual, run + "\n" + err);
          continue;
        }
        assertEquals(0, status, run + "\n" + err);
        Optional<String> failure = FileCheck.check(checks, out.toString());
        assertTrue(failure.isEmpty(), () -> failure.get() + "\n--- output of " + run + ":\n" + out);
      }
    } finally {
      Files.deleteIfExists(caseFile);
    }
  }

  private static final java.util.regex.Pattern MARKER =
      java.util.regex.Pattern.compile("expected-error(?:@([+-]\\d+))?\\s*\\{\\{(.*?)}}");

  /** "LINE: message" for every marker, sorted; line numbers are the file's. */
  private static List<String> expectedErrors(List<String> caseLines, int firstLine) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < caseLines.size(); i++) {
      String line = caseLines.get(i);
      int comment = line.indexOf("//");
      java.util.regex.Matcher m = MARKER.matcher(comment < 0 ? "" : line.substring(comment));
      while (m.find()) {
        int offset = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        out.add((firstLine + i + 1 + offset) + ": " + m.group(2));
      }
    }
    return out.stream().sorted().toList();
  }

  /** Pass tests always verify after every pass. */
  private static String[] withVerify(String[] args) {
    boolean pipeline = Arrays.stream(args).anyMatch(a -> a.equals("--passes") || a.equals("-O"));
    if (!pipeline) {
      return args;
    }
    String[] out = Arrays.copyOf(args, args.length + 1);
    out[args.length] = "--verify-each";
    return out;
  }
}
