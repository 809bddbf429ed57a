package dev.zeropoint.backends.jvm;

import dev.zeropoint.backends.lowering.KernelCall;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a compiled model's intermediate values live: arrays of a workspace that a run takes from
 * its model and gives back ({@code GeneratedModel}), instead of arrays allocated by every run. An
 * allocation per value per run costs the zeroing of every array and, for a network's activations
 * (tens of megabytes of int arrays a run), writes that miss every cache; a workspace's arrays are
 * reused run after run, and one array holds, one after the other, values whose lifetimes do not
 * overlap, so that the arrays a run touches stay few and in the last-level cache.
 *
 * <p>A value gets a workspace array when its kernel writes every element of its result whatever the
 * array held ({@link #OVERWRITES}), when it is no output of the graph (outputs are handed to the
 * caller, so they are allocated by the run) and when it is not an input or a constant. Values share an
 * array when they have the same element representation ({@code int[]} or {@code float[]}) and length
 * and the first is last read before the second is written: a step's results are given arrays before
 * the arrays its operands free are returned, so no kernel writes an array it reads.
 */
final class Workspace {
  /**
   * The kernels that write every element of their result, never reading it: requantized
   * convolutions and their sums (which start from the bias), requantizations, QNNPACK's add, the
   * pools and the elementwise conversions of PyTorch's models. Any other kernel's result is a fresh
   * (zeroed) array of its run.
   */
  static final Set<String> OVERWRITES = Set.of(
      "GemmF32.conv2dRequantize", "Winograd.conv2dRequantize", "Depthwise.conv2dRequantize",
      "GemmF32.conv2d", "Winograd.conv2d", "Gemm.conv2d", "Depthwise.conv2d", "Depthwise.conv2dInt32",
      "Requantize.requantize", "Arithmetic.addQnnpack", "Pool.maxPool", "Pool.maxPoolClamped",
      "Pool.averageQnnpack", "Elementwise.quantize", "Elementwise.dequantize");

  /** One generated call: its node, the node whose operands it reads (itself or a fused conv2d_acc), the call. */
  record Step(Node node, Node operandsOf, KernelCall call) {}

  private final List<int[]> buffers = new ArrayList<>(); // {length, 1 for float[] else 0}
  private final List<int[]> places = new ArrayList<>(); // {slot, buffer}
  private final Set<Integer> pooled = new HashSet<>();

  private Workspace() {}

  /**
   * The workspace of a model whose values are in frame slots {@code slot} ({@code roots}: the value
   * whose array each slot holds; an alias shares its operand's slot).
   */
  static Workspace plan(Graph graph, List<Step> steps, Map<Value, Integer> slot, List<Value> roots) {
    Set<Integer> outputs = new HashSet<>();
    for (Graph.Output o : graph.outputs()) {
      outputs.add(slot.get(o.value()));
    }
    int[] lastRead = new int[roots.size()];
    java.util.Arrays.fill(lastRead, -1);
    for (int i = 0; i < steps.size(); i++) {
      Step st = steps.get(i);
      for (Node reader : List.of(st.node(), st.operandsOf())) {
        for (Value v : reader.operands()) {
          Integer s = slot.get(v);
          if (s != null) {
            lastRead[s] = i;
          }
        }
      }
    }
    Workspace w = new Workspace();
    Map<Long, ArrayDeque<Integer>> free = new HashMap<>(); // (length, kind) -> free buffers
    List<List<Integer>> freedAfter = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      freedAfter.add(new ArrayList<>());
    }
    for (int i = 0; i < steps.size(); i++) {
      Step st = steps.get(i);
      KernelCall c = st.call();
      boolean overwrites = OVERWRITES.contains(c.owner().getSimpleName() + "." + c.method());
      for (Value r : st.node().results()) {
        int s = slot.get(r);
        if (!overwrites || outputs.contains(s) || roots.get(s) != r) {
          continue;
        }
        long length = r.type().shape().numElements();
        int kind = r.type().elementType() == ElementType.F32 ? 1 : 0;
        long key = length * 2 + kind;
        ArrayDeque<Integer> q = free.get(key);
        int buffer;
        if (q != null && !q.isEmpty()) {
          buffer = q.pop();
        } else {
          buffer = w.buffers.size();
          w.buffers.add(new int[] {Math.toIntExact(length), kind});
        }
        w.places.add(new int[] {s, buffer});
        w.pooled.add(s);
        freedAfter.get(Math.max(i, lastRead[s])).add(buffer);
      }
      for (int buffer : freedAfter.get(i)) {
        int[] b = w.buffers.get(buffer);
        free.computeIfAbsent((long) b[0] * 2 + b[1], k -> new ArrayDeque<>()).push(buffer);
      }
    }
    return w;
  }

  /** The frame slots whose arrays come from the workspace. */
  Set<Integer> pooledSlots() {
    return pooled;
  }

  /** The workspace's arrays, in pairs: length, 1 for {@code float[]} or 0 for {@code int[]}. */
  int[] buffers() {
    return flatten(buffers);
  }

  /** Pairs: a frame slot, the workspace array it holds. */
  int[] places() {
    return flatten(places);
  }

  private static int[] flatten(List<int[]> pairs) {
    int[] out = new int[pairs.size() * 2];
    for (int i = 0; i < pairs.size(); i++) {
      out[2 * i] = pairs.get(i)[0];
      out[2 * i + 1] = pairs.get(i)[1];
    }
    return out;
  }
}
