package dev.zeropoint.runtime.kernels;

import dev.zeropoint.ir.numerics.PyTorchQnnpack;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Arithmetic}'s elementwise kernels eight lanes at a time on the JDK's vector API, in the
 * same int32 operations as their definitions, so the same integers.
 */
final class VectorArithmetic {
  private VectorArithmetic() {}

  private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

  /**
   * {@link PyTorchQnnpack#add} on every element: {@code acc = zeroPointProduct + a * aMultiplier + b
   * * bMultiplier} in int32; {@code acc >> shift} rounded half away from zero by QNNPACK's remainder
   * test ({@code (acc & mask) - (acc < 0) > mask >> 1}, {@code mask = 2^shift - 1}, the same rounding
   * as {@code Rounding.shiftRightRoundHalfAwayFromZero}); plus the output zero point, clamped.
   */
  static void addQnnpack(int[] out, int[] a, int[] b, PyTorchQnnpack.AddParams p) {
    int shift = p.shift();
    int mask = (int) ((1L << shift) - 1);
    IntVector zpp = IntVector.broadcast(I, p.zeroPointProduct());
    IntVector zp = IntVector.broadcast(I, p.outputZeroPoint());
    IntVector one = IntVector.broadcast(I, 1);
    int i = 0;
    for (int bound = I.loopBound(out.length); i < bound; i += I.length()) {
      IntVector acc = IntVector.fromArray(I, a, i).mul(p.aMultiplier())
          .add(IntVector.fromArray(I, b, i).mul(p.bMultiplier())).add(zpp);
      // A set mask lane converts to -1: (acc & mask) - (acc < 0).
      IntVector remainder = acc.and(mask).add((IntVector) acc.compare(VectorOperators.LT, 0).toVector());
      IntVector q = acc.lanewise(VectorOperators.ASHR, shift);
      q = q.add(one, remainder.compare(VectorOperators.GT, mask >> 1));
      q.add(zp).max(p.outputMin()).min(p.outputMax()).intoArray(out, i);
    }
    for (; i < out.length; i++) {
      out[i] = PyTorchQnnpack.add(a[i], b[i], p);
    }
  }
}
