package dev.zeropoint.ir.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.Shape;
import org.junit.jupiter.api.Test;

/**
 * Partitions observed on torch 1.13.1 (one thread) by feeding quantized add inputs whose scalar and
 * vectorized lambdas give different integers at every element, and reading which one each output
 * element matches.
 */
class PyTorchTensorIteratorTest {

  private static PyTorchTensorIterator.Partition split(int[] a, int[] b) {
    Shape sa = Shape.of(a);
    Shape sb = Shape.of(b);
    int rank = Math.max(a.length, b.length);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
      int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
      out[i] = Math.max(da, db);
    }
    return PyTorchTensorIterator.binary(Shape.of(out), sa, sb, PyTorchTensorIterator.INT8_LANES);
  }

  @Test
  void broadcastRowsVectorizeTheirFirstMultipleOf64() {
    // [4, 100] + [1, 100]: b's outer stride 0 blocks coalescing; rows of 100, all contiguous ->
    // elements 0..63 of each row vectorized, 64..99 scalar (observed: 6..48 V, 67..99 S, 106..148 V ...)
    var p = split(new int[] {4, 100}, new int[] {1, 100});
    assertEquals(new PyTorchTensorIterator.Partition(100, 64), p);
    assertTrue(p.isVectorized(163));
    assertFalse(p.isVectorized(164));
    // [4, 100] + [4, 1]: b is a scalar along each row (is_contiguous_scalar) -> the same split
    assertEquals(new PyTorchTensorIterator.Partition(100, 64), split(new int[] {4, 100}, new int[] {4, 1}));
    // and with the smaller operand first (PyTorch resizes the output): rows of 100 again
    assertEquals(new PyTorchTensorIterator.Partition(100, 64), split(new int[] {4, 1}, new int[] {4, 100}));
  }

  @Test
  void aBroadcastScalarCoalescesEverything() {
    // [2, 70] + [1, 1]: b has stride 0 in both dims, so the dims coalesce into one row of 140:
    // 0..127 vectorized (two steps of 64), 128..139 scalar (observed)
    assertEquals(new PyTorchTensorIterator.Partition(140, 128), split(new int[] {2, 70}, new int[] {1, 1}));
    assertEquals(new PyTorchTensorIterator.Partition(200, 192), split(new int[] {1, 200}, new int[] {1}));
  }

  @Test
  void shortRowsRunScalar() {
    // [2, 3, 40] + [2, 1, 40]: rows of 40 < 64 -> all scalar (observed: all 233 differing elements S)
    assertEquals(new PyTorchTensorIterator.Partition(40, 0), split(new int[] {2, 3, 40}, new int[] {2, 1, 40}));
    // squeeze-excitation style [1, 3, 5, 5] * [1, 3, 1, 1]: rows of 25 -> all scalar
    assertEquals(new PyTorchTensorIterator.Partition(25, 0), split(new int[] {1, 3, 5, 5}, new int[] {1, 3, 1, 1}));
    // [5, 1] + [1, 7]: rows of 7
    assertEquals(new PyTorchTensorIterator.Partition(7, 0), split(new int[] {5, 1}, new int[] {1, 7}));
  }

  @Test
  void equalShapesAreOneRow() {
    assertEquals(new PyTorchTensorIterator.Partition(390, 384), split(new int[] {3, 130}, new int[] {3, 130}));
    // size-1 dimensions coalesce with anything
    assertEquals(new PyTorchTensorIterator.Partition(65, 64), split(new int[] {1, 65, 1}, new int[] {1, 65, 1}));
    // a scalar (rank 0): one element, scalar lambda
    assertEquals(new PyTorchTensorIterator.Partition(1, 0), split(new int[] {}, new int[] {}));
  }
}
