package dev.zeropoint.backends.c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Large integer constants written as strings of their bytes ({@link CSource#bytesConstant}) read
 * back, in C built with the strict flags ({@code -pedantic -Werror}: no over-long string) and the
 * sanitizers, as the values written: every byte value (the escaped ones, {@code ?}, quotes,
 * backslashes, digits after an octal escape), each element size, signed extremes, and lengths on
 * either side of a string's end.
 */
class BytesConstantCTest {
  @Test
  void bytesReadBackAsTheValues() {
    CCompiler cc = CCompiler.find().orElse(null);
    assumeTrue(cc != null, "no C compiler (scripts/install-test-deps.sh installs gcc)");
    Random r = new Random(5);
    List<int[]> arrays = new ArrayList<>();
    List<String> types = List.of("int8_t", "uint8_t", "int16_t", "int32_t");
    List<Integer> sizes = List.of(1, 1, 2, 4);
    StringBuilder program = new StringBuilder("#include <stdint.h>\n#include <stdio.h>\n");
    StringBuilder main = new StringBuilder("int main(void) {\n  long i;\n");
    int[] lengths = {1, 1999, 2000, 2001, 4000, 4001, 12345};
    int id = 0;
    for (int t = 0; t < types.size(); t++) {
      for (int n : lengths) {
        int size = sizes.get(t);
        int[] v = new int[n];
        boolean unsigned = types.get(t).startsWith("u");
        for (int i = 0; i < n; i++) {
          long lo = unsigned ? 0 : -(1L << (8 * size - 1));
          // every byte value first ('?', '"', '\\', ...), then random values
          v[i] = size == 1 && i < 256 ? (unsigned ? i : (byte) i)
              : (int) (lo + (long) (r.nextDouble() * (1L << (8 * size))));
        }
        v[n - 1] = (int) (unsigned ? (1L << (8 * size)) - 1 : -(1L << (8 * size - 1))); // an extreme
        if (size == 1 && n > 300) {
          for (int i = 0; i < 40; i++) { // a digit after each escaped byte
            v[300 + i] = i % 2 == 0 ? (unsigned ? 7 : -1) : '0' + i % 10;
          }
        }
        arrays.add(v);
        String name = "k" + id++;
        CSource.bytesConstant(program, name, types.get(t), size, v);
        main.append("  for (i = 0; i < ").append(n).append("; i++) printf(\"%ld \", (long) ").append(name)
            .append("[i]);\n  printf(\"\\n\");\n");
      }
    }
    String source = program + main.toString() + "  return 0;\n}\n";
    String[] lines = KernelHarness.compileAndRun(cc, source).split("\n");
    assertEquals(arrays.size(), lines.length);
    for (int a = 0; a < arrays.size(); a++) {
      String[] got = lines[a].trim().split(" ");
      int[] want = arrays.get(a);
      assertEquals(want.length, got.length, "array " + a);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], Long.parseLong(got[i]), "array " + a + " element " + i);
      }
    }
    // the strings hold escapes and characters as written: each byte value appears
    StringBuilder one = new StringBuilder();
    int[] all = new int[256];
    for (int i = 0; i < 256; i++) {
      all[i] = i;
    }
    CSource.bytesConstant(one, "k", "uint8_t", 1, all);
    assertTrue(one.toString().contains("\\077") && one.toString().contains("\\042") && one.toString().contains("\\134"),
        one.toString());
  }
}
