package dev.zeropoint.passes.elide;

import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.RewritePass;
import dev.zeropoint.passes.PassContext;
import java.util.List;
import java.util.Optional;

/**
 * {@code elide-elementwise}: relu, relu6, hardtanh and clamp on a quantized tensor are integer
 * clamps whose bounds are the real bounds quantized with the input's parameters and saturated
 * ({@link QuantizedClamp}). Rules, each exact on every input:
 * <ul>
 *   <li>a side quantizing to the storage limit clamps nothing and is dropped:
 *       {@code hardtanh(x){0, 6}} on {@code qu8<0.0249:0>} -> {@code clamp(x){max = 6}} (0 is q = 0);
 *       on {@code qu8<0.02:10>}, 6 / 0.02 + 10 = 310 saturates to 255 -> {@code clamp(x){min = 0}};
 *   <li>a clamp covering the whole storage range disappears: {@code relu(x)} on zero point 0 -> {@code x};
 *       {@code hardtanh(x){0, 6}} on {@code qu8<0.02:0>} -> {@code x};
 *   <li>a chain of clamps on the same parameters is one clamp: {@code hardtanh(relu(x))} -> {@code clamp(x)}.
 * </ul>
 * A node that none of these changes is kept as written. Float tensors are left alone.
 */
public final class ElideElementwise extends RewritePass {
  @Override
  public String name() {
    return "elide-elementwise";
  }

  @Override
  public String description() {
    return "turn clamps of quantized tensors into their integer effect: drop saturated bounds, merge chains";
  }



  @Override
  protected Optional<List<Value>> rewrite(Graph graph, Node n, List<Value> operands, GraphRewriter.Rewrite b,
      PassContext context) throws TypeError {
    Value input = operands.isEmpty() ? null : operands.get(0);
    if (input == null) {
      return Optional.empty();
    }
    Optional<QuantizedClamp> own = QuantizedClamp.of(n, input.type(), graph.numerics());
    if (own.isEmpty()) {
      return Optional.empty();
    }
    QuantizedClamp clamp = own.get();
    boolean changed = false;
    // PyTorch permutes the data of some clamps (PyTorchLayout.permutesNhwcAsNchw): a rewrite must keep
    // exactly as many permutations as the chain it replaces, one or none.
    boolean permutes = PyTorchLayout.permutesNhwcAsNchw(n, graph.numerics());
    Node producer = input.producer();
    if (producer != null) {
      Optional<QuantizedClamp> inner = QuantizedClamp.of(producer, producer.operand(0).type(), graph.numerics());
      if (inner.isPresent()) {
        clamp = clamp.after(inner.get());
        permutes |= PyTorchLayout.permutesNhwcAsNchw(producer, graph.numerics());
        input = producer.operand(0);
        changed = true;
      }
    }
    boolean clampWouldPermute = PyTorchLayout.clampOfPermutes(input, graph.numerics());
    if (clamp.isIdentity()) {
      return permutes ? Optional.empty() : Optional.of(List.of(input));
    }
    if (permutes != clampWouldPermute) {
      return Optional.empty();
    }
    QuantizedClamp written = own.get();
    boolean droppedSide = (writesMin(n) && written.loReal().isEmpty()) || (writesMax(n) && written.hiReal().isEmpty());
    if (!changed && !droppedSide) {
      return Optional.empty();
    }
    return Optional.of(b.add(Op.CLAMP, List.of(input), clamp.attrs(), List.of(n.result().type()),
        List.of(n.result().name()), n));
  }

  private static boolean writesMin(Node n) {
    return switch (n.op()) {
      case RELU, RELU6, HARDTANH -> true;
      case CLAMP -> ((dev.zeropoint.ir.op.Attrs.Clamp) n.attrs()).min().isPresent();
      default -> false;
    };
  }

  private static boolean writesMax(Node n) {
    return switch (n.op()) {
      case RELU6, HARDTANH -> true;
      case CLAMP -> ((dev.zeropoint.ir.op.Attrs.Clamp) n.attrs()).max().isPresent();
      default -> false;
    };
  }
}
