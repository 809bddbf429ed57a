package dev.zeropoint.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The type of a value: storage element type, static shape and, for quantized tensors, the
 * quantization parameters. A quantized type is valid by construction: zero points inside the
 * storage range, scales positive and finite, per-axis lists matching the axis.
 */
public record TensorType(ElementType elementType, Shape shape, Optional<Quantization> quantization) {

  public TensorType {
    Objects.requireNonNull(elementType);
    Objects.requireNonNull(shape);
    Objects.requireNonNull(quantization);
    List<Quantization.Problem> problems = problems(elementType, shape, quantization);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          String.join("; ", problems.stream().map(Quantization.Problem::message).toList()));
    }
  }

  /** Everything wrong with these parts as a type; empty when {@code new TensorType(...)} will succeed. */
  public static List<Quantization.Problem> problems(ElementType elementType, Shape shape,
      Optional<Quantization> quantization) {
    List<Quantization.Problem> out = new ArrayList<>();
    if (quantization.isPresent()) {
      if (!elementType.isQuantizedStorage()) {
        out.add(new Quantization.Problem(Quantization.Part.WHOLE, 0,
            "quantized storage must be u8, i8, i16 or i32, got " + elementType));
        return out;
      }
      out.addAll(quantization.get().problems(elementType, shape));
    }
    return out;
  }

  public static TensorType of(ElementType elementType, Shape shape) {
    return new TensorType(elementType, shape, Optional.empty());
  }

  public static TensorType f32(int... dims) {
    return of(ElementType.F32, Shape.of(dims));
  }

  public static TensorType quantized(ElementType storage, double scale, long zeroPoint, Shape shape) {
    return new TensorType(storage, shape, Optional.of(new Quantization.PerTensor(scale, zeroPoint)));
  }

  public boolean isQuantized() {
    return quantization.isPresent();
  }

  public boolean isFloat() {
    return elementType.isFloat();
  }

  /** Per-tensor parameters, if this type has them. */
  public Optional<Quantization.PerTensor> perTensor() {
    return quantization.filter(q -> q instanceof Quantization.PerTensor).map(q -> (Quantization.PerTensor) q);
  }

  public TensorType withShape(Shape newShape) {
    return new TensorType(elementType, newShape, quantization);
  }

  public int rank() {
    return shape.rank();
  }

  /** The element part as written in .qg: {@code f32}, {@code qu8<0.5:3>}, {@code qi8<axis 0: {...}>}. */
  public String elementText() {
    return quantization.map(q -> "q" + elementType.keyword() + "<" + q + ">").orElse(elementType.keyword());
  }

  /** As written in .qg: {@code qu8<0.0865:130>[1, 3, 8, 8]}. */
  @Override
  public String toString() {
    return elementText() + shape;
  }
}
