package dev.zeropoint.runtime.kernels;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.FixedPoint;
import dev.zeropoint.ir.numerics.IntegerOnlyRequant;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import dev.zeropoint.ir.numerics.Rounding;
import dev.zeropoint.ir.numerics.Tosa;

/**
 * {@code requantize_acc}: each int32 accumulator to the output storage, per channel, in one of the
 * IR's schemes; every rounding is the numerics library's one definition. {@code channelOf(i) = (i /
 * inner) % channels}. The arrays hold one entry per channel (or one for all).
 */
public final class Requantize {
  private Requantize() {}

  /**
   * Whether {@link #requantizeFloat} runs on the vector API ({@link VectorRequantize}): the module is
   * present and usable ({@link Gemm#vectorModule}).
   */
  private static final boolean VECTOR = Gemm.vectorWorks(
      () -> VectorRequantize.requantizeFloat(new int[8], new int[8], 0, 8, 1f, 0, 0, 255));

  /** Scheme codes, in the order of the IR's {@code Requantizer.Scheme}. */
  public static final int FLOAT = 0, MANTISSA = 1, TFLITE_DOUBLE = 2, TFLITE_SINGLE = 3, TOSA_DOUBLE = 4,
      TOSA_SINGLE = 5, POW2 = 6, FLOAT_CLAMP = 7;

  /** Whether the scheme takes float32 scales (one per channel) rather than multipliers and shifts. */
  public static boolean takesScales(int scheme) {
    return scheme == FLOAT || scheme == FLOAT_CLAMP;
  }

  public static void requantize(int[] out, int[] acc, int scheme, float[] scales, int[] multipliers, int[] shifts,
      int inner, int channels, int outputZeroPoint, int min, int max, int storage) {
    ElementType type = ElementType.values()[storage];
    int n = acc.length;
    int perChannel = takesScales(scheme) ? scales.length : shifts.length;
    int planes = inner == 0 ? 0 : (n + inner - 1) / inner;
    // Each plane (a run of `inner` elements of one channel) is independent: split over the threads.
    dev.zeropoint.runtime.Parallel.forEach(planes, plane -> {
      int start = plane * inner;
      int c = perChannel == 1 ? 0 : plane % channels;
      int end = Math.min(n, start + inner);
      switch (scheme) {
        case FLOAT -> requantizeFloat(out, acc, start, end, scales[c], outputZeroPoint, min, max);
        case FLOAT_CLAMP -> {
          float m = scales[c];
          for (int i = start; i < end; i++) {
            out[i] = floatClamp(acc[i], m, outputZeroPoint, min, max, type);
          }
        }
        case MANTISSA -> {
          IntegerOnlyRequant r = new IntegerOnlyRequant(multipliers[c], shifts[c]);
          for (int i = start; i < end; i++) {
            out[i] = PyTorchQnnpack.finishRequantization(r.apply(acc[i]), outputZeroPoint, min, max);
          }
        }
        case TFLITE_DOUBLE -> {
          for (int i = start; i < end; i++) {
            out[i] = tail(FixedPoint.multiplyByQuantizedMultiplier(acc[i], multipliers[c], shifts[c]), outputZeroPoint,
                min, max, type);
          }
        }
        case TFLITE_SINGLE -> {
          for (int i = start; i < end; i++) {
            out[i] = tail(FixedPoint.multiplyByQuantizedMultiplierSingleRounding(acc[i], multipliers[c], shifts[c]),
                outputZeroPoint, min, max, type);
          }
        }
        case TOSA_DOUBLE, TOSA_SINGLE -> {
          boolean doubleRound = scheme == TOSA_DOUBLE;
          for (int i = start; i < end; i++) {
            out[i] = tail(Tosa.applyScale32(acc[i], multipliers[c], shifts[c], doubleRound), outputZeroPoint, min, max,
                type);
          }
        }
        case POW2 -> {
          for (int i = start; i < end; i++) {
            out[i] = tail(Rounding.shiftRightRoundHalfUp(acc[i], shifts[c]), outputZeroPoint, min, max, type);
          }
        }
        default -> throw new IllegalArgumentException("requantization scheme " + scheme);
      }
    });
  }

  /**
   * Scheme FLOAT for {@code acc[start .. end)}, one scale: PyTorch's requantization ({@link
   * PyTorchQnnpack#scaleAndRound}, {@link PyTorchQnnpack#finishRequantization}). {@link #requantize}
   * runs it per plane; {@link GemmF32#conv2dRequantize} per tile row as soon as its sums are done.
   */
  static void requantizeFloat(int[] out, int[] acc, int start, int end, float m, int outputZeroPoint, int min,
      int max) {
    requantizeFloat(out, start, acc, start, end - start, m, outputZeroPoint, min, max);
  }

  /**
   * Whether {@link VectorRequantize} computes the definition's outputs for these parameters: the
   * module works, the scale is finite, and the output is u8.
   */
  static boolean vectorApplies(float m, int outputZeroPoint, int min, int max) {
    return VECTOR && Float.isFinite(m) && outputZeroPoint >= 0 && outputZeroPoint <= 255 && min >= 0 && min <= max
        && max <= 255;
  }

  /**
   * {@link #requantizeFloat(int[], int[], int, int, float, int, int, int)} from {@code acc[accStart ..
   * accStart + count)} into {@code out[outStart .. outStart + count)}: the sums of a task's tile, in
   * a scratch array of its own, into their place in the output.
   */
  static void requantizeFloat(int[] out, int outStart, int[] acc, int accStart, int count, float m,
      int outputZeroPoint, int min, int max) {
    if (count > 0 && vectorApplies(m, outputZeroPoint, min, max)) {
      VectorRequantize.requantizeFloat(out, outStart, acc, accStart, count, m, outputZeroPoint, min, max);
      return;
    }
    requantizeFloatScalar(out, outStart, acc, accStart, count, m, outputZeroPoint, min, max);
  }

  /** {@link #requantizeFloat} element by element, by the definition. */
  static void requantizeFloatScalar(int[] out, int[] acc, int start, int end, float m, int outputZeroPoint, int min,
      int max) {
    requantizeFloatScalar(out, start, acc, start, end - start, m, outputZeroPoint, min, max);
  }

  static void requantizeFloatScalar(int[] out, int outStart, int[] acc, int accStart, int count, float m,
      int outputZeroPoint, int min, int max) {
    for (int i = 0; i < count; i++) {
      out[outStart + i] = PyTorchQnnpack.finishRequantization(PyTorchQnnpack.scaleAndRound(acc[accStart + i], m),
          outputZeroPoint, min, max);
    }
  }

  /**
   * Scheme {@code float_clamp} for one accumulator: ONNX Runtime's {@code MlasRequantizeOutput}
   * (onnxruntime/core/mlas/lib/quantize.cpp), which QLinearConv and QLinearMatMul run on their
   * int32 sums: {@code y = RNE(f32(f32(acc) * m))} ({@link PyTorchQnnpack#scaleAndRound}, the one
   * definition of that product and rounding), then the integer tail {@link #tail}. MLAS clamps the
   * float product to {@code [qmin - zp, qmax - zp]} before rounding (SSE2 {@code maxps} / {@code
   * minps}, then {@code cvtps2dq}; the scalar version rounds with the 1.5 * 2^23 trick; NEON rounds
   * with {@code vcvtnq} and narrows with saturation). Those bounds are integers, so clamping before
   * or after the rounding is the same, and a product outside int32 saturates to the nearer end (no
   * INT_MIN as in PyTorch's x86 path). {@code y} is saturated to int32 here, which changes nothing
   * for a clamp inside an 8-bit range and keeps {@code y + zp} from overflowing a long when the
   * product is infinite.
   */
  public static int floatClamp(int acc, float m, int outputZeroPoint, int min, int max, ElementType storage) {
    return tail(Rounding.saturateToInt32(PyTorchQnnpack.scaleAndRound(acc, m)), outputZeroPoint, min, max, storage);
  }

  /**
   * Whether scheme {@code float_clamp} gives scheme {@code float}'s integers ({@link
   * PyTorchQnnpack#finishRequantization}) for every int32 accumulator, so a backend may run either
   * kernel: a u8 output with {@code 0 <= zp <= 255}, {@code 0 <= min <= max <= 255}, and every
   * {@code |m| < 1}.
   *
   * <p>Both round the same product {@code y = RNE(f32(f32(acc) * m))}. They differ only in the tail:
   * {@code float} turns a {@code y} outside int32 into INT32_MIN (x86's {@code cvtps2dq}) and
   * saturates through int16, {@code float_clamp} saturates to int32. With {@code |f32(acc)| <= 2^31}
   * and {@code |m| < 1}, {@code |f32(acc) * m| < 2^31} exactly (2^31 * m is exact in float), so its
   * rounding is below 2^31 in magnitude, and the largest float below 2^31 is 2^31 - 128: {@code y}
   * is inside int32. For such {@code y} both tails give {@code clamp(sat_u8(y + zp), min, max)}:
   * within int16 the saturations agree, and a {@code y} beyond int16 saturates to 0 or 255 on both
   * paths (|zp| <= 255 cannot bring it back inside).
   */
  public static boolean floatClampIsFloat(float[] scales, int outputZeroPoint, int min, int max, ElementType storage) {
    if (storage != ElementType.U8 || outputZeroPoint < 0 || outputZeroPoint > 255 || min < 0 || max > 255
        || min > max) {
      return false;
    }
    for (float m : scales) {
      if (!(Math.abs(m) < 1f)) {
        return false;
      }
    }
    return true;
  }

  /** The integer schemes' tail: add the zero point, saturate to the storage, clamp. */
  public static int tail(long y, int outputZeroPoint, int min, int max, ElementType storage) {
    return (int) Rounding.clamp(Rounding.saturate(y + outputZeroPoint, storage), min, max);
  }
}
