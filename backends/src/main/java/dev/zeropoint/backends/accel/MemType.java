package dev.zeropoint.backends.accel;

/** The {@code memory_type} of a LOAD or STORE: which on-chip buffer, and the DRAM element it moves. */
public enum MemType {
  UOP(0),
  WGT(1),
  INP(2),
  ACC(3),
  OUT(4),
  /** int8 values in DRAM, sign-extended into the 32-bit accumulators. */
  ACC_8BIT(5);

  private final int code;

  MemType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static MemType ofCode(int code) {
    for (MemType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("no memory type " + code);
  }
}
