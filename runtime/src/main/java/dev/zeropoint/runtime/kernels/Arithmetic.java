package dev.zeropoint.runtime.kernels;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import dev.zeropoint.ir.numerics.Xnnpack;

/**
 * add, mul, mul_acc, requantize, lookup tables and float activations. Each rounding is the numerics
 * library's one definition; the parameters of each kernel are computed at compile time.
 *
 * <p>Broadcasting: a kernel named {@code ...Broadcast} takes, per operand, the row-major index it
 * reads for each output element (laid out at compile time); the others take operands of the result's
 * shape. A PyTorch partition ({@code row}, {@code head}): in each row of {@code row} consecutive
 * output elements, the first {@code head} take the vectorized lambda, the rest the scalar one.
 */
public final class Arithmetic {
  private Arithmetic() {}

  // ---------------------------------------------------------------- quantized add

  /** QNNPACK's quint8 add of equal shapes ({@link PyTorchQnnpack#add}); the ints are its {@code AddParams}. */
  public static void addQnnpack(int[] out, int[] a, int[] b, int aMultiplier, int bMultiplier, int shift,
      int zeroPointProduct, int outputZeroPoint, int outputMin, int outputMax) {
    PyTorchQnnpack.AddParams p = new PyTorchQnnpack.AddParams(aMultiplier, bMultiplier, shift, zeroPointProduct,
        outputZeroPoint, outputMin, outputMax);
    // After a shift of at least 1 the rounded sum is within [-2^30, 2^30], so adding a zero point in
    // [-2^30, 2^30) stays in int32, as the vector kernel adds it; the definition adds in int64.
    if (VECTOR && shift >= 1 && shift <= 31 && outputZeroPoint >= -(1 << 30) && outputZeroPoint < (1 << 30)) {
      VectorArithmetic.addQnnpack(out, a, b, p);
      return;
    }
    for (int i = 0; i < out.length; i++) {
      out[i] = PyTorchQnnpack.add(a[i], b[i], p);
    }
  }

  /** Whether the vector API runs the kernels that have a {@link VectorArithmetic} version. */
  private static final boolean VECTOR = Gemm.vectorWorks(() -> VectorArithmetic.addQnnpack(new int[8], new int[8],
      new int[8], new PyTorchQnnpack.AddParams(1, 1, 14, 0, 0, 0, 255)));

  /** XNNPACK's qint8 add ({@link Xnnpack#qs8Add}), equal shapes. */
  public static void addXnnpack(int[] out, int[] a, int[] b, int aMultiplier, int bMultiplier, int shift, int bias,
      int outputZeroPoint) {
    Xnnpack.Qs8AddParams p = new Xnnpack.Qs8AddParams(aMultiplier, bMultiplier, shift, bias, outputZeroPoint);
    for (int i = 0; i < out.length; i++) {
      out[i] = Xnnpack.qs8Add(a[i], b[i], p);
    }
  }

  /** XNNPACK's qint8 add, broadcasting. */
  public static void addXnnpackBroadcast(int[] out, int[] a, int[] b, int[] ia, int[] ib, int aMultiplier,
      int bMultiplier, int shift, int bias, int outputZeroPoint) {
    Xnnpack.Qs8AddParams p = new Xnnpack.Qs8AddParams(aMultiplier, bMultiplier, shift, bias, outputZeroPoint);
    for (int i = 0; i < out.length; i++) {
      out[i] = Xnnpack.qs8Add(a[ia[i]], b[ib[i]], p);
    }
  }

  /**
   * ATen's float-path quint8 add, broadcasting ({@link PyTorchAtenQuantized#floatAddVectorized} on
   * each row's head, {@link PyTorchAtenQuantized#floatAddScalar} on the rest).
   *
   * @param f the float parameters: a scale, a's {@code -zp * scale}, b scale, b's, output scale, its inverse
   */
  public static void addAtenFloatBroadcast(int[] out, int[] a, int[] b, int[] ia, int[] ib, float[] f,
      int aZeroPoint, int bZeroPoint, int outputZeroPoint, int storage, int row, int head) {
    PyTorchAtenQuantized.FloatAddParams p = new PyTorchAtenQuantized.FloatAddParams(f[0], aZeroPoint, f[1], f[2],
        bZeroPoint, f[3], f[4], outputZeroPoint, f[5], ElementType.values()[storage]);
    for (int start = 0; start < out.length; start += row) {
      int split = Math.min(out.length, start + head);
      int end = Math.min(out.length, start + row);
      for (int i = start; i < split; i++) {
        out[i] = PyTorchAtenQuantized.floatAddVectorized(a[ia[i]], b[ib[i]], p);
      }
      for (int i = split; i < end; i++) {
        out[i] = PyTorchAtenQuantized.floatAddScalar(a[ia[i]], b[ib[i]], p);
      }
    }
  }

  // ---------------------------------------------------------------- quantized mul, mul_acc

  /**
   * ATen's quantized mul, broadcasting: {@link PyTorchAtenQuantized#mulVectorized} on each row's
   * head, {@link PyTorchAtenQuantized#mulScalar} on the rest.
   *
   * @param multiplierBits the float multiplier's bits ({@link PyTorchAtenQuantized#mulMultiplier})
   */
  public static void mulAtenBroadcast(int[] out, int[] a, int[] b, int[] ia, int[] ib, int aZeroPoint,
      int bZeroPoint, int multiplierBits, int outputZeroPoint, int storage, int row, int head) {
    float m = Float.intBitsToFloat(multiplierBits);
    ElementType type = ElementType.values()[storage];
    for (int start = 0; start < out.length; start += row) {
      int split = Math.min(out.length, start + head);
      int end = Math.min(out.length, start + row);
      for (int i = start; i < split; i++) {
        out[i] = PyTorchAtenQuantized.mulVectorized(a[ia[i]], aZeroPoint, b[ib[i]], bZeroPoint, m, outputZeroPoint,
            type);
      }
      for (int i = split; i < end; i++) {
        out[i] = PyTorchAtenQuantized.mulScalar(a[ia[i]], aZeroPoint, b[ib[i]], bZeroPoint, m, outputZeroPoint, type);
      }
    }
  }

  /** {@code mul_acc}: {@code (a - za) * (b - zb)} in int32 (wrapping), equal shapes. */
  public static void mulAcc(int[] out, int[] a, int[] b, int aZeroPoint, int bZeroPoint) {
    for (int i = 0; i < out.length; i++) {
      out[i] = (a[i] - aZeroPoint) * (b[i] - bZeroPoint);
    }
  }

  /** {@code mul_acc}, broadcasting. */
  public static void mulAccBroadcast(int[] out, int[] a, int[] b, int[] ia, int[] ib, int aZeroPoint,
      int bZeroPoint) {
    for (int i = 0; i < out.length; i++) {
      out[i] = (a[ia[i]] - aZeroPoint) * (b[ib[i]] - bZeroPoint);
    }
  }

  // ---------------------------------------------------------------- float and plain integer add / mul

  public static void addF32(float[] out, float[] a, float[] b) {
    for (int i = 0; i < out.length; i++) {
      out[i] = a[i] + b[i];
    }
  }

  public static void addF32Broadcast(float[] out, float[] a, float[] b, int[] ia, int[] ib) {
    for (int i = 0; i < out.length; i++) {
      out[i] = a[ia[i]] + b[ib[i]];
    }
  }

  public static void mulF32(float[] out, float[] a, float[] b) {
    for (int i = 0; i < out.length; i++) {
      out[i] = a[i] * b[i];
    }
  }

  public static void mulF32Broadcast(float[] out, float[] a, float[] b, int[] ia, int[] ib) {
    for (int i = 0; i < out.length; i++) {
      out[i] = a[ia[i]] * b[ib[i]];
    }
  }

  /** Exact add of plain integers; a sum outside [min, max] (the element type) is an error. */
  public static void addIntBroadcast(int[] out, int[] a, int[] b, int[] ia, int[] ib, int min, int max) {
    for (int i = 0; i < out.length; i++) {
      long v = (long) a[ia[i]] + b[ib[i]];
      out[i] = fit(v, min, max, a[ia[i]], " + ", b[ib[i]]);
    }
  }

  /** Exact product of plain integers; a product outside [min, max] is an error. */
  public static void mulIntBroadcast(int[] out, int[] a, int[] b, int[] ia, int[] ib, int min, int max) {
    for (int i = 0; i < out.length; i++) {
      long v = (long) a[ia[i]] * b[ib[i]];
      out[i] = fit(v, min, max, a[ia[i]], " * ", b[ib[i]]);
    }
  }

  private static int fit(long v, int min, int max, int x, String op, int y) {
    if (v < min || v > max) {
      throw new ArithmeticException("plain integers: " + x + op + y + " = " + v + " does not fit [" + min + ", "
          + max + "]");
    }
    return (int) v;
  }

  // ---------------------------------------------------------------- requantize

  /**
   * PyTorch's requantize ({@link PyTorchAtenQuantized#requantize}), each side per tensor or per
   * channel ({@code channel of i = (i / inner) % scales.length}).
   */
  public static void requantize(int[] out, int[] x, double[] inScales, long[] inZeroPoints, int inInner,
      double[] outScales, long[] outZeroPoints, int outInner, int storage) {
    ElementType type = ElementType.values()[storage];
    for (int i = 0; i < out.length; i++) {
      int ci = inScales.length == 1 ? 0 : (i / inInner) % inScales.length;
      int co = outScales.length == 1 ? 0 : (i / outInner) % outScales.length;
      out[i] = PyTorchAtenQuantized.requantize(x[i], inScales[ci], inZeroPoints[ci], outScales[co],
          outZeroPoints[co], type);
    }
  }

  // ---------------------------------------------------------------- lookups

  /** {@code out[i] = table[x[i] - min]}. */
  public static void lookup(int[] out, int[] x, int[] table, int min) {
    for (int i = 0; i < out.length; i++) {
      out[i] = table[x[i] - min];
    }
  }

  /** {@code out[i] = table[256 * c + x[i] - min]}, {@code c = (i / inner) % channels}. */
  public static void lookupPerChannel(int[] out, int[] x, int[] table, int min, int inner, int channels) {
    for (int start = 0; start < out.length; start += inner) {
      int base = 256 * ((start / inner) % channels) - min;
      int end = Math.min(out.length, start + inner);
      for (int i = start; i < end; i++) {
        out[i] = table[base + x[i]];
      }
    }
  }

  /**
   * {@code binary_lookup}: {@code out[i] = tables[t, a - minA, b - minB]}, {@code t} 0 for the first
   * {@code head} elements of each row of {@code row}, else {@code last}.
   */
  public static void binaryLookupBroadcast(int[] out, int[] a, int[] b, int[] tables, int[] ia, int[] ib, int minA,
      int minB, int row, int head, int last) {
    int lastBase = (last << 16) - (minA << 8) - minB;
    int firstBase = -(minA << 8) - minB;
    for (int start = 0; start < out.length; start += row) {
      int split = Math.min(out.length, start + head);
      int end = Math.min(out.length, start + row);
      for (int i = start; i < split; i++) {
        out[i] = tables[firstBase + (a[ia[i]] << 8) + b[ib[i]]];
      }
      for (int i = split; i < end; i++) {
        out[i] = tables[lastBase + (a[ia[i]] << 8) + b[ib[i]]];
      }
    }
  }

  // ---------------------------------------------------------------- float activations

  /** PyTorch's float clamp: {@code v < lo ? lo : v}, then {@code v > hi ? hi : v} (NaN and -0.0 pass). */
  public static void clampF32(float[] out, float[] x, float[] bounds) {
    float lo = bounds[0];
    float hi = bounds[1];
    for (int i = 0; i < out.length; i++) {
      float v = x[i];
      v = v < lo ? lo : v;
      out[i] = v > hi ? hi : v;
    }
  }

  /** {@code v * min(max(v + 3, 0), 6) / 6}, as the interpreter and PyTorch's CPU kernel compute it. */
  public static void hardswishF32(float[] out, float[] x) {
    for (int i = 0; i < out.length; i++) {
      float v = x[i];
      out[i] = v * clampZeroSix(v + 3.0f) / 6.0f;
    }
  }

  /** {@code min(max(v + 3, 0), 6) / 6}. */
  public static void hardsigmoidF32(float[] out, float[] x) {
    for (int i = 0; i < out.length; i++) {
      out[i] = clampZeroSix(x[i] + 3.0f) / 6.0f;
    }
  }

  /** {@code std::min(std::max(v, 0.0f), 6.0f)}: NaN propagates, -0.0 stays -0.0. */
  private static float clampZeroSix(float v) {
    float atLeastZero = v < 0.0f ? 0.0f : v;
    return 6.0f < atLeastZero ? 6.0f : atLeastZero;
  }
}
