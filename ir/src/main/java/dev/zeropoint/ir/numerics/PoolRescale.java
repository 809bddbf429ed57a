package dev.zeropoint.ir.numerics;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The integer-only rescaling of an average pool's window sums: the lowered pools ({@code
 * avg_pool2d_int}, {@code adaptive_avg_pool2d_int}) compute each output as {@link #apply}, which
 * gives exactly the integer of the float rounding PyTorch's kernel uses ({@link
 * PyTorchQnnpackPooling}), with every float multiplier replaced by its 24-bit mantissa and exponent
 * ({@link IntegerOnlyRequant}).
 *
 * <p>The multiplier of a window depends on the window's counted size, so the parameters are a table
 * indexed by the counted rows and columns: entry {@code (rows - 1) * columns + (cols - 1)}, or the
 * single entry when the table has one (QNNPACK, {@code divisor_override}).
 *
 * <ul>
 *   <li>{@code qnnpack}: {@code finishRequantization(RNE(f32(f32(acc) * m)), zp, 0, 255)} - {@link
 *       PyTorchQnnpackPooling#qnnpackAverage};
 *   <li>{@code aten_nchw}: {@code sat(int32(nearbyint(f32(f32(f32(acc) * m) + zp))))} - {@link
 *       PyTorchQnnpackPooling#atenNchwAverage} (zero point added in float, before rounding);
 *   <li>{@code aten_nhwc}: {@code sat(RNE(f32(f32(acc) * m)) + zp)} - {@link
 *       PyTorchQnnpackPooling#atenNhwcAverage};
 *   <li>{@code aten_adaptive_nchw}: {@code RNE(f32(f32(sum) * r))}, no zero point - {@link
 *       PyTorchQnnpackPooling#atenAdaptiveNchwAverage}.
 * </ul>
 *
 * @param kind the rounding rule
 * @param columns the table's width (its number of column counts); 1 for a single entry
 * @param multipliers the 24-bit mantissas, one per table entry
 * @param shifts the binary exponents, one per table entry
 * @param outputZeroPoint the zero point the rule adds (unused by {@code aten_adaptive_nchw})
 */
public record PoolRescale(Kind kind, int columns, ImmutableIntArray multipliers, ImmutableIntArray shifts,
    int outputZeroPoint) {

  /** The rounding rule; the names are the {@code rounding} attribute's words. */
  public enum Kind {
    QNNPACK("qnnpack"),
    ATEN_NCHW("aten_nchw"),
    ATEN_NHWC("aten_nhwc"),
    ATEN_ADAPTIVE_NCHW("aten_adaptive_nchw");

    private final String word;

    Kind(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }

    public static List<String> words() {
      return Arrays.stream(values()).map(Kind::word).toList();
    }

    public static Optional<Kind> fromWord(String w) {
      return Arrays.stream(values()).filter(k -> k.word.equals(w)).findFirst();
    }
  }

  /** What is wrong with these parameters for outputs stored as {@code storage}, or empty. */
  public Optional<String> problem(ElementType storage) {
    if (multipliers.isEmpty() || multipliers.length() != shifts.length()) {
      return Optional.of("multipliers and shifts need the same, nonzero number of entries");
    }
    if (columns < 1 || (multipliers.length() != 1 && multipliers.length() % columns != 0)) {
      return Optional.of("columns " + columns + " does not divide the table of " + multipliers.length());
    }
    try {
      for (int i = 0; i < multipliers.length(); i++) {
        IntegerOnlyRequant r = new IntegerOnlyRequant(multipliers.get(i), shifts.get(i));
        if (kind == Kind.ATEN_NCHW && r.mantissa() == 0) {
          return Optional.of("aten_nchw needs multipliers above 2^-32");
        }
      }
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (kind == Kind.QNNPACK && storage != ElementType.U8) {
      return Optional.of("qnnpack rounding needs u8 outputs, got " + storage);
    }
    if (outputZeroPoint < storage.minValue() || outputZeroPoint > storage.maxValue()) {
      return Optional.of("output zero point " + outputZeroPoint + " outside " + storage);
    }
    return Optional.empty();
  }

  /**
   * Builds the table from float multipliers (compile time): {@code multiplier(rows, cols)} for rows
   * in [1, rowCount] and cols in [1, columns], or the single {@code multiplier(1, 1)} when {@code
   * rowCount == columns == 1}.
   *
   * @throws IllegalArgumentException if a multiplier is outside {@link IntegerOnlyRequant#of}'s domain
   */
  public static PoolRescale of(Kind kind, int rowCount, int columns, Multiplier multiplier, int outputZeroPoint) {
    ImmutableIntArray.Builder m = ImmutableIntArray.builder();
    ImmutableIntArray.Builder s = ImmutableIntArray.builder();
    for (int r = 1; r <= rowCount; r++) {
      for (int c = 1; c <= columns; c++) {
        IntegerOnlyRequant d = IntegerOnlyRequant.of(multiplier.of(r, c));
        m.add(d.mantissa());
        s.add(d.exponent());
      }
    }
    PoolRescale p = new PoolRescale(kind, columns, m.build(), s.build(), outputZeroPoint);
    if (kind == Kind.ATEN_NCHW && p.multipliers.contains(0)) {
      throw new IllegalArgumentException("aten_nchw rescale with a multiplier at most 2^-32");
    }
    return p;
  }

  /** The float multiplier of a window of {@code rows} x {@code cols} counted positions. */
  @FunctionalInterface
  public interface Multiplier {
    float of(int rows, int cols);
  }

  /**
   * One output: the window sum {@code acc} (of {@code q - input_zero_point}) of a window counted as
   * {@code rows} x {@code cols} positions, stored as {@code storage}.
   *
   * @throws IllegalArgumentException if the table has no entry for the window or acc exceeds int32
   */
  public int apply(long acc, int rows, int cols, ElementType storage) {
    int i = entry(rows, cols);
    IntegerOnlyRequant r = new IntegerOnlyRequant(multipliers.get(i), shifts.get(i));
    int a = Math.toIntExact(acc);
    return switch (kind) {
      case QNNPACK -> PyTorchQnnpack.finishRequantization(r.apply(a), outputZeroPoint, 0, 255);
      case ATEN_NCHW -> {
        long v = r.applyAddRound(a, outputZeroPoint);
        long converted = v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? v : Integer.MIN_VALUE; // cvttss2si
        yield (int) Rounding.saturate(converted, storage);
      }
      case ATEN_NHWC -> (int) Rounding.saturate(r.apply(a) + outputZeroPoint, storage);
      case ATEN_ADAPTIVE_NCHW -> (int) r.apply(a);
    };
  }

  private int entry(int rows, int cols) {
    if (multipliers.length() == 1) {
      return 0;
    }
    int rowCount = multipliers.length() / columns;
    if (rows < 1 || cols < 1 || rows > rowCount || cols > columns) {
      throw new IllegalArgumentException("no rescale entry for a window of " + rows + " x " + cols + " (table "
          + rowCount + " x " + columns + ")");
    }
    return (rows - 1) * columns + (cols - 1);
  }
}
