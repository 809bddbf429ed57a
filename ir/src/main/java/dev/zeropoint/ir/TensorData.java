package dev.zeropoint.ir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Immutable tensor contents: an element type, a shape and the elements in row-major order,
 * little-endian. The buffer may be a slice of a memory-mapped weights file, so large weights are
 * never copied onto the heap. Integer elements read as {@code long}, float elements as {@code double}.
 */
public final class TensorData {
  private final ElementType elementType;
  private final Shape shape;
  private final ByteBuffer bytes;

  /**
   * Wraps {@code bytes} (from its position to its limit) without copying.
   *
   * @throws IllegalArgumentException if the byte count does not match the type and shape
   */
  public TensorData(ElementType elementType, Shape shape, ByteBuffer bytes) {
    this.elementType = Objects.requireNonNull(elementType);
    this.shape = Objects.requireNonNull(shape);
    long expected = shape.numElements() * elementType.byteSize();
    if (bytes.remaining() != expected) {
      throw new IllegalArgumentException(
          "tensor " + elementType + shape + " needs " + expected + " bytes, got " + bytes.remaining());
    }
    this.bytes = bytes.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  public static TensorData ofLongs(ElementType type, Shape shape, long... values) {
    if (type.isFloat()) {
      throw new IllegalArgumentException("ofLongs needs an integer type, got " + type);
    }
    ByteBuffer b = allocate(type, shape, values.length);
    for (long v : values) {
      if (v < type.minValue() || v > type.maxValue()) {
        throw new IllegalArgumentException("value " + v + " outside " + type + " range");
      }
      putLong(b, type, v);
    }
    return new TensorData(type, shape, b.flip());
  }

  public static TensorData ofDoubles(ElementType type, Shape shape, double... values) {
    if (!type.isFloat()) {
      throw new IllegalArgumentException("ofDoubles needs a float type, got " + type);
    }
    ByteBuffer b = allocate(type, shape, values.length);
    for (double v : values) {
      if (type == ElementType.F32) {
        b.putFloat((float) v);
      } else {
        b.putDouble(v);
      }
    }
    return new TensorData(type, shape, b.flip());
  }

  public static TensorData ofFloats(Shape shape, float... values) {
    ByteBuffer b = allocate(ElementType.F32, shape, values.length);
    for (float v : values) {
      b.putFloat(v);
    }
    return new TensorData(ElementType.F32, shape, b.flip());
  }

  private static ByteBuffer allocate(ElementType type, Shape shape, int count) {
    if (shape.numElements() != count) {
      throw new IllegalArgumentException(count + " values for shape " + shape + " of " + shape.numElements() + " elements");
    }
    return ByteBuffer.allocate(Math.multiplyExact(count, type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void putLong(ByteBuffer b, ElementType type, long v) {
    switch (type) {
      case I8, U8 -> b.put((byte) v);
      case I16 -> b.putShort((short) v);
      case I32 -> b.putInt((int) v);
      case I64 -> b.putLong(v);
      case F32, F64 -> throw new IllegalArgumentException("not an integer type: " + type);
    }
  }

  public ElementType elementType() {
    return elementType;
  }

  public Shape shape() {
    return shape;
  }

  public long size() {
    return shape.numElements();
  }

  /** A read-only little-endian view of the raw bytes, positioned at 0. */
  public ByteBuffer bytes() {
    return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Element {@code i} (row-major) of an integer tensor. */
  public long getLong(long i) {
    int at = Math.toIntExact(i * elementType.byteSize());
    return switch (elementType) {
      case I8 -> bytes.get(at);
      case U8 -> Byte.toUnsignedLong(bytes.get(at));
      case I16 -> bytes.getShort(at);
      case I32 -> bytes.getInt(at);
      case I64 -> bytes.getLong(at);
      case F32, F64 -> throw new IllegalStateException("getLong on a " + elementType + " tensor");
    };
  }

  /**
   * Every element of an integer tensor as an {@code int} ({@code (int) getLong(i)}: an i64 element
   * keeps its low 32 bits), read in bulk: a model's weights are millions of elements.
   */
  public int[] toIntArray() {
    int n = Math.toIntExact(size());
    int[] out = new int[n];
    ByteBuffer b = bytes();
    switch (elementType) {
      case I8, U8 -> {
        byte[] raw = new byte[n];
        b.get(raw);
        int mask = elementType == ElementType.U8 ? 0xff : -1;
        for (int i = 0; i < n; i++) {
          out[i] = raw[i] & mask;
        }
      }
      case I16 -> {
        short[] raw = new short[n];
        b.asShortBuffer().get(raw);
        for (int i = 0; i < n; i++) {
          out[i] = raw[i];
        }
      }
      case I32 -> b.asIntBuffer().get(out);
      case I64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (int) b.getLong(8 * i);
        }
      }
      case F32, F64 -> throw new IllegalStateException("toIntArray on a " + elementType + " tensor");
    }
    return out;
  }

  /** Element {@code i} (row-major) of a float tensor; an f32 element widens exactly. */
  public double getDouble(long i) {
    int at = Math.toIntExact(i * elementType.byteSize());
    return switch (elementType) {
      case F32 -> bytes.getFloat(at);
      case F64 -> bytes.getDouble(at);
      case I8, U8, I16, I32, I64 -> getLong(i);
    };
  }

  /**
   * Element {@code i} as its raw little-endian bits, zero-extended: the exact bits of a float
   * element (no conversion that could quiet a NaN), the two's complement of an integer element.
   */
  public long getRawBits(long i) {
    int at = Math.toIntExact(i * elementType.byteSize());
    return switch (elementType.byteSize()) {
      case 1 -> Byte.toUnsignedLong(bytes.get(at));
      case 2 -> Short.toUnsignedLong(bytes.getShort(at));
      case 4 -> Integer.toUnsignedLong(bytes.getInt(at));
      default -> bytes.getLong(at);
    };
  }

  /** Same type, shape and bytes (floats compared bit for bit). */
  public boolean contentEquals(TensorData other) {
    return elementType == other.elementType && shape.equals(other.shape) && bytes().equals(other.bytes());
  }

  @Override
  public String toString() {
    return "TensorData(" + elementType + shape + ")";
  }
}
