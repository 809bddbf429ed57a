package dev.zeropoint.tests;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
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
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;

/**
 * Seeded random quantized models that every backend can run: pytorch-qnnpack graphs of quint8
 * activations and qint8 weights with realistic scales, built from the ops of real networks (conv
 * with strides, padding, groups, per-tensor and per-channel weights; linear; relu, relu6, hardtanh,
 * clamp; max and average pooling; same-shape and broadcast add; sigmoid, hardswish; reshape, flatten). The
 * differential tests of the passes and of every backend run these against the interpreter.
 */
final class RandomModels {
  private final Random random;

  RandomModels(long seed) {
    this.random = new Random(seed);
  }

  /** A model and one input for it. */
  record Case(Graph graph, TensorData input) {}

  Case next(String name) {
    GraphBuilder b = GraphBuilder.create(name, Numerics.PYTORCH_QNNPACK);
    int c = 1 + random.nextInt(6);
    int h = 4 + random.nextInt(9);
    int w = 4 + random.nextInt(9);
    Shape shape = Shape.of(1, c, h, w);
    Value x = b.input("x", TensorType.of(ElementType.F32, shape));
    Value v = b.add(Op.QUANTIZE, Attrs.None.INSTANCE, activation(shape), x);
    int steps = 2 + random.nextInt(7);
    for (int i = 0; i < steps; i++) {
      v = step(b, v);
    }
    b.output("y", b.add(Op.DEQUANTIZE, Attrs.None.INSTANCE, v));
    float[] data = new float[(int) shape.numElements()];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (random.nextGaussian() * 2.0);
    }
    return new Case(b.build(), TensorData.ofFloats(shape, data));
  }

  private Value step(GraphBuilder b, Value v) {
    Shape s = v.type().shape();
    boolean spatial = s.rank() == 4;
    return switch (random.nextInt(spatial ? 11 : 4)) {
      case 0 -> b.add(Op.RELU, Attrs.None.INSTANCE, v);
      case 1 -> b.add(Op.HARDTANH, new Attrs.Hardtanh(-random.nextDouble(), 0.5 + 6 * random.nextDouble()), v);
      case 2 -> b.add(Op.CLAMP, new Attrs.Clamp(OptionalDouble.of(-0.5 * random.nextDouble()),
          OptionalDouble.of(0.2 + 4 * random.nextDouble())), v);
      case 3 -> spatial ? b.add(Op.FLATTEN, new Attrs.Flatten(1, -1), v) : linear(b, v);
      case 4, 5 -> conv(b, v);
      case 6 -> s.dim(2) >= 2 && s.dim(3) >= 2 ? b.add(Op.MAX_POOL2D, new Attrs.MaxPool2d(ImmutableIntArray.of(2, 2),
          ImmutableIntArray.of(2, 2), ImmutableIntArray.of(0, 0, 0, 0), ImmutableIntArray.of(1, 1), false), v) : v;
      case 7 -> s.dim(2) >= 3 && s.dim(3) >= 3 ? b.add(Op.AVG_POOL2D, new Attrs.AvgPool2d(ImmutableIntArray.of(3, 3),
          ImmutableIntArray.of(1, 1), ImmutableIntArray.of(1, 1, 1, 1), false, true, 0), v) : v;
      case 8 -> {
        Value other = conv(b, v, s.dim(1), 1, true);
        yield b.add(Op.ADD, Attrs.None.INSTANCE, activation(s), v, other);
      }
      case 9 -> broadcastAdd(b, v);
      default -> random.nextBoolean() ? b.add(Op.SIGMOID, Attrs.None.INSTANCE, v)
          : b.add(Op.HARDSWISH, Attrs.None.INSTANCE, activation(s), v);
    };
  }

  /**
   * A broadcast quint8 add (PyTorch's float path, two rounding lambdas): {@code v} plus a branch
   * pooled from it, per channel [1, C, 1, 1] (as in squeeze-excitation: rows of H * W, longer than
   * 64 for large planes) or per column [1, C, 1, W] (rows of W), in either order. Half the time
   * {@code v} goes through a hardtanh first, which PyTorch returns contiguous even after a conv, so
   * that the integer-only pipeline can lower the add.
   */
  private Value broadcastAdd(GraphBuilder b, Value v) {
    Shape s = v.type().shape();
    Value full = random.nextBoolean() ? b.add(Op.HARDTANH, new Attrs.Hardtanh(-random.nextDouble(),
        0.5 + 6 * random.nextDouble()), v) : v;
    Value other = s.dim(2) >= 2 && random.nextBoolean()
        ? b.add(Op.MAX_POOL2D, new Attrs.MaxPool2d(ImmutableIntArray.of(s.dim(2), 1), ImmutableIntArray.of(s.dim(2), 1),
            ImmutableIntArray.of(0, 0, 0, 0), ImmutableIntArray.of(1, 1), false), full)
        : b.add(Op.ADAPTIVE_AVG_POOL2D, new Attrs.AdaptiveAvgPool2d(ImmutableIntArray.of(1, 1)), full);
    return random.nextBoolean() ? b.add(Op.ADD, Attrs.None.INSTANCE, activation(s), full, other)
        : b.add(Op.ADD, Attrs.None.INSTANCE, activation(s), other, full);
  }

  private Value conv(GraphBuilder b, Value v) {
    int cin = v.type().shape().dim(1);
    int groups = cin > 1 && random.nextInt(3) == 0 ? cin : 1; // sometimes depthwise
    int cout = groups == cin && groups > 1 ? cin : 1 + random.nextInt(8);
    return conv(b, v, cout, groups, false);
  }

  /** A conv; {@code sameShape} keeps the input's spatial size (stride 1, padding k / 2), for residual branches. */
  private Value conv(GraphBuilder b, Value v, int cout, int groups, boolean sameShape) {
    Shape s = v.type().shape();
    int k = 1 + 2 * random.nextInt(2);
    int stride = sameShape ? 1 : 1 + random.nextInt(2);
    int pad = sameShape || random.nextBoolean() ? k / 2 : 0;
    Shape ws = Shape.of(cout, s.dim(1) / groups, k, k);
    Value weight = weights(b, ws);
    float[] bias = new float[cout];
    for (int i = 0; i < cout; i++) {
      bias[i] = (float) (random.nextGaussian() * 0.5);
    }
    Value biasValue = b.constant(TensorData.ofFloats(Shape.of(cout), bias), TensorType.f32(cout), Optional.empty());
    int oh = Math.floorDiv(s.dim(2) + 2 * pad - k, stride) + 1;
    int ow = Math.floorDiv(s.dim(3) + 2 * pad - k, stride) + 1;
    if (oh < 1 || ow < 1) {
      return v;
    }
    Attrs.Conv2d attrs = new Attrs.Conv2d(ImmutableIntArray.of(stride, stride), ImmutableIntArray.of(pad, pad, pad, pad),
        ImmutableIntArray.of(1, 1), groups);
    return b.add(Op.CONV2D, attrs, activation(Shape.of(1, cout, oh, ow)), v, weight, biasValue);
  }

  private Value linear(GraphBuilder b, Value v) {
    int k = v.type().shape().dim(1);
    int n = 1 + random.nextInt(10);
    Value weight = weights(b, Shape.of(n, k));
    return b.add(Op.LINEAR, Attrs.None.INSTANCE, activation(Shape.of(1, n)), v, weight);
  }

  /** qint8 weights, per tensor or per output channel, zero point 0 as PyTorch's default qconfig. */
  private Value weights(GraphBuilder b, Shape ws) {
    long[] values = new long[(int) ws.numElements()];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextInt(255) - 127;
    }
    int out = ws.dim(0);
    TensorType t;
    if (random.nextBoolean()) {
      t = TensorType.quantized(ElementType.I8, weightScale(), 0, ws);
    } else {
      double[] scales = new double[out];
      for (int i = 0; i < out; i++) {
        scales[i] = weightScale();
      }
      t = new TensorType(ElementType.I8, ws, Optional.of(new Quantization.PerAxis(0, ImmutableDoubleArray.copyOf(scales),
          ImmutableLongArray.copyOf(new long[out]))));
    }
    return b.constant(TensorData.ofLongs(ElementType.I8, ws, values), t, Optional.empty());
  }

  private double weightScale() {
    return 0.002 + 0.02 * random.nextDouble();
  }

  /** quint8 activations: a scale that keeps values spread over the range, any zero point. */
  private TensorType activation(Shape s) {
    return TensorType.quantized(ElementType.U8, 0.01 + 0.09 * random.nextDouble(), random.nextInt(256), s);
  }
}
