package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.backends.interp.Tensor;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Printer;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.lower.IntegerOnly;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The passes change no output integer on seeded random models ({@link RandomModels}): the
 * interpreter gives the same outputs before and after {@code -O}, and after {@code -O --integer-only}
 * where the model can be made integer-only (its quantized output equals the original's integers).
 */
class PassDifferentialTest {
  static final int MODELS = 300;

  @Test
  void optimizingChangesNoOutputInteger() throws Exception {
    int integerOnly = 0;
    int distinctTotal = 0;
    int broadcastAdds = 0; // lowered to binary_lookup in the integer-only models
    int bothLambdas = 0; // of those, with vectorized and scalar elements (two tables)
    for (int seed = 0; seed < MODELS; seed++) {
      RandomModels.Case c = new RandomModels(seed).next("random_" + seed);
      Graph g = c.graph();
      Map<String, TensorData> inputs = Map.of("x", c.input());
      Map<Value, Tensor> reference = Interpreter.evaluate(g, inputs);
      Value out = g.outputs().get(0).value();
      Tensor expected = reference.get(out);
      Tensor expectedInts = reference.get(out.producer().operand(0));
      distinctTotal += (int) java.util.Arrays.stream(expectedInts.ints).distinct().count();

      Graph optimized = PassManager.defaultPipeline(PassRegistry.load()).run(g, PassContext.forTests());
      TensorData actual = new Interpreter().prepare(optimized).run(inputs).get("y");
      assertEquals(expected.size(), GoldenTest.countEqual(expected.toData(), actual),
          "seed " + seed + ": -O changed outputs\n" + Printer.print(g));

      PassContext integer = new PassContext(true, true, Set.of(), false, new java.io.PrintWriter(System.err, true),
          new LinkedHashMap<>());
      Graph lowered;
      try {
        lowered = IntegerOnly.finish(PassManager.defaultPipeline(PassRegistry.load()).run(g, integer));
      } catch (CompileException e) {
        continue; // an op that still needs float (a broadcast add of a channels-last tensor): -O alone was checked above
      }
      integerOnly++;
      for (dev.zeropoint.ir.Node n : lowered.nodes()) {
        if (n.op() == Op.BINARY_LOOKUP) {
          broadcastAdds++;
          var split = (dev.zeropoint.ir.op.Attrs.BinaryLookup) n.attrs();
          bothLambdas += split.tablesNeeded() == 2 ? 1 : 0;
        }
      }
      Value quantizedInput = g.users(g.inputs().get(0)).stream().filter(n -> n.op() == Op.QUANTIZE).findFirst()
          .orElseThrow().result();
      TensorData ints = new Interpreter().prepare(lowered).run(Map.of("x", reference.get(quantizedInput).toData()))
          .get("y");
      assertEquals(expectedInts.size(), GoldenTest.countEqual(expectedInts.toData(), ints),
          "seed " + seed + ": -O --integer-only changed outputs\n" + Printer.print(g));
    }
    System.out.println("random models: " + MODELS + " exact after -O, " + integerOnly
        + " also integer-only and exact (" + broadcastAdds + " broadcast adds as binary_lookup, " + bothLambdas
        + " with both lambdas); mean distinct output integers " + distinctTotal / MODELS);
    assertTrue(bothLambdas >= 10, "too few lowered broadcast adds with vectorized and scalar elements: " + bothLambdas
        + " (of " + broadcastAdds + ")");
    assertTrue(integerOnly > MODELS / 3, "too few random models were integer-only: " + integerOnly);
    assertTrue(distinctTotal / MODELS > 8, "random models degenerate: mean distinct outputs " + distinctTotal / MODELS);
  }
}
