package dev.zeropoint.ir.numerics;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import java.util.List;
import java.util.Optional;

/**
 * Requantization of an int32 accumulator (bias included) of channel {@code c} to an output
 * integer: the one definition the interpreter's quantized ops, the lowered {@code requantize_acc}
 * op and every backend follow. The scheme says how the accumulator is scaled; the tail adds the
 * output zero point and clamps to [min, max] inside the storage range.
 *
 * <ul>
 *   <li>{@code float}: {@code RNE(f32(f32(acc) * scale[c]))} ({@link PyTorchQnnpack#scaleAndRound});
 *   <li>{@code mantissa}: the same integer with integers only: {@code multiplier[c]} is the 24-bit
 *       mantissa and {@code shift[c]} the exponent of the float scale ({@link IntegerOnlyRequant});
 *   <li>{@code tflite_double} / {@code tflite_single}: {@link FixedPoint#multiplyByQuantizedMultiplier}
 *       (double rounding) or its single-rounding variant; {@code shift[c]} is TFLite's exponent;
 *   <li>{@code tosa_double} / {@code tosa_single}: TOSA {@code RESCALE}, {@link Tosa#applyScale32};
 *       {@code shift[c]} in [2, 62];
 *   <li>{@code pow2}: {@code (acc + 2^(n-1)) >> n} with {@code n = shift[c] >= 0} (round half up,
 *       as hardware without multipliers does it: add, then arithmetic shift);
 *   <li>{@code float_clamp}: the product of {@code float}, {@code RNE(f32(f32(acc) * scale[c]))},
 *       with the generic tail (ONNX Runtime's {@code MlasRequantizeOutput}, which clamps the float
 *       product to {@code [min - zp, max - zp]} before rounding: a huge product saturates, where
 *       PyTorch's x86 tail gives 0); {@link dev.zeropoint.runtime.kernels.Requantize#floatClamp}.
 * </ul>
 *
 * The tail: for the PyTorch schemes ({@code float}, {@code mantissa}) {@link
 * PyTorchQnnpack#finishRequantization} (x86: an out-of-int32 product gives INT_MIN; saturate to
 * int16, add the zero point with int16 saturation, saturate to the storage, clamp); otherwise
 * {@code clamp(sat(y + zp), min, max)}.
 *
 * <p>The scheme codes of the runtime kernel ({@link dev.zeropoint.runtime.kernels.Requantize}) are
 * the constants' ordinals: new schemes go at the end.
 */
public record Requantizer(Scheme scheme, ImmutableDoubleArray scales, ImmutableIntArray multipliers,
    ImmutableIntArray shifts, int outputZeroPoint, int min, int max, ElementType storage) {

  /** How the accumulator is scaled; the names are the {@code scheme} attribute's words. */
  public enum Scheme {
    FLOAT("float"),
    MANTISSA("mantissa"),
    TFLITE_DOUBLE("tflite_double"),
    TFLITE_SINGLE("tflite_single"),
    TOSA_DOUBLE("tosa_double"),
    TOSA_SINGLE("tosa_single"),
    POW2("pow2"),
    FLOAT_CLAMP("float_clamp");

    private final String word;

    Scheme(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }

    /** Whether the scheme multiplies by float32 scales (its parameters are {@code scales}). */
    public boolean usesFloat() {
      return this == FLOAT || this == FLOAT_CLAMP;
    }

    public static List<String> words() {
      return java.util.Arrays.stream(values()).map(Scheme::word).toList();
    }

    public static Optional<Scheme> fromWord(String w) {
      return java.util.Arrays.stream(values()).filter(s -> s.word.equals(w)).findFirst();
    }
  }

  /** The number of channels the parameters are given for (1: the same for every element). */
  public int channels() {
    return scheme.usesFloat() ? scales.length() : shifts.length();
  }

  /** What is wrong with these parameters, or empty. */
  public Optional<String> problem() {
    int n = channels();
    if (n == 0) {
      return Optional.of("requantization needs parameters for at least one channel");
    }
    switch (scheme) {
      case FLOAT, FLOAT_CLAMP -> {
        if (!multipliers.isEmpty() || !shifts.isEmpty()) {
          return Optional.of("scheme " + scheme.word() + " takes scales, not multipliers or shifts");
        }
        for (int i = 0; i < n; i++) {
          double s = scales.get(i);
          if (!(s > 0) || Double.isInfinite(s) || (double) (float) s != s) {
            return Optional.of("scale " + s + " is not a positive finite float32");
          }
        }
      }
      case POW2 -> {
        if (!scales.isEmpty() || !multipliers.isEmpty()) {
          return Optional.of("scheme pow2 takes shifts only");
        }
        for (int i = 0; i < n; i++) {
          if (shifts.get(i) < 0 || shifts.get(i) > 31) {
            return Optional.of("pow2 shift " + shifts.get(i) + " outside 0..31");
          }
        }
      }
      default -> {
        if (!scales.isEmpty() || multipliers.length() != n) {
          return Optional.of("scheme " + scheme.word() + " takes one multiplier and one shift per channel");
        }
        try {
          for (int i = 0; i < n; i++) {
            check(i);
          }
        } catch (IllegalArgumentException e) {
          return Optional.of(e.getMessage());
        }
      }
    }
    if (outputZeroPoint < storage.minValue() || outputZeroPoint > storage.maxValue()) {
      return Optional.of("output zero point " + outputZeroPoint + " outside " + storage);
    }
    if (min > max || min < storage.minValue() || max > storage.maxValue()) {
      return Optional.of("clamp [" + min + ", " + max + "] is not a range inside " + storage);
    }
    return Optional.empty();
  }

  private void check(int c) {
    switch (scheme) {
      case MANTISSA -> new IntegerOnlyRequant(multipliers.get(c), shifts.get(c));
      case TOSA_DOUBLE, TOSA_SINGLE -> {
        if (multipliers.get(c) < 0 || shifts.get(c) < 2 || shifts.get(c) > 62) {
          throw new IllegalArgumentException("TOSA multiplier " + multipliers.get(c) + " / shift " + shifts.get(c)
              + " outside multiplier >= 0, shift 2..62");
        }
      }
      default -> {
      }
    }
  }

  /** The output integer for accumulator {@code acc} of channel {@code c} (0 when per tensor). */
  public int apply(int acc, int c) {
    int i = channels() == 1 ? 0 : c;
    return switch (scheme) {
      case FLOAT -> PyTorchQnnpack.finishRequantization(
          PyTorchQnnpack.scaleAndRound(acc, (float) scales.get(i)), outputZeroPoint, min, max);
      case MANTISSA -> PyTorchQnnpack.finishRequantization(
          new IntegerOnlyRequant(multipliers.get(i), shifts.get(i)).apply(acc), outputZeroPoint, min, max);
      case TFLITE_DOUBLE -> tail(FixedPoint.multiplyByQuantizedMultiplier(acc, multipliers.get(i), shifts.get(i)));
      case TFLITE_SINGLE -> tail(
          FixedPoint.multiplyByQuantizedMultiplierSingleRounding(acc, multipliers.get(i), shifts.get(i)));
      case TOSA_DOUBLE -> tail(Tosa.applyScale32(acc, multipliers.get(i), shifts.get(i), true));
      case TOSA_SINGLE -> tail(Tosa.applyScale32(acc, multipliers.get(i), shifts.get(i), false));
      case POW2 -> tail(Rounding.shiftRightRoundHalfUp(acc, shifts.get(i)));
      case FLOAT_CLAMP -> dev.zeropoint.runtime.kernels.Requantize.floatClamp(acc, (float) scales.get(i),
          outputZeroPoint, min, max, storage);
    };
  }

  private int tail(long y) {
    return dev.zeropoint.runtime.kernels.Requantize.tail(y, outputZeroPoint, min, max, storage);
  }
}
