package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.passes.qdq.QdqNumerics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fact {@code propagate-qparams} rests on: {@code quantize(dequantize(q)) == q} for every stored
 * integer q, in every flavour's own quantize and dequantize, over many scales (seeded log-uniform over
 * 1e-6 .. 1e4, plus powers of two, 1/255-like and near-tie scales) and zero points. The pass checks it
 * again per tensor at compile time; this test also shows that check refusing parameters where it fails
 * (a scale whose f32 is subnormal, or whose dequantized extremes overflow float).
 */
class QdqRoundTripTest {
  static final List<Numerics> FLAVOURS = List.of(Numerics.PYTORCH_QNNPACK, Numerics.PYTORCH_FBGEMM, Numerics.ONNX,
      Numerics.TFLITE);

  static List<Double> scales() {
    List<Double> out = new ArrayList<>(List.of(1.0, 0.1, 0.5, 2.0, 1.0 / 255, 2.0 / 255, 0.00214854861, 0.0865,
        0.0249, 1e-6, 1e4, 3.0, 0.3, 0.7, 1.0 / 3));
    for (int k = -20; k <= 12; k++) {
      out.add(Math.scalb(1.0, k));
    }
    Random r = new Random(20261122);
    for (int i = 0; i < 2000; i++) {
      out.add(Math.pow(10, -6 + 10 * r.nextDouble()));
    }
    return out;
  }

  @Test
  void quantizeUndoesDequantizeForEveryIntegerScaleAndFlavour() {
    Random r = new Random(7);
    long cases = 0;
    for (Numerics flavour : FLAVOURS) {
      for (ElementType storage : List.of(ElementType.U8, ElementType.I8)) {
        for (double scale : scales()) {
          long zp = storage.minValue() + r.nextInt((int) (storage.maxValue() - storage.minValue() + 1));
          for (long q = storage.minValue(); q <= storage.maxValue(); q++) {
            float real = QdqNumerics.dequantize(flavour, (int) q, scale, zp);
            assertEquals(q, QdqNumerics.quantize(flavour, real, scale, zp, storage),
                flavour + " " + storage + " scale " + scale + " zp " + zp + " q " + q);
            cases++;
          }
          assertTrue(QdqNumerics.roundTripIsIdentity(TensorType.quantized(storage, scale, zp, Shape.of(1)), flavour));
        }
      }
    }
    System.out.println("quantize(dequantize(q)) == q in " + cases + " cases");
  }

  @Test
  void theCompileTimeCheckRefusesScalesWhereTheRoundTripBreaks() {
    for (Numerics flavour : FLAVOURS) {
      // 1e37 * 127 overflows float to +inf in every flavour; f32(1e-40) is subnormal and PyTorch's
      // reciprocal of it is +inf (ONNX and TFLite divide, and do round-trip there).
      boolean pytorch = flavour.isPyTorch();
      for (double scale : pytorch ? new double[] {1e-40, 1e37} : new double[] {1e37}) {
        TensorType t = TensorType.quantized(ElementType.U8, scale, 128, Shape.of(1));
        boolean holds = true;
        for (int q = 0; q <= 255; q++) {
          holds &= QdqNumerics.quantize(flavour, QdqNumerics.dequantize(flavour, q, scale, 128), scale, 128,
              ElementType.U8) == q;
        }
        assertFalse(holds, flavour + " scale " + scale + " round-trips, the refusal test is vacuous");
        assertFalse(QdqNumerics.roundTripIsIdentity(t, flavour), flavour + " scale " + scale);
      }
    }
  }
}
