package dev.zeropoint.tests;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.ir.op.Op;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;

/**
 * Seeded random quantized graphs: a quantize, a chain of quantized ops with random shapes,
 * attributes and quantization parameters, and a dequantize. Scales and float constants are drawn
 * from the whole range of doubles and floats (subnormals, -0.0, extremes) to stress exact printing.
 */
final class RandomGraphs {
  private final Random random;

  RandomGraphs(long seed) {
    this.random = new Random(seed);
  }

  Graph next(String name) {
    GraphBuilder b = GraphBuilder.create(name, Numerics.values()[random.nextInt(Numerics.values().length)]);
    int n = 1 + random.nextInt(2);
    int c = 1 + random.nextInt(4);
    int h = 3 + random.nextInt(6);
    // A quarter of the graphs wide enough (after a 3 x 3 convolution, 13 columns and more) for the
    // jvm backend's Winograd kernel.
    int w = random.nextInt(4) == 0 ? 15 + random.nextInt(10) : 3 + random.nextInt(6);
    Value x = b.input("x", TensorType.f32(n, c, h, w));
    Value v = b.add(Op.QUANTIZE, Attrs.None.INSTANCE, quantized(Shape.of(n, c, h, w)), x);
    int steps = 1 + random.nextInt(8);
    for (int i = 0; i < steps; i++) {
      v = step(b, v);
    }
    b.output("y", b.add(Op.DEQUANTIZE, Attrs.None.INSTANCE, v));
    return b.build();
  }

  private Value step(GraphBuilder b, Value v) {
    Shape s = v.type().shape();
    return switch (random.nextInt(7)) {
      case 0 -> conv(b, v);
      case 1 -> b.add(Op.RELU, Attrs.None.INSTANCE, v);
      case 2 -> b.add(Op.HARDTANH, new Attrs.Hardtanh(-random.nextDouble(), 6 * random.nextDouble()), v);
      case 3 -> b.add(Op.CLAMP, new Attrs.Clamp(OptionalDouble.of(-1e-3 * random.nextDouble()), OptionalDouble.empty()), v);
      case 4 -> s.dim(2) >= 2 && s.dim(3) >= 2
          ? b.add(Op.MAX_POOL2D, new Attrs.MaxPool2d(ImmutableIntArray.of(2, 2), ImmutableIntArray.of(1, 2),
              ImmutableIntArray.of(0, 1, 0, 1), ImmutableIntArray.of(1, 1), random.nextBoolean()), v)
          : v;
      case 5 -> {
        Value other = b.add(Op.RELU, Attrs.None.INSTANCE, v);
        yield b.add(Op.ADD, Attrs.None.INSTANCE, quantized(s), v, other);
      }
      default -> b.add(Op.SIGMOID, Attrs.None.INSTANCE, v);
    };
  }

  private Value conv(GraphBuilder b, Value v) {
    Shape s = v.type().shape();
    int cin = s.dim(1);
    int cout = 1 + random.nextInt(4);
    int k = 1 + random.nextInt(Math.min(3, Math.min(s.dim(2), s.dim(3))));
    Shape ws = Shape.of(cout, cin, k, k);
    long[] weights = new long[(int) ws.numElements()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = random.nextInt(256) - 128;
    }
    TensorType wt = random.nextBoolean()
        ? TensorType.quantized(ElementType.I8, scale(), 0, ws)
        : new TensorType(ElementType.I8, ws, Optional.of(new Quantization.PerAxis(0, scales(cout),
            ImmutableLongArray.copyOf(new long[cout]))));
    Value weight = b.constant(TensorData.ofLongs(ElementType.I8, ws, weights), wt, Optional.empty());
    float[] bias = new float[cout];
    for (int i = 0; i < cout; i++) {
      bias[i] = anyFloat();
    }
    Value biasValue = b.constant(TensorData.ofFloats(Shape.of(cout), bias), TensorType.f32(cout), Optional.empty());
    Shape out = Shape.of(s.dim(0), cout, s.dim(2) - k + 1, s.dim(3) - k + 1);
    return b.add(Op.CONV2D, new Attrs.Conv2d(ImmutableIntArray.of(1, 1), ImmutableIntArray.of(0, 0, 0, 0),
        ImmutableIntArray.of(1, 1), 1), quantized(out), v, weight, biasValue);
  }

  private TensorType quantized(Shape s) {
    ElementType storage = random.nextBoolean() ? ElementType.U8 : ElementType.I8;
    long zp = storage.minValue() + random.nextInt(256);
    return TensorType.quantized(storage, scale(), zp, s);
  }

  private ImmutableDoubleArray scales(int n) {
    List<Double> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(scale());
    }
    return ImmutableDoubleArray.copyOf(list);
  }

  /** Any positive finite double, from subnormals to the largest, or a typical quantization scale. */
  private double scale() {
    if (random.nextBoolean()) {
      return Math.scalb(1 + random.nextDouble(), -random.nextInt(20));
    }
    double d;
    do {
      d = Math.abs(Double.longBitsToDouble(random.nextLong()));
    } while (!(d > 0) || Double.isInfinite(d));
    return d;
  }

  /** Any float: subnormals, -0.0, infinities and NaN included. */
  private float anyFloat() {
    return switch (random.nextInt(6)) {
      case 0 -> -0.0f;
      case 1 -> Float.intBitsToFloat(random.nextInt(0x800000)); // subnormal
      case 2 -> random.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;
      default -> Float.intBitsToFloat(random.nextInt());
    };
  }
}
