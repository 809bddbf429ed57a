package dev.zeropoint.backends.c;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every lib entry ({@code lib/NAME.c}) compiles on its own with exactly the entries its {@code
 * requires:} lines name (and what those require), under the strict flags: a call of an entry that
 * is not required, which a test emitting many entries together would not notice, fails here. Also:
 * each file defines {@code zp_NAME}.
 */
class LibEntriesCTest {
  @Test
  void everyLibEntryCompilesWithWhatItRequires() throws IOException, URISyntaxException, InterruptedException {
    CCompiler cc = CCompiler.find().orElse(null);
    assumeTrue(cc != null, "no C compiler on this machine (scripts/install-test-deps.sh installs gcc)");
    Path lib = Path.of(CLibrary.class.getResource("lib").toURI());
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(lib)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".c")).sorted()
          .forEach(n -> names.add(n.substring(0, n.length() - 2)));
    }
    assertTrue(names.size() > 1, "no lib entries found in " + lib);
    Path dir = Files.createTempDirectory("zeropoint-lib");
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> todo = new ConcurrentLinkedQueue<>(names);
    List<String> flags = new ArrayList<>(CCompiler.STRICT);
    flags.add("-Wno-unused-function");
    flags.add("-fsyntax-only");
    try {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread thread = new Thread(() -> {
          for (String name = todo.poll(); name != null; name = todo.poll()) {
            try {
              String text = CLibrary.lib(name);
              if (!text.matches("(?s).*\\bzp_" + name + "\\b.*")) {
                failures.add(name + ": does not define zp_" + name);
                continue;
              }
              Path src = dir.resolve(name + ".c");
              Files.writeString(src, "#include <stdint.h>\n#include <stddef.h>\n#include <string.h>\n\n"
                  + CLibrary.source(List.of(name), List.of()));
              cc.compileObject(src, dir.resolve(name + ".o"), flags);
            } catch (CToolException | IOException | RuntimeException e) {
              failures.add(name + ": " + e.getMessage());
            }
          }
        });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        thread.join();
      }
    } finally {
      CBackend.delete(dir);
    }
    if (!failures.isEmpty()) {
      fail(String.join("\n", failures));
    }
  }
}
