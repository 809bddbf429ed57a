package dev.zeropoint.onnx;

import static dev.zeropoint.onnx.OnnxTestModels.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Verifier;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.onnx.proto.OnnxModel.AttributeProto;
import dev.zeropoint.onnx.proto.OnnxModel.GraphProto;
import dev.zeropoint.onnx.proto.OnnxModel.ModelProto;
import dev.zeropoint.onnx.proto.OnnxModel.NodeProto;
import dev.zeropoint.onnx.proto.OnnxModel.OperatorSetIdProto;
import dev.zeropoint.onnx.proto.OnnxModel.StringStringEntryProto;
import dev.zeropoint.onnx.proto.OnnxModel.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The importer on models built here with the protobuf classes: what it builds, and every bad input's message. */
class OnnxImporterTest {
  @TempDir
  Path dir;

  static TensorProto floats(String name, int[] dims, float... v) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
    Arrays.stream(dims).forEach(t::addDims);
    for (float f : v) {
      t.addFloatData(f);
    }
    return t.build();
  }

  static TensorProto ints(String name, int type, int[] dims, int... v) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type);
    Arrays.stream(dims).forEach(t::addDims);
    for (int x : v) {
      t.addInt32Data(x);
    }
    return t.build();
  }

  static NodeProto node(String op, String name, List<String> in, List<String> out, AttributeProto... attrs) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out)
        .addAllAttribute(List.of(attrs)).build();
  }

  static AttributeProto ints(String name, long... v) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long x : v) {
      a.addInts(x);
    }
    return a.build();
  }

  Path write(GraphProto g, int opset) throws Exception {
    ModelProto m = ModelProto.newBuilder().setIrVersion(8).setGraph(g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    Path p = dir.resolve("m.onnx");
    Files.write(p, m.toByteArray());
    return p;
  }

  /** QuantizeLinear -> DequantizeLinear -> Conv (weights through DequantizeLinear) -> Relu -> QuantizeLinear. */
  GraphProto qdqConv() {
    return GraphProto.newBuilder().setName("qdq")
        .addInput(tensor("x", 1, 1, 1, 3, 3))
        .addOutput(tensor("y", 2, 1, 2, 3, 3))
        .addInitializer(floats("s", new int[0], 0.5f))
        .addInitializer(ints("zp", TensorProto.DataType.UINT8_VALUE, new int[0], 3))
        .addInitializer(ints("w", TensorProto.DataType.INT8_VALUE, new int[] {2, 1, 1, 1}, 5, -7))
        .addInitializer(floats("ws", new int[] {2}, 0.25f, 0.125f))
        .addInitializer(ints("wzp", TensorProto.DataType.INT8_VALUE, new int[] {2}, 0, 0))
        .addInitializer(ints("b", TensorProto.DataType.INT32_VALUE, new int[] {2}, 10, -20))
        .addInitializer(floats("bs", new int[] {2}, 0.125f, 0.0625f))
        .addInitializer(ints("bzp", TensorProto.DataType.INT32_VALUE, new int[] {2}, 0, 0))
        .addNode(node("QuantizeLinear", "q", List.of("x", "s", "zp"), List.of("xq")))
        .addNode(node("DequantizeLinear", "dq", List.of("xq", "s", "zp"), List.of("xf")))
        .addNode(node("DequantizeLinear", "dqw", List.of("w", "ws", "wzp"), List.of("wf"),
            AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0).build()))
        .addNode(node("DequantizeLinear", "dqb", List.of("b", "bs", "bzp"), List.of("bf"),
            AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0).build()))
        .addNode(node("Conv", "conv", List.of("xf", "wf", "bf"), List.of("c"), ints("pads", 0, 0, 0, 0)))
        .addNode(node("Relu", "relu", List.of("c"), List.of("r")))
        .addNode(node("QuantizeLinear", "qo", List.of("r", "s", "zp"), List.of("y")))
        .build();
  }

  @Test
  void importsQdqConvWithItsParameters() throws Exception {
    Graph g = OnnxImporter.importModel(write(qdqConv(), 13), OnnxImporter.Options.defaults());
    assertEquals(List.of(), Verifier.verify(g));
    List<Op> ops = g.nodes().stream().map(Node::op).filter(o -> o != Op.CONST).toList();
    assertEquals(List.of(Op.QUANTIZE, Op.DEQUANTIZE, Op.DEQUANTIZE, Op.DEQUANTIZE, Op.CONV2D, Op.RELU, Op.QUANTIZE),
        ops);
    Node w = g.nodes().stream().filter(n -> n.op() == Op.CONST && n.result().type().isQuantized()).findFirst()
        .orElseThrow();
    assertEquals(new Quantization.PerAxis(0, com.google.common.primitives.ImmutableDoubleArray.of(0.25, 0.125),
        com.google.common.primitives.ImmutableLongArray.of(0, 0)), w.result().type().quantization().orElseThrow());
    // The int32 bias stays integers with its scales, dequantized for the float conv.
    Node conv = g.nodes().stream().filter(n -> n.op() == Op.CONV2D).findFirst().orElseThrow();
    Node dq = conv.operand(2).producer();
    assertEquals(Op.DEQUANTIZE, dq.op());
    assertEquals("qi32<axis 0: {0.125:0, 0.0625:0}>[2]", dq.operand(0).type().toString());
    TensorData bias = ((Attrs.Const) dq.operand(0).producer().attrs()).data();
    assertEquals(10, bias.getLong(0));
    assertEquals(-20, bias.getLong(1));
    assertEquals("qu8<0.5:3>[1, 2, 3, 3]", g.outputs().get(0).value().type().toString());
  }

  @Test
  void readsExternalDataBesideTheModel() throws Exception {
    ByteBuffer raw = ByteBuffer.allocate(8 + 16).order(ByteOrder.LITTLE_ENDIAN);
    raw.putLong(0).putFloat(1.5f).putFloat(-2f).putFloat(0.25f).putFloat(8f);
    Files.write(dir.resolve("weights.bin"), raw.array());
    TensorProto ext = TensorProto.newBuilder().setName("c").setDataType(1).addDims(4)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("8"))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("16")).build();
    GraphProto g = GraphProto.newBuilder().addInput(tensor("x", 1, 4)).addOutput(tensor("y", 1, 4))
        .addInitializer(ext).addNode(node("Add", "add", List.of("x", "c"), List.of("y"))).build();
    Graph imported = OnnxImporter.importModel(write(g, 13), OnnxImporter.Options.defaults());
    TensorData c = imported.nodes().stream().filter(n -> n.op() == Op.CONST).map(n -> ((Attrs.Const) n.attrs()).data())
        .findFirst().orElseThrow();
    assertEquals(List.of(1.5, -2.0, 0.25, 8.0), List.of(c.getDouble(0), c.getDouble(1), c.getDouble(2), c.getDouble(3)));

    Files.delete(dir.resolve("weights.bin"));
    String m = message(write(g, 13), OnnxImporter.Options.defaults());
    assertTrue(m.contains("initializer 'c'") && m.contains("weights.bin") && m.contains("does not exist"), m);
  }

  @Test
  void dynamicDimensionsAskForTheShape() throws Exception {
    GraphProto g = GraphProto.newBuilder().addInput(tensor("x", 1, "N", 4)).addOutput(tensor("y", 1, "N", 4))
        .addNode(node("Relu", "r", List.of("x"), List.of("y"))).build();
    Path p = write(g, 13);
    String m = message(p, OnnxImporter.Options.defaults());
    assertEquals("input 'x' has a dynamic dimension 0 ('N'); give its shape with --input-shape x=1,4", m);
    Graph ok = OnnxImporter.importModel(p, OnnxImporter.Options.defaults().withInputShapes(Map.of("x", new int[] {2, 4})));
    assertEquals(Shape.of(2, 4), ok.inputs().get(0).type().shape());
    assertEquals("--input-shape x gives 5 for dimension 1; the model fixes it to 4",
        message(p, OnnxImporter.Options.defaults().withInputShapes(Map.of("x", new int[] {2, 5}))));
  }

  @Test
  void unsupportedOpNamesOpNodeAndOpset() throws Exception {
    GraphProto g = GraphProto.newBuilder().addInput(tensor("x", 1, 2, 3)).addOutput(tensor("y", 1, 2, 3))
        .addNode(node("Softmax", "head/softmax", List.of("x"), List.of("y"))).build();
    assertEquals("node 'head/softmax' (Softmax, opset 13): unsupported op Softmax",
        message(write(g, 13), OnnxImporter.Options.defaults()));
  }

  @Test
  void shapesThatDependOnDataAreRefused() throws Exception {
    GraphProto g = GraphProto.newBuilder().addInput(tensor("x", 1, 2, 3)).addInput(tensor("shape", 7, 2))
        .addOutput(tensor("y", 1, 3, 2)).addNode(node("Reshape", "r", List.of("x", "shape"), List.of("y"))).build();
    assertEquals("node 'r' (Reshape, opset 13): shape ('shape') must be a constant (an initializer); it is a graph "
        + "input", message(write(g, 13), OnnxImporter.Options.defaults()));
  }

  @Test
  void badFilesAreOneLineErrors() throws Exception {
    Path text = dir.resolve("t.onnx");
    Files.writeString(text, "this is not a protobuf at all\n");
    assertTrue(message(text, OnnxImporter.Options.defaults()).startsWith("not an ONNX model"));

    byte[] full = ModelProto.newBuilder().setIrVersion(8).setGraph(qdqConv())
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).build().toByteArray();
    Path cut = dir.resolve("cut.onnx");
    Files.write(cut, Arrays.copyOf(full, full.length / 2));
    assertTrue(message(cut, OnnxImporter.Options.defaults()).startsWith("not an ONNX model"),
        message(cut, OnnxImporter.Options.defaults()));

    assertEquals("no such file", message(dir.resolve("absent.onnx"), OnnxImporter.Options.defaults()));

    assertEquals("the model uses opset 7 of the default domain; Zeropoint reads opsets 10 to 21",
        message(write(qdqConv(), 7), OnnxImporter.Options.defaults()));

    Path empty = dir.resolve("empty.onnx");
    Files.write(empty, new byte[0]);
    assertEquals("not an ONNX model: it has no graph", message(empty, OnnxImporter.Options.defaults()));
  }

  @Test
  void rawDataAndTypedFieldsReadAlike() throws Exception {
    TensorProto raw = TensorProto.newBuilder().setDataType(TensorProto.DataType.INT8_VALUE).addDims(3)
        .setRawData(ByteString.copyFrom(new byte[] {-128, 0, 127})).build();
    TensorProto typed = ints("t", TensorProto.DataType.INT8_VALUE, new int[] {3}, -128, 0, 127);
    TensorData a = OnnxTensors.read(raw, dir);
    TensorData b = OnnxTensors.read(typed, dir);
    assertEquals(ElementType.I8, a.elementType());
    assertArrayEquals(new long[] {-128, 0, 127}, new long[] {a.getLong(0), a.getLong(1), a.getLong(2)});
    assertTrue(a.contentEquals(b));
    TensorProto short2 = TensorProto.newBuilder().setDataType(1).addDims(2).setRawData(ByteString.copyFrom(new byte[6]))
        .build();
    OnnxException e = assertThrows(OnnxException.class, () -> OnnxTensors.read(short2, dir));
    assertEquals("tensor '' [2] needs 8 bytes of raw data, has 6", e.getMessage());
  }

  private static String message(Path p, OnnxImporter.Options o) {
    return assertThrows(OnnxException.class, () -> OnnxImporter.importModel(p, o)).getMessage();
  }
}
