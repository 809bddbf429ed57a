package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.NumericsInputs.anyFloat;
import static dev.zeropoint.backends.c.NumericsInputs.anyInt;
import static dev.zeropoint.backends.c.NumericsInputs.anyLong;
import static dev.zeropoint.backends.c.NumericsInputs.edgeFloats;
import static dev.zeropoint.backends.c.NumericsInputs.edgeInts;
import static dev.zeropoint.backends.c.NumericsInputs.edgeLongs;
import static dev.zeropoint.backends.c.NumericsInputs.pick;
import static dev.zeropoint.backends.c.NumericsInputs.range;

import dev.zeropoint.backends.c.NumericsCheck.T;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.FixedPoint;
import dev.zeropoint.ir.numerics.IntegerOnlyRequant;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import dev.zeropoint.ir.numerics.Tosa;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The C ports of {@link PyTorchQnnpack}, {@link FixedPoint}, {@link Tosa} and {@link
 * IntegerOnlyRequant} ({@code lib/PyTorchQnnpack_*.c}, {@code lib/FixedPoint_*.c}, {@code
 * lib/Tosa_*.c}, {@code lib/IntegerOnlyRequant*.c}) compute what the Java computes.
 */
class RequantNumericsCTest {
  private static final int N = 4000;
  static final List<Integer> INTEGER_TYPES = List.of(ElementType.I8.ordinal(), ElementType.U8.ordinal(),
      ElementType.I16.ordinal(), ElementType.I32.ordinal(), ElementType.I64.ordinal());

  @Test
  void pytorchQnnpackMatchesJava() {
    Random r = new Random(3);
    NumericsCheck c = new NumericsCheck();
    c.fn("PyTorchQnnpack.quantize", "PyTorchQnnpack_quantize", T.I64, "zp_PyTorchQnnpack_quantize($0, $1, $2, $3)",
        a -> PyTorchQnnpack.quantize((float) a[0], (double) a[1], (long) a[2], ElementType.values()[(int) a[3]]),
        T.F32, T.F64, T.I64, T.I32)
        .grid(edgeFloats(), List.of(1.0, 0.1, 0.00214854861, 3e-9, 0.0, Double.MIN_VALUE, 1e300),
            List.of(0L, 128L, -5L), List.of(ElementType.U8.ordinal(), ElementType.I32.ordinal()))
        .row(0.273939937f, 0.00214854861, 0L, ElementType.U8.ordinal()) // the Javadoc's near-tie
        .random(N, r, g -> new Object[] {quantizeInput(g), scale(g), zeroPoint(g), pick(g, INTEGER_TYPES)});
    c.fn("PyTorchQnnpack.dequantize", "PyTorchQnnpack_dequantize", T.F32, "zp_PyTorchQnnpack_dequantize($0, $1, $2)",
        a -> PyTorchQnnpack.dequantize((int) a[0], (double) a[1], (long) a[2]), T.I32, T.F64, T.I64)
        .grid(edgeInts(), List.of(1.0, 0.1, 3e-9, 1e300), List.of(0L, 128L, -5L, Long.MIN_VALUE, 1L << 40))
        .random(N, r, g -> new Object[] {anyInt(g), scale(g), zeroPoint(g)});
    c.fn("PyTorchQnnpack.scaleAndRound", "PyTorchQnnpack_scaleAndRound", T.I64,
        "zp_PyTorchQnnpack_scaleAndRound($0, $1)", a -> PyTorchQnnpack.scaleAndRound((int) a[0], (float) a[1]),
        T.I32, T.F32)
        .grid(edgeInts(), List.of(1.0f, 0.5f, 0.25f, 1e-3f, 3.0f, 1e30f, Float.MIN_VALUE, Float.NaN,
            Float.POSITIVE_INFINITY, -0.5f))
        .random(N, r, g -> new Object[] {anyInt(g), g.nextBoolean() ? anyFloat(g) : NumericsInputs.anyScale(g)});
    c.fn("PyTorchQnnpack.finishRequantization", "PyTorchQnnpack_finishRequantization", T.I32,
        "zp_PyTorchQnnpack_finishRequantization($0, $1, $2, $3)",
        a -> PyTorchQnnpack.finishRequantization((long) a[0], (int) a[1], (int) a[2], (int) a[3]),
        T.I64, T.I32, T.I32, T.I32)
        .grid(edgeLongs(), List.of(0, 128, 255), List.of(0, 100), List.of(100, 255))
        .random(N, r, g -> {
          int min = g.nextInt(256);
          int max = min + g.nextInt(256 - min);
          return new Object[] {anyLong(g), g.nextInt(256), min, max};
        });
    c.fn("PyTorchQnnpack.requantize", "PyTorchQnnpack_requantize", T.I32,
        "zp_PyTorchQnnpack_requantize($0, $1, $2, $3, $4)",
        a -> PyTorchQnnpack.requantize((int) a[0], (float) a[1], (int) a[2], (int) a[3], (int) a[4]),
        T.I32, T.F32, T.I32, T.I32, T.I32)
        .grid(edgeInts(), List.of(0.5f, 1e-3f, 1e30f, Float.NaN), List.of(0, 128), List.of(0, 128), List.of(255))
        .random(N, r, g -> {
          int min = g.nextInt(256);
          int max = min + g.nextInt(256 - min);
          return new Object[] {anyInt(g), g.nextBoolean() ? anyFloat(g) : NumericsInputs.anyScale(g), g.nextInt(256),
              min, max};
        });
    String add = "zp_PyTorchQnnpack_add($0, $1, &(zp_PyTorchQnnpack_AddParams) {$2, $3, $4, $5, $6, $7, $8})";
    NumericsCheck.JavaFn addJava = a -> PyTorchQnnpack.add((int) a[0], (int) a[1], new PyTorchQnnpack.AddParams((int) a[2],
        (int) a[3], (int) a[4], (int) a[5], (int) a[6], (int) a[7], (int) a[8]));
    NumericsCheck.Fn addFn = c.fn("PyTorchQnnpack.add", "PyTorchQnnpack_add", T.I32, add, addJava,
        T.I32, T.I32, T.I32, T.I32, T.I32, T.I32, T.I32, T.I32, T.I32);
    // Parameters as addParams builds them, on every pair of operands of some of them.
    List<PyTorchQnnpack.AddParams> built = new ArrayList<>();
    while (built.size() < 200) {
      PyTorchQnnpack.AddParams p = qnnpackAddParams(r);
      if (p != null) {
        built.add(p);
      }
    }
    for (int k = 0; k < 4; k++) {
      PyTorchQnnpack.AddParams p = built.get(k);
      addFn.grid(range(0, 255), range(0, 255).subList(k * 64, k * 64 + 16), List.of(p.aMultiplier()),
          List.of(p.bMultiplier()), List.of(p.shift()), List.of(p.zeroPointProduct()), List.of(p.outputZeroPoint()),
          List.of(p.outputMin()), List.of(p.outputMax()));
    }
    addFn.random(N, r, g -> {
      PyTorchQnnpack.AddParams p = pick(g, built);
      return new Object[] {g.nextInt(256), g.nextInt(256), p.aMultiplier(), p.bMultiplier(), p.shift(),
          p.zeroPointProduct(), p.outputZeroPoint(), p.outputMin(), p.outputMax()};
    });
    // Any ints (wrapping products), any shift the Java accepts.
    addFn.random(N / 2, r, g -> {
      int min = anyInt(g);
      return new Object[] {anyInt(g), anyInt(g), anyInt(g), anyInt(g), g.nextInt(64), anyInt(g), anyInt(g), min,
          g.nextBoolean() ? min : anyInt(g)};
    });
    c.run();
  }

  /**
   * {@code Requantize.floatClamp} (scheme float_clamp, ONNX Runtime's requantization): every edge
   * accumulator times every edge float (NaN, infinities, subnormals and negative scales included,
   * which the compiler never passes but the port must still agree on), u8 and i8 storage with zero
   * points and clamps at the ends of their ranges, then random ones.
   */
  @Test
  void requantizeFloatClampMatchesJava() {
    Random r = new Random(6);
    NumericsCheck c = new NumericsCheck();
    int u8 = ElementType.U8.ordinal();
    int i8 = ElementType.I8.ordinal();
    c.fn("Requantize.floatClamp", "Requantize_floatClamp", T.I32, "zp_Requantize_floatClamp($0, $1, $2, $3, $4, $5)",
        a -> dev.zeropoint.runtime.kernels.Requantize.floatClamp((int) a[0], (float) a[1], (int) a[2], (int) a[3],
            (int) a[4], ElementType.values()[(int) a[5]]),
        T.I32, T.F32, T.I32, T.I32, T.I32, T.I32)
        .grid(edgeInts(), edgeFloats(), List.of(0, 128, 255), List.of(0), List.of(255), List.of(u8))
        .grid(edgeInts(), List.of(0.5f, 0x1p-25f, 4.0f, Float.MAX_VALUE), List.of(-128, -3, 0, 127), List.of(-128, 0),
            List.of(127), List.of(i8))
        .random(N, r, g -> {
          boolean signed = g.nextBoolean();
          int lo = signed ? -128 : 0;
          int zp = lo + g.nextInt(256);
          int min = lo + g.nextInt(256);
          int max = min + g.nextInt(lo + 256 - min);
          return new Object[] {g.nextBoolean() ? anyInt(g) : g.nextInt(20001) - 10000,
              g.nextBoolean() ? anyFloat(g) : NumericsInputs.anyScale(g), zp, min, max, signed ? i8 : u8};
        });
    c.run();
  }

  @Test
  void fixedPointAndTosaMatchJava() {
    Random r = new Random(4);
    NumericsCheck c = new NumericsCheck();
    c.fn("FixedPoint.saturatingRoundingDoublingHighMul", "FixedPoint_saturatingRoundingDoublingHighMul", T.I32,
        "zp_FixedPoint_saturatingRoundingDoublingHighMul($0, $1)",
        a -> FixedPoint.saturatingRoundingDoublingHighMul((int) a[0], (int) a[1]), T.I32, T.I32)
        .grid(edgeInts(), edgeInts()).random(N, r, g -> new Object[] {anyInt(g), anyInt(g)});
    c.fn("FixedPoint.roundingDivideByPOT", "FixedPoint_roundingDivideByPOT", T.I32,
        "zp_FixedPoint_roundingDivideByPOT($0, $1)", a -> FixedPoint.roundingDivideByPOT((int) a[0], (int) a[1]),
        T.I32, T.I32)
        .grid(edgeInts(), range(0, 31)).random(N, r, g -> {
          int e = g.nextInt(32);
          int x = anyInt(g);
          if (e > 0 && g.nextBoolean()) {
            x = (int) ((long) (x >> e) * (1L << e) + (1L << (e - 1)) + g.nextInt(3) - 1); // near a tie
          }
          return new Object[] {x, e};
        });
    c.fn("FixedPoint.multiplyByQuantizedMultiplier", "FixedPoint_multiplyByQuantizedMultiplier", T.I32,
        "zp_FixedPoint_multiplyByQuantizedMultiplier($0, $1, $2)",
        a -> FixedPoint.multiplyByQuantizedMultiplier((int) a[0], (int) a[1], (int) a[2]), T.I32, T.I32, T.I32)
        .grid(edgeInts(), List.of(1 << 30, Integer.MAX_VALUE, Integer.MIN_VALUE, 1518500250, -1), range(-31, 30))
        .random(N, r, g -> new Object[] {anyInt(g), anyInt(g), g.nextInt(62) - 31});
    c.fn("FixedPoint.multiplyByQuantizedMultiplierSingleRounding",
        "FixedPoint_multiplyByQuantizedMultiplierSingleRounding", T.I32,
        "zp_FixedPoint_multiplyByQuantizedMultiplierSingleRounding($0, $1, $2)",
        a -> FixedPoint.multiplyByQuantizedMultiplierSingleRounding((int) a[0], (int) a[1], (int) a[2]),
        T.I32, T.I32, T.I32)
        .grid(edgeInts(), List.of(0, 1, 1 << 30, Integer.MAX_VALUE, 1518500250), range(-31, 30))
        .random(N, r, g -> new Object[] {anyInt(g), anyInt(g) & Integer.MAX_VALUE, g.nextInt(62) - 31});
    c.fn("FixedPoint.multiplyByQuantizedMultiplierInt64", "FixedPoint_multiplyByQuantizedMultiplierInt64", T.I32,
        "zp_FixedPoint_multiplyByQuantizedMultiplierInt64($0, $1, $2)",
        a -> FixedPoint.multiplyByQuantizedMultiplierInt64((long) a[0], (int) a[1], (int) a[2]),
        T.I64, T.I32, T.I32)
        .grid(List.of(0L, 1L, -1L, (1L << 47) - 1, -(1L << 47), 12345678901L, -98765432109L),
            List.of(0, 1, 0x7FFEFFFF, 0x7FFF0000, Integer.MAX_VALUE, 1 << 30), range(-31, 7))
        .random(N, r, g -> new Object[] {anyLong(g) >> 16, anyInt(g) & Integer.MAX_VALUE, g.nextInt(39) - 31});
    c.fn("Tosa.applyScale32", "Tosa_applyScale32", T.I32, "zp_Tosa_applyScale32($0, $1, $2, $3)",
        a -> Tosa.applyScale32((int) a[0], (int) a[1], (int) a[2], (int) a[3] != 0), T.I32, T.I32, T.I32, T.I32)
        .grid(List.of(0, 1, -1, -2), List.of(0, 1, 1 << 30, Integer.MAX_VALUE), range(2, 62), List.of(0, 1))
        .grid(List.of(Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30, -(1 << 30)), List.of(1 << 30, Integer.MAX_VALUE),
            range(32, 62), List.of(0, 1))
        .random(N, r, g -> {
          int shift = 2 + g.nextInt(61);
          int value = anyInt(g);
          if (shift <= 32) {
            value = (int) (Math.floorMod((long) value, 1L << shift) - (1L << (shift - 1)));
          }
          return new Object[] {value, anyInt(g) & Integer.MAX_VALUE, shift, g.nextInt(2)};
        });
    c.fn("Tosa.applyScale16", "Tosa_applyScale16", T.I32, "zp_Tosa_applyScale16($0, $1, $2)",
        a -> Tosa.applyScale16((long) a[0], (int) a[1], (int) a[2]), T.I64, T.I32, T.I32)
        .grid(List.of(0L, 1L, -1L, 1000L, -1000L), List.of(0, 1, 32767, 16384), range(2, 62))
        .random(N, r, g -> {
          long value = anyLong(g) >> 16;
          int multiplier = g.nextInt(1 << 15);
          int shift = 2 + g.nextInt(61);
          long result = (value * multiplier + (1L << (shift - 1))) >> shift;
          return result < Integer.MIN_VALUE || result > Integer.MAX_VALUE ? null
              : new Object[] {value, multiplier, shift};
        });
    c.run();
  }

  @Test
  void integerOnlyRequantMatchesJava() throws ReflectiveOperationException {
    Random r = new Random(5);
    NumericsCheck c = new NumericsCheck();
    List<IntegerOnlyRequant> records = new ArrayList<>();
    for (float m : new float[] {Float.MIN_VALUE, 0x1p-32f, Math.nextUp(0x1p-32f), 0x1p-31f, 1e-5f, 0.5f, 1.0f,
        Math.nextDown(1.0f), 1.5f, 3.0f, 1000.0f, 0x1p31f, Math.nextDown(0x1p32f)}) {
      records.add(IntegerOnlyRequant.of(m));
    }
    while (records.size() < 400) {
      float m = switch (r.nextInt(3)) {
        case 0 -> NumericsInputs.anyScale(r);
        case 1 -> Math.scalb(1 + r.nextFloat(), r.nextInt(64) - 33);
        default -> Float.intBitsToFloat(r.nextInt(0x4F800000)); // any float in [0, 2^32)
      };
      if (m > 0) {
        records.add(IntegerOnlyRequant.of(m));
      }
    }
    List<IntegerOnlyRequant> nonZero = records.stream().filter(q -> q.mantissa() != 0).toList();
    String self = "&(zp_IntegerOnlyRequant) {$0, $1}";
    c.fn("IntegerOnlyRequant.apply", "IntegerOnlyRequant_apply", T.I64, "zp_IntegerOnlyRequant_apply(" + self
        + ", $2)", a -> new IntegerOnlyRequant((int) a[0], (int) a[1]).apply((int) a[2]), T.I32, T.I32, T.I32)
        .random(N * 2, r, g -> {
          IntegerOnlyRequant q = pick(g, records);
          return new Object[] {q.mantissa(), q.exponent(), g.nextBoolean() ? anyInt(g) : nearTie(g, q)};
        });
    for (int k = 0; k < 13; k++) {
      IntegerOnlyRequant q = records.get(k);
      c.fn("IntegerOnlyRequant.apply edge", "IntegerOnlyRequant_apply", T.I64, "zp_IntegerOnlyRequant_apply(" + self
          + ", $2)", a -> new IntegerOnlyRequant((int) a[0], (int) a[1]).apply((int) a[2]), T.I32, T.I32, T.I32)
          .grid(List.of(q.mantissa()), List.of(q.exponent()), edgeInts());
    }
    c.fn("IntegerOnlyRequant.applyAddRound", "IntegerOnlyRequant_applyAddRound", T.I64,
        "zp_IntegerOnlyRequant_applyAddRound(" + self + ", $2, $3)",
        a -> new IntegerOnlyRequant((int) a[0], (int) a[1]).applyAddRound((int) a[2], (int) a[3]),
        T.I32, T.I32, T.I32, T.I32)
        .random(N * 2, r, g -> {
          IntegerOnlyRequant q = pick(g, nonZero);
          int addend = switch (g.nextInt(3)) {
            case 0 -> g.nextInt(256) - 128;
            case 1 -> g.nextInt(256);
            default -> g.nextInt((1 << 17) - 1) - (1 << 16) + 1;
          };
          return new Object[] {q.mantissa(), q.exponent(), g.nextBoolean() ? anyInt(g) : nearTie(g, q), addend};
        });
    c.fn("IntegerOnlyRequant.applyAddRound edge", "IntegerOnlyRequant_applyAddRound", T.I64,
        "zp_IntegerOnlyRequant_applyAddRound(" + self + ", $2, $3)",
        a -> new IntegerOnlyRequant((int) a[0], (int) a[1]).applyAddRound((int) a[2], (int) a[3]),
        T.I32, T.I32, T.I32, T.I32)
        .grid(List.of(records.get(2).mantissa()), List.of(records.get(2).exponent()), edgeInts(),
            List.of(0, 1, -1, 128, -128, 255, 65535, -65535))
        .grid(List.of(records.get(6).mantissa()), List.of(records.get(6).exponent()), edgeInts(),
            List.of(0, 1, -1, 128, -128, 255, 65535, -65535))
        .grid(List.of(records.get(12).mantissa()), List.of(records.get(12).exponent()), edgeInts(),
            List.of(0, 1, -1, 128, -128, 255, 65535, -65535));
    // The private helpers, through reflection.
    Method productSignificand = method(IntegerOnlyRequant.class, "productSignificand", long.class);
    Method productScale = method(IntegerOnlyRequant.class, "productScale", long.class);
    Method roundSignificand = method(IntegerOnlyRequant.class, "roundSignificand", long.class);
    Method bitLength = method(IntegerOnlyRequant.class, "bitLength", long.class);
    c.fn("IntegerOnlyRequant.productSignificand", "IntegerOnlyRequant_productSignificand", T.I64,
        "zp_IntegerOnlyRequant_productSignificand(" + self + ", $2)",
        a -> invoke(productSignificand, new IntegerOnlyRequant((int) a[0], (int) a[1]), a[2]), T.I32, T.I32, T.I64)
        .random(N, r, g -> {
          IntegerOnlyRequant q = pick(g, nonZero);
          return new Object[] {q.mantissa(), q.exponent(), 1 + (anyLong(g) & Integer.MAX_VALUE)};
        });
    c.fn("IntegerOnlyRequant.productScale", "IntegerOnlyRequant_productScale", T.I32,
        "zp_IntegerOnlyRequant_productScale(" + self + ", $2)",
        a -> invoke(productScale, new IntegerOnlyRequant((int) a[0], (int) a[1]), a[2]), T.I32, T.I32, T.I64)
        .random(N, r, g -> {
          IntegerOnlyRequant q = pick(g, nonZero);
          return new Object[] {q.mantissa(), q.exponent(), 1 + (anyLong(g) & Integer.MAX_VALUE)};
        });
    c.fn("IntegerOnlyRequant.roundSignificand", "IntegerOnlyRequant_roundSignificand", T.I64,
        "zp_IntegerOnlyRequant_roundSignificand($0)", a -> invoke(roundSignificand, null, a[0]), T.I64)
        .random(N, r, g -> new Object[] {anyLong(g) >>> 1 >> g.nextInt(63)});
    c.fn("IntegerOnlyRequant.bitLength", "IntegerOnlyRequant_bitLength", T.I32, "zp_IntegerOnlyRequant_bitLength($0)",
        a -> invoke(bitLength, null, a[0]), T.I64)
        .grid(List.of(0L, 1L, 2L, 3L, Long.MAX_VALUE, 1L << 62, 1L << 32, (1L << 32) - 1))
        .random(N / 4, r, g -> new Object[] {anyLong(g) >>> 1 >> g.nextInt(63)});
    c.run();
  }

  /** An accumulator whose product with q's multiplier is near a tie (k + 1/2) or near 2^k. */
  private static int nearTie(Random g, IntegerOnlyRequant q) {
    double m = q.multiplier();
    if (m == 0) {
      return anyInt(g);
    }
    double target = g.nextBoolean() ? (g.nextInt(1 << g.nextInt(24)) + 0.5) : Math.scalb(1.0, g.nextInt(32));
    double acc = Math.rint(target / m) + g.nextInt(3) - 1;
    if (!(Math.abs(acc) < 0x1p31)) {
      return anyInt(g);
    }
    return (int) acc * (g.nextBoolean() ? 1 : -1);
  }

  /** A quantize input: any float, or one near a multiple of half a small scale. */
  private static float quantizeInput(Random g) {
    return g.nextBoolean() ? anyFloat(g) : (g.nextInt(600) - 300 + 0.5f) * (float) Math.scalb(1.0, -g.nextInt(12));
  }

  /** A scale: mostly a positive float-sized value, sometimes a double with more bits than a float. */
  static double scale(Random g) {
    return switch (g.nextInt(4)) {
      case 0 -> NumericsInputs.anyScale(g);
      case 1 -> g.nextDouble() * 0.1;
      case 2 -> Math.scalb(g.nextDouble() + 0.5, g.nextInt(100) - 60);
      default -> NumericsInputs.anyDouble(g);
    };
  }

  /** A zero point: mostly in a storage range, sometimes any long. */
  static long zeroPoint(Random g) {
    return switch (g.nextInt(4)) {
      case 0, 1 -> g.nextInt(384) - 128;
      case 2 -> anyInt(g);
      default -> anyLong(g);
    };
  }

  /** Parameters of PyTorchQnnpack.addParams for random scales and zero points, or null if it refuses them. */
  private static PyTorchQnnpack.AddParams qnnpackAddParams(Random g) {
    double outputScale = Math.scalb(g.nextDouble() + 0.5, -g.nextInt(12));
    double aScale = outputScale * Math.scalb(g.nextDouble() + 0.5, g.nextInt(22) - 14);
    double bScale = g.nextInt(4) == 0 ? aScale : outputScale * Math.scalb(g.nextDouble() + 0.5, g.nextInt(22) - 14);
    try {
      return PyTorchQnnpack.addParams(aScale, g.nextInt(256), bScale, g.nextInt(256), outputScale, g.nextInt(256),
          g.nextBoolean());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static Method method(Class<?> c, String name, Class<?>... params) throws NoSuchMethodException {
    Method m = c.getDeclaredMethod(name, params);
    m.setAccessible(true);
    return m;
  }

  static Object invoke(Method m, Object receiver, Object... args) {
    try {
      return m.invoke(receiver, args);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    }
  }
}
