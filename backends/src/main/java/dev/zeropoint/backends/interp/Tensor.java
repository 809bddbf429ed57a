package dev.zeropoint.backends.interp;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tensor while the interpreter runs: its type and its elements in row-major order, in one of
 * four arrays by element type. f32 in {@code f32}; f64 in {@code f64}; every integer type up to
 * 32 bits (i8, u8, i16, i32, and the storage of quantized tensors) in {@code ints}, holding the
 * integer value itself (a u8 of 255 is 255); i64 in {@code i64}. Exactly one array is non-null.
 */
public final class Tensor {
  public final TensorType type;
  public final float[] f32;
  public final double[] f64;
  public final int[] ints;
  public final long[] i64;

  private Tensor(TensorType type, float[] f32, double[] f64, int[] ints, long[] i64) {
    this.type = type;
    this.f32 = f32;
    this.f64 = f64;
    this.ints = ints;
    this.i64 = i64;
  }

  /** A zero-filled tensor of the given type. */
  public static Tensor zeros(TensorType type) {
    int n = Math.toIntExact(type.shape().numElements());
    return switch (type.elementType()) {
      case F32 -> new Tensor(type, new float[n], null, null, null);
      case F64 -> new Tensor(type, null, new double[n], null, null);
      case I8, U8, I16, I32 -> new Tensor(type, null, null, new int[n], null);
      case I64 -> new Tensor(type, null, null, null, new long[n]);
    };
  }

  public static Tensor ofFloats(TensorType type, float[] values) {
    check(type, ElementType.F32, values.length);
    return new Tensor(type, values, null, null, null);
  }

  public static Tensor ofInts(TensorType type, int[] values) {
    ElementType e = type.elementType();
    if (e != ElementType.I8 && e != ElementType.U8 && e != ElementType.I16 && e != ElementType.I32) {
      throw new IllegalArgumentException("int[] storage is for i8, u8, i16, i32, not " + e);
    }
    if (type.shape().numElements() != values.length) {
      throw new IllegalArgumentException(values.length + " values for " + type);
    }
    return new Tensor(type, null, null, values, null);
  }

  private static void check(TensorType type, ElementType expected, int length) {
    if (type.elementType() != expected || type.shape().numElements() != length) {
      throw new IllegalArgumentException(length + " " + expected + " values for " + type);
    }
  }

  /** The same elements seen with another type of the same element type and size (reshape, flatten). */
  public Tensor withType(TensorType newType) {
    if (newType.elementType() != type.elementType() || newType.shape().numElements() != size()) {
      throw new IllegalArgumentException("cannot view " + type + " as " + newType);
    }
    return new Tensor(newType, f32, f64, ints, i64);
  }

  public Shape shape() {
    return type.shape();
  }

  public int size() {
    return Math.toIntExact(type.shape().numElements());
  }

  /** Reads a graph input or constant; integer elements must fit the type (TensorData guarantees it). */
  public static Tensor from(TensorData data, TensorType type) {
    if (data.elementType() != type.elementType() || !data.shape().equals(type.shape())) {
      throw new IllegalArgumentException("data " + data + " does not fit " + type);
    }
    Tensor t = zeros(type);
    ByteBuffer b = data.bytes();
    int n = t.size();
    switch (type.elementType()) {
      case F32 -> b.asFloatBuffer().get(t.f32, 0, n);
      case F64 -> b.asDoubleBuffer().get(t.f64, 0, n);
      case I64 -> b.asLongBuffer().get(t.i64, 0, n);
      case I32 -> b.asIntBuffer().get(t.ints, 0, n);
      case I16 -> {
        for (int i = 0; i < n; i++) {
          t.ints[i] = b.getShort(2 * i);
        }
      }
      case I8 -> {
        for (int i = 0; i < n; i++) {
          t.ints[i] = b.get(i);
        }
      }
      case U8 -> {
        for (int i = 0; i < n; i++) {
          t.ints[i] = Byte.toUnsignedInt(b.get(i));
        }
      }
    }
    return t;
  }

  /** The elements as tensor data of the storage element type. */
  public TensorData toData() {
    ElementType e = type.elementType();
    int n = size();
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(n, e.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    switch (e) {
      case F32 -> b.asFloatBuffer().put(f32);
      case F64 -> b.asDoubleBuffer().put(f64);
      case I64 -> b.asLongBuffer().put(i64);
      case I32 -> b.asIntBuffer().put(ints);
      case I16 -> {
        for (int i = 0; i < n; i++) {
          b.putShort(2 * i, (short) ints[i]);
        }
      }
      case I8, U8 -> {
        for (int i = 0; i < n; i++) {
          b.put(i, (byte) ints[i]);
        }
      }
    }
    return new TensorData(e, type.shape(), b);
  }

  @Override
  public String toString() {
    return "Tensor(" + type + ")";
  }
}
