package dev.zeropoint.backends.accel;

/** The ALU operations of the VTA instruction family, with their {@code alu_opcode} values. */
public enum AluOp {
  MIN(0),
  MAX(1),
  ADD(2),
  /** Arithmetic shift right; a negative amount shifts left (fsim). */
  SHR(3),
  /** Wrapping int32 multiply: fsim has it, the HLS hardware does not. */
  MUL(4);

  private final int code;

  AluOp(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static AluOp ofCode(int code) {
    for (AluOp op : values()) {
      if (op.code == code) {
        return op;
      }
    }
    throw new IllegalArgumentException("no ALU opcode " + code);
  }

  /** The lane operation as fsim computes it on int32 lanes. */
  public int apply(int x, int y) {
    return switch (this) {
      case MIN -> Math.min(x, y);
      case MAX -> Math.max(x, y);
      case ADD -> x + y;
      case SHR -> y >= 0 ? x >> y : x << -y;
      case MUL -> x * y;
    };
  }
}
