package dev.zeropoint.passes.elide;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.RewriteRule;
import dev.zeropoint.passes.RulePass;
import java.util.List;
import java.util.Optional;

/**
 * {@code elide-elementwise}: relu, relu6, hardtanh and clamp on a quantized tensor are integer
 * clamps whose bounds are the real bounds quantized with the input's parameters and saturated
 * ({@link QuantizedClamp}). Three rules, each exact on every input, run to a fixed point. Float
 * tensors are left alone.
 *
 * <p>PyTorch permutes the data of some clamps ({@link PyTorchLayout#permutesNhwcAsNchw}): a rewrite
 * keeps exactly as many permutations as the chain it replaces, one or none, or does not fire.
 */
public final class ElideElementwise extends RulePass {
  @Override
  public String name() {
    return "elide-elementwise";
  }

  @Override
  public String description() {
    return "turn clamps of quantized tensors into their integer effect: drop saturated bounds, merge chains";
  }

  @Override
  protected List<RewriteRule> rules() {
    return List.of(new MergeClampChain(), new RemoveIdentityClamp(), new DropSaturatedSide());
  }

  /**
   * {@code clamp2(clamp1(x))} -> {@code clamp(x)} with the composed bounds ({@link QuantizedClamp#after}):
   * {@code hardtanh(relu(x)){0, 6}} on {@code qu8<0.05:20>} -> {@code clamp(x){min = 0.0, max = 6.0}}.
   * A chain whose composition clamps nothing becomes {@code x}.
   */
  static final class MergeClampChain implements RewriteRule {
    @Override
    public String name() {
      return "merge-clamp-chain";
    }

    @Override
    public Optional<List<Value>> apply(Node n, List<Value> operands, GraphRewriter.Rewrite b, Match m)
        throws TypeError {
      Numerics numerics = m.graph().numerics();
      Optional<QuantizedClamp> outer = clampOf(n, operands, m);
      Node producer = outer.isEmpty() ? null : operands.get(0).producer();
      if (producer == null) {
        return Optional.empty();
      }
      Optional<QuantizedClamp> inner = QuantizedClamp.of(producer, producer.operand(0).type(), numerics);
      if (inner.isEmpty()) {
        return Optional.empty();
      }
      QuantizedClamp merged = outer.get().after(inner.get());
      Value x = producer.operand(0);
      boolean permutes = PyTorchLayout.permutesNhwcAsNchw(n, numerics) || PyTorchLayout.permutesNhwcAsNchw(producer, numerics);
      if (merged.isIdentity()) {
        return permutes ? Optional.empty() : Optional.of(List.of(x));
      }
      if (!numerics.isPyTorch() || permutes != PyTorchLayout.clampOfPermutes(x, numerics)) {
        return Optional.empty();
      }
      return Optional.of(clamp(n, x, merged, b));
    }
  }

  /**
   * {@code clamp(x)} whose bounds cover the storage range -> {@code x}: {@code relu(x)} on zero
   * point 0; {@code hardtanh(x){0, 6}} on {@code qu8<0.02:0>} (6 / 0.02 = 300 saturates to 255).
   */
  static final class RemoveIdentityClamp implements RewriteRule {
    @Override
    public String name() {
      return "remove-identity-clamp";
    }

    @Override
    public Optional<List<Value>> apply(Node n, List<Value> operands, GraphRewriter.Rewrite b, Match m) {
      Optional<QuantizedClamp> own = clampOf(n, operands, m);
      if (own.isEmpty() || !own.get().isIdentity() || PyTorchLayout.permutesNhwcAsNchw(n, m.graph().numerics())) {
        return Optional.empty();
      }
      return Optional.of(List.of(operands.get(0)));
    }
  }

  /**
   * A written bound that quantizes to the storage limit clamps nothing and is dropped:
   * {@code hardtanh(x){0, 6}} on {@code qu8<0.0249:0>} -> {@code clamp(x){max = 6.0}} (0 is q = 0);
   * on {@code qu8<0.02:10>}, 6 / 0.02 + 10 = 310 saturates -> {@code clamp(x){min = 0.0}}.
   */
  static final class DropSaturatedSide implements RewriteRule {
    @Override
    public String name() {
      return "drop-saturated-side";
    }

    @Override
    public Optional<List<Value>> apply(Node n, List<Value> operands, GraphRewriter.Rewrite b, Match m)
        throws TypeError {
      Optional<QuantizedClamp> own = clampOf(n, operands, m);
      if (own.isEmpty() || own.get().isIdentity()) {
        return Optional.empty();
      }
      QuantizedClamp c = own.get();
      boolean dropped = (writesMin(n) && c.loReal().isEmpty()) || (writesMax(n) && c.hiReal().isEmpty());
      Numerics numerics = m.graph().numerics();
      if (!dropped || PyTorchLayout.permutesNhwcAsNchw(n, numerics) != PyTorchLayout.clampOfPermutes(operands.get(0), numerics)) {
        return Optional.empty();
      }
      return Optional.of(clamp(n, operands.get(0), c, b));
    }
  }

  private static Optional<QuantizedClamp> clampOf(Node n, List<Value> operands, RewriteRule.Match m) {
    return operands.isEmpty() ? Optional.empty() : QuantizedClamp.of(n, operands.get(0).type(), m.graph().numerics());
  }

  private static List<Value> clamp(Node n, Value x, QuantizedClamp c, GraphRewriter.Rewrite b) throws TypeError {
    return b.add(Op.CLAMP, List.of(x), c.attrs(), List.of(n.result().type()), List.of(n.result().name()), n);
  }

  private static boolean writesMin(Node n) {
    return switch (n.op()) {
      case RELU, RELU6, HARDTANH -> true;
      case CLAMP -> ((Attrs.Clamp) n.attrs()).min().isPresent();
      default -> false;
    };
  }

  private static boolean writesMax(Node n) {
    return switch (n.op()) {
      case RELU6, HARDTANH -> true;
      case CLAMP -> ((Attrs.Clamp) n.attrs()).max().isPresent();
      default -> false;
    };
  }
}
