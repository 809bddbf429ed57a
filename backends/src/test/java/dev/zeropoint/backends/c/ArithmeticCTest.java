package dev.zeropoint.backends.c;

import static dev.zeropoint.backends.c.BatchedKernelCases.floatValue;
import static dev.zeropoint.backends.c.BatchedKernelCases.floats;
import static dev.zeropoint.backends.c.BatchedKernelCases.ints;
import static dev.zeropoint.backends.c.BatchedKernelCases.pick;
import static dev.zeropoint.backends.c.BatchedKernelCases.scale;
import static dev.zeropoint.backends.c.KernelHarness.imm;
import static dev.zeropoint.backends.c.KernelHarness.in;
import static dev.zeropoint.backends.c.KernelHarness.out;

import dev.zeropoint.backends.IndexMaps;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.numerics.PyTorchAtenQuantized;
import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import dev.zeropoint.ir.numerics.PyTorchTensorIterator;
import dev.zeropoint.ir.numerics.Xnnpack;
import dev.zeropoint.runtime.kernels.Arithmetic;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The C ports of {@link Arithmetic}'s kernels compute what the Java kernels compute: seeded random
 * cases with parameters from the numerics the lowering uses ({@code ArithmeticLowering}), varied
 * storage types, broadcast index maps and loop partitions, empty tensors and saturating values, all
 * run in one C program.
 */
class ArithmeticCTest {
  private static final int CASES = 30;
  private static final BatchedKernelCases cases = new BatchedKernelCases();

  private static KernelHarness.In constant(int[] v) {
    return in(CType.narrowest(v), v);
  }

  private static CType storageType(ElementType e) {
    return CType.of(e);
  }

  // ---------------------------------------------------------------- shapes

  /** An output shape (rank 0 to 4, sometimes empty) and two operand shapes that broadcast to it. */
  private record Broadcast(Shape out, Shape a, Shape b) {
    int n() {
      return Math.toIntExact(out.numElements());
    }

    int na() {
      return Math.toIntExact(a.numElements());
    }

    int nb() {
      return Math.toIntExact(b.numElements());
    }

    int[] ia() {
      return IndexMaps.broadcast(out, a);
    }

    int[] ib() {
      return IndexMaps.broadcast(out, b);
    }
  }

  private static Broadcast broadcast(Random r) {
    int rank = r.nextInt(5);
    int[] out = new int[rank];
    for (int d = 0; d < rank; d++) {
      out[d] = r.nextInt(20) == 0 ? 0 : 1 + r.nextInt(rank <= 2 ? 9 : 4);
    }
    if (rank == 1 && r.nextBoolean()) {
      out[0] = 60 + r.nextInt(80); // rows longer than one vectorized step (64)
    }
    return new Broadcast(Shape.of(out), Shape.of(operand(r, out)), Shape.of(operand(r, out)));
  }

  private static int[] operand(Random r, int[] out) {
    int rank = r.nextInt(3) == 0 ? r.nextInt(out.length + 1) : out.length;
    int[] s = new int[rank];
    for (int i = 0; i < rank; i++) {
      s[i] = r.nextInt(3) == 0 ? 1 : out[out.length - rank + i];
    }
    return s;
  }

  private static ElementType quantizedStorage(Random r) {
    return pick(r, ElementType.U8, ElementType.I8);
  }

  private static int[] values(Random r, int n, ElementType e) {
    return ints(r, n, e.minValue(), e.maxValue());
  }

  // ---------------------------------------------------------------- the cases

  @BeforeAll
  static void runAll() {
    Random r = new Random(20240611);
    addQnnpack(r);
    addXnnpack(r);
    addAtenFloat(r);
    mulAten(r);
    mulAcc(r);
    floatAddMul(r);
    plainInts(r);
    requantize(r);
    lookups(r);
    binaryLookup(r);
    floatActivations(r);
    cases.run();
  }

  private static void addQnnpack(Random r) {
    int made = 0;
    for (int attempt = 0; made < CASES && attempt < 100 * CASES; attempt++) {
      int za = r.nextInt(256);
      int zb = r.nextInt(256);
      int zo = r.nextInt(256);
      double so = scale(r);
      double sa = r.nextInt(4) == 0 ? so * 0.001 * (1 + r.nextInt(300)) : scale(r);
      double sb = scale(r);
      PyTorchQnnpack.AddParams p;
      try {
        p = PyTorchQnnpack.addParams(sa, za, sb, zb, so, zo, r.nextBoolean());
      } catch (IllegalArgumentException e) {
        continue;
      }
      int n = r.nextInt(6) == 0 ? 0 : r.nextInt(80);
      int[] a = values(r, n, ElementType.U8);
      int[] b = values(r, n, ElementType.U8);
      int[] want = new int[n];
      Arithmetic.addQnnpack(want, a, b, p.aMultiplier(), p.bMultiplier(), p.shift(), p.zeroPointProduct(),
          p.outputZeroPoint(), p.outputMin(), p.outputMax());
      cases.add("case " + made + " " + p, List.of(want), "Arithmetic_addQnnpack",
          out(pick(r, CType.U8, CType.I32), n), in(pick(r, CType.U8, CType.I16, CType.I32), a),
          in(pick(r, CType.U8, CType.I32), b), imm(p.aMultiplier()), imm(p.bMultiplier()), imm(p.shift()),
          imm(p.zeroPointProduct()), imm(p.outputZeroPoint()), imm(p.outputMin()), imm(p.outputMax()));
      made++;
    }
  }

  private static Xnnpack.Qs8AddParams qs8Params(Random r) {
    while (true) {
      double so = scale(r);
      try {
        return Xnnpack.qs8AddParams(r.nextInt(3) == 0 ? so * 0.01 * (1 + r.nextInt(300)) : scale(r),
            r.nextInt(256) - 128, scale(r), r.nextInt(256) - 128, so, r.nextInt(256) - 128);
      } catch (IllegalArgumentException e) {
        // ratios XNNPACK refuses: draw again
      }
    }
  }

  private static void addXnnpack(Random r) {
    for (int t = 0; t < CASES; t++) {
      Xnnpack.Qs8AddParams p = qs8Params(r);
      int n = r.nextInt(6) == 0 ? 0 : r.nextInt(80);
      int[] a = values(r, n, ElementType.I8);
      int[] b = values(r, n, ElementType.I8);
      int[] want = new int[n];
      Arithmetic.addXnnpack(want, a, b, p.aMultiplier(), p.bMultiplier(), p.shift(), p.bias(), p.outputZeroPoint());
      cases.add("case " + t + " " + p, List.of(want), "Arithmetic_addXnnpack", out(pick(r, CType.I8, CType.I32), n),
          in(pick(r, CType.I8, CType.I16, CType.I32), a), in(pick(r, CType.I8, CType.I32), b), imm(p.aMultiplier()),
          imm(p.bMultiplier()), imm(p.shift()), imm(p.bias()), imm(p.outputZeroPoint()));
    }
    for (int t = 0; t < CASES; t++) {
      Xnnpack.Qs8AddParams p = qs8Params(r);
      Broadcast s = broadcast(r);
      int[] a = values(r, s.na(), ElementType.I8);
      int[] b = values(r, s.nb(), ElementType.I8);
      int[] ia = s.ia();
      int[] ib = s.ib();
      int[] want = new int[s.n()];
      Arithmetic.addXnnpackBroadcast(want, a, b, ia, ib, p.aMultiplier(), p.bMultiplier(), p.shift(), p.bias(),
          p.outputZeroPoint());
      cases.add("case " + t + " " + s + " " + p, List.of(want), "Arithmetic_addXnnpackBroadcast",
          out(pick(r, CType.I8, CType.I32), s.n()), in(pick(r, CType.I8, CType.I32), a), in(CType.I8, b),
          constant(ia), constant(ib), imm(p.aMultiplier()), imm(p.bMultiplier()), imm(p.shift()), imm(p.bias()),
          imm(p.outputZeroPoint()));
    }
  }

  /** ATen's row partition of a broadcast, or (sometimes) an arbitrary one: {row, head}. */
  private static int[] partition(Random r, Broadcast s) {
    if (r.nextInt(4) == 0) {
      int row = 1 + r.nextInt(Math.max(1, s.n()) + 3);
      return new int[] {row, r.nextInt(row + 2)};
    }
    PyTorchTensorIterator.Partition p =
        PyTorchTensorIterator.binary(s.out(), s.a(), s.b(), PyTorchTensorIterator.INT8_LANES);
    return new int[] {Math.toIntExact(Math.max(1, p.rowLength())), Math.toIntExact(p.vectorizedPerRow())};
  }

  private static void addAtenFloat(Random r) {
    for (int t = 0; t < CASES; t++) {
      ElementType e = quantizedStorage(r);
      Broadcast s = broadcast(r);
      int za = values(r, 1, e)[0];
      int zb = values(r, 1, e)[0];
      int zo = values(r, 1, e)[0];
      double so = r.nextInt(4) == 0 ? scale(r) * 1e-3 : scale(r);
      PyTorchAtenQuantized.FloatAddParams p =
          PyTorchAtenQuantized.floatAddParams(scale(r), za, scale(r), zb, so, zo, e);
      float[] f = {p.aScale(), p.aNegZeroPointTimesScale(), p.bScale(), p.bNegZeroPointTimesScale(), p.outputScale(),
          p.inverseOutputScale()};
      int[] part = partition(r, s);
      int[] a = values(r, s.na(), e);
      int[] b = values(r, s.nb(), e);
      int[] ia = s.ia();
      int[] ib = s.ib();
      int[] want = new int[s.n()];
      Arithmetic.addAtenFloatBroadcast(want, a, b, ia, ib, f, za, zb, zo, e.ordinal(), part[0], part[1]);
      CType st = storageType(e);
      cases.add("case " + t + " " + s + " " + p + " row " + part[0] + " head " + part[1], List.of(want),
          "Arithmetic_addAtenFloatBroadcast", out(pick(r, st, CType.I32), s.n()), in(pick(r, st, CType.I16), a),
          in(st, b), constant(ia), constant(ib), in(f), imm(za), imm(zb), imm(zo), imm(e.ordinal()), imm(part[0]),
          imm(part[1]));
    }
  }

  private static void mulAten(Random r) {
    for (int t = 0; t < CASES; t++) {
      ElementType e = quantizedStorage(r);
      Broadcast s = broadcast(r);
      int za = values(r, 1, e)[0];
      int zb = values(r, 1, e)[0];
      int zo = values(r, 1, e)[0];
      // Now and then an output scale so small that c * m leaves int32 (the two lambdas then differ).
      double so = switch (r.nextInt(5)) {
        case 0 -> scale(r) * 1e-6;
        case 1 -> scale(r) * 1e-3;
        default -> scale(r);
      };
      float m = PyTorchAtenQuantized.mulMultiplier(scale(r), scale(r), so);
      int[] part = partition(r, s);
      int[] a = values(r, s.na(), e);
      int[] b = values(r, s.nb(), e);
      int[] ia = s.ia();
      int[] ib = s.ib();
      int[] want = new int[s.n()];
      int bits = Float.floatToRawIntBits(m);
      Arithmetic.mulAtenBroadcast(want, a, b, ia, ib, za, zb, bits, zo, e.ordinal(), part[0], part[1]);
      CType st = storageType(e);
      cases.add("case " + t + " " + s + " m " + m + " row " + part[0] + " head " + part[1], List.of(want),
          "Arithmetic_mulAtenBroadcast", out(pick(r, st, CType.I32), s.n()), in(st, a), in(pick(r, st, CType.I32), b),
          constant(ia), constant(ib), imm(za), imm(zb), imm(bits), imm(zo), imm(e.ordinal()), imm(part[0]),
          imm(part[1]));
    }
  }

  private static void mulAcc(Random r) {
    for (int t = 0; t < CASES; t++) {
      // 8-bit operands, or any int32 (with zero points anywhere, so the int32 product wraps).
      boolean wide = r.nextInt(3) == 0;
      ElementType e = wide ? ElementType.I32 : quantizedStorage(r);
      int za = wide ? r.nextInt() : values(r, 1, e)[0];
      int zb = wide ? r.nextInt() : values(r, 1, e)[0];
      CType st = storageType(e);
      int n = r.nextInt(6) == 0 ? 0 : r.nextInt(60);
      int[] a = values(r, n, e);
      int[] b = values(r, n, e);
      int[] want = new int[n];
      Arithmetic.mulAcc(want, a, b, za, zb);
      cases.add("case " + t, List.of(want), "Arithmetic_mulAcc", out(CType.I32, n), in(st, a), in(st, b), imm(za),
          imm(zb));

      Broadcast s = broadcast(r);
      a = values(r, s.na(), e);
      b = values(r, s.nb(), e);
      int[] ia = s.ia();
      int[] ib = s.ib();
      want = new int[s.n()];
      Arithmetic.mulAccBroadcast(want, a, b, ia, ib, za, zb);
      cases.add("case " + t + " " + s, List.of(want), "Arithmetic_mulAccBroadcast", out(CType.I32, s.n()),
          in(st, a), in(wide ? st : CType.I32, b), constant(ia), constant(ib), imm(za), imm(zb));
    }
  }

  private static void floatAddMul(Random r) {
    for (int t = 0; t < CASES; t++) {
      int n = r.nextInt(6) == 0 ? 0 : r.nextInt(80);
      float[] a = floats(r, n);
      float[] b = floats(r, n);
      float[] sum = new float[n];
      float[] product = new float[n];
      Arithmetic.addF32(sum, a, b);
      Arithmetic.mulF32(product, a, b);
      cases.add("case " + t, List.of(sum), "Arithmetic_addF32", out(CType.F32, n), in(a), in(b));
      cases.add("case " + t, List.of(product), "Arithmetic_mulF32", out(CType.F32, n), in(a), in(b));

      Broadcast s = broadcast(r);
      a = floats(r, s.na());
      b = floats(r, s.nb());
      int[] ia = s.ia();
      int[] ib = s.ib();
      sum = new float[s.n()];
      product = new float[s.n()];
      Arithmetic.addF32Broadcast(sum, a, b, ia, ib);
      Arithmetic.mulF32Broadcast(product, a, b, ia, ib);
      cases.add("case " + t + " " + s, List.of(sum), "Arithmetic_addF32Broadcast", out(CType.F32, s.n()), in(a), in(b),
          constant(ia), constant(ib));
      cases.add("case " + t + " " + s, List.of(product), "Arithmetic_mulF32Broadcast", out(CType.F32, s.n()), in(a),
          in(b), constant(ia), constant(ib));
    }
  }

  private static void plainInts(Random r) {
    ElementType[] types = {ElementType.I8, ElementType.U8, ElementType.I16, ElementType.I32};
    for (int t = 0; t < CASES; t++) {
      ElementType e = types[t % types.length];
      int min = (int) e.minValue();
      int max = (int) e.maxValue();
      CType st = storageType(e);
      Broadcast s = broadcast(r);
      // a in [min - min / 2, max - max / 2], b in [min / 2, max / 2]: every sum is in range, and the
      // first output reaches max exactly.
      int[] ia = s.ia();
      int[] ib = s.ib();
      int[] a = ints(r, s.na(), min - min / 2, max - max / 2);
      int[] b = ints(r, s.nb(), min / 2, max / 2);
      if (s.n() > 0) {
        a[ia[0]] = max - max / 2;
        b[ib[0]] = max / 2;
      }
      int[] want = new int[s.n()];
      Arithmetic.addIntBroadcast(want, a, b, ia, ib, min, max);
      cases.add("case " + t + " " + e + " " + s, List.of(want), "Arithmetic_addIntBroadcast", out(st, s.n()),
          in(st, a), in(st, b), constant(ia), constant(ib), imm(min), imm(max));

      // Products of values up to sqrt(max) in magnitude stay in range; the first is root * root.
      int root = (int) Math.sqrt(max);
      a = ints(r, s.na(), e == ElementType.U8 ? 0 : -root, root);
      b = ints(r, s.nb(), e == ElementType.U8 ? 0 : -root, root);
      if (s.n() > 0) {
        a[ia[0]] = root;
        b[ib[0]] = t % 2 == 0 || e == ElementType.U8 ? root : -root;
      }
      want = new int[s.n()];
      Arithmetic.mulIntBroadcast(want, a, b, ia, ib, min, max);
      cases.add("case " + t + " " + e + " " + s, List.of(want), "Arithmetic_mulIntBroadcast", out(st, s.n()),
          in(st, a), in(st, b), constant(ia), constant(ib), imm(min), imm(max));
    }
  }

  private static void requantize(Random r) {
    for (int t = 0; t < CASES; t++) {
      ElementType e = pick(r, ElementType.U8, ElementType.I8, ElementType.I32);
      int rank = 1 + r.nextInt(4);
      int[] dims = new int[rank];
      for (int d = 0; d < rank; d++) {
        dims[d] = r.nextInt(15) == 0 ? 0 : 1 + r.nextInt(4);
      }
      int n = Math.toIntExact(Shape.of(dims).numElements());
      double[][] scales = new double[2][];
      long[][] zeroPoints = new long[2][];
      int[] inner = new int[2];
      for (int side = 0; side < 2; side++) {
        int channels = 1;
        inner[side] = 1;
        if (r.nextBoolean()) {
          int axis = r.nextInt(rank);
          channels = dims[axis];
          for (int d = axis + 1; d < rank; d++) {
            inner[side] *= dims[d];
          }
          inner[side] = Math.max(1, inner[side]);
        }
        scales[side] = new double[Math.max(1, channels)];
        zeroPoints[side] = new long[scales[side].length];
        for (int c = 0; c < scales[side].length; c++) {
          scales[side][c] = r.nextInt(4) == 0 ? scale(r) * 1e-4 : scale(r);
          zeroPoints[side][c] = e == ElementType.I32 ? r.nextInt(2001) - 1000 : values(r, 1, e)[0];
        }
      }
      int[] x = e == ElementType.I32 && r.nextBoolean() ? ints(r, n, Integer.MIN_VALUE, Integer.MAX_VALUE)
          : values(r, n, e == ElementType.I32 ? ElementType.I16 : e);
      int[] want = new int[n];
      Arithmetic.requantize(want, x, scales[0], zeroPoints[0], inner[0], scales[1], zeroPoints[1], inner[1],
          e.ordinal());
      CType st = storageType(e);
      cases.add("case " + t + " " + e + " " + Shape.of(dims), List.of(want), "Arithmetic_requantize", out(st, n),
          in(st, x), in(scales[0]), in(zeroPoints[0]), imm(inner[0]), in(scales[1]), in(zeroPoints[1]),
          imm(inner[1]), imm(e.ordinal()));
    }
  }

  private static void lookups(Random r) {
    for (int t = 0; t < CASES; t++) {
      ElementType e = t == 0 ? ElementType.I16 : quantizedStorage(r);
      ElementType result = quantizedStorage(r);
      int min = (int) e.minValue();
      int size = (int) (e.maxValue() - e.minValue() + 1);
      int n = r.nextInt(6) == 0 ? 0 : r.nextInt(80);
      int[] x = values(r, n, e);
      int[] table = values(r, size, result);
      int[] want = new int[n];
      Arithmetic.lookup(want, x, table, min);
      CType rt = storageType(result);
      cases.add("case " + t + " " + e, List.of(want), "Arithmetic_lookup", out(pick(r, rt, CType.I32), n),
          in(storageType(e), x), constant(table), imm(min));

      if (e == ElementType.I16) {
        continue;
      }
      int rank = 1 + r.nextInt(4);
      int[] dims = new int[rank];
      for (int d = 0; d < rank; d++) {
        dims[d] = r.nextInt(15) == 0 ? 0 : 1 + r.nextInt(4);
      }
      int axis = r.nextInt(rank);
      int inner = 1;
      for (int d = axis + 1; d < rank; d++) {
        inner *= dims[d];
      }
      inner = Math.max(1, inner);
      int channels = dims[axis];
      n = Math.toIntExact(Shape.of(dims).numElements());
      x = values(r, n, e);
      table = values(r, 256 * channels, result);
      want = new int[n];
      Arithmetic.lookupPerChannel(want, x, table, min, inner, channels);
      cases.add("case " + t + " " + e + " " + Shape.of(dims) + " axis " + axis, List.of(want),
          "Arithmetic_lookupPerChannel", out(rt, n), in(storageType(e), x), constant(table), imm(min), imm(inner),
          imm(channels));
    }
  }

  private static void binaryLookup(Random r) {
    for (int t = 0; t < 6; t++) {
      ElementType ea = quantizedStorage(r);
      ElementType eb = quantizedStorage(r);
      ElementType result = quantizedStorage(r);
      int tablesCount = 1 + r.nextInt(2);
      int[] tables = values(r, tablesCount << 16, result);
      Broadcast s = broadcast(r);
      int row = 1 + r.nextInt(Math.max(1, s.n()) + 2);
      int head = r.nextInt(row + 2);
      int last = tablesCount - 1;
      int[] a = values(r, s.na(), ea);
      int[] b = values(r, s.nb(), eb);
      int[] ia = s.ia();
      int[] ib = s.ib();
      int[] want = new int[s.n()];
      int minA = (int) ea.minValue();
      int minB = (int) eb.minValue();
      Arithmetic.binaryLookupBroadcast(want, a, b, tables, ia, ib, minA, minB, row, head, last);
      CType rt = storageType(result);
      cases.add("case " + t + " " + s + " row " + row + " head " + head, List.of(want),
          "Arithmetic_binaryLookupBroadcast", out(rt, s.n()), in(storageType(ea), a), in(storageType(eb), b),
          in(rt, tables), constant(ia), constant(ib), imm(minA), imm(minB), imm(row), imm(head), imm(last));
    }
  }

  private static void floatActivations(Random r) {
    float inf = Float.POSITIVE_INFINITY;
    float[][] bounds = {{0.0f, inf}, {0.0f, 6.0f}, {-1.0f, 1.0f}, {-inf, inf}, {-inf, 0.5f}, {-0.0f, 0.0f},
        {2.0f, -2.0f}, {Float.NaN, 1.0f}};
    for (int t = 0; t < CASES; t++) {
      int n = r.nextInt(6) == 0 ? 0 : r.nextInt(80);
      float[] x = floats(r, n);
      float[] bound = t < bounds.length ? bounds[t] : new float[] {floatValue(r), floatValue(r)};
      float[] clamped = new float[n];
      Arithmetic.clampF32(clamped, x, bound);
      cases.add("case " + t + " [" + bound[0] + ", " + bound[1] + "]", List.of(clamped), "Arithmetic_clampF32",
          out(CType.F32, n), in(x), in(bound));

      // hardswish / hardsigmoid: the specials and values around -3 and 3, where the clamps turn.
      x = x.clone();
      for (int i = 0; i < n; i += 2) {
        x[i] = (float) (r.nextDouble() * 8 - 4);
      }
      float[] swish = new float[n];
      float[] sigmoid = new float[n];
      Arithmetic.hardswishF32(swish, x);
      Arithmetic.hardsigmoidF32(sigmoid, x);
      cases.add("case " + t, List.of(swish), "Arithmetic_hardswishF32", out(CType.F32, n), in(x));
      cases.add("case " + t, List.of(sigmoid), "Arithmetic_hardsigmoidF32", out(CType.F32, n), in(x));
    }
  }

  // ---------------------------------------------------------------- the checks

  @Test
  void eachKernelCompilesAloneWithWhatItRequires() {
    cases.compileEachKernelAlone();
  }

  @Test
  void addQnnpack() {
    cases.check("Arithmetic_addQnnpack", CASES);
  }

  @Test
  void addQnnpackAvx2MatchesJava() {
    checkAddQnnpack(List.of("-mavx2"));
  }

  @Test
  void addQnnpackPortableMatchesJava() {
    checkAddQnnpack(List.of());
  }

  /**
   * QNNPACK's add built with these flags: parameters as the lowering makes them, small ones whose
   * sums of either sign often tie and stay within the clamp, and arbitrary ones (any multipliers
   * and zero point product, the int32 bounds, shifts 0 to 63, zero points and bounds beyond the
   * output type, empty clamps), lengths of every residue mod 8, inputs of 1, 2 and 4 bytes at
   * their bounds, and u8, i8, i16 and i32 outputs: the AVX2 kernel's vector steps, its scalar tail
   * and the scalar path it leaves the rest to.
   */
  private static void checkAddQnnpack(List<String> flags) {
    Random r = new Random(20240612);
    List<KernelHarness.Call> calls = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (int t = 0; t < 120; t++) {
      int aMultiplier;
      int bMultiplier;
      int shift;
      int zeroPointProduct;
      int outputZeroPoint;
      int outputMin;
      int outputMax;
      if (t % 3 == 0) {
        PyTorchQnnpack.AddParams p;
        try {
          double so = scale(r);
          p = PyTorchQnnpack.addParams(r.nextInt(4) == 0 ? so * 0.001 * (1 + r.nextInt(300)) : scale(r),
              r.nextInt(256), scale(r), r.nextInt(256), so, r.nextInt(256), r.nextBoolean());
        } catch (IllegalArgumentException e) {
          continue;
        }
        aMultiplier = p.aMultiplier();
        bMultiplier = p.bMultiplier();
        shift = p.shift();
        zeroPointProduct = p.zeroPointProduct();
        outputZeroPoint = p.outputZeroPoint();
        outputMin = r.nextInt(4) == 0 ? r.nextInt(256) : p.outputMin();
        outputMax = r.nextInt(4) == 0 ? r.nextInt(256) : p.outputMax();
      } else if (t % 3 == 1) {
        // Small multipliers and shifts: sums of either sign within reach of the clamp, many ties.
        shift = 1 + r.nextInt(8);
        aMultiplier = r.nextInt(2 << shift) - (1 << shift);
        bMultiplier = r.nextInt(2 << shift) - (1 << shift);
        zeroPointProduct = r.nextInt(600 << shift) - (300 << shift);
        outputZeroPoint = r.nextInt(256);
        outputMin = r.nextInt(3) == 0 ? r.nextInt(128) : 0;
        outputMax = r.nextInt(3) == 0 ? 128 + r.nextInt(128) : 255;
      } else {
        boolean bounds = r.nextInt(4) == 0; // acc at the int32 bounds, the rounding at its extremes
        aMultiplier = bounds ? 0 : r.nextBoolean() ? r.nextInt() : r.nextInt(1 << 22);
        bMultiplier = bounds ? 0 : r.nextBoolean() ? r.nextInt() : r.nextInt(1 << 22);
        shift = r.nextInt(4) == 0 ? r.nextInt(64) : bounds ? 1 + r.nextInt(2) : r.nextInt(32);
        zeroPointProduct = bounds ? (r.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE) : r.nextInt();
        outputZeroPoint = switch (r.nextInt(4)) {
          case 0 -> r.nextInt();
          case 1 -> (1 << 30) + r.nextInt(3) - 1;
          case 2 -> -(1 << 30) + r.nextInt(3) - 1;
          default -> r.nextInt(512) - 256;
        };
        outputMin = r.nextInt(512) - 256;
        outputMax = r.nextInt(512) - 256;
      }
      CType outType = switch (t % 8) {
        case 1 -> CType.I32;
        case 3 -> CType.I8;
        case 5 -> CType.I16;
        default -> CType.U8;
      };
      // Bounds inside the output type, so that the stored values are the Java ints.
      outputMin = (int) Math.max(CTestSupport.min(outType), Math.min(CTestSupport.max(outType), outputMin));
      outputMax = (int) Math.max(outputMin, Math.min(CTestSupport.max(outType), outputMax));
      CType aType = t % 4 == 0 ? pick(r, CType.I8, CType.I16, CType.I32) : CType.U8;
      CType bType = t % 4 == 0 ? pick(r, CType.U8, CType.I8, CType.I16, CType.I32) : CType.U8;
      int n = t % 10 == 0 ? r.nextInt(8) : r.nextInt(t % 5 == 0 ? 300 : 70);
      int[] a = CTestSupport.ints(r, n, aType);
      int[] b = CTestSupport.ints(r, n, bType);
      int[] want = new int[n];
      Arithmetic.addQnnpack(want, a, b, aMultiplier, bMultiplier, shift, zeroPointProduct, outputZeroPoint,
          outputMin, outputMax);
      expected.add(want);
      calls.add(KernelHarness.Call.parts(1 + t % 3, "Arithmetic_addQnnpack", out(outType, n), in(aType, a),
          in(bType, b),
          imm(aMultiplier), imm(bMultiplier), imm(shift), imm(zeroPointProduct), imm(outputZeroPoint),
          imm(outputMin), imm(outputMax)));
    }
    // Sums at and around the int32 bounds, rounded by the smallest and largest shifts, and zero
    // points at the ends of the range the AVX2 kernel adds them in, and just past them.
    for (int zeroPointProduct : new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      for (int shift : new int[] {0, 1, 31, 32}) {
        for (int outputZeroPoint : new int[] {(1 << 30) - 1, 1 << 30, -(1 << 30), -(1 << 30) - 1}) {
          for (int multiplier = 0; multiplier < 4; multiplier++) {
            CType outType = multiplier % 2 == 0 ? CType.U8 : CType.I32;
            int outputMax = outType == CType.U8 ? 255 : Integer.MAX_VALUE;
            int outputMin = outType == CType.U8 ? 0 : Integer.MIN_VALUE;
            int[] a = CTestSupport.ints(r, 19, CType.U8);
            int[] b = CTestSupport.ints(r, 19, CType.U8);
            int[] want = new int[a.length];
            Arithmetic.addQnnpack(want, a, b, multiplier / 2, -(multiplier / 2), shift, zeroPointProduct,
                outputZeroPoint, outputMin, outputMax);
            expected.add(want);
            calls.add(KernelHarness.Call.of("Arithmetic_addQnnpack", out(outType, a.length), in(CType.U8, a),
                in(CType.U8, b), imm(multiplier / 2), imm(-(multiplier / 2)), imm(shift), imm(zeroPointProduct),
                imm(outputZeroPoint), imm(outputMin), imm(outputMax)));
          }
        }
      }
    }
    List<List<Object>> got = KernelHarness.runAll(calls, flags);
    for (int t = 0; t < calls.size(); t++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get(t), (int[]) got.get(t).get(0),
          "case " + t + " " + flags);
    }
  }

  @Test
  void addXnnpack() {
    cases.check("Arithmetic_addXnnpack", CASES);
  }

  @Test
  void addXnnpackBroadcast() {
    cases.check("Arithmetic_addXnnpackBroadcast", CASES);
  }

  @Test
  void addAtenFloatBroadcast() {
    cases.check("Arithmetic_addAtenFloatBroadcast", CASES);
  }

  @Test
  void mulAtenBroadcast() {
    cases.check("Arithmetic_mulAtenBroadcast", CASES);
  }

  @Test
  void mulAcc() {
    cases.check("Arithmetic_mulAcc", CASES);
  }

  @Test
  void mulAccBroadcast() {
    cases.check("Arithmetic_mulAccBroadcast", CASES);
  }

  @Test
  void addF32() {
    cases.check("Arithmetic_addF32", CASES);
  }

  @Test
  void addF32Broadcast() {
    cases.check("Arithmetic_addF32Broadcast", CASES);
  }

  @Test
  void mulF32() {
    cases.check("Arithmetic_mulF32", CASES);
  }

  @Test
  void mulF32Broadcast() {
    cases.check("Arithmetic_mulF32Broadcast", CASES);
  }

  @Test
  void addIntBroadcast() {
    cases.check("Arithmetic_addIntBroadcast", CASES);
  }

  @Test
  void mulIntBroadcast() {
    cases.check("Arithmetic_mulIntBroadcast", CASES);
  }

  @Test
  void requantize() {
    cases.check("Arithmetic_requantize", CASES);
  }

  @Test
  void lookup() {
    cases.check("Arithmetic_lookup", CASES);
  }

  @Test
  void lookupPerChannel() {
    cases.check("Arithmetic_lookupPerChannel", CASES - 1);
  }

  @Test
  void binaryLookupBroadcast() {
    cases.check("Arithmetic_binaryLookupBroadcast", 6);
  }

  @Test
  void clampF32() {
    cases.check("Arithmetic_clampF32", CASES);
  }

  @Test
  void hardswishF32() {
    cases.check("Arithmetic_hardswishF32", CASES);
  }

  @Test
  void hardsigmoidF32() {
    cases.check("Arithmetic_hardsigmoidF32", CASES);
  }
}
