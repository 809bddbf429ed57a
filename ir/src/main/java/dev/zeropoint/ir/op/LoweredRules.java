package dev.zeropoint.ir.op;

import static dev.zeropoint.ir.op.TypeChecks.inferred;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import java.util.List;
import java.util.Optional;

/**
 * Type rules of the lowered integer ops: their operands are integers (plain, or the storage of a
 * quantized tensor) and every constant of the arithmetic is an integer attribute.
 */
final class LoweredRules {
  private LoweredRules() {}

  static List<TensorType> conv2dAcc(TypeContext c) throws TypeError {
    Attrs.Conv2dAcc a = c.attrs(Attrs.Conv2dAcc.class);
    Shape out = ComputeRules.conv2dShape(c, a.window());
    checkIntegerOperands(c, a.inputZeroPoint(), a.weightZeroPoints(), out.dim(1));
    return inferred(c, TensorType.of(ElementType.I32, out));
  }

  /**
   * i32 of the product's shape. The written result may be quantized (zero points 0): the same
   * integers, with the scales a {@code dequantize} of the accumulators applies (ONNX Runtime's QGemm
   * with float output, {@code f32(f32(acc) * scale[n])}).
   */
  static List<TensorType> linearAcc(TypeContext c) throws TypeError {
    Attrs.LinearAcc a = c.attrs(Attrs.LinearAcc.class);
    Shape out = ComputeRules.linearShape(c);
    checkIntegerOperands(c, a.inputZeroPoint(), a.weightZeroPoints(), out.dim(out.rank() - 1));
    if (!c.declared().isEmpty() && c.declared().get(0).isQuantized()) {
      TensorType t = c.declared().get(0);
      Quantization q = t.quantization().orElseThrow();
      boolean zeroPoints = java.util.stream.IntStream.range(0, q instanceof Quantization.PerAxis p ? p.size() : 1)
          .allMatch(i -> q.zeroPointAt(i) == 0);
      if (t.elementType() != ElementType.I32 || !t.shape().equals(out) || !zeroPoints) {
        throw c.error("a quantized result must be i32 " + out + " with zero points 0, got " + t);
      }
      return List.of(t);
    }
    return inferred(c, TensorType.of(ElementType.I32, out));
  }

  /** Input and weight are 8-bit integers, the bias int32 [channels]; zero points fit the storage. */
  private static void checkIntegerOperands(TypeContext c, int inputZeroPoint, ImmutableIntArray weightZeroPoints,
      int channels) throws TypeError {
    for (int i = 0; i < 2; i++) {
      ElementType e = c.operand(i).elementType();
      if (e != ElementType.U8 && e != ElementType.I8) {
        throw c.error(c.operandName(i) + " must hold 8-bit integers, got " + c.operand(i));
      }
      if (c.operand(i).quantization().isPresent() && !(i == 1 || c.operand(i).perTensor().isPresent())) {
        throw c.error(c.operandName(i) + " must be quantized per tensor, got " + c.operand(i));
      }
    }
    if (c.hasOperand(2)) {
      TensorType b = c.operand(2);
      if (b.elementType() != ElementType.I32 || b.rank() != 1 || b.shape().dim(0) != channels) {
        throw c.error("bias must be i32[" + channels + "], got " + b);
      }
    }
    ElementType x = c.operand(0).elementType();
    if (inputZeroPoint < x.minValue() || inputZeroPoint > x.maxValue()) {
      throw c.error("input_zero_point " + inputZeroPoint + " outside " + x + " range");
    }
    if (weightZeroPoints.length() != 1 && weightZeroPoints.length() != channels) {
      throw c.error("weight_zero_points needs 1 or " + channels + " entries, got " + weightZeroPoints.length());
    }
    ElementType w = c.operand(1).elementType();
    for (int i = 0; i < weightZeroPoints.length(); i++) {
      if (weightZeroPoints.get(i) < w.minValue() || weightZeroPoints.get(i) > w.maxValue()) {
        throw c.error("weight zero point " + weightZeroPoints.get(i) + " outside " + w + " range");
      }
    }
  }

  static List<TensorType> requantizeAcc(TypeContext c) throws TypeError {
    Attrs.RequantizeAcc a = c.attrs(Attrs.RequantizeAcc.class);
    TensorType acc = c.operand(0);
    if (acc.elementType() != ElementType.I32 || acc.isQuantized()) {
      throw c.error("accumulator must be i32, got " + acc);
    }
    TensorType out = TypeChecks.written(c, acc.shape(), "the result type must be written (u8 or i8, usually quantized)");
    ElementType storage = out.elementType();
    if (storage != ElementType.U8 && storage != ElementType.I8) {
      throw c.error("result must hold u8 or i8, got " + out);
    }
    Optional<Quantization.PerTensor> q = out.perTensor();
    if (out.isQuantized() && q.isEmpty()) {
      throw c.error("result must be quantized per tensor, got " + out);
    }
    if (q.isPresent() && q.get().zeroPoint() != a.outputZeroPoint()) {
      throw c.error("output_zero_point " + a.outputZeroPoint() + " differs from the result's zero point "
          + q.get().zeroPoint());
    }
    int axis = TypeChecks.axis(c, a.axis(), acc.rank(), "axis");
    Optional<String> problem = a.requantizer(storage).problem();
    if (problem.isPresent()) {
      throw c.error(problem.get());
    }
    int channels = a.requantizer(storage).channels();
    if (channels != 1 && channels != acc.shape().dim(axis)) {
      throw c.error("parameters are given for " + channels + " channels, but axis " + axis + " has size "
          + acc.shape().dim(axis));
    }
    return List.of(out);
  }

  /** An 8-bit input of rank 4; the written result u8 / i8 (usually quantized per tensor) of the pooled shape. */
  static List<TensorType> avgPool2dInt(TypeContext c) throws TypeError {
    Attrs.AvgPool2dInt a = c.attrs(Attrs.AvgPool2dInt.class);
    Attrs.AvgPool2d w = a.window();
    Shape x = eightBitPlanes(c, a.inputZeroPoint());
    int oh = ShapeRules.windowOutput(c, x.dim(2), w.kernel().get(0), w.stride().get(0), w.padding().get(0),
        w.padding().get(2), 1, w.ceilMode());
    int ow = ShapeRules.windowOutput(c, x.dim(3), w.kernel().get(1), w.stride().get(1), w.padding().get(1),
        w.padding().get(3), 1, w.ceilMode());
    return List.of(rescaled(c, Shape.of(x.dim(0), x.dim(1), oh, ow), a.rescale()));
  }

  static List<TensorType> adaptiveAvgPool2dInt(TypeContext c) throws TypeError {
    Attrs.AdaptiveAvgPool2dInt a = c.attrs(Attrs.AdaptiveAvgPool2dInt.class);
    Shape x = eightBitPlanes(c, a.inputZeroPoint());
    Shape out = Shape.of(x.dim(0), x.dim(1), a.size().outputSize().get(0), a.size().outputSize().get(1));
    return List.of(rescaled(c, out, a.rescale()));
  }

  private static Shape eightBitPlanes(TypeContext c, int inputZeroPoint) throws TypeError {
    TypeChecks.requireRank(c, 0, 4);
    ElementType e = c.operand(0).elementType();
    if (e != ElementType.U8 && e != ElementType.I8) {
      throw c.error("input must hold 8-bit integers, got " + c.operand(0));
    }
    if (inputZeroPoint < e.minValue() || inputZeroPoint > e.maxValue()) {
      throw c.error("input_zero_point " + inputZeroPoint + " outside " + e + " range");
    }
    return c.operand(0).shape();
  }

  private static TensorType rescaled(TypeContext c, Shape shape, dev.zeropoint.ir.numerics.PoolRescale rescale)
      throws TypeError {
    TensorType out = eightBitResult(c, shape);
    Optional<String> problem = rescale.problem(out.elementType());
    if (problem.isPresent()) {
      throw c.error(problem.get());
    }
    Optional<Quantization.PerTensor> q = out.perTensor();
    if (q.isPresent() && rescale.kind() != dev.zeropoint.ir.numerics.PoolRescale.Kind.ATEN_ADAPTIVE_NCHW
        && q.get().zeroPoint() != rescale.outputZeroPoint()) {
      throw c.error("output_zero_point " + rescale.outputZeroPoint() + " differs from the result's zero point "
          + q.get().zeroPoint());
    }
    return out;
  }

  /** The written result: u8 or i8, plain or quantized per tensor. */
  private static TensorType eightBitResult(TypeContext c, Shape shape) throws TypeError {
    TensorType out = TypeChecks.written(c, shape, "the result type must be written (u8 or i8, usually quantized)");
    if (out.elementType() != ElementType.U8 && out.elementType() != ElementType.I8) {
      throw c.error("result must hold u8 or i8, got " + out);
    }
    if (out.isQuantized() && out.perTensor().isEmpty()) {
      throw c.error("result must be quantized per tensor, got " + out);
    }
    return out;
  }

  /** Two 8-bit operands of one storage type, zero points in its range; i32 of the broadcast shape. */
  static List<TensorType> mulAcc(TypeContext c) throws TypeError {
    Attrs.MulAcc a = c.attrs(Attrs.MulAcc.class);
    ElementType e = c.operand(0).elementType();
    if ((e != ElementType.U8 && e != ElementType.I8) || c.operand(1).elementType() != e) {
      throw c.error("operands must both hold u8 or both i8, got " + c.operand(0) + " and " + c.operand(1));
    }
    for (int zp : new int[] {a.aZeroPoint(), a.bZeroPoint()}) {
      if (zp < e.minValue() || zp > e.maxValue()) {
        throw c.error("zero point " + zp + " outside " + e + " range");
      }
    }
    Shape shape = TypeChecks.broadcast(c, c.operand(0).shape(), c.operand(1).shape());
    return inferred(c, TensorType.of(ElementType.I32, shape));
  }

  /** An 8-bit input, a table of 256 entries that fit the written 8-bit result. */
  static List<TensorType> lookup(TypeContext c) throws TypeError {
    Attrs.Lookup a = c.attrs(Attrs.Lookup.class);
    ElementType e = c.operand(0).elementType();
    if (e != ElementType.U8 && e != ElementType.I8) {
      throw c.error("input must hold 8-bit integers, got " + c.operand(0));
    }
    int tables = 1;
    if (a.perChannel()) {
      int axis = TypeChecks.axis(c, a.axis(), c.operand(0).rank(), "axis");
      tables = c.operand(0).shape().dim(axis);
    }
    if (a.table().length() != 256 * tables) {
      throw c.error("table needs " + 256 * tables + " entries (256 per input value" + (a.perChannel() ? ", per channel" : "")
          + "), got " + a.table().length());
    }
    TensorType out = eightBitResult(c, c.operand(0).shape());
    for (int i = 0; i < a.table().length(); i++) {
      if (a.table().get(i) < out.elementType().minValue() || a.table().get(i) > out.elementType().maxValue()) {
        throw c.error("table entry " + a.table().get(i) + " outside " + out.elementType());
      }
    }
    return List.of(out);
  }

  /**
   * Two 8-bit operands (shapes broadcast); tables: plain 8-bit [T, 256, 256] of the result's element
   * type, T = {@link Attrs.BinaryLookup#tablesNeeded}; rows of {@code row} elements tile the result.
   */
  static List<TensorType> binaryLookup(TypeContext c) throws TypeError {
    Attrs.BinaryLookup a = c.attrs(Attrs.BinaryLookup.class);
    for (int i = 0; i < 2; i++) {
      ElementType e = c.operand(i).elementType();
      if (e != ElementType.U8 && e != ElementType.I8) {
        throw c.error(c.operandName(i) + " must hold 8-bit integers, got " + c.operand(i));
      }
    }
    Shape shape = TypeChecks.broadcast(c, c.operand(0).shape(), c.operand(1).shape());
    TensorType out = eightBitResult(c, shape);
    TensorType tables = c.operand(2);
    int count = a.tablesNeeded();
    if (tables.isQuantized() || tables.elementType() != out.elementType()
        || !tables.shape().equals(Shape.of(count, 256, 256))) {
      throw c.error("tables must be " + out.elementType() + "[" + count + ", 256, 256] (row " + a.row() + ", head "
          + a.head() + " needs " + count + (count == 1 ? " table" : " tables") + "), got " + tables);
    }
    if (shape.numElements() % a.row() != 0) {
      throw c.error("row " + a.row() + " does not divide the result's " + shape.numElements() + " elements");
    }
    return List.of(out);
  }
}
