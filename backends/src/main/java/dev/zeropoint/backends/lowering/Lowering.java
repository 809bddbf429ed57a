package dev.zeropoint.backends.lowering;

import static dev.zeropoint.backends.lowering.KernelCall.constant;
import static dev.zeropoint.backends.lowering.KernelCall.imm;
import static dev.zeropoint.backends.lowering.KernelCall.operand;
import static dev.zeropoint.backends.lowering.KernelCall.result;

import dev.zeropoint.backends.ConvGeometry;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Node;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.ir.numerics.ClampBounds;
import dev.zeropoint.ir.numerics.PyTorchLayout;
import dev.zeropoint.ir.numerics.Requantizer;
import dev.zeropoint.ir.op.Attrs;
import dev.zeropoint.runtime.kernels.Conv;
import dev.zeropoint.runtime.kernels.Depthwise;
import dev.zeropoint.runtime.kernels.Elementwise;
import dev.zeropoint.runtime.kernels.Gemm;
import dev.zeropoint.runtime.kernels.GemmF32;
import dev.zeropoint.runtime.kernels.Requantize;
import dev.zeropoint.runtime.kernels.Winograd;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What each node becomes in generated code: a kernel call with its constants laid out at compile
 * time, or an alias (reshape and flatten reuse their operand's array). A node the backend does not
 * run yet is a CompileException naming it.
 */
public final class Lowering {
  private final Numerics numerics;
  private final String backend;
  private final boolean gemm;
  private final boolean gemmF32;
  private final ArithmeticLowering arithmetic;

  /**
   * @param backend the backend's name, for messages
   * @param gemm whether grouped convolutions with several output channels per group run as {@link
   *     Gemm#conv2d} on weights packed for it, and depthwise ones as {@link Depthwise#conv2dInt32},
   *     rather than as {@link Conv#conv2dAcc} (which a backend with its own kernels, as the C
   *     backend, runs itself)
   * @param gemmF32 whether such a convolution may run as {@link GemmF32#conv2d} (float32 multiply-adds
   *     on exact integers) where its weights and input type prove that exact, and a depthwise one as
   *     {@link Depthwise#conv2d} likewise (only with {@code gemm}); false for a model that must
   *     compute with integers only
   */
  public Lowering(Numerics numerics, String backend, boolean gemm, boolean gemmF32) {
    this.numerics = numerics;
    this.backend = backend;
    this.gemm = gemm;
    this.gemmF32 = gemm && gemmF32;
    this.arithmetic = new ArithmeticLowering(backend);
  }

  /**
   * The graph a kernel-calling backend (jvm, c) compiles: as given when it is already lowered, else after the default
   * pipeline ({@code -O}), which changes no output and turns quantized conv2d / linear into the
   * integer accumulations and requantizations the kernels run.
   */
  public static Graph pipeline(Graph graph) throws CompileException {
    boolean needs = graph.nodes().stream().anyMatch(n -> (n.op() == dev.zeropoint.ir.op.Op.CONV2D
        || n.op() == dev.zeropoint.ir.op.Op.LINEAR) && n.result().type().isQuantized());
    if (!needs) {
      return graph;
    }
    var context = new dev.zeropoint.passes.PassContext(false, false, java.util.Set.of(), false,
        new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.util.LinkedHashMap<>());
    return dev.zeropoint.passes.PassManager.defaultPipeline(dev.zeropoint.passes.PassRegistry.load()).run(graph, context);
  }

  /** Empty for a node whose result is its operand's array (reshape, flatten). */
  public Optional<KernelCall> lower(Node n) throws CompileException {
    return switch (n.op()) {
      case FLATTEN, RESHAPE -> Optional.empty();
      case CONV2D_ACC -> Optional.of(conv2dAcc(n));
      case LINEAR_ACC -> Optional.of(linearAcc(n));
      case CONV2D -> Optional.of(floatConv2d(n));
      case LINEAR -> Optional.of(floatLinear(n));
      case REQUANTIZE_ACC -> Optional.of(requantizeAcc(n));
      case RELU, RELU6, HARDTANH, CLAMP -> Optional.of(n.operand(0).type().isQuantized() ? clamp(n)
          : arithmetic.floatClamp(n));
      case ADD -> Optional.of(arithmetic.add(n, numerics));
      case MUL -> Optional.of(arithmetic.mul(n, numerics));
      case MUL_ACC -> Optional.of(arithmetic.mulAcc(n));
      case LOOKUP -> Optional.of(arithmetic.lookup(n));
      case BINARY_LOOKUP -> Optional.of(arithmetic.binaryLookup(n));
      case CAT -> Optional.of(arithmetic.cat(n, numerics));
      case REQUANTIZE -> Optional.of(arithmetic.requantize(n, numerics));
      case HARDSWISH, HARDSIGMOID, SIGMOID -> Optional.of(arithmetic.activation(n, numerics));
      case PERMUTE -> Optional.of(arithmetic.permute(n));
      case SPLIT, CHUNK -> Optional.of(arithmetic.split(n));
      case PAD -> Optional.of(arithmetic.pad(n, numerics));
      case QUANTIZE -> Optional.of(quantize(n));
      case QUANTIZE_ADD_ROUND -> Optional.of(quantize(n));
      case DEQUANTIZE -> Optional.of(dequantize(n));
      case MAX_POOL2D -> Optional.of(new PoolLowering(numerics, backend).maxPool2d(n));
      case AVG_POOL2D -> Optional.of(new PoolLowering(numerics, backend).avgPool2d(n));
      case ADAPTIVE_AVG_POOL2D -> Optional.of(new PoolLowering(numerics, backend).adaptiveAvgPool2d(n));
      case AVG_POOL2D_INT -> Optional.of(new PoolLowering(numerics, backend).avgPool2dInt(n));
      case ADAPTIVE_AVG_POOL2D_INT -> Optional.of(new PoolLowering(numerics, backend).adaptiveAvgPool2dInt(n));
      case BATCH_NORM -> Optional.of(new PoolLowering(numerics, backend).batchNorm(n));
      default -> throw unsupported(n, "");
    };
  }

  private CompileException unsupported(Node n, String why) {
    return new CompileException(n.location(), "the " + backend + " backend does not run " + n.op().keyword() + " %"
        + n.results().get(0).name() + " yet" + (why.isEmpty() ? "" : ": " + why));
  }

  /** A float conv2d (a quantized one reaches the backend lowered to conv2d_acc). */
  private KernelCall floatConv2d(Node n) throws CompileException {
    requireFloat(n);
    return KernelCall.of(Conv.class, "conv2dFloat", result(), operand(0), operand(1), floatBias(n),
        constant(ConvGeometry.of(n, (Attrs.Conv2d) n.attrs())));
  }

  private KernelCall floatLinear(Node n) throws CompileException {
    requireFloat(n);
    Shape w = n.operand(1).type().shape();
    int features = w.dim(0);
    int size = Math.toIntExact(n.result().type().shape().numElements());
    return KernelCall.of(Conv.class, "linearFloat", result(), operand(0), operand(1), floatBias(n),
        imm(features == 0 ? 0 : size / features), imm(features), imm(w.dim(1)));
  }

  private void requireFloat(Node n) throws CompileException {
    if (n.result().type().elementType() != ElementType.F32 || n.result().type().isQuantized()) {
      throw unsupported(n, "a quantized " + n.op().keyword() + " runs lowered (-O)");
    }
  }

  /** The bias operand, or an empty array for none. */
  private static KernelCall.Arg floatBias(Node n) {
    return n.operands().size() > 2 ? operand(2) : constant(new float[0]);
  }

  private KernelCall conv2dAcc(Node n) throws CompileException {
    Attrs.Conv2dAcc a = (Attrs.Conv2dAcc) n.attrs();
    int[] g = ConvGeometry.of(n, a.window());
    int outChannels = g[Conv.OUT_CHANNELS];
    int[] wc = centeredWeights(n, a.weightZeroPoints().toArray(), outChannels);
    if (g[Conv.OUT_PER_GROUP] == 1 || !gemm) {
      // Depthwise: one output channel per group leaves a matrix product nothing to block.
      if (gemm && Depthwise.applies(g)) {
        int taps = g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
        if (gemmF32 && depthwiseExact(wc, n.operand(0).type().elementType(), a.inputZeroPoint(), taps)) {
          return KernelCall.of(Depthwise.class, "conv2d", result(), operand(0), constant(Depthwise.weights(wc)),
              constant(bias(n, outChannels)), constant(g), imm(a.inputZeroPoint()));
        }
        return KernelCall.of(Depthwise.class, "conv2dInt32", result(), operand(0), constant(wc),
            constant(bias(n, outChannels)), constant(g), imm(a.inputZeroPoint()));
      }
      return KernelCall.of(Conv.class, "conv2dAcc", result(), operand(0), constant(wc),
          constant(bias(n, outChannels)), constant(g), imm(a.inputZeroPoint()));
    }
    int k = g[Conv.IN_PER_GROUP] * g[Conv.KERNEL_H] * g[Conv.KERNEL_W];
    if (gemmF32 && WINOGRAD && Winograd.applies(g)) {
      long maxInput = maxCentered(n.operand(0).type().elementType(), a.inputZeroPoint());
      int in = g[Conv.IN_CHANNELS];
      int[] u = Winograd.transformWeights(wc, outChannels, in);
      int depth = Winograd.exact(wc, outChannels, maxInput) ? Winograd.depth(u, outChannels, in, maxInput) : 0;
      if (depth >= Math.min(in, MIN_WINOGRAD_DEPTH)) {
        return KernelCall.of(Winograd.class, "conv2d", result(), operand(0),
            constant(Winograd.packWeights(u, outChannels, in)), constant(bias(n, outChannels)), constant(g),
            imm(a.inputZeroPoint()), imm(depth));
      }
    }
    if (gemmF32 && f32Exact(wc, n.operand(0).type().elementType(), a.inputZeroPoint(), k)) {
      return KernelCall.of(GemmF32.class, "conv2d", result(), operand(0),
          constant(GemmF32.packWeights(wc, a.window().groups(), g[Conv.OUT_PER_GROUP], k)),
          constant(bias(n, outChannels)), constant(g), imm(a.inputZeroPoint()));
    }
    int[] packed = Gemm.packWeights(wc, a.window().groups(), g[Conv.OUT_PER_GROUP], k);
    return KernelCall.of(Gemm.class, "conv2d", result(), operand(0), constant(packed), constant(bias(n, outChannels)),
        constant(g), imm(a.inputZeroPoint()));
  }

  /**
   * Whether 3 x 3 convolutions of stride 1 may run as {@link Winograd#conv2d} (on by default; {@code
   * -Dzeropoint.winograd=false} in the compiling JVM keeps {@link GemmF32}, to time both).
   */
  static final boolean WINOGRAD = !"false".equals(System.getProperty("zeropoint.winograd"));

  /**
   * The shortest block of input channels worth Winograd's transforms: below it, converting every
   * block's float sums to the int32 accumulators costs more than the products save ({@link
   * Winograd#depth} is that short only for weights far larger than trained ones).
   */
  static final int MIN_WINOGRAD_DEPTH = 16;

  /**
   * Whether {@link GemmF32#conv2d} computes {@link Gemm#conv2d}'s integers for these centered
   * constant weights of depth {@code k} and any input of this element type minus its zero point
   * ({@link GemmF32#exact}). conv2d_acc's type rule admits 8-bit operands only, for which it always
   * holds (at most 255 * 255 per product); the check keeps wider operands on the int32 kernel.
   */
  static boolean f32Exact(int[] wc, ElementType input, long inputZeroPoint, int k) {
    return GemmF32.exact(maxMagnitude(wc), maxCentered(input, inputZeroPoint), k);
  }

  /**
   * Whether {@link Depthwise#conv2d} computes {@link Conv#conv2dAcc}'s integers for these centered
   * constant weights of {@code taps} taps per output and any input of this element type minus its
   * zero point ({@link Depthwise#exact}: the whole kernel in one float32 sum, no blocking). For
   * 8-bit operands it holds up to 258 taps (16 x 16).
   */
  static boolean depthwiseExact(int[] wc, ElementType input, long inputZeroPoint, int taps) {
    return Depthwise.exact(maxMagnitude(wc), maxCentered(input, inputZeroPoint), taps);
  }

  /** The largest {@code |v|} of the values. */
  private static long maxMagnitude(int[] values) {
    long max = 0;
    for (int v : values) {
      max = Math.max(max, Math.abs((long) v));
    }
    return max;
  }

  /** The largest {@code |x - zeroPoint|} over every value {@code x} of the element type. */
  static long maxCentered(ElementType type, long zeroPoint) {
    if (!type.isInteger() || type.byteSize() > 4) {
      return Long.MAX_VALUE; // no bound worth proving (and none that a long difference holds)
    }
    return Math.max(Math.abs(type.minValue() - zeroPoint), Math.abs(type.maxValue() - zeroPoint));
  }

  /**
   * A conv2d_acc and the requantize_acc that is the only user of its sums as one call, {@link
   * GemmF32#conv2dRequantize}, {@link Winograd#conv2dRequantize} or {@link
   * Depthwise#conv2dRequantize}: when the convolution runs on {@link GemmF32}, {@link Winograd} or
   * {@link Depthwise#conv2d} and the requantization is scheme FLOAT to u8, per output channel or per
   * tensor. Empty otherwise (each runs alone). The call's operands are the convolution's, its result
   * the requantization's.
   */
  public Optional<KernelCall> convRequantize(Node conv, Node requantize) throws CompileException {
    if (conv.op() != dev.zeropoint.ir.op.Op.CONV2D_ACC || requantize.op() != dev.zeropoint.ir.op.Op.REQUANTIZE_ACC
        || requantize.operand(0) != conv.result() || requantize.result().type().elementType() != ElementType.U8) {
      return Optional.empty();
    }
    KernelCall c = conv2dAcc(conv);
    KernelCall r = requantizeAcc(requantize);
    boolean f32 = c.owner() == GemmF32.class || c.owner() == Winograd.class
        || (c.owner() == Depthwise.class && c.method().equals("conv2d"));
    if (!f32 || ((KernelCall.Immediate) r.args().get(2)).value() != Requantize.FLOAT) {
      return Optional.empty();
    }
    int[] g = (int[]) ((KernelCall.Constant) c.args().get(4)).value();
    int scales = ((float[]) ((KernelCall.Constant) r.args().get(3)).value()).length;
    int inner = ((KernelCall.Immediate) r.args().get(6)).value();
    int channels = ((KernelCall.Immediate) r.args().get(7)).value();
    boolean byChannel = channels == g[Conv.OUT_CHANNELS] && inner == g[Conv.OUT_H] * g[Conv.OUT_W]
        && scales == channels;
    if (scales != 1 && !byChannel) {
      return Optional.empty();
    }
    java.util.List<KernelCall.Arg> args = new java.util.ArrayList<>(c.args());
    // out, x, weights, bias, g, zp (and Winograd's depth)
    args.add(r.args().get(3)); // the scales
    args.addAll(r.args().subList(8, 11)); // the output zero point, min, max
    return Optional.of(new KernelCall(c.owner(), "conv2dRequantize", args));
  }

  private KernelCall linearAcc(Node n) throws CompileException {
    Attrs.LinearAcc a = (Attrs.LinearAcc) n.attrs();
    Shape w = n.operand(1).type().shape();
    int features = w.dim(0);
    int k = w.dim(1);
    int size = Math.toIntExact(n.result().type().shape().numElements());
    int rows = features == 0 ? 0 : size / features;
    int[] wc = centeredWeights(n, a.weightZeroPoints().toArray(), features);
    return KernelCall.of(Conv.class, "linearAcc", result(), operand(0), constant(wc), constant(bias(n, features)),
        imm(rows), imm(features), imm(k), imm(a.inputZeroPoint()));
  }

  /** The constant weights minus each output channel's zero point, laid out once. */
  private int[] centeredWeights(Node n, int[] zeroPoints, int channels) throws CompileException {
    int[] w = constantInts(n, 1, "weights");
    int per = channels == 0 ? 0 : w.length / channels;
    for (int c = 0; c < channels; c++) {
      int zp = zeroPoints.length == 1 ? zeroPoints[0] : zeroPoints[c];
      for (int i = c * per; i < (c + 1) * per; i++) {
        w[i] -= zp;
      }
    }
    return w;
  }

  private int[] bias(Node n, int channels) throws CompileException {
    return n.operands().size() > 2 ? constantInts(n, 2, "bias") : new int[channels];
  }

  private int[] constantInts(Node n, int operand, String what) throws CompileException {
    Value v = n.operand(operand);
    if (v.producer() == null || !(v.producer().attrs() instanceof Attrs.Const c)) {
      throw unsupported(n, "its " + what + " must be constants");
    }
    return c.data().toIntArray();
  }

  private KernelCall requantizeAcc(Node n) {
    Attrs.RequantizeAcc a = (Attrs.RequantizeAcc) n.attrs();
    TensorType acc = n.operand(0).type();
    int rank = acc.rank();
    int axis = rank == 0 ? 0 : Math.floorMod(a.axis(), rank);
    int inner = 1;
    for (int d = axis + 1; d < rank; d++) {
      inner *= acc.shape().dim(d);
    }
    int channels = rank == 0 ? 1 : acc.shape().dim(axis);
    float[] scales = new float[a.scales().length()];
    for (int i = 0; i < scales.length; i++) {
      scales[i] = (float) a.scales().get(i);
    }
    Requantizer.Scheme s = a.scheme();
    int scheme = switch (s) {
      case FLOAT -> Requantize.FLOAT;
      case MANTISSA -> Requantize.MANTISSA;
      case TFLITE_DOUBLE -> Requantize.TFLITE_DOUBLE;
      case TFLITE_SINGLE -> Requantize.TFLITE_SINGLE;
      case TOSA_DOUBLE -> Requantize.TOSA_DOUBLE;
      case TOSA_SINGLE -> Requantize.TOSA_SINGLE;
      case POW2 -> Requantize.POW2;
      // ONNX Runtime's requantization is PyTorch's wherever the product cannot leave int32: the
      // backends' fused and vectorized float kernels then run it.
      case FLOAT_CLAMP -> Requantize.floatClampIsFloat(scales, a.outputZeroPoint(), a.min(), a.max(),
          n.result().type().elementType()) ? Requantize.FLOAT : Requantize.FLOAT_CLAMP;
    };
    return KernelCall.of(Requantize.class, "requantize", result(), operand(0), imm(scheme), constant(scales),
        constant(a.multipliers().toArray()), constant(a.shifts().toArray()), imm(Math.max(1, inner)), imm(channels),
        imm(a.outputZeroPoint()), imm(a.min()), imm(a.max()), imm(n.result().type().elementType().ordinal()));
  }

  private KernelCall clamp(Node n) throws CompileException {
    ClampBounds.Bounds b = clampBounds(n, numerics)
        .orElseThrow(() -> unsupported(n, "only quantized relu in every flavour, and relu6 / hardtanh / clamp of "
            + "quantized tensors in the PyTorch flavours"));
    TensorType x = n.operand(0).type();
    if (PyTorchLayout.permutesNhwcAsNchw(n, numerics)) { // PyTorch 1.13's quirk, docs/numerics.md
      Shape s = x.shape();
      return KernelCall.of(Elementwise.class, "clampNhwcAsNchw", result(), operand(0), imm(b.min()), imm(b.max()),
          imm(s.dim(0)), imm(s.dim(1)), imm(s.dim(2)), imm(s.dim(3)));
    }
    return KernelCall.of(Elementwise.class, "clamp", result(), operand(0), imm(b.min()), imm(b.max()));
  }

  /**
   * The integer bounds of a quantized {@code relu} (any flavour), {@code relu6}, {@code hardtanh} or
   * {@code clamp} (PyTorch flavours), the interpreter's; empty for other nodes and flavours.
   */
  public static Optional<ClampBounds.Bounds> clampBounds(Node n, Numerics numerics) {
    TensorType x = n.operand(0).type();
    boolean pytorch = numerics.isPyTorch();
    // A quantized relu is max(q, zp) in every flavour (the interpreter's definition); the other
    // clamps quantize their bounds, which is defined here for PyTorch only.
    if (!x.isQuantized() || !(pytorch || n.op() == dev.zeropoint.ir.op.Op.RELU)) {
      return Optional.empty();
    }
    Quantization.PerTensor q = x.perTensor().orElse(null);
    if (q == null) {
      return Optional.empty();
    }
    ElementType storage = x.elementType();
    return Optional.of(switch (n.op()) {
      case RELU -> ClampBounds.pytorchRelu((int) q.zeroPoint(), storage);
      case RELU6 -> bounds(OptionalDouble.of(0), OptionalDouble.of(6), q, storage);
      case HARDTANH -> {
        Attrs.Hardtanh h = (Attrs.Hardtanh) n.attrs();
        yield bounds(OptionalDouble.of(h.min()), OptionalDouble.of(h.max()), q, storage);
      }
      case CLAMP -> {
        Attrs.Clamp c = (Attrs.Clamp) n.attrs();
        yield bounds(c.min(), c.max(), q, storage);
      }
      default -> throw new IllegalArgumentException("not a clamp: " + n.op());
    });
  }

  /** The integer bounds the interpreter's quantized clamp uses ({@link ClampBounds#pytorchClamp}). */
  private static ClampBounds.Bounds bounds(OptionalDouble min, OptionalDouble max, Quantization.PerTensor q,
      ElementType storage) {
    ClampBounds.Bounds b = ClampBounds.pytorchClamp((float) min.orElse(0.0), (float) max.orElse(0.0), q.scale(),
        q.zeroPoint(), storage);
    return new ClampBounds.Bounds(min.isPresent() ? b.min() : (int) storage.minValue(),
        max.isPresent() ? b.max() : (int) storage.maxValue());
  }

  private KernelCall quantize(Node n) throws CompileException {
    TensorType out = n.result().type();
    int flavour = n.op() == dev.zeropoint.ir.op.Op.QUANTIZE_ADD_ROUND ? Elementwise.ADD_ROUND : flavour(n, "quantize");
    Params p = Params.of(out);
    return KernelCall.of(Elementwise.class, "quantize", result(), operand(0), constant(p.scales),
        constant(p.zeroPoints), imm(p.inner), imm(out.elementType().ordinal()), imm(flavour));
  }

  private KernelCall dequantize(Node n) throws CompileException {
    int flavour = flavour(n, "dequantize");
    Params p = Params.of(n.operand(0).type());
    return KernelCall.of(Elementwise.class, "dequantize", result(), operand(0), constant(p.scales),
        constant(p.zeroPoints), imm(p.inner), imm(flavour));
  }

  /** The float quantize / dequantize of the numerics (TOSA and pow2 have none, as in the interpreter). */
  private int flavour(Node n, String op) throws CompileException {
    return switch (numerics) {
      case PYTORCH_QNNPACK, PYTORCH_FBGEMM -> Elementwise.PYTORCH;
      case ONNX -> Elementwise.ONNX;
      case TFLITE -> Elementwise.TFLITE;
      case TOSA, POW2 -> throw unsupported(n, "numerics " + numerics + " has no float " + op);
    };
  }

  /** Quantization parameters as arrays, and the stride of the channel axis. */
  record Params(double[] scales, long[] zeroPoints, int inner) {
    static Params of(TensorType t) {
      Quantization q = t.quantization().orElseThrow();
      if (q instanceof Quantization.PerAxis a) {
        int inner = 1;
        for (int d = a.axis() + 1; d < t.rank(); d++) {
          inner *= t.shape().dim(d);
        }
        double[] s = new double[a.size()];
        long[] z = new long[a.size()];
        for (int i = 0; i < s.length; i++) {
          s[i] = a.scale(i);
          z[i] = a.zeroPoint(i);
        }
        return new Params(s, z, Math.max(1, inner));
      }
      Quantization.PerTensor p = (Quantization.PerTensor) q;
      return new Params(new double[] {p.scale()}, new long[] {p.zeroPoint()}, 1);
    }
  }
}
