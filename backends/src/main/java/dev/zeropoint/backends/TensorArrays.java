package dev.zeropoint.backends;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;

/**
 * Tensors as the arrays compiled models read and write: {@code float[]} for f32, {@code int[]} for
 * every integer type up to 32 bits (the JVM backend's run-time arrays, the C backend's .npy files).
 */
public final class TensorArrays {
  private TensorArrays() {}

  /** The tensor's elements as {@code float[]} (f32, by their bits) or {@code int[]}. */
  public static Object toArray(TensorData d, ElementType e) {
    int n = Math.toIntExact(d.size());
    if (e == ElementType.F32) {
      float[] f = new float[n];
      for (int i = 0; i < n; i++) {
        f[i] = Float.intBitsToFloat((int) d.getRawBits(i));
      }
      return f;
    }
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = (int) d.getLong(i);
    }
    return a;
  }

  public static TensorData fromArray(Object array, ElementType e, Shape shape) {
    if (array instanceof float[] f) {
      return TensorData.ofFloats(shape, f);
    }
    int[] a = (int[]) array;
    long[] l = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      l[i] = a[i];
    }
    return TensorData.ofLongs(e, shape, l);
  }
}
