package dev.zeropoint.backends.c;

import dev.zeropoint.ir.ElementType;

/** The C type an array of the generated code holds, and its short name in kernel instance names. */
public enum CType {
  U8("uint8_t", "u8", false),
  I8("int8_t", "i8", false),
  I16("int16_t", "i16", false),
  I32("int32_t", "i32", false),
  I64("int64_t", "i64", false),
  F32("float", "f32", true),
  F64("double", "f64", true);

  private final String c;
  private final String suffix;
  private final boolean floating;

  CType(String c, String suffix, boolean floating) {
    this.c = c;
    this.suffix = suffix;
    this.floating = floating;
  }

  /** The C spelling, {@code uint8_t}. */
  public String c() {
    return c;
  }

  /** The short name used in kernel instance names, {@code u8}. */
  public String suffix() {
    return suffix;
  }

  public boolean floating() {
    return floating;
  }

  /** Bytes per element. */
  public int size() {
    return switch (this) {
      case U8, I8 -> 1;
      case I16 -> 2;
      case I32, F32 -> 4;
      case I64, F64 -> 8;
    };
  }

  /** The storage type of a tensor element. */
  public static CType of(ElementType e) {
    return switch (e) {
      case U8 -> U8;
      case I8 -> I8;
      case I16 -> I16;
      case I32 -> I32;
      case I64 -> I64;
      case F32 -> F32;
      case F64 -> F64;
    };
  }

  /** The narrowest signed type (int8, int16, int32) that holds every value of an int array. */
  public static CType narrowest(int[] values) {
    int min = 0;
    int max = 0;
    for (int v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (min >= Byte.MIN_VALUE && max <= Byte.MAX_VALUE) {
      return I8;
    }
    if (min >= Short.MIN_VALUE && max <= Short.MAX_VALUE) {
      return I16;
    }
    return I32;
  }
}
