package dev.zeropoint.backends.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeropoint.backends.lowering.KernelCall;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which values get workspace arrays, and which share one, worked out by hand on small chains. */
class WorkspaceTest {
  private static final Numerics QNNPACK = Numerics.PYTORCH_QNNPACK;

  private record Planned(Workspace w, Map<Value, Integer> slot, List<Value> values) {}

  /**
   * x : f32[2, 8] -> quantize -> dequantize -> quantize -> dequantize ..., {@code links} pairs, the
   * last value the output; every node one step, slots in order (x is slot 0).
   */
  private static Planned chain(int links, boolean secondOutput) throws Exception {
    GraphBuilder b = GraphBuilder.create("chain", QNNPACK);
    Shape shape = Shape.of(2, 8);
    Value v = b.input("x", TensorType.of(ElementType.F32, shape));
    List<Value> values = new ArrayList<>(List.of(v));
    for (int i = 0; i < links; i++) {
      v = b.add(Op.QUANTIZE, Attrs.None.INSTANCE, TensorType.quantized(ElementType.U8, 0.5, 3, shape), v);
      values.add(v);
      v = b.add(Op.DEQUANTIZE, Attrs.None.INSTANCE, TensorType.of(ElementType.F32, shape), v);
      values.add(v);
    }
    b.output("y", v);
    if (secondOutput) {
      b.output("q", values.get(1));
    }
    Graph g = b.build();
    Lowering lowering = new Lowering(QNNPACK, "jvm", true, true);
    Map<Value, Integer> slot = new IdentityHashMap<>();
    List<Value> roots = new ArrayList<>();
    List<Workspace.Step> steps = new ArrayList<>();
    for (Node n : g.nodes()) {
      KernelCall call = lowering.lower(n).orElseThrow();
      slot.put(n.result(), roots.size() + 1);
      roots.add(n.result());
      steps.add(new Workspace.Step(n, n, call));
    }
    slot.put(values.get(0), 0);
    roots.add(0, values.get(0));
    return new Planned(Workspace.plan(g, steps, slot, roots), slot, values);
  }

  @Test
  void valuesWhoseLifetimesDoNotOverlapShareAnArray() throws Exception {
    Planned p = chain(3, false);
    // Slots 1..6: q1 d1 q2 d2 q3 d3 (d3 the output). q1 is last read by step 2 (d1), so q2 (step 3)
    // takes its array; d1 is read by step 3, so d2 (step 4) takes d1's; and so on.
    assertEquals(Set.of(1, 2, 3, 4, 5), p.w().pooledSlots());
    assertArrayEquals(new int[] {16, 0, 16, 1}, p.w().buffers());
    assertArrayEquals(new int[] {1, 0, 2, 1, 3, 0, 4, 1, 5, 0}, p.w().places());
  }

  @Test
  void outputsAndTheirArraysAreNeverInTheWorkspace() throws Exception {
    Planned p = chain(2, true);
    // q1 (slot 1) is an output too: allocated by the run. d1, q2: the workspace; d2 the output.
    assertEquals(Set.of(2, 3), p.w().pooledSlots());
    assertArrayEquals(new int[] {2, 0, 3, 1}, p.w().places());
    assertArrayEquals(new int[] {16, 1, 16, 0}, p.w().buffers());
  }
}
