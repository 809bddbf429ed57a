package dev.zeropoint.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Winograd}'s input and output transforms on the JDK's vector API, eight tiles per vector,
 * in the same operations as {@link Winograd#transformInput} and {@link Winograd#transformOutput}:
 * additions and subtractions of small integers in float32 (exact) and of int32 (wrapping, as there).
 */
final class VectorWinograd {
  private VectorWinograd() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
  /** Lanes 0..3 of two vectors interleaved (a0 b0 a1 b1 ..), then lanes 4..7. */
  private static final VectorShuffle<Integer> ZIP_LO = VectorShuffle.fromValues(I, 0, 8, 1, 9, 2, 10, 3, 11);
  private static final VectorShuffle<Integer> ZIP_HI = VectorShuffle.fromValues(I, 4, 12, 5, 13, 6, 14, 7, 15);

  /**
   * {@link Winograd#transformInput}: the eight tiles of a segment, one vector. Column {@code j}
   * of {@code t = d B} in each of the four rows, then {@code B^T t} down that column: no array of
   * vectors, so that C2 keeps them all in registers.
   */
  static void transformInput(float[] s, int src, int rowStride, int odd, float[] v, int dst, int xiStride) {
    for (int j = 0; j < 4; j++) {
      FloatVector t0 = column(s, src, odd, j);
      FloatVector t1 = column(s, src + rowStride, odd, j);
      FloatVector t2 = column(s, src + 2 * rowStride, odd, j);
      FloatVector t3 = column(s, src + 3 * rowStride, odd, j);
      t0.sub(t2).intoArray(v, dst + j * xiStride);
      t1.add(t2).intoArray(v, dst + (4 + j) * xiStride);
      t2.sub(t1).intoArray(v, dst + (8 + j) * xiStride);
      t1.sub(t3).intoArray(v, dst + (12 + j) * xiStride);
    }
  }

  /**
   * Column {@code j} of {@code d B} for one row of eight tiles: {@code d0 - d2}, {@code d1 + d2},
   * {@code d2 - d1}, {@code d1 - d3}, where {@code d0, d2} are even columns (at {@code e}, {@code e +
   * 1}) and {@code d1, d3} odd ones ({@code odd} further).
   */
  private static FloatVector column(float[] s, int e, int odd, int j) {
    return switch (j) {
      case 0 -> FloatVector.fromArray(F, s, e).sub(FloatVector.fromArray(F, s, e + 1));
      case 1 -> FloatVector.fromArray(F, s, e + odd).add(FloatVector.fromArray(F, s, e + 1));
      case 2 -> FloatVector.fromArray(F, s, e + 1).sub(FloatVector.fromArray(F, s, e + odd));
      default -> FloatVector.fromArray(F, s, e + odd).sub(FloatVector.fromArray(F, s, e + odd + 1));
    };
  }

  /** {@link Winograd#transformOutput}: the {@code cols <= 8} tiles of a segment, one vector. */
  static void transformOutput(int[] m, int src, int xiStride, int cols, int[] out, int base, int oh, int ow,
      int outH, int outW, int bias) {
    int rs = 4 * xiStride;
    IntVector s00 = sum(m, src, xiStride);
    IntVector s01 = difference(m, src, xiStride);
    IntVector s10 = sum(m, src + rs, xiStride);
    IntVector s11 = difference(m, src + rs, xiStride);
    IntVector s20 = sum(m, src + 2 * rs, xiStride);
    IntVector s21 = difference(m, src + 2 * rs, xiStride);
    IntVector s30 = sum(m, src + 3 * rs, xiStride);
    IntVector s31 = difference(m, src + 3 * rs, xiStride);
    IntVector y00 = s00.add(s10).add(s20).lanewise(VectorOperators.ASHR, 2).add(bias);
    IntVector y01 = s01.add(s11).add(s21).lanewise(VectorOperators.ASHR, 2).add(bias);
    IntVector y10 = s10.sub(s20).sub(s30).lanewise(VectorOperators.ASHR, 2).add(bias);
    IntVector y11 = s11.sub(s21).sub(s31).lanewise(VectorOperators.ASHR, 2).add(bias);
    int row = base + oh * outW + ow;
    boolean second = oh + 1 < outH;
    if (cols == 8 && ow + 16 <= outW) {
      // Interleaved: y00[0] y01[0] y00[1] y01[1] .. along the row.
      y00.rearrange(ZIP_LO, y01).intoArray(out, row);
      y00.rearrange(ZIP_HI, y01).intoArray(out, row + 8);
      if (second) {
        y10.rearrange(ZIP_LO, y11).intoArray(out, row + outW);
        y10.rearrange(ZIP_HI, y11).intoArray(out, row + outW + 8);
      }
      return;
    }
    int[] t = new int[32];
    y00.intoArray(t, 0);
    y01.intoArray(t, 8);
    y10.intoArray(t, 16);
    y11.intoArray(t, 24);
    for (int l = 0; l < cols; l++) {
      boolean right = ow + 2 * l + 1 < outW;
      out[row + 2 * l] = t[l];
      if (right) {
        out[row + 2 * l + 1] = t[8 + l];
      }
      if (second) {
        out[row + outW + 2 * l] = t[16 + l];
        if (right) {
          out[row + outW + 2 * l + 1] = t[24 + l];
        }
      }
    }
  }

  /** Even lanes, then odd lanes, of two vectors. */
  private static final VectorShuffle<Integer> EVEN = VectorShuffle.fromOp(I, l -> 2 * l);
  private static final VectorShuffle<Integer> ODD = VectorShuffle.fromOp(I, l -> 2 * l + 1);

  /**
   * {@link Winograd#splitRow} for split columns {@code 0 .. cols}: eight at a time where all sixteen
   * input columns lie inside the row (two loads, split by two shuffles), the rest by the plain loop.
   */
  static void splitRow(float[] split, int even, int odd, int[] x, int row, int width, int padLeft, int cols, int zp) {
    int first = Math.min(cols, (padLeft + 1) / 2); // the first split column whose even column is inside
    Winograd.splitRow(split, even, odd, x, row, width, padLeft, 0, first, zp);
    int i = first;
    for (; i + 8 <= cols && 2 * i - padLeft + 16 <= width; i += 8) {
      int at = row + 2 * i - padLeft;
      IntVector lo = IntVector.fromArray(I, x, at);
      IntVector hi = IntVector.fromArray(I, x, at + 8);
      ((FloatVector) lo.rearrange(EVEN, hi).sub(zp).convert(VectorOperators.I2F, 0)).intoArray(split, even + i);
      ((FloatVector) lo.rearrange(ODD, hi).sub(zp).convert(VectorOperators.I2F, 0)).intoArray(split, odd + i);
    }
    Winograd.splitRow(split, even, odd, x, row, width, padLeft, i, cols, zp);
  }

  /** {@code m0 + m1 + m2} of one row of {@code M}: the first column of {@code M A}. */
  private static IntVector sum(int[] m, int e, int xiStride) {
    return IntVector.fromArray(I, m, e).add(IntVector.fromArray(I, m, e + xiStride))
        .add(IntVector.fromArray(I, m, e + 2 * xiStride));
  }

  /** {@code m1 - m2 - m3} of one row of {@code M}: the second column of {@code M A}. */
  private static IntVector difference(int[] m, int e, int xiStride) {
    return IntVector.fromArray(I, m, e + xiStride).sub(IntVector.fromArray(I, m, e + 2 * xiStride))
        .sub(IntVector.fromArray(I, m, e + 3 * xiStride));
  }
}
