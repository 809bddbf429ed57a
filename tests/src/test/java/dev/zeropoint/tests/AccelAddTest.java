package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.backends.accel.AccelBackend;
import dev.zeropoint.backends.accel.AccelTarget;
import dev.zeropoint.backends.accel.Partition;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * QNNPACK's add on the accelerator, on every pair of quint8 inputs, against {@link PyTorchQnnpack#add}:
 * including the scales where the shift meets exact ties of negative accumulators (rounded half away
 * from zero), which the golden models rarely reach.
 */
class AccelAddTest {
  @ParameterizedTest
  @CsvSource({"0.05, 100, 0.1, 130, 0.1, 120", "0.0371, 3, 0.0533, 250, 0.061, 77", "0.2, 128, 0.0125, 0, 0.3, 255"})
  void everyPairOfInputsGivesQnnpacksInteger(double sa, int za, double sb, int zb, double so, int zo)
      throws Exception {
    String text = """
        model add_pairs numerics(pytorch-qnnpack) {
          input %a : qu8<SA:ZA>[1, 16, 64, 64]
          input %b : qu8<SB:ZB>[1, 16, 64, 64]
          %y = add(%a, %b) : qu8<SO:ZO>[1, 16, 64, 64]
          output y = %y
        }
        """.replace("SA", Double.toString(sa)).replace("ZA", Integer.toString(za))
        .replace("SB", Double.toString(sb)).replace("ZB", Integer.toString(zb))
        .replace("SO", Double.toString(so)).replace("ZO", Integer.toString(zo));
    Graph g = ModelParser.create().parse("add.qg", text, Path.of("."));
    Shape shape = Shape.of(1, 16, 64, 64);
    long[] a = new long[65536];
    long[] b = new long[65536];
    for (int i = 0; i < a.length; i++) {
      a[i] = i % 256;
      b[i] = i / 256;
    }
    AccelBackend.Compiled c = new AccelBackend(AccelTarget.named("vta-mul").orElseThrow()).prepare(g);
    assertTrue(c.partition().regions().stream().anyMatch(r -> r instanceof Partition.AccelRegion),
        c.partition().describe());
    TensorData y = c.run(Map.of("a", TensorData.ofLongs(ElementType.U8, shape, a),
        "b", TensorData.ofLongs(ElementType.U8, shape, b))).get("y");
    PyTorchQnnpack.AddParams p = PyTorchQnnpack.addParams(sa, za, sb, zb, so, zo, false);
    int negativeTies = 0;
    for (int i = 0; i < a.length; i++) {
      assertEquals(PyTorchQnnpack.add((int) a[i], (int) b[i], p), y.getLong(i), "a=" + a[i] + " b=" + b[i]);
      int acc = p.zeroPointProduct() + (int) a[i] * p.aMultiplier() + (int) b[i] * p.bMultiplier();
      if (acc < 0 && Math.floorMod(acc, 1 << p.shift()) == 1 << (p.shift() - 1)) {
        negativeTies++;
      }
    }
    if (sa == 0.05) {
      assertTrue(negativeTies > 1000, "the first case is about negative ties; it has " + negativeTies);
    }
  }
}
