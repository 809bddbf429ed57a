package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.ElementType;
import java.util.Optional;

/**
 * ONNX Runtime's CPU {@code QLinearAdd} and {@code QLinearGlobalAveragePool} (domain com.microsoft),
 * what its QDQ fusion ({@code ALL_OPT}, the default) makes of {@code DequantizeLinear -> Add ->
 * QuantizeLinear} and {@code DequantizeLinear -> GlobalAveragePool -> QuantizeLinear}, as MLAS
 * computes them on x86-64 with AVX2. Read in ONNX Runtime's sources and confirmed against ONNX
 * Runtime 1.20.0 (AVX2 and FMA, no VNNI) on every pair of 8-bit inputs, laid out in order and
 * permuted, u8 and i8, many scale sets ({@code OnnxRuntimeQLinearTest} in the tests module). The
 * other com.microsoft ops' integers (QLinearMul, the lookup-table ops, QLinearAveragePool's float
 * path, QGemm's scales) are here too, confirmed the same way ({@code OnnxContribOpsTest}).
 *
 * <h2>QLinearAdd</h2>
 *
 * {@code MlasQLinearAddKernelAvx2Helper} (onnxruntime/core/mlas/lib/intrinsics/avx2/qladd_avx2.cpp)
 * for operands of the same shape, with the stored integers {@code a}, {@code b} (not shifted by
 * their zero points) and float32 scales:
 * <pre>
 *   rA = f32(sA / sC),  rB = f32(sB / sC)
 *   fixed = f32(f32(zC) - fma(rA, f32(zA), f32(rB * f32(zB))))
 *   v = fma(f32(a), rA, fma(f32(b), rB, fixed))
 *   y = saturate_T(saturate_int16(cvtps2dq(v)))
 * </pre>
 * {@code fma} rounds once ({@code _mm256_fmadd_ps}; first b's term, then a's). The source writes the
 * fixed part {@code (float)zC - (rA * zA + rB * zB)}; the compiler contracts {@code rA * zA + p} into
 * an FMA, and ONNX Runtime agrees with that reading only (not with two products, nor with {@code rB *
 * zB} fused). {@code cvtps2dq} is RNE ({@link Rounding#x86FloatToInt32RoundHalfEven}), then {@code
 * packs} / {@code packus} saturate. The vector loop handles 32 elements at a time and the last
 * partial vector the same way (it loads a whole vector and stores the head), so an element's result
 * depends on its two inputs only, not on its position. A scalar operand (broadcast) takes other
 * paths (its term is folded into the fixed part, and a scalar first operand swaps the roles): below.
 *
 * <h2>QLinearGlobalAveragePool</h2>
 *
 * {@code MlasQLinearGlobalAveragePoolNchw} / {@code Nhwc} (onnxruntime/core/mlas/lib/qlgavgpool.cpp,
 * SSE2 path; ONNX Runtime runs the NHWC one after its layout transformation): the exact int32 sum of
 * the plane of {@code N = H * W} stored integers minus {@code N * x_zp}, then {@code
 * MlasRequantizeOutput}'s rule, which is scheme {@code float_clamp} ({@link
 * dev.zeropoint.runtime.kernels.Requantize#floatClamp}):
 * <pre>
 *   scale = f32(x_scale / f32(y_scale * f32(N)))          ({@link #globalAveragePoolScale})
 *   y = clamp(RNE(f32(f32(sum - N * x_zp) * scale)) + y_zp, qmin, qmax)
 * </pre>
 * ONNX Runtime refuses ({@code invalid_argument}) {@code N >= 2^24} and a scale outside {@code
 * [2^-32, 256)}.
 *
 * <h2>Broadcast QLinearAdd</h2>
 *
 * ONNX Runtime's broadcaster ({@code InputBroadcaster}, core/providers/cpu/math/element_wise_ops.h)
 * merges the dimensions from the innermost outwards and hands MLAS one span at a time: both
 * operands as vectors ({@link AddPath#ELEMENTWISE}), or one as a scalar over the span. A scalar
 * second operand is MLAS's {@code IsScalarB} ({@link AddPath#SCALAR_B}): its term is folded into the
 * fixed part, {@code fixedB = fma(f32(b), rB, fixed)} (the source's {@code add(fixed, mul(b, rB))},
 * contracted), then {@code v = fma(f32(a), rA, fixedB)}. A scalar first operand calls MLAS with the
 * operands swapped ({@link AddPath#SCALAR_A}): the same with a and b exchanged, the fixed part
 * included. Which path a pair of shapes takes is {@link #addPath}.
 *
 * <h2>QLinearMul</h2>
 *
 * {@code MlasQLinearMulKernel}, SSE2 (qlmul.cpp; no AVX2 version): {@code p = (a - zA) * (b - zB)}
 * exactly (int16 operands, int32 product), {@code m = f32(f32(sA * sB) / sC)}, {@code v =
 * f32(f32(f32(p) * m) + f32(zC))} (separate multiply and add: the file is built without FMA),
 * {@code y = saturate_T(saturate_int16(cvtps2dq(v)))}. Both broadcast paths compute the same.
 *
 * <h2>Lookup-table ops (QLinearSigmoid, QLinearLeakyRelu, QLinearConcat's requantization)</h2>
 *
 * {@code QlinearBuildLookupTable} (qlinear_lookup_table.cc): for each stored x, {@code d =
 * f32(x_scale * f32(x - x_zp))}, the float function, then {@code MlasQuantizeLinear} ({@link
 * #mlasQuantize}: {@code clamp(RNE(f32(v / y_scale)), qmin - zp, qmax - zp) + zp}, NaN to qmin).
 * Sigmoid is {@code MlasComputeLogistic}, the FMA3 kernel ({@link #logistic}); leaky relu {@code
 * v >= 0 ? v : f32(alpha * v)}; concat the identity.
 */
public final class OnnxRuntimeQLinear {
  private OnnxRuntimeQLinear() {}

  /**
   * The constants of one QLinearAdd.
   *
   * @param ratioA {@code f32(sA / sC)}
   * @param ratioB {@code f32(sB / sC)}
   * @param fixed {@code f32(f32(zC) - fma(rA, f32(zA), f32(rB * f32(zB))))}
   * @param storage u8 or i8, of both operands and the result
   */
  public record AddParams(float ratioA, float ratioB, float fixed, ElementType storage) {
    public AddParams {
      if (storage != ElementType.U8 && storage != ElementType.I8) {
        throw new IllegalArgumentException("QLinearAdd is defined here for u8 and i8, not " + storage);
      }
    }
  }

  /** The constants for scales (cast to float32, as ONNX stores them) and zero points. */
  public static AddParams addParams(double scaleA, int zeroPointA, double scaleB, int zeroPointB, double scaleC,
      int zeroPointC, ElementType storage) {
    float ratioA = (float) scaleA / (float) scaleC;
    float ratioB = (float) scaleB / (float) scaleC;
    float fixed = (float) zeroPointC - Math.fma(ratioA, (float) zeroPointA, ratioB * (float) zeroPointB);
    return new AddParams(ratioA, ratioB, fixed, storage);
  }

  /** QLinearAdd of the stored integers {@code a} and {@code b}: the result's stored integer. */
  public static int add(int a, int b, AddParams p) {
    float v = Math.fma((float) a, p.ratioA(), Math.fma((float) b, p.ratioB(), p.fixed()));
    int rounded = Rounding.x86FloatToInt32RoundHalfEven(v);
    return (int) Rounding.saturate(Rounding.saturateToInt16(rounded), p.storage());
  }

  /**
   * QLinearGlobalAveragePool's multiplier {@code f32(x_scale / f32(y_scale * f32(N)))} (MLAS's
   * {@code CheckQLinearGlobalAveragePoolScaleAndSize}), or empty where ONNX Runtime refuses the pool:
   * {@code N} not in {@code [1, 2^24)} or the multiplier outside {@code [2^-32, 256)}.
   */
  public static Optional<Float> globalAveragePoolScale(double xScale, double yScale, long imageSize) {
    if (imageSize < 1 || imageSize >= 0x1000000) {
      return Optional.empty();
    }
    float scale = (float) xScale / ((float) yScale * (float) imageSize);
    if (!(scale >= 0x1p-32f && scale < 256f)) {
      return Optional.empty();
    }
    return Optional.of(scale);
  }

  // ---------------------------------------------------------------- broadcast add

  /** Which MLAS add path the elements of a QLinearAdd take. */
  public enum AddPath {
    /** Both operands as vectors: {@link #add}. */
    ELEMENTWISE,
    /** The second operand a scalar over each span (MLAS's {@code IsScalarB}). */
    SCALAR_B,
    /** The first operand a scalar over each span: MLAS called with the operands swapped. */
    SCALAR_A
  }

  /**
   * The path ONNX Runtime's broadcaster takes for operands of these shapes (numpy broadcasting): it
   * skips trailing dimensions where both are 1, then looks at the innermost remaining dimension; an
   * operand of size 1 there is a scalar over the span (both: the first operand is the scalar).
   */
  public static AddPath addPath(int[] a, int[] b) {
    int ra = a.length;
    int rb = b.length;
    if (ra == 0 || rb == 0) {
      return ra == 0 ? AddPath.SCALAR_A : AddPath.SCALAR_B;
    }
    int common = Math.min(ra, rb);
    for (int i = 1; i <= common; i++) {
      int da = a[ra - i];
      int db = b[rb - i];
      if (Math.max(da, db) <= 1 && i < common) {
        continue;
      }
      if (da <= 1) {
        return AddPath.SCALAR_A;
      }
      return db <= 1 ? AddPath.SCALAR_B : AddPath.ELEMENTWISE;
    }
    throw new IllegalStateException("unreachable");
  }

  /**
   * QLinearAdd of the stored integers {@code a} (first operand) and {@code b} on the given path,
   * with the parameters of the operands in the node's order ({@link #addParams}).
   */
  public static int add(int a, int b, double scaleA, int zeroPointA, double scaleB, int zeroPointB, double scaleC,
      int zeroPointC, ElementType storage, AddPath path) {
    if (path == AddPath.SCALAR_A) {
      return add(b, a, scaleB, zeroPointB, scaleA, zeroPointA, scaleC, zeroPointC, storage, AddPath.SCALAR_B);
    }
    AddParams p = addParams(scaleA, zeroPointA, scaleB, zeroPointB, scaleC, zeroPointC, storage);
    if (path == AddPath.ELEMENTWISE) {
      return add(a, b, p);
    }
    float fixed = Math.fma((float) b, p.ratioB(), p.fixed());
    return saturate8(Math.fma((float) a, p.ratioA(), fixed), storage);
  }

  /**
   * ONNX Runtime's results for every pair of stored integers, {@code table[(a - min) * 256 + (b -
   * min)]}, min the storage minimum: a {@code binary_lookup} table.
   */
  public static long[] addTable(double scaleA, int zeroPointA, double scaleB, int zeroPointB, double scaleC,
      int zeroPointC, ElementType storage, AddPath path) {
    AddParams p = addParams(scaleA, zeroPointA, scaleB, zeroPointB, scaleC, zeroPointC, storage);
    int min = (int) storage.minValue();
    long[] table = new long[1 << 16];
    for (int x = 0; x < 256; x++) {
      for (int y = 0; y < 256; y++) {
        table[(x << 8) + y] = path == AddPath.ELEMENTWISE ? add(min + x, min + y, p)
            : add(min + x, min + y, scaleA, zeroPointA, scaleB, zeroPointB, scaleC, zeroPointC, storage, path);
      }
    }
    return table;
  }

  private static int saturate8(float v, ElementType storage) {
    int rounded = Rounding.x86FloatToInt32RoundHalfEven(v);
    return (int) Rounding.saturate(Rounding.saturateToInt16(rounded), storage);
  }

  // ---------------------------------------------------------------- mul

  /** QLinearMul's multiplier {@code f32(f32(sA * sB) / sC)} (scales cast to float32). */
  public static float mulMultiplier(double scaleA, double scaleB, double scaleC) {
    return (float) scaleA * (float) scaleB / (float) scaleC;
  }

  /** QLinearMul of the stored integers {@code a} and {@code b}, {@code m} from {@link #mulMultiplier}. */
  public static int mul(int a, int b, int zeroPointA, int zeroPointB, float m, int zeroPointC, ElementType storage) {
    int product = (a - zeroPointA) * (b - zeroPointB);
    return saturate8((float) product * m + (float) zeroPointC, storage);
  }

  /** QLinearMul over every pair, laid out as {@link #addTable}. */
  public static long[] mulTable(double scaleA, int zeroPointA, double scaleB, int zeroPointB, double scaleC,
      int zeroPointC, ElementType storage) {
    float m = mulMultiplier(scaleA, scaleB, scaleC);
    int min = (int) storage.minValue();
    long[] table = new long[1 << 16];
    for (int x = 0; x < 256; x++) {
      for (int y = 0; y < 256; y++) {
        table[(x << 8) + y] = mul(min + x, min + y, zeroPointA, zeroPointB, m, zeroPointC, storage);
      }
    }
    return table;
  }

  // ---------------------------------------------------------------- lookup tables

  /**
   * MLAS's {@code MlasQuantizeLinear} (SSE2 kernel) of one float: {@code f32(v / scale)} clamped to
   * {@code [qmin - zp, qmax - zp]} ({@code maxps} then {@code minps}: NaN becomes the lower bound),
   * RNE, plus zp.
   */
  public static int mlasQuantize(float v, double scale, int zeroPoint, ElementType storage) {
    float q = v / (float) scale;
    float lo = (float) (storage.minValue() - zeroPoint);
    float hi = (float) (storage.maxValue() - zeroPoint);
    q = q > lo ? q : lo;
    q = q < hi ? q : hi;
    return Rounding.x86FloatToInt32RoundHalfEven(q) + zeroPoint;
  }

  /**
   * {@code QlinearBuildLookupTable}: for every stored x (in order from the storage minimum), {@code
   * mlasQuantize(fn(f32(x_scale * f32(x - x_zp))))}; a {@code lookup} table.
   */
  public static long[] lookupTable(double xScale, int xZeroPoint, double yScale, int yZeroPoint, ElementType storage,
      java.util.function.DoubleUnaryOperator fn) {
    long[] table = new long[256];
    int min = (int) storage.minValue();
    for (int i = 0; i < 256; i++) {
      float d = (float) xScale * (float) (min + i - xZeroPoint);
      table[i] = mlasQuantize((float) fn.applyAsDouble(d), yScale, yZeroPoint, storage);
    }
    return table;
  }

  /** QLinearLeakyRelu's function: {@code v >= 0 ? v : f32(alpha * v)}. */
  public static float leakyRelu(float v, float alpha) {
    return v >= 0f ? v : alpha * v;
  }

  /**
   * {@code MlasLogisticKernelFma3} (x86_64/LogisticKernelFma3.S) of one float: Eigen's rational
   * approximation with each step rounded as the kernel does (fused multiply-adds for the
   * polynomials, then {@code x * p}, {@code p / q}, {@code + 0.5}, {@code max(0, .)}; no upper clamp).
   */
  public static float logistic(float x) {
    float v = -18f > x ? -18f : x;   // vmaxps lower, x: NaN stays
    v = 18f < v ? 18f : v;           // vminps upper, v
    float x2 = v * v;
    float p = Math.fma(x2, 4.37031012579801e-11f, 1.15627324459942e-07f);
    p = Math.fma(x2, p, 6.08574864600143e-05f);
    p = Math.fma(x2, p, 8.51377133304701e-03f);
    p = Math.fma(x2, p, 2.48287947061529e-01f);
    float q = Math.fma(x2, 6.10247389755681e-13f, 5.76102136993427e-09f);
    q = Math.fma(x2, q, 6.29106785017040e-06f);
    q = Math.fma(x2, q, 1.70198817374094e-03f);
    q = Math.fma(x2, q, 1.16817656904453e-01f);
    q = Math.fma(x2, q, 9.93151921023180e-01f);
    p = v * p;
    float r = p / q + 0.5f;
    return 0f > r ? 0f : r;          // vmaxps zero, r
  }

  // ---------------------------------------------------------------- QLinearAveragePool

  /**
   * QLinearAveragePool's {@code quantize_value} (qlinear_pool.cc): {@code f32(f32(v / scale) + zp)}
   * rounded RNE ({@code nearbyintf}), converted as x86's {@code cvttss2si} does ({@code
   * static_cast<int32_t>}: NaN and values outside int32 give INT_MIN), then clamped to the storage:
   * the zero point joins before the rounding (op {@code quantize_add_round}).
   */
  public static long poolQuantize(float v, double scale, long zeroPoint, ElementType storage) {
    float w = v / (float) scale + (float) zeroPoint;
    double rounded = Math.rint(w);
    long asInt32 = rounded >= -0x1p31 && rounded < 0x1p31 ? (long) rounded : Integer.MIN_VALUE;
    return Rounding.clamp(asInt32, storage.minValue(), storage.maxValue());
  }

  // ---------------------------------------------------------------- QGemm

  /**
   * QGemm's per-column scale {@code f32(f32(f32(alpha * a_scale) * b_scale) / y_scale)} (quant_gemm.cc,
   * {@code ComputeOutputScale}), or without y_scale (float output) the product alone.
   */
  public static float gemmScale(float alpha, double aScale, double bScale, java.util.OptionalDouble yScale) {
    float s = alpha * (float) aScale * (float) bScale;
    return yScale.isPresent() ? s / (float) yScale.getAsDouble() : s;
  }
}
