package dev.zeropoint.onnx;

import dev.zeropoint.ir.Shape;
import dev.zeropoint.onnx.proto.OnnxModel.TensorShapeProto;
import dev.zeropoint.onnx.proto.OnnxModel.TypeProto;
import dev.zeropoint.onnx.proto.OnnxModel.ValueInfoProto;
import java.util.Arrays;

/** Pieces of ONNX models built in tests (this module's, and the cli and tests modules' through its test jar). */
public final class OnnxTestModels {
  private OnnxTestModels() {}

  /** A tensor-typed graph input or output: element type {@code type}, each dim a size or, as a String, a dim_param. */
  public static ValueInfoProto tensor(String name, int type, Object... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      s.addDim(d instanceof String p ? TensorShapeProto.Dimension.newBuilder().setDimParam(p)
          : TensorShapeProto.Dimension.newBuilder().setDimValue((Integer) d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(s))).build();
  }

  /** {@link #tensor(String, int, Object...)} of a fixed shape. */
  public static ValueInfoProto tensor(String name, int type, Shape shape) {
    return tensor(name, type, Arrays.stream(shape.toArray()).boxed().toArray());
  }
}
