package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The FileCheck the pass tests rely on fails when it should. */
class FileCheckTest {
  private static Optional<String> check(String directives, String output) {
    return FileCheck.check(FileCheck.parse(directives.lines().toList(), 1), output);
  }

  static final String OUT = "model m {\n  %a = relu(%x)\n  %b = add(%a, %a)\n  output y = %b\n}\n";

  @Test
  void checksInOrder() {
    assertEquals(Optional.empty(), check("// CHECK: relu\n// CHECK: add(%a, %a)", OUT));
    assertTrue(check("// CHECK: add\n// CHECK: relu", OUT).isPresent(), "order matters");
    assertTrue(check("// CHECK: conv2d", OUT).isPresent());
  }

  @Test
  void checkNextIsTheVeryNextLine() {
    assertEquals(Optional.empty(), check("// CHECK: relu\n// CHECK-NEXT: add", OUT));
    assertEquals(Optional.of("line 2: CHECK-NEXT: output did not match the line after the previous match:   %b = add(%a, %a)"),
        check("// CHECK: relu\n// CHECK-NEXT: output", OUT));
  }

  @Test
  void checkNotBetweenMatches() {
    assertEquals(Optional.empty(), check("// CHECK: relu\n// CHECK-NOT: relu\n// CHECK: output", OUT));
    assertEquals(Optional.of("line 2: CHECK-NOT: add found:   %b = add(%a, %a)"),
        check("// CHECK: relu\n// CHECK-NOT: add\n// CHECK: output", OUT));
    assertTrue(check("// CHECK-NOT: output", OUT).isPresent(), "a trailing CHECK-NOT covers the rest");
  }

  @Test
  void regexHoles() {
    assertEquals(Optional.empty(), check("// CHECK: %{{[a-z]}} = add(%a, %a)", OUT));
    assertTrue(check("// CHECK: %{{[0-9]}} = add", OUT).isPresent());
    assertEquals(List.of(), FileCheck.parse(List.of("no directives here"), 1));
  }
}
