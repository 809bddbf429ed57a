package dev.zeropoint.passes.fuse;

import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.RewriteRule;
import dev.zeropoint.passes.RulePass;
import dev.zeropoint.passes.elide.QuantizedClamp;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * {@code fuse-activation}: a relu, relu6, hardtanh or clamp right after a requantize_acc becomes
 * that requantization's clamp bounds (PyTorch's ConvReLU2d, TFLite's fused activation). One rule.
 */
public final class FuseActivation extends RulePass {
  @Override
  public String name() {
    return "fuse-activation";
  }

  @Override
  public String description() {
    return "fold relu/relu6/hardtanh/clamp after requantize_acc into its clamp bounds";
  }

  @Override
  protected List<RewriteRule> rules() {
    return List.of(new ActivationIntoRequantize());
  }

  /**
   * <pre>
   *   %y = requantize_acc(%acc) {..., min = 0, max = 255}; %r = relu(%y)     (zero point 111)
   *   -&gt; %r = requantize_acc(%acc) {..., min = 111, max = 255}
   * </pre>
   * Exact: the requantization ends in clamp(v, min, max), and a clamp after a clamp is one clamp
   * ({@link QuantizedClamp#after}). Only when the requantized value has no other use, and never for
   * a clamp PyTorch permutes ({@link PyTorchLayout#permutesNhwcAsNchw}): that one is not a clamp alone.
   */
  static final class ActivationIntoRequantize implements RewriteRule {
    @Override
    public String name() {
      return "activation-into-requantize";
    }

    @Override
    public Optional<List<Value>> apply(Node n, List<Value> operands, GraphRewriter.Rewrite b, Match m)
        throws TypeError {
      if (operands.isEmpty()) {
        return Optional.empty();
      }
      Node producer = n.operand(0).producer();
      if (producer == null || producer.op() != Op.REQUANTIZE_ACC || !m.hasSingleUse(n.operand(0))) {
        return Optional.empty();
      }
      Optional<QuantizedClamp> activation = QuantizedClamp.of(n, n.operand(0).type(), m.graph().numerics());
      if (activation.isEmpty() || PyTorchLayout.permutesNhwcAsNchw(n, m.graph().numerics())) {
        return Optional.empty();
      }
      Attrs.RequantizeAcc r = (Attrs.RequantizeAcc) producer.attrs();
      int qmin = (int) n.operand(0).type().elementType().minValue();
      int qmax = (int) n.operand(0).type().elementType().maxValue();
      QuantizedClamp tail = new QuantizedClamp(r.min(), OptionalDouble.empty(), r.max(), OptionalDouble.empty(),
          qmin, qmax);
      QuantizedClamp fused = activation.get().after(tail);
      Attrs.RequantizeAcc merged = new Attrs.RequantizeAcc(r.scheme(), r.scales(), r.multipliers(), r.shifts(),
          r.axis(), r.outputZeroPoint(), fused.lo(), fused.hi());
      // Rebuilt under the activation's name; the old requantize_acc has no other use and goes.
      Value acc = b.mapped(producer.operand(0));
      return Optional.of(b.add(Op.REQUANTIZE_ACC, List.of(acc), merged, List.of(n.result().type()),
          List.of(n.result().name()), n));
    }
  }
}
