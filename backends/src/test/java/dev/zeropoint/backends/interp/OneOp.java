package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import dev.zeropoint.ir.op.TypeError;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Runs small graphs through the interpreter: one input {@code x}, a chain of ops, every result returned. */
final class OneOp {
  private OneOp() {}

  static TensorType qu8(double scale, long zeroPoint, int... dims) {
    return TensorType.quantized(ElementType.U8, scale, zeroPoint, Shape.of(dims));
  }

  static TensorType qi8(double scale, long zeroPoint, int... dims) {
    return TensorType.quantized(ElementType.I8, scale, zeroPoint, Shape.of(dims));
  }

  /** A graph under construction with its input {@code x}. */
  static final class Chain {
    final GraphBuilder builder;
    final Value x;
    private final TensorData input;

    Chain(Numerics numerics, TensorType type, TensorData input) {
      this.builder = GraphBuilder.create("t", numerics);
      this.x = builder.input("x", type);
      this.input = input;
    }

    Value add(Op op, Attrs attrs, Value in) {
      return builder.add(op, attrs, in);
    }

    Value add(Op op, Attrs attrs, TensorType result, Value in) {
      return builder.add(op, attrs, result, in);
    }

    List<Value> addAll(Op op, Attrs attrs, Value in) {
      try {
        return builder.add(op, List.of(in), attrs, List.of(), List.of(), SourceLocation.UNKNOWN);
      } catch (TypeError e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }

    Map<Value, Tensor> run(Value... outputs) throws Exception {
      for (int i = 0; i < outputs.length; i++) {
        builder.output("out" + i, outputs[i]);
      }
      Graph g = builder.build();
      return Interpreter.evaluate(g, Map.of("x", input));
    }
  }

  static Chain ints(Numerics numerics, TensorType type, long... values) {
    return new Chain(numerics, type, TensorData.ofLongs(type.elementType(), type.shape(), values));
  }

  static Chain floats(Numerics numerics, int[] dims, float... values) {
    return new Chain(numerics, TensorType.of(ElementType.F32, Shape.of(dims)), TensorData.ofFloats(Shape.of(dims),
        values));
  }

  /** Runs {@code op} on {@code x} and returns the stored integers of its result. */
  static int[] runInts(Numerics numerics, TensorType type, long[] values, Op op, Attrs attrs) throws Exception {
    Chain c = ints(numerics, type, values);
    Value y = c.add(op, attrs, c.x);
    return c.run(y).get(y).ints.clone();
  }

  /** Runs {@code op}, with its result type written, on {@code x} and returns the stored integers. */
  static int[] runInts(Numerics numerics, TensorType type, long[] values, Op op, Attrs attrs, TensorType result)
      throws Exception {
    Chain c = ints(numerics, type, values);
    Value y = c.add(op, attrs, result, c.x);
    return c.run(y).get(y).ints.clone();
  }

  static float[] runFloats(Numerics numerics, int[] dims, float[] values, Op op, Attrs attrs) throws Exception {
    Chain c = floats(numerics, dims, values);
    Value y = c.add(op, attrs, c.x);
    return c.run(y).get(y).f32.clone();
  }

  static long[] longs(int... values) {
    return Arrays.stream(values).asLongStream().toArray();
  }
}
