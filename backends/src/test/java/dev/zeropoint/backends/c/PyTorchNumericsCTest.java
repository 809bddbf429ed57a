package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.NumericsInputs.anyDouble;
import static dev.zeropoint.backends.c.NumericsInputs.anyFloat;
import static dev.zeropoint.backends.c.NumericsInputs.anyInt;
import static dev.zeropoint.backends.c.NumericsInputs.anyLong;
import static dev.zeropoint.backends.c.NumericsInputs.anyScale;
import static dev.zeropoint.backends.c.NumericsInputs.edgeFloats;
import static dev.zeropoint.backends.c.NumericsInputs.edgeInts;
import static dev.zeropoint.backends.c.NumericsInputs.edgeLongs;
import static dev.zeropoint.backends.c.NumericsInputs.pick;
import static dev.zeropoint.backends.c.NumericsInputs.range;
import static dev.zeropoint.backends.c.RequantNumericsCTest.INTEGER_TYPES;
import static dev.zeropoint.backends.c.RequantNumericsCTest.scale;
import static dev.zeropoint.backends.c.RequantNumericsCTest.zeroPoint;

import dev.zeropoint.backends.c.NumericsCheck.T;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.numerics.FlavourQuantize;
import dev.zeropoint.ir.numerics.PyTorchAtenFloat;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;
import dev.zeropoint.ir.numerics.PyTorchQnnpackPooling;
import dev.zeropoint.ir.numerics.Xnnpack;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The C ports of {@link PyTorchAtenQuantized}, {@link PyTorchAtenFloat}, {@link Xnnpack}, {@link
 * FlavourQuantize} and {@link PyTorchQnnpackPooling}, and of {@code Math.fma(float, float, float)}
 * and {@code (float) Math.sqrt} of a float they are written with, compute what the Java computes.
 */
class PyTorchNumericsCTest {
  private static final int N = 4000;
  private static final List<Integer> QUANTIZED = List.of(ElementType.U8.ordinal(), ElementType.I8.ordinal());

  @Test
  void fmaAndSqrtMatchJava() {
    Random r = new Random(6);
    NumericsCheck c = new NumericsCheck();
    List<Float> few = List.of(0.0f, -0.0f, 1.0f, -1.0f, 1.5f, Float.MIN_VALUE, -Float.MIN_NORMAL, 0x1p-75f, 0x1p100f,
        Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1.00000012f, 3e-39f);
    c.fn("Math_fma_float", "Math_fma_float", T.F32, "zp_Math_fma_float($0, $1, $2)",
        a -> Math.fma((float) a[0], (float) a[1], (float) a[2]), T.F32, T.F32, T.F32)
        .grid(few, few, few)
        .random(3 * N, r, PyTorchNumericsCTest::fmaRow);
    c.fn("Math_sqrt_float", "Math_sqrt_float", T.F32, "zp_Math_sqrt_float($0)", a -> (float) Math.sqrt((float) a[0]),
        T.F32)
        .grid(edgeFloats())
        .grid(List.of(4.0f, 2.0f, 9.0f, 0.25f, 0x1p-148f, 0x1p-149f * 3, 16777215.0f, 16777216.0f))
        .random(3 * N, r, g -> new Object[] {g.nextInt(3) == 0 ? anyFloat(g)
            : Float.intBitsToFloat(g.nextInt(0x7F800000))});
    c.run();
  }

  @Test
  void atenQuantizedMatchesJava() {
    Random r = new Random(7);
    NumericsCheck c = new NumericsCheck();
    String params = "&(zp_PyTorchAtenQuantized_FloatAddParams) {$2, $3, $4, $5, $6, $7, $8, $9, $10, $11}";
    NumericsCheck.JavaFn scalarJava = a -> PyTorchAtenQuantized.floatAddScalar((int) a[0], (int) a[1], addParams(a));
    NumericsCheck.JavaFn vectorJava = a -> PyTorchAtenQuantized.floatAddVectorized((int) a[0], (int) a[1],
        addParams(a));
    T[] addTypes = {T.I32, T.I32, T.F32, T.I32, T.F32, T.F32, T.I32, T.F32, T.F32, T.I32, T.F32, T.I32};
    List<PyTorchAtenQuantized.FloatAddParams> built = new ArrayList<>();
    for (int k = 0; k < 300; k++) {
      built.add(PyTorchAtenQuantized.floatAddParams(scale(r), r.nextInt(256) - (k % 2) * 128, scale(r),
          r.nextInt(256) - (k % 2) * 128, k % 5 == 0 ? anyDouble(r) : scale(r), r.nextInt(256) - (k % 2) * 128,
          ElementType.values()[QUANTIZED.get(k % 2)]));
    }
    c.fn("PyTorchAtenQuantized.floatAddScalar", "PyTorchAtenQuantized_floatAddScalar", T.I32,
        "zp_PyTorchAtenQuantized_floatAddScalar($0, $1, " + params + ")", scalarJava, addTypes)
        .random(N, r, g -> addRow(g, built));
    c.fn("PyTorchAtenQuantized.floatAddVectorized", "PyTorchAtenQuantized_floatAddVectorized", T.I32,
        "zp_PyTorchAtenQuantized_floatAddVectorized($0, $1, " + params + ")", vectorJava, addTypes)
        .random(N, r, g -> addRow(g, built));
    c.fn("PyTorchAtenQuantized.quantizeAvx2", "PyTorchAtenQuantized_quantizeAvx2", T.I32,
        "zp_PyTorchAtenQuantized_quantizeAvx2($0, $1, $2, $3)",
        a -> PyTorchAtenQuantized.quantizeAvx2((float) a[0], (float) a[1], (int) a[2],
            ElementType.values()[(int) a[3]]), T.F32, T.F32, T.I32, T.I32)
        .grid(edgeFloats(), List.of(1.0f, 0.1f, 1e30f), List.of(0, 128, -5, Integer.MAX_VALUE), QUANTIZED)
        .random(N, r, g -> new Object[] {anyFloat(g), g.nextBoolean() ? anyFloat(g) : 1 / anyScale(g),
            g.nextBoolean() ? g.nextInt(256) - 128 : anyInt(g), pick(g, INTEGER_TYPES)});
    NumericsCheck.Fn mulScalar = c.fn("PyTorchAtenQuantized.mulScalar", "PyTorchAtenQuantized_mulScalar", T.I32,
        "zp_PyTorchAtenQuantized_mulScalar($0, $1, $2, $3, $4, $5, $6)",
        a -> PyTorchAtenQuantized.mulScalar((int) a[0], (int) a[1], (int) a[2], (int) a[3], (float) a[4], (int) a[5],
            ElementType.values()[(int) a[6]]), T.I32, T.I32, T.I32, T.I32, T.F32, T.I32, T.I32);
    NumericsCheck.Fn mulVectorized = c.fn("PyTorchAtenQuantized.mulVectorized", "PyTorchAtenQuantized_mulVectorized",
        T.I32, "zp_PyTorchAtenQuantized_mulVectorized($0, $1, $2, $3, $4, $5, $6)",
        a -> PyTorchAtenQuantized.mulVectorized((int) a[0], (int) a[1], (int) a[2], (int) a[3], (float) a[4],
            (int) a[5], ElementType.values()[(int) a[6]]), T.I32, T.I32, T.I32, T.I32, T.F32, T.I32, T.I32);
    for (NumericsCheck.Fn f : List.of(mulScalar, mulVectorized)) {
      f.grid(edgeInts().subList(0, 21), List.of(0, 128), List.of(255, -128, Integer.MIN_VALUE), List.of(0, -1),
          List.of(0.001f, 1e-9f, 3e8f, Float.NaN, Float.POSITIVE_INFINITY), List.of(0, -128), QUANTIZED);
      f.random(N, r, g -> {
        boolean typical = g.nextInt(4) > 0;
        return new Object[] {typical ? g.nextInt(256) : anyInt(g), typical ? g.nextInt(256) - 64 : anyInt(g),
            typical ? g.nextInt(256) : anyInt(g), typical ? g.nextInt(256) - 64 : anyInt(g),
            typical ? anyScale(g) * anyScale(g) : anyFloat(g), typical ? g.nextInt(256) - 128 : anyInt(g),
            pick(g, QUANTIZED)};
      });
    }
    c.fn("PyTorchAtenQuantized.requantize", "PyTorchAtenQuantized_requantize", T.I32,
        "zp_PyTorchAtenQuantized_requantize($0, $1, $2, $3, $4, $5)",
        a -> PyTorchAtenQuantized.requantize((int) a[0], (double) a[1], (long) a[2], (double) a[3], (long) a[4],
            ElementType.values()[(int) a[5]]), T.I32, T.F64, T.I64, T.F64, T.I64, T.I32)
        .grid(range(0, 255), List.of(0.1), List.of(128L), List.of(0.1, 0.3), List.of(128L, 0L),
            List.of(ElementType.U8.ordinal()))
        .random(N, r, g -> new Object[] {g.nextBoolean() ? g.nextInt(256) - 128 : anyInt(g), scale(g), zeroPoint(g),
            scale(g), zeroPoint(g), pick(g, INTEGER_TYPES)});
    String channel = "&(zp_PyTorchAtenQuantized_BatchNormChannel) {$2, $3}";
    c.fn("PyTorchAtenQuantized.batchNormScalar", "PyTorchAtenQuantized_batchNormScalar", T.I32,
        "zp_PyTorchAtenQuantized_batchNormScalar($0, $1, " + channel + ", $4, $5)",
        a -> PyTorchAtenQuantized.batchNormScalar((int) a[0], (int) a[1], batchNormChannel(a), (int) a[4],
            ElementType.values()[(int) a[5]]), T.I32, T.I32, T.F32, T.F32, T.I32, T.I32)
        .random(N, r, PyTorchNumericsCTest::batchNormRow);
    c.fn("PyTorchAtenQuantized.batchNormVectorized", "PyTorchAtenQuantized_batchNormVectorized", T.I32,
        "zp_PyTorchAtenQuantized_batchNormVectorized($0, $1, " + channel + ", $4, $5)",
        a -> PyTorchAtenQuantized.batchNormVectorized((int) a[0], (int) a[1], batchNormChannel(a), (int) a[4],
            ElementType.values()[(int) a[5]]), T.I32, T.I32, T.F32, T.F32, T.I32, T.I32)
        .random(N, r, PyTorchNumericsCTest::batchNormRow);
    String channel2 = "&(zp_PyTorchAtenQuantized_BatchNormChannel) {$4, $5}";
    c.fn("PyTorchAtenQuantized.batchNorm", "PyTorchAtenQuantized_batchNorm", T.I32,
        "zp_PyTorchAtenQuantized_batchNorm($0, $1, $2, $3, " + channel2 + ", $6, $7)",
        a -> PyTorchAtenQuantized.batchNorm((int) a[0], (int) a[1], (int) a[2], (int) a[3],
            new PyTorchAtenQuantized.BatchNormChannel((float) a[4], (float) a[5]), (int) a[6],
            ElementType.values()[(int) a[7]]), T.I32, T.I32, T.I32, T.I32, T.F32, T.F32, T.I32, T.I32)
        .random(N, r, g -> {
          Object[] b = batchNormRow(g);
          int channels = 1 + g.nextInt(80);
          return new Object[] {b[0], g.nextInt(channels), channels, b[1], b[2], b[3], b[4], b[5]};
        });
    c.fn("PyTorchAtenQuantized.batchNormIsVectorized", "PyTorchAtenQuantized_batchNormIsVectorized", T.I32,
        "zp_PyTorchAtenQuantized_batchNormIsVectorized($0, $1)",
        a -> PyTorchAtenQuantized.batchNormIsVectorized((int) a[0], (int) a[1]) ? 1 : 0, T.I32, T.I32)
        .grid(range(0, 100), range(0, 100));
    c.run();
  }

  @Test
  void atenFloatXnnpackAndFlavourQuantizeMatchJava() {
    Random r = new Random(8);
    NumericsCheck c = new NumericsCheck();
    for (String field : List.of("scale", "shift")) {
      c.fn("PyTorchAtenFloat.batchNormChannel." + field, "PyTorchAtenFloat_batchNormChannel", T.F32,
          "zp_PyTorchAtenFloat_batchNormChannel($0, $1, $2, $3, $4)." + field,
          a -> {
            PyTorchAtenFloat.BatchNormChannel p = PyTorchAtenFloat.batchNormChannel((float) a[0], (float) a[1],
                (float) a[2], (float) a[3], (double) a[4]);
            return field.equals("scale") ? p.scale() : p.shift();
          }, T.F32, T.F32, T.F32, T.F32, T.F64)
          .grid(List.of(1.0f, -0.5f, 0.0f), List.of(0.0f, 0.25f), List.of(0.0f, 1.5f, -3.0f),
              List.of(1.0f, 0.0f, -1.0f, 1e-6f, 1e30f, Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY),
              List.of(1e-5, 0.0, 0.1, 1e-3))
          .random(N, r, g -> {
            boolean typical = g.nextInt(4) > 0;
            return new Object[] {typical ? g.nextFloat() * 2 - 0.5f : anyFloat(g),
                typical ? g.nextFloat() - 0.5f : anyFloat(g), typical ? g.nextFloat() * 4 - 2 : anyFloat(g),
                typical ? g.nextFloat() * 3 : anyFloat(g), typical ? Math.scalb(1 + g.nextDouble(), -g.nextInt(20))
                    : anyDouble(g)};
          });
    }
    c.fn("PyTorchAtenFloat.BatchNormChannel.apply", "PyTorchAtenFloat_BatchNormChannel_apply", T.F32,
        "zp_PyTorchAtenFloat_BatchNormChannel_apply(&(zp_PyTorchAtenFloat_BatchNormChannel) {$0, $1}, $2)",
        a -> new PyTorchAtenFloat.BatchNormChannel((float) a[0], (float) a[1]).apply((float) a[2]),
        T.F32, T.F32, T.F32)
        .random(N, r, g -> g.nextBoolean() ? fmaRow(g)
            : new Object[] {g.nextFloat() * 2, g.nextFloat() - 0.5f, g.nextFloat() * 10 - 5});
    String qs8 = "zp_Xnnpack_qs8Add($0, $1, &(zp_Xnnpack_Qs8AddParams) {$2, $3, $4, $5, $6})";
    NumericsCheck.JavaFn qs8Java = a -> Xnnpack.qs8Add((int) a[0], (int) a[1],
        new Xnnpack.Qs8AddParams((int) a[2], (int) a[3], (int) a[4], (int) a[5], (int) a[6]));
    List<Xnnpack.Qs8AddParams> built = new ArrayList<>();
    while (built.size() < 200) {
      double outputScale = Math.scalb(r.nextDouble() + 0.5, -r.nextInt(12));
      try {
        built.add(Xnnpack.qs8AddParams(outputScale * Math.scalb(r.nextDouble() + 0.5, r.nextInt(18) - 10),
            r.nextInt(256) - 128, outputScale * Math.scalb(r.nextDouble() + 0.5, r.nextInt(18) - 10),
            r.nextInt(256) - 128, outputScale, r.nextInt(256) - 128));
      } catch (IllegalArgumentException e) {
        // a ratio XNNPACK refuses
      }
    }
    Xnnpack.Qs8AddParams p0 = built.get(0);
    c.fn("Xnnpack.qs8Add", "Xnnpack_qs8Add", T.I32, qs8, qs8Java, T.I32, T.I32, T.I32, T.I32, T.I32, T.I32, T.I32)
        .grid(range(-128, 127), range(-128, 127).subList(0, 256).stream().filter(b -> b % 8 == 0).toList(),
            List.of(p0.aMultiplier()), List.of(p0.bMultiplier()), List.of(p0.shift()), List.of(p0.bias()),
            List.of(p0.outputZeroPoint()))
        .random(N, r, g -> {
          Xnnpack.Qs8AddParams p = pick(g, built);
          return new Object[] {g.nextInt(256) - 128, g.nextInt(256) - 128, p.aMultiplier(), p.bMultiplier(),
              p.shift(), p.bias(), p.outputZeroPoint()};
        })
        .random(N / 2, r, g -> new Object[] {anyInt(g), anyInt(g), anyInt(g), anyInt(g), anyInt(g), anyInt(g),
            anyInt(g)});
    c.fn("FlavourQuantize.onnxQuantize", "FlavourQuantize_onnxQuantize", T.I64,
        "zp_FlavourQuantize_onnxQuantize($0, $1, $2, $3)",
        a -> FlavourQuantize.onnxQuantize((float) a[0], (double) a[1], (long) a[2], ElementType.values()[(int) a[3]]),
        T.F32, T.F64, T.I64, T.I32)
        .grid(edgeFloats(), List.of(1.0, 0.1, 0.0, 1e-30), List.of(0L, 128L, Long.MAX_VALUE, Long.MIN_VALUE),
            List.of(ElementType.U8.ordinal(), ElementType.I64.ordinal()))
        .random(N, r, g -> new Object[] {quantizeInput(g), scale(g), zeroPoint(g), pick(g, INTEGER_TYPES)});
    c.fn("FlavourQuantize.tfliteQuantize", "FlavourQuantize_tfliteQuantize", T.I64,
        "zp_FlavourQuantize_tfliteQuantize($0, $1, $2, $3)",
        a -> FlavourQuantize.tfliteQuantize((float) a[0], (double) a[1], (long) a[2],
            ElementType.values()[(int) a[3]]), T.F32, T.F64, T.I64, T.I32)
        .grid(edgeFloats(), List.of(1.0, 0.1, 0.0, 1e-30), List.of(0L, 128L, Long.MAX_VALUE, Long.MIN_VALUE),
            List.of(ElementType.U8.ordinal(), ElementType.I64.ordinal()))
        .random(N, r, g -> new Object[] {quantizeInput(g), scale(g), zeroPoint(g), pick(g, INTEGER_TYPES)});
    c.fn("FlavourQuantize.onnxDequantize", "FlavourQuantize_onnxDequantize", T.F32,
        "zp_FlavourQuantize_onnxDequantize($0, $1, $2)",
        a -> FlavourQuantize.onnxDequantize((int) a[0], (double) a[1], (long) a[2]), T.I32, T.F64, T.I64)
        .grid(edgeInts(), List.of(0.1, 1e300), edgeLongs().subList(0, 30))
        .grid(List.of(0, 5), List.of(0.1), List.of(Long.MIN_VALUE, Long.MAX_VALUE))
        .random(N, r, g -> new Object[] {anyInt(g), scale(g), zeroPoint(g)});
    c.fn("FlavourQuantize.tfliteDequantize", "FlavourQuantize_tfliteDequantize", T.F32,
        "zp_FlavourQuantize_tfliteDequantize($0, $1, $2)",
        a -> FlavourQuantize.tfliteDequantize((int) a[0], (double) a[1], (long) a[2]), T.I32, T.F64, T.I64)
        .grid(edgeInts(), List.of(0.1, 1e300), edgeLongs().subList(0, 30))
        .grid(List.of(0, 5), List.of(0.1), List.of(Long.MIN_VALUE, Long.MAX_VALUE))
        .random(N, r, g -> new Object[] {anyInt(g), scale(g), zeroPoint(g)});
    c.run();
  }

  @Test
  void qnnpackPoolingMatchesJava() throws ReflectiveOperationException {
    Random r = new Random(9);
    NumericsCheck c = new NumericsCheck();
    List<Float> multipliers = List.of(1.0f / 9, 1.0f / 4, 0.5f, 1.0f / 3, 1e-3f, 3e9f, Float.NaN);
    c.fn("PyTorchQnnpackPooling.qnnpackAverage", "PyTorchQnnpackPooling_qnnpackAverage", T.I32,
        "zp_PyTorchQnnpackPooling_qnnpackAverage($0, $1, $2)",
        a -> PyTorchQnnpackPooling.qnnpackAverage((int) a[0], (float) a[1], (int) a[2]), T.I32, T.F32, T.I32)
        .grid(edgeInts(), multipliers, List.of(0, 128, 255))
        .random(N, r, g -> new Object[] {poolAcc(g), poolMultiplier(g), g.nextInt(256)});
    c.fn("PyTorchQnnpackPooling.atenNchwAverage", "PyTorchQnnpackPooling_atenNchwAverage", T.I32,
        "zp_PyTorchQnnpackPooling_atenNchwAverage($0, $1, $2, $3)",
        a -> PyTorchQnnpackPooling.atenNchwAverage((int) a[0], (float) a[1], (long) a[2],
            ElementType.values()[(int) a[3]]), T.I32, T.F32, T.I64, T.I32)
        .grid(edgeInts(), multipliers, List.of(0L, 128L, -128L, 1L << 40), List.of(3, 5))
        .random(N, r, g -> new Object[] {poolAcc(g), poolMultiplier(g), zeroPoint(g), pick(g, INTEGER_TYPES)});
    c.fn("PyTorchQnnpackPooling.atenAdaptiveNchwAverage", "PyTorchQnnpackPooling_atenAdaptiveNchwAverage", T.I32,
        "zp_PyTorchQnnpackPooling_atenAdaptiveNchwAverage($0, $1)",
        a -> PyTorchQnnpackPooling.atenAdaptiveNchwAverage((long) a[0], (float) a[1]), T.I64, T.F32)
        .grid(edgeLongs(), multipliers)
        .random(N, r, g -> new Object[] {g.nextBoolean() ? (long) g.nextInt(255 * 64) : anyLong(g),
            poolMultiplier(g)});
    c.fn("PyTorchQnnpackPooling.atenNhwcAverage", "PyTorchQnnpackPooling_atenNhwcAverage", T.I32,
        "zp_PyTorchQnnpackPooling_atenNhwcAverage($0, $1, $2, $3)",
        a -> PyTorchQnnpackPooling.atenNhwcAverage((int) a[0], (float) a[1], (long) a[2],
            ElementType.values()[(int) a[3]]), T.I32, T.F32, T.I64, T.I32)
        .grid(edgeInts(), multipliers, List.of(0L, 128L, Long.MAX_VALUE, Long.MIN_VALUE), List.of(3, 6))
        .random(N, r, g -> new Object[] {poolAcc(g), poolMultiplier(g), zeroPoint(g), pick(g, INTEGER_TYPES)});
    Method x86 = RequantNumericsCTest.method(PyTorchQnnpackPooling.class, "x86FloatToInt32", double.class);
    c.fn("PyTorchQnnpackPooling.x86FloatToInt32", "PyTorchQnnpackPooling_x86FloatToInt32", T.I64,
        "zp_PyTorchQnnpackPooling_x86FloatToInt32($0)", a -> RequantNumericsCTest.invoke(x86, null, a[0]), T.F64)
        .grid(NumericsInputs.edgeDoubles())
        .random(N, r, g -> new Object[] {Math.rint(anyDouble(g))});
    c.run();
  }

  // ---------------------------------------------------------------- inputs

  /** fma operands: any floats, products at a float tie with a tiny addend, or cancellation. */
  private static Object[] fmaRow(Random g) {
    float sign = g.nextBoolean() ? 1 : -1;
    switch (g.nextInt(4)) {
      case 0 -> {
        return new Object[] {anyFloat(g), anyFloat(g), anyFloat(g)};
      }
      case 1 -> {
        // 13-bit odd significands: the exact product often has 25 bits, a tie between two floats.
        float a = Math.scalb((float) ((1 << 12) + 2 * g.nextInt(1 << 11) + 1), g.nextInt(60) - 40);
        float b = sign * Math.scalb((float) ((1 << 12) + 2 * g.nextInt(1 << 11) + 1), g.nextInt(60) - 40);
        float p = a * b;
        float c = switch (g.nextInt(4)) {
          case 0 -> 0.0f;
          case 1 -> Math.scalb(g.nextBoolean() ? 1.0f : -1.0f, Math.getExponent(p) - 30 - g.nextInt(60));
          case 2 -> Math.scalb(g.nextBoolean() ? 1.0f : -1.0f, Math.getExponent(p) - 24);
          default -> Math.ulp(p) * (g.nextInt(5) - 2);
        };
        return new Object[] {a, b, c};
      }
      case 2 -> {
        float a = anyScale(g) * (g.nextInt(200) - 100);
        float b = anyScale(g) * (g.nextInt(200) - 100);
        float c = -(a * b);
        for (int s = g.nextInt(3); s > 0; s--) {
          c = g.nextBoolean() ? Math.nextUp(c) : Math.nextDown(c);
        }
        return new Object[] {a, b, c};
      }
      default -> {
        // results near the subnormal range and near overflow
        boolean small = g.nextBoolean();
        float a = sign * Math.scalb(1 + g.nextFloat(), small ? -70 - g.nextInt(10) : 60 + g.nextInt(5));
        float b = Math.scalb(1 + g.nextFloat(), small ? -70 - g.nextInt(10) : 60 + g.nextInt(5));
        float c = small ? Math.scalb(g.nextFloat() - 0.5f, -140 - g.nextInt(9)) : -Math.scalb(g.nextFloat(), 127);
        return new Object[] {a, b, c};
      }
    }
  }

  private static Object[] addRow(Random g, List<PyTorchAtenQuantized.FloatAddParams> built) {
    PyTorchAtenQuantized.FloatAddParams p = pick(g, built);
    boolean u8 = p.storage() == ElementType.U8;
    return new Object[] {g.nextInt(256) - (u8 ? 0 : 128), g.nextInt(256) - (u8 ? 0 : 128), p.aScale(), p.aZeroPoint(),
        p.aNegZeroPointTimesScale(), p.bScale(), p.bZeroPoint(), p.bNegZeroPointTimesScale(), p.outputScale(),
        p.outputZeroPoint(), p.inverseOutputScale(), p.storage().ordinal()};
  }

  private static PyTorchAtenQuantized.FloatAddParams addParams(Object[] a) {
    return new PyTorchAtenQuantized.FloatAddParams((float) a[2], (int) a[3], (float) a[4], (float) a[5], (int) a[6],
        (float) a[7], (float) a[8], (int) a[9], (float) a[10], ElementType.values()[(int) a[11]]);
  }

  /** q, input zero point, alpha, beta, output zero point, storage. */
  private static Object[] batchNormRow(Random g) {
    boolean typical = g.nextInt(4) > 0;
    return new Object[] {typical ? g.nextInt(256) - 128 : anyInt(g), typical ? g.nextInt(256) - 128 : anyInt(g),
        typical ? anyScale(g) * (g.nextBoolean() ? 1 : -1) : anyFloat(g),
        typical ? (g.nextInt(512) - 256) / 2.0f + (g.nextBoolean() ? 0 : g.nextFloat()) : anyFloat(g),
        typical ? g.nextInt(256) - 128 : anyInt(g), pick(g, QUANTIZED)};
  }

  private static PyTorchAtenQuantized.BatchNormChannel batchNormChannel(Object[] a) {
    return new PyTorchAtenQuantized.BatchNormChannel((float) a[2], (float) a[3]);
  }

  private static float quantizeInput(Random g) {
    return g.nextBoolean() ? anyFloat(g) : (g.nextInt(600) - 300 + 0.5f) * (float) Math.scalb(1.0, -g.nextInt(12));
  }

  private static int poolAcc(Random g) {
    return switch (g.nextInt(3)) {
      case 0 -> (g.nextInt(511) - 255) * (1 + g.nextInt(64));
      case 1 -> (g.nextInt(511) - 255) * 9 / 2; // near halves of a 3x3 average
      default -> anyInt(g);
    };
  }

  private static float poolMultiplier(Random g) {
    return switch (g.nextInt(4)) {
      case 0 -> 1.0f / (1 + g.nextInt(64));
      case 1 -> (float) (1.0 / (1 + g.nextInt(64)));
      case 2 -> anyScale(g);
      default -> anyFloat(g);
    };
  }
}
