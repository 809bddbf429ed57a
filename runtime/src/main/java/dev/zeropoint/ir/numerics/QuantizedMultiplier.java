package dev.zeropoint.ir.numerics;

/**
 * A real multiplier in TFLite / gemmlowp form: {@code multiplier * 2^(shift - 31)}, where {@code
 * multiplier} is a Q0.31 fixed-point value (normally in [2^30, 2^31), or 0) and {@code shift} is
 * positive for a left shift. This is the pair TFLite's {@code QuantizeMultiplier} writes to {@code
 * quantized_multiplier} and {@code shift}. The TOSA right shift of the same multiplier is {@code 31
 * - shift}.
 */
public record QuantizedMultiplier(int multiplier, int shift) {

  /** The real value this pair stands for, {@code multiplier * 2^(shift - 31)} (exact in double). */
  public double toDouble() {
    return Math.scalb((double) multiplier, shift - 31);
  }
}
