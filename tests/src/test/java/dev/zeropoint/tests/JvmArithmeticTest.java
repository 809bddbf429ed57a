package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The jvm backend's add, mul, requantize, cat, table activations, float clamps and layout ops
 * against the interpreter on inputs the golden models do not reach: float operands (NaN, -0.0,
 * infinities), qint8 broadcasts, the ATen table flavours, rows long enough for PyTorch's vectorized
 * loop, float pad / permute / split / chunk / cat.
 */
class JvmArithmeticTest {
  private static final String FLOATS = """
      model floats numerics(pytorch-qnnpack) {
        input %x : f32[2, 3, 70]
        input %y : f32[3, 1]
        %a = add(%x, %y) : f32[2, 3, 70]
        %m = mul(%a, %y) : f32[2, 3, 70]
        %s = add(%x, %x) : f32[2, 3, 70]
        %r = relu(%m) : f32[2, 3, 70]
        %r6 = relu6(%x) : f32[2, 3, 70]
        %ht = hardtanh(%x) {min = -0.5, max = 1.5} : f32[2, 3, 70]
        %c = clamp(%x) {min = 0.25} : f32[2, 3, 70]
        %c2 = clamp(%x) {max = -0.25} : f32[2, 3, 70]
        %hs = hardswish(%x) : f32[2, 3, 70]
        %hg = hardsigmoid(%x) : f32[2, 3, 70]
        %p = permute(%hs) {dims = [2, 0, 1]} : f32[70, 2, 3]
        %pd = pad(%hg) {pads = [0, 1, 2, 0, 0, 1], value = -1.5} : f32[2, 4, 73]
        %cat = cat(%r, %r6, %ht) {axis = 1} : f32[2, 9, 70]
        %sp.0, %sp.1 = split(%cat) {axis = 2, sizes = [1, 69]} : f32[2, 9, 1], f32[2, 9, 69]
        %ch.0, %ch.1 = chunk(%c) {axis = 0, chunks = 2} : f32[1, 3, 70], f32[1, 3, 70]
        output a = %a
        output s = %s
        output c2 = %c2
        output p = %p
        output pd = %pd
        output sp0 = %sp.0
        output sp1 = %sp.1
        output ch0 = %ch.0
        output ch1 = %ch.1
      }
      """;

  private static final String QUANTIZED = """
      model quantized numerics(%s) {
        input %%x : f32[2, 3, 70]
        input %%y : f32[3, 1]
        %%qx = quantize(%%x) : qi8<0.03:-3>[2, 3, 70]
        %%qy = quantize(%%y) : qi8<0.05:7>[3, 1]
        %%ux = quantize(%%x) : qu8<0.025:120>[2, 3, 70]
        %%uy = quantize(%%y) : qu8<0.04:100>[3, 1]
        %%sg = sigmoid(%%qx) : qi8<0.00390625:-128>[2, 3, 70]
        %%usg = sigmoid(%%ux) : qu8<0.00390625:0>[2, 3, 70]
        %%hs = hardswish(%%ux) : qu8<0.02:50>[2, 3, 70]
        %%ihs = hardswish(%%qx) : qi8<0.02:-20>[2, 3, 70]
        %%hg = hardsigmoid(%%qx) : qi8<0.00390625:-128>[2, 3, 70]
        %%uhg = hardsigmoid(%%ux) : qu8<0.00390625:0>[2, 3, 70]
        %%pd = pad(%%qx) {pads = [1, 0, 0, 0, 2, 1], value = 0.7} : qi8<0.03:-3>[3, 5, 71]
        %%upd = pad(%%ux) {pads = [0, 0, 3, 0, 0, 0], value = -0.3} : qu8<0.025:120>[2, 3, 73]
        %%p = permute(%%ux) {dims = [1, 2, 0]} : qu8<0.025:120>[3, 70, 2]
        %s
        %%d1 = dequantize(%%sg) : f32[2, 3, 70]
        %%d2 = dequantize(%%usg) : f32[2, 3, 70]
        %%d3 = dequantize(%%hs) : f32[2, 3, 70]
        %%d4 = dequantize(%%ihs) : f32[2, 3, 70]
        %%d5 = dequantize(%%hg) : f32[2, 3, 70]
        %%d6 = dequantize(%%uhg) : f32[2, 3, 70]
        %%d7 = dequantize(%%pd) : f32[3, 5, 71]
        %%d8 = dequantize(%%upd) : f32[2, 3, 73]
        %%d9 = dequantize(%%p) : f32[3, 70, 2]
        output d1 = %%d1
        output d2 = %%d2
        output d3 = %%d3
        output d4 = %%d4
        output d5 = %%d5
        output d6 = %%d6
        output d7 = %%d7
        output d8 = %%d8
        output d9 = %%d9
        %s
      }
      """;

  /** The binary ops only the pytorch-qnnpack flavour defines. */
  private static final String BINARY_NODES = """
        %add = add(%qx, %qy) : qi8<0.06:2>[2, 3, 70]
        %same = add(%qx, %qx) : qi8<0.07:-9>[2, 3, 70]
        %mul = mul(%qx, %qy) : qi8<0.04:-1>[2, 3, 70]
        %uadd = add(%ux, %uy) : qu8<0.05:128>[2, 3, 70]
        %usame = add(%ux, %ux) : qu8<0.05:128>[2, 3, 70]
        %umul = mul(%ux, %uy) : qu8<0.05:128>[2, 3, 70]
        %rq = requantize(%add) : qi8<0.011:5>[2, 3, 70]
        %cat = cat(%add, %mul, %rq, %same) {axis = 2} : qi8<0.045:0>[2, 3, 280]
        %ucat = cat(%uadd, %umul, %usame) {axis = 0} : qu8<0.05:128>[6, 3, 70]
        %b1 = dequantize(%cat) : f32[2, 3, 280]
        %b2 = dequantize(%ucat) : f32[6, 3, 70]
      """;

  private static final String BINARY_OUTPUTS = """
        output b1 = %b1
        output b2 = %b2
      """;

  @Test
  void floatOpsMatchTheInterpreterBitForBit() throws Exception {
    check(FLOATS);
  }

  @Test
  void quantizedOpsMatchTheInterpreterBitForBit() throws Exception {
    check(QUANTIZED.formatted("pytorch-qnnpack", BINARY_NODES, BINARY_OUTPUTS));
    check(QUANTIZED.formatted("pytorch-fbgemm", "", ""));
  }

  private static void check(String text) throws Exception {
    Graph graph = ModelParser.create().parse("inline.qg", text, Path.of("."));
    for (int seed = 0; seed < 3; seed++) {
      Map<String, TensorData> inputs = new HashMap<>();
      Random random = new Random(seed);
      for (Value in : graph.inputs()) {
        Shape shape = in.type().shape();
        float[] values = new float[Math.toIntExact(shape.numElements())];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextGaussian() * 2.5);
        }
        List<Float> specials = new ArrayList<>(List.of(Float.NaN, -0.0f, 0.0f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, 1e30f, -1e30f, 3.0f, -3.0f, 6.0f, 0.25f, -0.5f, 1.5f));
        for (int i = 0; i < specials.size() && i < values.length; i++) {
          values[random.nextInt(values.length)] = specials.get(i);
        }
        inputs.put(in.name(), TensorData.ofFloats(shape, values));
      }
      assertEquals(1, JvmBackendTest.compare(graph.name() + " seed " + seed, graph, inputs, new ArrayList<>()),
          graph.name() + " did not compile");
    }
  }
}
