package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.Diagnostic;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphComparison;
import dev.zeropoint.ir.Printer;
import dev.zeropoint.ir.Verifier;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.lower.IntegerOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Print then parse gives an identical graph, for every model in the repository (examples, goldens,
 * test models) and for seeded random graphs; printing is idempotent.
 */
class RoundTripTest {
  /** Folders whose .qg files are valid models (pass tests hold several cases a file: not models). */
  static final List<Path> MODEL_DIRS = List.of(Path.of("../examples"), Path.of("src/test/resources/golden"));

  static List<Path> allModels() throws IOException {
    List<Path> out = new java.util.ArrayList<>();
    for (Path dir : MODEL_DIRS) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.filter(p -> p.toString().endsWith(".qg")).sorted().forEach(out::add);
      }
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> everyModelInTheRepositoryRoundTrips() throws IOException {
    List<Path> models = allModels();
    assertTrue(models.stream().anyMatch(p -> p.startsWith(Path.of("../examples"))), "no example models found");
    return models.stream().map(p -> DynamicTest.dynamicTest(p.toString(), () -> {
      Graph g = ModelParser.create().parse(p);
      assertRoundTrips(g, p.toAbsolutePath().getParent());
    }));
  }

  /** Lowered models print and parse back too: every golden after -O and after -O --integer-only. */
  @TestFactory
  Stream<DynamicTest> loweredModelsRoundTrip() throws IOException {
    return GoldenTest.cases().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName() + " lowered", () -> {
      Path model;
      try (Stream<Path> files = Files.list(dir)) {
        model = files.filter(p -> p.toString().endsWith(".qg")).findFirst().orElseThrow();
      }
      Graph g = ModelParser.create().parse(model);
      Path base = model.toAbsolutePath().getParent();
      assertRoundTrips(PassManager.defaultPipeline(PassRegistry.load()).run(g, PassContext.forTests()), base);
      PassContext integerOnly = new PassContext(true, true, java.util.Set.of(), false,
          new java.io.PrintWriter(System.err, true), new java.util.LinkedHashMap<>());
      try {
        assertRoundTrips(IntegerOnly.finish(PassManager.defaultPipeline(PassRegistry.load()).run(g, integerOnly)), base);
      } catch (dev.zeropoint.ir.CompileException e) {
        // not integer-only (reported by GoldenTest): the -O form above was checked
      }
    }));
  }

  @Test
  void seededRandomGraphsRoundTripBitExactly() throws Exception {
    for (int seed = 0; seed < 300; seed++) {
      Graph g = new RandomGraphs(seed).next("random_" + seed);
      List<Diagnostic> problems = Verifier.verify(g);
      assertTrue(problems.isEmpty(), "seed " + seed + ": " + problems);
      assertRoundTrips(g, Path.of("."));
    }
  }

  static void assertRoundTrips(Graph g, Path baseDir) throws Exception {
    String text = Printer.print(g);
    Graph again = ModelParser.create().parse(g.name() + ".printed.qg", text, baseDir);
    Optional<String> difference = GraphComparison.firstDifference(g, again);
    assertTrue(difference.isEmpty(), () -> difference.get() + "\n" + text);
    assertEquals(text, Printer.print(again), "printing is not idempotent");
  }
}
