package dev.zeropoint.ir.numerics;

/**
 * XNNPACK's signed 8-bit add ({@code qs8} vadd), which PyTorch 1.13.1 runs for {@code
 * quantized::add} of two qint8 tensors under the qnnpack engine ({@code xnnp_add}, any shapes,
 * broadcasting included; the Debian build has {@code USE_XNNPACK}). Flavour {@code
 * pytorch-qnnpack}. Checked against torch 1.13.1 on random parameters, broadcast shapes, exact-tie
 * scales (0.5, 0.25 -> 1.0) and the accepted range of scale ratios (0 mismatches in 160,000 cases).
 *
 * <pre>
 *   ratio_a = f32((float) s_a / (float) s_out), likewise ratio_b; each in [2^-10, 2^8)
 *   e       = binary exponent of max(|ratio_a|, |ratio_b|);  shift = 20 - e  (in [13, 30])
 *   M_a     = lrintf(ratio_a * 2^shift)   (RNE; below 2^21)
 *   bias    = 2^(shift - 1) - M_a * z_a - M_b * z_b
 *   out     = clamp((bias + a * M_a + b * M_b) >> shift (arithmetic) + z_out, -128, 127)
 * </pre>
 *
 * The rounding is half up ({@code floor(x + 1/2)}), unlike QNNPACK's quint8 add ({@link
 * PyTorchQnnpack#add}), which rounds half away from zero with 22-bit multipliers.
 */
public final class Xnnpack {
  private Xnnpack() {}

  /**
   * @param aMultiplier {@code M_a}
   * @param bMultiplier {@code M_b}
   * @param shift the right shift, in [13, 30]
   * @param bias the rounding term minus the zero-point products (int32)
   */
  public record Qs8AddParams(int aMultiplier, int bMultiplier, int shift, int bias, int outputZeroPoint) {}

  /**
   * {@code xnn_create_add_nd_qs8} and {@code xnn_init_qs8_add_minmax_params}.
   *
   * @throws IllegalArgumentException where XNNPACK refuses the operator (torch: "xnn create operator
   *     failed"): a ratio outside [2^-10, 2^8), or a zero point outside the int8 range
   */
  public static Qs8AddParams qs8AddParams(double aScale, int aZeroPoint, double bScale, int bZeroPoint,
      double outputScale, int outputZeroPoint) {
    for (int zp : new int[] {aZeroPoint, bZeroPoint, outputZeroPoint}) {
      if (zp < -128 || zp > 127) {
        throw new IllegalArgumentException("qs8 zero point " + zp + " outside -128..127");
      }
    }
    float aRatio = (float) aScale / (float) outputScale;
    float bRatio = (float) bScale / (float) outputScale;
    checkRatio(aRatio);
    checkRatio(bRatio);
    float maxRatio = Math.max(aRatio, bRatio);
    int exponent = (Float.floatToRawIntBits(maxRatio) >>> 23) - 127;
    int shift = 20 - exponent;
    int aMultiplier = (int) Rounding.lrintf(Math.scalb(aRatio, shift));
    int bMultiplier = (int) Rounding.lrintf(Math.scalb(bRatio, shift));
    int bias = (1 << (shift - 1)) - aMultiplier * aZeroPoint - bMultiplier * bZeroPoint;
    return new Qs8AddParams(aMultiplier, bMultiplier, shift, bias, outputZeroPoint);
  }

  private static void checkRatio(float ratio) {
    if (!(ratio >= 0x1p-10f && ratio < 0x1p8f)) {
      throw new IllegalArgumentException("xnnpack qs8 add: scale ratio " + ratio + " outside [2^-10, 2^8)");
    }
  }

  /** One output; {@code a} and {@code b} are qint8 values. Fits int32: |acc| < 2^30. */
  public static int qs8Add(int a, int b, Qs8AddParams p) {
    int acc = p.bias() + a * p.aMultiplier() + b * p.bMultiplier();
    int y = (acc >> p.shift()) + p.outputZeroPoint();
    return Rounding.saturateToInt8(y);
  }
}
