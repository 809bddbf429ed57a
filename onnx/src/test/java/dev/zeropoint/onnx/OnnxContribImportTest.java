package dev.zeropoint.onnx;

import static dev.zeropoint.onnx.OnnxImporterTest.floats;
import static dev.zeropoint.onnx.OnnxImporterTest.ints;
import static dev.zeropoint.onnx.OnnxTestModels.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Verifier;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.onnx.proto.OnnxModel.AttributeProto;
import dev.zeropoint.onnx.proto.OnnxModel.GraphProto;
import dev.zeropoint.onnx.proto.OnnxModel.ModelProto;
import dev.zeropoint.onnx.proto.OnnxModel.NodeProto;
import dev.zeropoint.onnx.proto.OnnxModel.OperatorSetIdProto;
import dev.zeropoint.onnx.proto.OnnxModel.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The com.microsoft ops ({@link ContribOps}): what they import to, and each refusal's one-line message. */
class OnnxContribImportTest {
  @TempDir
  Path dir;

  private static final int U8 = TensorProto.DataType.UINT8_VALUE;
  private static final int I8 = TensorProto.DataType.INT8_VALUE;
  private static final int F32 = TensorProto.DataType.FLOAT_VALUE;

  private static NodeProto ms(String op, List<String> in, AttributeProto... attrs) {
    return NodeProto.newBuilder().setOpType(op).setDomain("com.microsoft").setName("n").addAllInput(in)
        .addOutput("y").addAllAttribute(List.of(attrs)).build();
  }

  private static AttributeProto attr(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  /** A graph of one com.microsoft node on input x (u8 [1, 4, 3, 3]) with scales s and zero points z. */
  private static GraphProto.Builder graph(NodeProto n, int outType) {
    return GraphProto.newBuilder().setName("g")
        .addInput(tensor("x", U8, 1, 4, 3, 3))
        .addOutput(tensor("y", outType))
        .addInitializer(floats("s", new int[0], 0.05f))
        .addInitializer(ints("z", U8, new int[0], 128))
        .addInitializer(floats("s2", new int[0], 0.07f))
        .addInitializer(ints("z2", U8, new int[0], 3))
        .addNode(n);
  }

  private Path write(GraphProto.Builder g, boolean importMicrosoft) throws Exception {
    ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8).setGraph(g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13));
    if (importMicrosoft) {
      m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.microsoft").setVersion(1));
    }
    Path p = dir.resolve("m.onnx");
    Files.write(p, m.build().toByteArray());
    return p;
  }

  private String message(GraphProto.Builder g) throws Exception {
    return message(write(g, true), OnnxImporter.Options.defaults());
  }

  private static String message(Path p, OnnxImporter.Options o) {
    String m = assertThrows(OnnxException.class, () -> OnnxImporter.importModel(p, o)).getMessage();
    assertFalse(m.contains("\n"), m);
    return m;
  }

  @Test
  void tableOpsImportAsLookups() throws Exception {
    Graph add = OnnxImporter.importModel(write(graph(ms("QLinearAdd", List.of("x", "s", "z", "x", "s", "z", "s2",
        "z2")), U8), true), OnnxImporter.Options.defaults());
    assertEquals(List.of(), Verifier.verify(add));
    assertTrue(add.nodes().stream().map(Node::op).anyMatch(o -> o == Op.BINARY_LOOKUP), add.toString());
    Graph sigmoid = OnnxImporter.importModel(write(graph(ms("QLinearSigmoid", List.of("x", "s", "z", "s2", "z2")),
        U8), true), OnnxImporter.Options.defaults());
    assertTrue(sigmoid.nodes().stream().map(Node::op).anyMatch(o -> o == Op.LOOKUP), sigmoid.toString());
  }

  @Test
  void averagePoolRefusals() throws Exception {
    GraphProto.Builder ceil = graph(ms("QLinearAveragePool", List.of("x", "s", "z", "s2", "z2"),
        OnnxImporterTest.ints("kernel_shape", 2, 2), OnnxImporterTest.ints("strides", 4, 4),
        OnnxImporterTest.ints("pads", 0, 0, 1, 1), attr("ceil_mode", 1)), U8);
    assertEquals("node 'n' (QLinearAveragePool, com.microsoft opset 1): with ceil_mode the last window would start "
        + "past the input and its head padding (input 3, kernel 2, stride 4, pads [0, 0, 1, 1]); not supported",
        message(ceil));
    GraphProto.Builder dilated = graph(ms("QLinearAveragePool", List.of("x", "s", "z", "s2", "z2"),
        OnnxImporterTest.ints("kernel_shape", 2, 2), OnnxImporterTest.ints("dilations", 2, 2)), U8);
    assertEquals("node 'n' (QLinearAveragePool, com.microsoft opset 1): dilations are not supported (ONNX Runtime's "
        + "QLinearAveragePool does not apply them)", message(dilated));
    Graph padded = OnnxImporter.importModel(write(graph(ms("QLinearAveragePool", List.of("x", "s", "z", "s2", "z2"),
        OnnxImporterTest.ints("kernel_shape", 2, 2), OnnxImporterTest.ints("pads", 1, 1, 1, 1),
        attr("count_include_pad", 1)), U8), true), OnnxImporter.Options.defaults());
    assertEquals(List.of(), Verifier.verify(padded));
    assertTrue(padded.nodes().stream().map(Node::op).anyMatch(o -> o == Op.QUANTIZE_ADD_ROUND), padded.toString());
  }

  @Test
  void qgemmRefusals() throws Exception {
    GraphProto.Builder base = GraphProto.newBuilder().setName("g")
        .addInput(tensor("a", U8, 2, 3))
        .addInitializer(floats("s", new int[0], 0.05f))
        .addInitializer(ints("z", U8, new int[0], 128))
        .addInitializer(ints("b", I8, new int[] {3, 2}, 1, 2, 3, 4, 5, 6))
        .addInitializer(ints("bz", I8, new int[0], 0))
        .addInitializer(ints("c", TensorProto.DataType.INT32_VALUE, new int[] {2, 2}, 1, 2, 3, 4));
    GraphProto.Builder floatOut = base.clone().addOutput(tensor("y", F32, 2, 2))
        .addNode(ms("QGemm", List.of("a", "s", "z", "b", "s", "bz")));
    Graph g = OnnxImporter.importModel(write(floatOut, true), OnnxImporter.Options.defaults());
    assertEquals(List.of(), Verifier.verify(g));
    assertTrue(g.nodes().stream().map(Node::op).anyMatch(o -> o == Op.DEQUANTIZE), g.toString());
    GraphProto.Builder zeroPointOnly = base.clone().addOutput(tensor("y", U8, 2, 2))
        .addNode(ms("QGemm", List.of("a", "s", "z", "b", "s", "bz", "", "", "z")));
    assertEquals("node 'n' (QGemm, com.microsoft opset 1): y_zero_point without y_scale", message(zeroPointOnly));
    GraphProto.Builder transA = base.clone().addOutput(tensor("y", U8, 2, 2))
        .addNode(ms("QGemm", List.of("a", "s", "z", "b", "s", "bz", "", "s", "z"), attr("transA", 1)));
    assertEquals("node 'n' (QGemm, com.microsoft opset 1): A [2, 3] (transA) and B [3, 2] do not multiply",
        message(transA));
    GraphProto.Builder fullC = base.clone().addOutput(tensor("y", U8, 2, 2))
        .addNode(ms("QGemm", List.of("a", "s", "z", "b", "s", "bz", "c", "s", "z")));
    assertEquals("node 'n' (QGemm, com.microsoft opset 1): C of shape [2, 2] is not supported; it must be a scalar, "
        + "[2] or [1, 2]", message(fullC));
  }

  @Test
  void parameterAndTypeRefusals() throws Exception {
    GraphProto.Builder perAxis = graph(ms("QLinearAdd", List.of("x", "v", "z", "x", "s2", "z2", "s2", "z2")), U8)
        .addInitializer(floats("v", new int[] {4}, 0.1f, 0.2f, 0.3f, 0.4f));
    assertEquals("node 'n' (QLinearAdd, com.microsoft opset 1): A must be quantized per tensor (a scalar scale and "
        + "zero point)", message(perAxis));
    GraphProto.Builder mixed = graph(ms("QLinearMul", List.of("x", "s", "z", "i", "s2", "zi", "s2", "z2")), U8)
        .addInput(tensor("i", I8, 1, 4, 3, 3)).addInitializer(ints("zi", I8, new int[0], 0));
    assertEquals("node 'n' (QLinearMul, com.microsoft opset 1): A holds u8 and B i8; ONNX Runtime's kernel takes "
        + "one type", message(mixed));
    GraphProto.Builder badScale = graph(ms("QLinearGlobalAveragePool", List.of("x", "s", "z", "tiny", "z2")), U8)
        .addInitializer(floats("tiny", new int[0], 1e-6f));
    assertEquals("node 'n' (QLinearGlobalAveragePool, com.microsoft opset 1): ONNX Runtime refuses this pool: a "
        + "plane of 9 elements with x_scale 0.05000000074505806 and y_scale 9.999999974752427E-7 gives a multiplier "
        + "outside [2^-32, 256) or a plane of 2^24 or more", message(badScale));
  }

  @Test
  void domainAndNumericsRefusals() throws Exception {
    GraphProto.Builder sigmoid = graph(ms("QLinearSigmoid", List.of("x", "s", "z", "s2", "z2")), U8);
    assertEquals("node 'n' (QLinearSigmoid, com.microsoft opset 1): com.microsoft ops are ONNX Runtime's kernels; "
        + "import the model with --numerics onnx (got pytorch-qnnpack)",
        message(write(sigmoid, true), OnnxImporter.Options.defaults().withNumerics(Numerics.PYTORCH_QNNPACK)));
    assertEquals("node 'n' (QLinearSigmoid, com.microsoft): the model does not import the com.microsoft "
        + "domain (no opset_import for it)", message(write(sigmoid, false), OnnxImporter.Options.defaults()));
    GraphProto.Builder softmax = graph(ms("QLinearSoftmax", List.of("x", "s", "z", "s2", "z2")), U8);
    assertEquals("node 'n' (QLinearSoftmax, com.microsoft opset 1): unsupported op com.microsoft.QLinearSoftmax",
        message(softmax));
  }
}
