package dev.zeropoint.passes.fuse;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import dev.zeropoint.passes.GraphRewriter;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.RewritePass;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * {@code fold-batchnorm}: a float conv2d or linear followed by a float batch_norm becomes one conv2d
 * (linear) with new constant weights and bias, computed exactly as PyTorch 1.13's
 * {@code torch.nn.utils.fusion.fuse_conv_bn_weights} / {@code fuse_linear_bn_weights} do (what
 * {@code torch.ao.quantization.fuse_modules} runs before quantization), each step one float32
 * operation rounded to nearest even:
 * <pre>
 *   r     = f32(1 / f32(sqrt(f32(var + f32(eps)))))       // torch.rsqrt on CPU: sqrt, then divide
 *   s     = f32(gamma * r)
 *   w'    = f32(w * s[o])                                 // every weight of output channel o
 *   conv:   b' = f32(f32(f32(f32(b - mean) * r) * gamma) + beta)
 *   linear: b' = f32(f32(f32(b - mean) * s) + beta)        // the two functions differ in order
 * </pre>
 * with {@code b = 0} when the conv has no bias (the folded op gets one). Grouped and depthwise
 * convolutions fold the same way (the scale is per output channel). Rule:
 * <pre>
 *   %c = conv2d(%x, %w, %b) {...};  %y = batch_norm(%c, %gamma, %beta, %mean, %var) {eps}
 *   -&gt; %y.weight = const [...];  %y.bias = const [...];  %y = conv2d(%x, %y.weight, %y.bias) {...}
 * </pre>
 * Folded only when every operand is f32 and not quantized, the weights, bias and the four batch-norm
 * vectors are constants, {@code %c} has no other user and is no graph output, a linear's result is
 * [N, C] (batch_norm normalizes axis 1), and every folded constant is finite.
 *
 * <p>This pass changes float rounding (the batch norm is no longer applied to the rounded conv
 * output), so it reproduces PyTorch's fused module, not the unfused graph, and is not part of
 * {@code -O}. A quantized conv followed by a quantized batch_norm is never folded: PyTorch rounds
 * the conv's output to its integers before the batch norm, and folding would remove that rounding
 * and change the output integers.
 */
public final class FoldBatchNorm extends RewritePass {
  @Override
  public String name() {
    return "fold-batchnorm";
  }

  @Override
  public String description() {
    return "fold a float batch_norm into the float conv2d / linear before it, as torch's fuse_conv_bn_weights";
  }

  /** Folded weights (the layout of the original weight) and bias of one conv2d / linear. */
  public record Folded(float[] weight, float[] bias) {}

  /**
   * PyTorch's folding; {@code bias} may be null (no bias). {@code weight} holds {@code gamma.length}
   * rows of equal size, one per output channel.
   *
   * @param linear {@code fuse_linear_bn_weights}'s bias order rather than {@code fuse_conv_bn_weights}'s
   */
  public static Folded fold(float[] weight, float[] bias, float[] gamma, float[] beta, float[] mean, float[] var,
      double eps, boolean linear) {
    int channels = gamma.length;
    int row = weight.length / channels;
    float e = (float) eps;
    float[] w = new float[weight.length];
    float[] b = new float[channels];
    for (int o = 0; o < channels; o++) {
      float r = 1.0f / (float) Math.sqrt(var[o] + e);  // sqrt of a float is correctly rounded via double
      float s = gamma[o] * r;
      for (int i = o * row; i < (o + 1) * row; i++) {
        w[i] = weight[i] * s;
      }
      float centred = (bias == null ? 0.0f : bias[o]) - mean[o];
      b[o] = linear ? centred * s + beta[o] : centred * r * gamma[o] + beta[o];
    }
    return new Folded(w, b);
  }

  @Override
  protected Optional<List<Value>> rewrite(Graph graph, Node n, List<Value> operands, GraphRewriter.Rewrite b,
      PassContext context) throws TypeError {
    if (n.op() == Op.CONV2D || n.op() == Op.LINEAR) {
      List<Node> users = graph.users(n.result());
      if (users.size() == 1 && folding(graph, users.get(0)).isPresent()) {
        return Optional.of(Collections.singletonList(null));  // rebuilt, folded, at the batch norm
      }
      return Optional.empty();
    }
    if (n.op() != Op.BATCH_NORM) {
      return Optional.empty();
    }
    Optional<Folded> folding = folding(graph, n);
    if (folding.isEmpty()) {
      return Optional.empty();
    }
    Node layer = n.operand(0).producer();
    String name = n.result().name();
    TensorType wType = layer.operand(1).type();
    int channels = wType.shape().dim(0);
    Value w = constant(b, n, name + ".folded_weight", TensorData.ofFloats(wType.shape(), folding.get().weight()));
    Value bias = constant(b, n, name + ".folded_bias",
        TensorData.ofFloats(Shape.of(channels), folding.get().bias()));
    List<Value> newOperands = new ArrayList<>(List.of(b.mapped(layer.operand(0)), w, bias));
    return Optional.of(b.add(layer.op(), newOperands, layer.attrs(), List.of(n.result().type()), List.of(name), n));
  }

  private static Value constant(GraphRewriter.Rewrite b, Node origin, String base, TensorData data) throws TypeError {
    return b.add(Op.CONST, List.of(), new Attrs.Const(data, Optional.empty()),
        List.of(TensorType.of(ElementType.F32, data.shape())), List.of(b.freshName(base)), origin).get(0);
  }

  /** The folded constants when batch norm {@code bn} (a node of the old graph) folds into its producer. */
  private static Optional<Folded> folding(Graph graph, Node bn) {
    if (bn.op() != Op.BATCH_NORM || !plainF32(bn.result())) {
      return Optional.empty();
    }
    Value y = bn.operand(0);
    Node layer = y.producer();
    if (layer == null || (layer.op() != Op.CONV2D && layer.op() != Op.LINEAR) || !plainF32(y)
        || (layer.op() == Op.LINEAR && y.type().rank() != 2)
        || graph.outputs().stream().anyMatch(o -> o.value() == y) || graph.users(y).size() != 1
        || bn.operands().subList(1, 5).contains(y) || !plainF32(layer.operand(0))) {
      return Optional.empty();
    }
    Optional<float[]> weight = constantF32(layer.operand(1));
    Optional<float[]> bias = layer.operands().size() > 2 ? constantF32(layer.operand(2)) : Optional.of(new float[0]);
    List<float[]> bnParams = new ArrayList<>();
    for (int i = 1; i < 5; i++) {
      constantF32(bn.operand(i)).ifPresent(bnParams::add);
    }
    if (weight.isEmpty() || bias.isEmpty() || bnParams.size() != 4) {
      return Optional.empty();
    }
    Folded f = fold(weight.get(), layer.operands().size() > 2 ? bias.get() : null, bnParams.get(0), bnParams.get(1),
        bnParams.get(2), bnParams.get(3), ((Attrs.BatchNorm) bn.attrs()).eps(), layer.op() == Op.LINEAR);
    for (float[] values : List.of(f.weight(), f.bias())) {
      for (float v : values) {
        if (!Float.isFinite(v)) {
          return Optional.empty();  // var + eps <= 0 and the like: keep PyTorch's unfused behaviour
        }
      }
    }
    return Optional.of(f);
  }

  private static boolean plainF32(Value v) {
    return v.type().elementType() == ElementType.F32 && !v.type().isQuantized();
  }

  /** The elements of an f32 (not quantized) constant. */
  private static Optional<float[]> constantF32(Value v) {
    if (v.producer() == null || v.producer().op() != Op.CONST || !plainF32(v)) {
      return Optional.empty();
    }
    TensorData d = ((Attrs.Const) v.producer().attrs()).data();
    float[] out = new float[Math.toIntExact(d.size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.intBitsToFloat((int) d.getRawBits(i));
    }
    return Optional.of(out);
  }
}
