package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The jvm backend on every pass test graph ({@code src/test/resources/passes/*.qg}, the cases that
 * are not expected to fail): the graph as written and after each of its RUN lines' pipelines, on
 * seeded random inputs, equal the interpreter's outputs to the bit (and on 3 threads).
 */
class JvmPassGraphsTest {
  @Test
  void everyPassTestGraphRunsExactlyAsInTheInterpreter() throws Exception {
    int graphs = 0;
    List<String> unsupported = new ArrayList<>();
    for (BackendRuns.Run r : BackendRuns.passGraphs()) {
      graphs += JvmBackendTest.compare(r.what(), r.graph(), r.inputs(), unsupported);
    }
    System.out.println("jvm backend: " + graphs + " pass test graphs exact; not run: " + unsupported);
    assertEquals(List.of(), unsupported, "pass test graphs the jvm backend does not run");
    assertTrue(graphs >= 100, "only " + graphs + " pass test graphs ran");
  }

  /**
   * Inputs of every type: floats on a grid of 1/64 over [-8, 8] (exact ties for the tests' scales),
   * integers over their storage's whole range.
   */
  static Map<String, TensorData> randomInputs(Graph g, Random random) {
    Map<String, TensorData> inputs = new LinkedHashMap<>();
    for (Value in : g.inputs()) {
      var type = in.type();
      int n = Math.toIntExact(type.shape().numElements());
      ElementType e = type.elementType();
      if (e.isFloat()) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = (random.nextInt(1025) - 512) / 64.0;
        }
        inputs.put(in.name(), TensorData.ofDoubles(e, type.shape(), v));
      } else {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = e.minValue() + (long) (random.nextDouble() * (e.maxValue() - e.minValue() + 1));
        }
        inputs.put(in.name(), TensorData.ofLongs(e, type.shape(), v));
      }
    }
    return inputs;
  }
}
