package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.ElementType;
import java.util.Optional;

/**
 * ONNX Runtime's CPU {@code QLinearAdd} and {@code QLinearGlobalAveragePool} (domain com.microsoft),
 * what its QDQ fusion ({@code ALL_OPT}, the default) makes of {@code DequantizeLinear -> Add ->
 * QuantizeLinear} and {@code DequantizeLinear -> GlobalAveragePool -> QuantizeLinear}, as MLAS
 * computes them on x86-64 with AVX2. Read in ONNX Runtime's sources and confirmed against ONNX
 * Runtime 1.20.0 (AVX2 and FMA, no VNNI) on every pair of 8-bit inputs, laid out in order and
 * permuted, u8 and i8, many scale sets ({@code OnnxRuntimeQLinearTest} in the tests module).
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
 * paths (its term is folded into the fixed part, and a scalar first operand swaps the roles); those
 * are not modelled here.
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
}
