package dev.zeropoint.ir;

import java.util.Optional;

/**
 * Storage element types. Quantized tensors use an integer element type for storage plus
 * quantization parameters in their {@link TensorType}.
 */
public enum ElementType {
  F32("f32", 4, true, 0, 0),
  F64("f64", 8, true, 0, 0),
  I8("i8", 1, false, -128, 127),
  U8("u8", 1, false, 0, 255),
  I16("i16", 2, false, Short.MIN_VALUE, Short.MAX_VALUE),
  I32("i32", 4, false, Integer.MIN_VALUE, Integer.MAX_VALUE),
  I64("i64", 8, false, Long.MIN_VALUE, Long.MAX_VALUE);

  private final String keyword;
  private final int byteSize;
  private final boolean isFloat;
  private final long minValue;
  private final long maxValue;

  ElementType(String keyword, int byteSize, boolean isFloat, long minValue, long maxValue) {
    this.keyword = keyword;
    this.byteSize = byteSize;
    this.isFloat = isFloat;
    this.minValue = minValue;
    this.maxValue = maxValue;
  }

  /** The name used in the .qg language: {@code f32}, {@code u8}, ... */
  public String keyword() {
    return keyword;
  }

  public int byteSize() {
    return byteSize;
  }

  public boolean isFloat() {
    return isFloat;
  }

  public boolean isInteger() {
    return !isFloat;
  }

  /** Smallest representable value of an integer type (0 for float types). */
  public long minValue() {
    return minValue;
  }

  /** Largest representable value of an integer type (0 for float types). */
  public long maxValue() {
    return maxValue;
  }

  /** Whether quantized tensors may use this type for storage. */
  public boolean isQuantizedStorage() {
    return this == I8 || this == U8 || this == I16 || this == I32;
  }

  public static Optional<ElementType> fromKeyword(String keyword) {
    for (ElementType t : values()) {
      if (t.keyword.equals(keyword)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return keyword;
  }
}
