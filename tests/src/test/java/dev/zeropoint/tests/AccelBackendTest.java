package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.backends.Backends;
import dev.zeropoint.backends.accel.AccelBackend;
import dev.zeropoint.backends.accel.AccelTarget;
import dev.zeropoint.backends.accel.Pow2Requantization;
import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The accelerator targets compute the interpreter's outputs to the bit. Every golden model (after
 * {@code -O} and after {@code -O --integer-only}) and the shared random models run with their conv
 * and linear layers on the simulated accelerator and the rest on the host (the JVM backend):
 *
 * <ul>
 *   <li>on {@code vta} (no multiplier) with the requantization scales rounded to powers of two
 *       ({@code --requantize pow2}), against the interpreter on the same rounded graph;
 *   <li>on {@code vta-mul} and on the test target {@code tiny8} (8x8 tiles, tiny buffers) exactly as
 *       written, and rounded as well.
 * </ul>
 *
 * Each run goes through the simulator for every start order of the three queues, so a missing
 * dependency token shows as a difference between orders.
 */
class AccelBackendTest {
  /** Golden runs that must use the accelerator (run a region on it); raise it as ops are added. */
  static final int MIN_ACCELERATED_GOLDEN = 80;
  /** Random-model runs that must use it (of 60 models, per graph variant). */
  static final int MIN_ACCELERATED_RANDOM = 40;

  @ParameterizedTest
  @ValueSource(strings = {"vta", "vta-mul", "tiny8"})
  void goldenModelsMatchTheInterpreter(String target) throws Exception {
    check(target, BackendRuns.golden(), MIN_ACCELERATED_GOLDEN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"vta", "vta-mul", "tiny8"})
  void randomModelsMatchTheInterpreter(String target) throws Exception {
    List<BackendRuns.Run> runs = new ArrayList<>();
    for (int seed = 0; seed < 60; seed++) {
      RandomModels.Case c = new RandomModels(seed).next("random_" + seed);
      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(c.graph(), PassContext.forTests());
      runs.add(new BackendRuns.Run("random " + seed, optimized, Map.of("x", c.input())));
    }
    check(target, runs, MIN_ACCELERATED_RANDOM);
  }

  private static void check(String targetName, List<BackendRuns.Run> runs, int minAccelerated) throws Exception {
    AccelTarget target = AccelTarget.named(targetName).orElseThrow();
    AccelBackend backend = (AccelBackend) Backends.named(targetName).orElseThrow();
    boolean exact = target.description().multiplies();
    List<String> failures = new ArrayList<>();
    int ran = 0;
    int accelerated = 0;
    for (BackendRuns.Run run : runs) {
      Graph lowered = Lowering.pipeline(run.graph());
      List<Graph> graphs = new ArrayList<>();
      if (exact) {
        graphs.add(lowered);
      }
      try {
        graphs.add(Pow2Requantization.apply(lowered).graph());
      } catch (CompileException e) {
        // a scale above 1: no power-of-two right shift; the exact graph (if any) still runs
      }
      for (Graph g : graphs) {
        Map<String, TensorData> expected = new Interpreter().prepare(g).run(run.inputs());
        AccelBackend.Compiled c;
        try {
          c = backend.prepare(g);
          c.everyStartOrder(true);
          Map<String, TensorData> actual = c.run(run.inputs());
          for (var e : expected.entrySet()) {
            if (!e.getValue().contentEquals(actual.get(e.getKey()))) {
              failures.add(run.what() + ": output " + e.getKey() + " differs");
            }
          }
        } catch (CompileException | RuntimeException e) {
          failures.add(run.what() + ": " + e);
          continue;
        }
        ran++;
        if (!c.programs().isEmpty()) {
          accelerated++;
        }
      }
    }
    System.out.println(targetName + ": " + ran + " runs exact, " + accelerated + " of them on the accelerator; "
        + failures.size() + " failures");
    failures.stream().limit(20).forEach(System.out::println);
    assertEquals(0, failures.size(), "runs that failed or differ on " + targetName);
    assertTrue(accelerated >= minAccelerated, "only " + accelerated + " runs used the accelerator");
  }
}
