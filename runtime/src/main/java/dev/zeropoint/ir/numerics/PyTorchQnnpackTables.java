package dev.zeropoint.ir.numerics;

import dev.zeropoint.ir.ElementType;

/**
 * The element-wise quantized activations of flavour {@code pytorch-qnnpack} (PyTorch 1.13.1, engine
 * qnnpack, x86-64) as lookup tables over every stored input value: {@code table[q - qmin]} is the
 * stored output for the stored input {@code q}.
 *
 * <h2>QNNPACK (quint8)</h2>
 *
 * For quint8 inputs PyTorch runs QNNPACK's lookup-table operators ({@code sigmoid.c}, {@code
 * hardswish.c}, {@code hardsigmoid.c}), which build the table once in float:
 *
 * <pre>
 *   x = f32((float) s_in * (float)(i - zp_in))
 *   sigmoid:     t = f32(256.0f / f32(1.0f + expf(-x)))
 *   hardsigmoid: t = f32(f32(f32(1.0f / s_out) * f32(clamp(f32(x + 3), 0, 6) / 6)) + zp_out)
 *   hardswish:   t = f32(f32(f32(1.0f / s_out) * f32(f32(x * clamp(f32(x + 3), 0, 6)) / 6)) + zp_out)
 *   table[i] = lrintf(clamp(t, 0, 255))            (RNE; hardswish adds zp_out before rounding)
 * </pre>
 *
 * PyTorch fixes sigmoid's and hardsigmoid's output to scale 1/256, zero point 0.
 *
 * <h2>ATen's generic kernels (qint8)</h2>
 *
 * Other storage types take ATen's kernels ({@code qsigmoid_kernel}, {@code qhardsigmoid_kernel},
 * {@code qhardswish_kernel}); the functions here follow their scalar form: {@code x =
 * dequantize_val(q)} ({@link PyTorchQnnpack#dequantize}), the function in float (sigmoid: {@code
 * f32(1.0 / (1.0 + (double) expf(-x)))}, in double), then {@code quantize_val} ({@link
 * PyTorchQnnpack#quantize}) with the output parameters (1/256 and -128 for qint8 sigmoid and
 * hardsigmoid).
 *
 * <p>Known limit: the vectorized form of those kernels, which PyTorch applies to all but the last
 * {@code numel mod 64} elements (AVX2, 8-bit storage), dequantizes with a fused multiply-add and
 * computes sigmoid's exp with SLEEF, so at rare near-ties it rounds the other way. Measured on torch
 * 1.13.1: 1 element in about 30,000 differs (sigmoid, s = 0.0014269653474912047, zp = 218, q = 14:
 * scalar 109.5 rounds to 110, vectorized 109.49999 to 109); the hardsigmoid and hardswish tables
 * matched every element of the same runs. The goldens' qint8 activations match these tables.
 *
 * <p>{@code expf} is {@code (float) StrictMath.exp(x)}: glibc's expf is correctly rounded except
 * in rare hard cases (error below 0.502 ulp), and so is this; the tables below matched torch 1.13.1
 * on every entry of the tested scales and zero points.
 */
public final class PyTorchQnnpackTables {
  private PyTorchQnnpackTables() {}

  /** The 256-entry table size of 8-bit storage. */
  private static final int SIZE = 256;

  // ---------------------------------------------------------------- QNNPACK, quint8

  /**
   * QNNPACK's sigmoid table ({@code pytorch_qnnp_create_sigmoid_nc_q8}), quint8 input, output scale
   * 1/256 and zero point 0.
   */
  public static int[] qnnpackSigmoid(double inputScale, int inputZeroPoint) {
    float scale = checkedInputScale(inputScale, inputZeroPoint);
    int[] table = new int[SIZE];
    for (int i = 0; i < SIZE; i++) {
      float x = scale * (float) (i - inputZeroPoint);
      float scaled = 256.0f / (1.0f + expf(-x));
      table[i] = lrintfClamped(scaled, 0, 255);
    }
    return table;
  }

  /**
   * QNNPACK's hardsigmoid table ({@code pytorch_qnnp_create_hardsigmoid_nc_q8}), quint8 input; the
   * operator only accepts output scale 1/256 and zero point 0, which PyTorch always passes.
   */
  public static int[] qnnpackHardsigmoid(double inputScale, int inputZeroPoint) {
    float scale = checkedInputScale(inputScale, inputZeroPoint);
    float inverseOutputScale = 1.0f / 0x1p-8f;
    int[] table = new int[SIZE];
    for (int i = 0; i < SIZE; i++) {
      float x = scale * (float) (i - inputZeroPoint);
      float y = clampZeroSix(x + 3.0f) / 6.0f;
      float scaled = inverseOutputScale * y + 0.0f;
      table[i] = lrintfClamped(scaled, 0, 255);
    }
    return table;
  }

  /** QNNPACK's hardswish table ({@code pytorch_qnnp_create_hardswish_nc_q8}), quint8 in and out. */
  public static int[] qnnpackHardswish(
      double inputScale, int inputZeroPoint, double outputScale, int outputZeroPoint) {
    float scale = checkedInputScale(inputScale, inputZeroPoint);
    float out = (float) outputScale;
    if (!(out >= Float.MIN_NORMAL && out <= Float.MAX_VALUE) || outputZeroPoint < 0 || outputZeroPoint > 255) {
      throw new IllegalArgumentException("qnnpack hardswish needs a positive normal output scale and a quint8 "
          + "zero point, got " + out + " and " + outputZeroPoint);
    }
    float inverseOutputScale = 1.0f / out;
    int[] table = new int[SIZE];
    for (int i = 0; i < SIZE; i++) {
      float x = scale * (float) (i - inputZeroPoint);
      float y = x * clampZeroSix(x + 3.0f) / 6.0f;
      float scaled = inverseOutputScale * y + (float) outputZeroPoint;
      table[i] = lrintfClamped(scaled, 0, 255);
    }
    return table;
  }

  // ---------------------------------------------------------------- ATen, any 8-bit storage

  /** ATen's {@code qsigmoid_kernel} (scalar form) as a table over the 8-bit storage range. */
  public static int[] atenSigmoid(
      double inputScale, long inputZeroPoint, double outputScale, long outputZeroPoint, ElementType storage) {
    int qmin = checkedStorage(storage);
    int[] table = new int[SIZE];
    for (int i = 0; i < SIZE; i++) {
      float x = PyTorchQnnpack.dequantize(qmin + i, inputScale, inputZeroPoint);
      float y = (float) (1.0 / (1.0 + (double) expf(-x)));
      table[i] = (int) PyTorchQnnpack.quantize(y, outputScale, outputZeroPoint, storage);
    }
    return table;
  }

  /** ATen's {@code qhardsigmoid_kernel} (scalar form) as a table over the 8-bit storage range. */
  public static int[] atenHardsigmoid(
      double inputScale, long inputZeroPoint, double outputScale, long outputZeroPoint, ElementType storage) {
    int qmin = checkedStorage(storage);
    int[] table = new int[SIZE];
    for (int i = 0; i < SIZE; i++) {
      float x = PyTorchQnnpack.dequantize(qmin + i, inputScale, inputZeroPoint);
      float y = clampZeroSix(x + 3.0f) / 6.0f;
      table[i] = (int) PyTorchQnnpack.quantize(y, outputScale, outputZeroPoint, storage);
    }
    return table;
  }

  /** ATen's {@code qhardswish_kernel} (scalar form) as a table over the 8-bit storage range. */
  public static int[] atenHardswish(
      double inputScale, long inputZeroPoint, double outputScale, long outputZeroPoint, ElementType storage) {
    int qmin = checkedStorage(storage);
    int[] table = new int[SIZE];
    for (int i = 0; i < SIZE; i++) {
      float x = PyTorchQnnpack.dequantize(qmin + i, inputScale, inputZeroPoint);
      float y = x * clampZeroSix(x + 3.0f) / 6.0f;
      table[i] = (int) PyTorchQnnpack.quantize(y, outputScale, outputZeroPoint, storage);
    }
    return table;
  }

  // ---------------------------------------------------------------- helpers

  /**
   * {@code min(max(v, 0), 6)} as QNNPACK writes it ({@code v > 0 ? v : 0}, then {@code v < 6 ? v :
   * 6}). ATen's {@code std::min(std::max(v, 0.0f), 6.0f)} differs only in keeping -0.0 as -0.0,
   * which cannot change a table entry: the result is then a zero of either sign (times x, over 6),
   * and the rounding and the added zero point erase the sign.
   */
  private static float clampZeroSix(float v) {
    float atLeastZero = v > 0.0f ? v : 0.0f;
    return atLeastZero < 6.0f ? atLeastZero : 6.0f;
  }

  /** glibc's {@code expf} for the finite arguments the tables use (see the class comment). */
  static float expf(float x) {
    return (float) StrictMath.exp(x);
  }

  /** QNNPACK's {@code if (t < min) t = min; if (t > max) t = max; lrintf(t)}. */
  private static int lrintfClamped(float t, int min, int max) {
    float clamped = t;
    if (clamped < (float) min) {
      clamped = min;
    }
    if (clamped > (float) max) {
      clamped = max;
    }
    return (int) Rounding.lrintf(clamped);
  }

  private static float checkedInputScale(double inputScale, int inputZeroPoint) {
    float scale = (float) inputScale;
    if (!(scale >= Float.MIN_NORMAL && scale <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException("qnnpack lookup table needs a positive normal input scale, got " + scale);
    }
    if (inputZeroPoint < 0 || inputZeroPoint > 255) {
      throw new IllegalArgumentException("quint8 zero point " + inputZeroPoint + " outside 0..255");
    }
    return scale;
  }

  private static int checkedStorage(ElementType storage) {
    if (storage != ElementType.U8 && storage != ElementType.I8) {
      throw new IllegalArgumentException("lookup tables cover 8-bit storage, not " + storage);
    }
    return (int) storage.minValue();
  }
}
