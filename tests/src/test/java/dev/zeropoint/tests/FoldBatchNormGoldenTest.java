package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.backends.interp.Tensor;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import dev.zeropoint.passes.fuse.FoldBatchNorm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * fold-batchnorm against PyTorch 1.13's own folding ({@code fuse_modules}, i.e.
 * {@code fuse_conv_bn_weights} / {@code fuse_linear_bn_weights}): {@code src/test/resources/foldbn},
 * written by tools/torch/make_foldbn_golden.py. The folded constants must have PyTorch's float32
 * bits, and the end-to-end model after the pass must give the fused PyTorch model's outputs.
 */
class FoldBatchNormGoldenTest {
  static final Path DIR = Path.of("src/test/resources/foldbn");

  @Test
  void foldedConstantsHaveTorchsBits() throws Exception {
    JsonNode cases = new ObjectMapper().readTree(DIR.resolve("cases.json").toFile());
    int elements = 0;
    int swappedOrderDiffers = 0;
    int roundedRsqrtDiffers = 0;
    List<String> mismatches = new ArrayList<>();
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      boolean linear = c.get("kind").asText().equals("linear");
      double eps = c.get("eps").asDouble();
      TensorData w = Npy.read(DIR.resolve(name + ".w.npy"));
      Optional<TensorData> bias = c.get("bias").asBoolean() ? Optional.of(Npy.read(DIR.resolve(name + ".b.npy")))
          : Optional.empty();
      float[] bn = floats(Npy.read(DIR.resolve(name + ".bn.npy")));
      int channels = w.shape().dim(0);
      Graph folded = new FoldBatchNorm().run(model(w, bias, bn, eps, c.get("groups").asInt(), linear),
          PassContext.forTests());
      Node layer = folded.outputs().get(0).value().producer();
      assertEquals(linear ? Op.LINEAR : Op.CONV2D, layer.op(), name + ": not folded");
      assertTrue(folded.nodes().stream().noneMatch(n -> n.op() == Op.BATCH_NORM), name + ": batch_norm left");
      float[] fw = floats(((Attrs.Const) layer.operand(1).producer().attrs()).data());
      float[] fb = floats(((Attrs.Const) layer.operand(2).producer().attrs()).data());
      float[] ew = floats(Npy.read(DIR.resolve(name + ".fused_w.npy")));
      float[] eb = floats(Npy.read(DIR.resolve(name + ".fused_b.npy")));
      int bad = differing(ew, fw) + differing(eb, fb);
      elements += ew.length + eb.length;
      if (bad != 0) {
        mismatches.add(name + ": " + bad + " of " + (ew.length + eb.length) + " elements differ");
      }
      // The data can tell the exact recipe from near misses: the other function's bias order, and
      // a correctly rounded rsqrt instead of torch's 1 / sqrt.
      float[] b = bias.map(FoldBatchNormGoldenTest::floats).orElse(null);
      float[][] p = split(bn, channels);
      swappedOrderDiffers += differing(eb, FoldBatchNorm.fold(floats(w), b, p[0], p[1], p[2], p[3], eps, !linear).bias());
      for (int o = 0; o < channels; o++) {
        float r = (float) (1.0 / Math.sqrt(p[3][o] + (float) eps));
        float bo = b == null ? 0f : b[o];
        float alt = linear ? (bo - p[2][o]) * (p[0][o] * r) + p[1][o] : (bo - p[2][o]) * r * p[0][o] + p[1][o];
        roundedRsqrtDiffers += Float.floatToRawIntBits(alt) == Float.floatToRawIntBits(eb[o]) ? 0 : 1;
      }
    }
    System.out.printf("fold-batchnorm: %d cases, %d folded elements equal to torch's bit for bit; the other bias order "
        + "would differ in %d, a correctly rounded rsqrt in %d%n", cases.size(), elements, swappedOrderDiffers,
        roundedRsqrtDiffers);
    assertEquals(List.of(), mismatches);
    assertTrue(swappedOrderDiffers > 0 && roundedRsqrtDiffers > 0, "the golden data cannot tell near misses apart");
  }

  @Test
  void foldedModelGivesTheFusedTorchModelsOutputs() throws Exception {
    Graph parsed = ModelParser.create().parse(DIR.resolve("e2e.qg"));
    Graph folded = PassManager.parse("fold-batchnorm,canonicalize", PassRegistry.load()).run(parsed, PassContext.forTests());
    assertTrue(folded.nodes().stream().noneMatch(n -> n.op() == Op.BATCH_NORM), "batch_norm left");
    Map<String, TensorData> inputs = Map.of("x", Npy.read(DIR.resolve("e2e.x.npy")));
    for (int i = 0; i < 2; i++) {
      TensorData fused = Npy.read(DIR.resolve("e2e.fused" + i + ".npy"));
      TensorData unfused = Npy.read(DIR.resolve("e2e.unfused" + i + ".npy"));
      assertEquals(fused.size(), output(folded, inputs, i).size());
      assertEquals(0, differing(floats(fused), floats(output(folded, inputs, i))), "folded output" + i);
      assertEquals(0, differing(floats(unfused), floats(output(parsed, inputs, i))), "unfolded output" + i);
    }
    int changed = differing(floats(Npy.read(DIR.resolve("e2e.fused0.npy"))),
        floats(Npy.read(DIR.resolve("e2e.unfused0.npy"))));
    assertTrue(changed > 0, "the case should tell the fused model from the unfused one");
    System.out.println("fold-batchnorm end to end: 2 x 420 outputs equal to the fused torch model's; folding changes "
        + changed + " of the 420 float outputs");
  }

  private static TensorData output(Graph g, Map<String, TensorData> inputs, int i) throws Exception {
    Map<Value, Tensor> values = Interpreter.evaluate(g, inputs);
    return values.get(g.outputs().get(i).value()).toData();
  }

  /** x -> conv2d / linear (constant weight, optional bias) -> batch_norm (constants) -> output. */
  private static Graph model(TensorData w, Optional<TensorData> bias, float[] bn, double eps, int groups,
      boolean linear) {
    int channels = w.shape().dim(0);
    GraphBuilder g = GraphBuilder.create("case", Numerics.PYTORCH_QNNPACK);
    Value x = linear ? g.input("x", TensorType.f32(2, w.shape().dim(1)))
        : g.input("x", TensorType.f32(1, w.shape().dim(1) * groups, 5, 5));
    List<Value> operands = new ArrayList<>(List.of(x, g.constant(w, TensorType.of(w.elementType(), w.shape()),
        Optional.empty())));
    bias.ifPresent(b -> operands.add(g.constant(b, TensorType.f32(channels), Optional.empty())));
    Attrs attrs = linear ? Attrs.None.INSTANCE
        : new Attrs.Conv2d(ImmutableIntArray.of(1, 1), ImmutableIntArray.of(0, 0, 0, 0), ImmutableIntArray.of(1, 1), groups);
    Value y = g.add(linear ? Op.LINEAR : Op.CONV2D, attrs, operands.toArray(Value[]::new));
    float[][] p = split(bn, channels);
    Value[] bnOperands = new Value[5];
    bnOperands[0] = y;
    for (int i = 0; i < 4; i++) {
      bnOperands[i + 1] = g.constant(TensorData.ofFloats(Shape.of(channels), p[i]), TensorType.f32(channels),
          Optional.empty());
    }
    g.output("y", g.add(Op.BATCH_NORM, new Attrs.BatchNorm(eps), bnOperands));
    return g.build();
  }

  private static float[][] split(float[] rows, int channels) {
    float[][] out = new float[4][];
    for (int i = 0; i < 4; i++) {
      out[i] = Arrays.copyOfRange(rows, i * channels, (i + 1) * channels);
    }
    return out;
  }

  private static float[] floats(TensorData d) {
    assertEquals(dev.zeropoint.ir.ElementType.F32, d.elementType());
    float[] out = new float[Math.toIntExact(d.size())];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.intBitsToFloat((int) d.getRawBits(i));
    }
    return out;
  }

  private static int differing(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, "element count");
    int n = 0;
    for (int i = 0; i < expected.length; i++) {
      n += Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(actual[i]) ? 0 : 1;
    }
    return n;
  }
}
