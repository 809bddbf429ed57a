package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.NumericsInputs.anyDouble;
import static dev.zeropoint.backends.c.NumericsInputs.anyFloat;
import static dev.zeropoint.backends.c.NumericsInputs.anyLong;
import static dev.zeropoint.backends.c.NumericsInputs.edgeDoubles;
import static dev.zeropoint.backends.c.NumericsInputs.edgeFloats;
import static dev.zeropoint.backends.c.NumericsInputs.edgeLongs;
import static dev.zeropoint.backends.c.NumericsInputs.range;

import dev.zeropoint.backends.c.NumericsCheck.T;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.Rounding;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The C ports of {@link Rounding} and {@link ElementType}'s bounds ({@code lib/Rounding_*.c}, {@code
 * lib/ElementType_*.c}), and of the Java language operations and {@link Math} methods they are
 * written with ({@code lib/Java_*.c}, {@code lib/Math_*.c}), compute what the Java computes.
 */
class NumericsCTest {
  private static final int N = 4000;

  @Test
  void javaAndMathHelpersMatchJava() {
    Random r = new Random(1);
    NumericsCheck c = new NumericsCheck();
    c.fn("Java_l2i", "Java_l2i", T.I32, "zp_Java_l2i($0)", a -> (int) (long) a[0], T.I64)
        .grid(edgeLongs()).random(N, r, g -> new Object[] {anyLong(g)});
    c.fn("Java_ladd", "Java_ladd", T.I64, "zp_Java_ladd($0, $1)", a -> (long) a[0] + (long) a[1], T.I64, T.I64)
        .grid(edgeLongs(), List.of(Long.MAX_VALUE, Long.MIN_VALUE, 1L, -1L, 0L))
        .random(N, r, g -> new Object[] {anyLong(g), anyLong(g)});
    c.fn("Java_lsub", "Java_lsub", T.I64, "zp_Java_lsub($0, $1)", a -> (long) a[0] - (long) a[1], T.I64, T.I64)
        .grid(edgeLongs(), List.of(Long.MAX_VALUE, Long.MIN_VALUE, 1L, -1L, 0L))
        .random(N, r, g -> new Object[] {anyLong(g), anyLong(g)});
    c.fn("Java_lshr", "Java_lshr", T.I64, "zp_Java_lshr($0, $1)", a -> (long) a[0] >> (int) a[1], T.I64, T.I32)
        .grid(edgeLongs(), List.of(0, 1, 2, 31, 32, 62, 63))
        .random(N, r, g -> new Object[] {anyLong(g), g.nextInt(64)});
    c.fn("Java_d2l", "Java_d2l", T.I64, "zp_Java_d2l($0)", a -> (long) (double) a[0], T.F64)
        .grid(edgeDoubles()).random(N, r, g -> new Object[] {anyDouble(g)});
    c.fn("Java_d2i", "Java_d2i", T.I32, "zp_Java_d2i($0)", a -> (int) (double) a[0], T.F64)
        .grid(edgeDoubles()).random(N, r, g -> new Object[] {anyDouble(g)});
    c.fn("Math_abs", "Math_abs", T.F64, "zp_Math_abs($0)", a -> Math.abs((double) a[0]), T.F64)
        .grid(edgeDoubles()).random(N / 4, r, g -> new Object[] {anyDouble(g)});
    c.fn("Math_copySign", "Math_copySign", T.F64, "zp_Math_copySign($0, $1)",
        a -> Math.copySign((double) a[0], (double) a[1]), T.F64, T.F64)
        .grid(edgeDoubles(), List.of(1.0, -1.0, 0.0, -0.0))
        .random(N / 4, r, g -> new Object[] {anyDouble(g), anyDouble(g)});
    c.fn("Math_rint", "Math_rint", T.F64, "zp_Math_rint($0)", a -> Math.rint((double) a[0]), T.F64)
        .grid(edgeDoubles()).random(N, r, g -> new Object[] {anyDouble(g)});
    c.fn("Math_floor", "Math_floor", T.F64, "zp_Math_floor($0)", a -> Math.floor((double) a[0]), T.F64)
        .grid(edgeDoubles()).random(N, r, g -> new Object[] {anyDouble(g)});
    c.run();
  }

  @Test
  void roundingMatchesJava() {
    Random r = new Random(2);
    NumericsCheck c = new NumericsCheck();
    c.fn("roundHalfToEven", "Rounding_roundHalfToEven", T.I64, "zp_Rounding_roundHalfToEven($0)",
        a -> Rounding.roundHalfToEven((double) a[0]), T.F64)
        .grid(edgeDoubles()).random(N, r, g -> new Object[] {anyDouble(g)});
    c.fn("roundHalfAwayFromZero", "Rounding_roundHalfAwayFromZero", T.I64, "zp_Rounding_roundHalfAwayFromZero($0)",
        a -> Rounding.roundHalfAwayFromZero((double) a[0]), T.F64)
        .grid(edgeDoubles()).random(N, r, g -> new Object[] {anyDouble(g)});
    c.fn("roundHalfUp", "Rounding_roundHalfUp", T.I64, "zp_Rounding_roundHalfUp($0)",
        a -> Rounding.roundHalfUp((double) a[0]), T.F64)
        .grid(edgeDoubles()).random(N, r, g -> new Object[] {anyDouble(g)});
    c.fn("lrintf", "Rounding_lrintf", T.I64, "zp_Rounding_lrintf($0)", a -> Rounding.lrintf((float) a[0]), T.F32)
        .grid(edgeFloats()).random(N, r, g -> new Object[] {anyFloat(g)});
    c.fn("x86FloatToInt32RoundHalfEven", "Rounding_x86FloatToInt32RoundHalfEven", T.I32,
        "zp_Rounding_x86FloatToInt32RoundHalfEven($0)", a -> Rounding.x86FloatToInt32RoundHalfEven((float) a[0]),
        T.F32)
        .grid(edgeFloats()).random(N, r, g -> new Object[] {anyFloat(g)});
    c.fn("x86TruncateFloatToInt64", "Rounding_x86TruncateFloatToInt64", T.I64,
        "zp_Rounding_x86TruncateFloatToInt64($0)", a -> Rounding.x86TruncateFloatToInt64((float) a[0]), T.F32)
        .grid(edgeFloats()).random(N, r, g -> new Object[] {anyFloat(g)});
    List<Integer> shifts = range(0, 63);
    c.fn("shiftRightRoundHalfEven", "Rounding_shiftRightRoundHalfEven", T.I64,
        "zp_Rounding_shiftRightRoundHalfEven($0, $1)",
        a -> Rounding.shiftRightRoundHalfEven((long) a[0], (int) a[1]), T.I64, T.I32)
        .grid(edgeLongs(), shifts).random(N, r, g -> shiftRow(g));
    c.fn("shiftRightRoundHalfAwayFromZero", "Rounding_shiftRightRoundHalfAwayFromZero", T.I64,
        "zp_Rounding_shiftRightRoundHalfAwayFromZero($0, $1)",
        a -> Rounding.shiftRightRoundHalfAwayFromZero((long) a[0], (int) a[1]), T.I64, T.I32)
        .grid(edgeLongs(), shifts).random(N, r, g -> shiftRow(g));
    c.fn("shiftRightRoundHalfUp", "Rounding_shiftRightRoundHalfUp", T.I64, "zp_Rounding_shiftRightRoundHalfUp($0, $1)",
        a -> Rounding.shiftRightRoundHalfUp((long) a[0], (int) a[1]), T.I64, T.I32)
        .grid(edgeLongs(), shifts).random(N, r, g -> shiftRow(g));
    List<Integer> integerTypes = List.of(ElementType.I8.ordinal(), ElementType.U8.ordinal(),
        ElementType.I16.ordinal(), ElementType.I32.ordinal(), ElementType.I64.ordinal());
    c.fn("saturate", "Rounding_saturate", T.I64, "zp_Rounding_saturate($0, $1)",
        a -> Rounding.saturate((long) a[0], ElementType.values()[(int) a[1]]), T.I64, T.I32)
        .grid(edgeLongs(), integerTypes)
        .random(N, r, g -> new Object[] {anyLong(g), NumericsInputs.pick(g, integerTypes)});
    c.fn("clamp", "Rounding_clamp", T.I64, "zp_Rounding_clamp($0, $1, $2)",
        a -> Rounding.clamp((long) a[0], (long) a[1], (long) a[2]), T.I64, T.I64, T.I64)
        .grid(edgeLongs(), List.of(Long.MIN_VALUE, -5L, 0L, 7L), List.of(7L, 100L, Long.MAX_VALUE))
        .random(N, r, g -> {
          long x = anyLong(g);
          long y = anyLong(g);
          return new Object[] {anyLong(g), Math.min(x, y), Math.max(x, y)};
        });
    c.fn("saturateToInt32", "Rounding_saturateToInt32", T.I32, "zp_Rounding_saturateToInt32($0)",
        a -> Rounding.saturateToInt32((long) a[0]), T.I64)
        .grid(edgeLongs()).random(N / 4, r, g -> new Object[] {anyLong(g)});
    c.fn("saturateToInt16", "Rounding_saturateToInt16", T.I32, "zp_Rounding_saturateToInt16($0)",
        a -> Rounding.saturateToInt16((long) a[0]), T.I64)
        .grid(edgeLongs()).random(N / 4, r, g -> new Object[] {anyLong(g)});
    c.fn("saturateToInt8", "Rounding_saturateToInt8", T.I32, "zp_Rounding_saturateToInt8($0)",
        a -> Rounding.saturateToInt8((long) a[0]), T.I64)
        .grid(edgeLongs()).random(N / 4, r, g -> new Object[] {anyLong(g)});
    c.fn("saturateToUint8", "Rounding_saturateToUint8", T.I32, "zp_Rounding_saturateToUint8($0)",
        a -> Rounding.saturateToUint8((long) a[0]), T.I64)
        .grid(edgeLongs()).random(N / 4, r, g -> new Object[] {anyLong(g)});
    c.fn("ElementType_min", "ElementType_min", T.I64, "zp_ElementType_min($0)",
        a -> ElementType.values()[(int) a[0]].minValue(), T.I32)
        .grid(range(0, ElementType.values().length - 1));
    c.fn("ElementType_max", "ElementType_max", T.I64, "zp_ElementType_max($0)",
        a -> ElementType.values()[(int) a[0]].maxValue(), T.I32)
        .grid(range(0, ElementType.values().length - 1));
    c.run();
  }

  /** A long and a shift in [0, 63], the shift often near the long's bit length (ties and halves). */
  private static Object[] shiftRow(Random g) {
    int shift = g.nextInt(64);
    long v = anyLong(g);
    if (g.nextInt(3) == 0 && shift > 0) {
      // an exact tie or one off it: (k + 1/2) * 2^shift + d
      long k = g.nextLong() >> (shift + g.nextInt(64 - shift));
      v = (k << shift) + (1L << (shift - 1)) + g.nextInt(3) - 1;
    }
    return new Object[] {v, shift};
  }
}
