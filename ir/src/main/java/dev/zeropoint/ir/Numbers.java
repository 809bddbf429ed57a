package dev.zeropoint.ir;

/**
 * Number formatting for the .qg language: every float prints so that it reads back to the same
 * bits. Finite values print as the shortest decimal that rounds back (JDK 19+ {@link Float#toString}
 * and {@link Double#toString}); infinities as {@code inf}/{@code -inf}; the canonical quiet NaN as
 * {@code nan} ({@code -nan} with the sign bit) and any other NaN with its bits, {@code nan(0x7fa00001)}.
 * Constants go through raw bits so that no conversion can quiet a signalling NaN.
 */
public final class Numbers {
  private Numbers() {}

  private static final int FLOAT_NAN = 0x7fc00000;
  private static final long DOUBLE_NAN = 0x7ff8000000000000L;

  public static String formatDouble(double v) {
    return formatDoubleBits(Double.doubleToRawLongBits(v));
  }

  public static String formatDoubleBits(long bits) {
    double v = Double.longBitsToDouble(bits);
    if (Double.isNaN(v)) {
      return bits == DOUBLE_NAN ? "nan" : bits == (DOUBLE_NAN | Long.MIN_VALUE) ? "-nan"
          : String.format("nan(0x%016x)", bits);
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return Double.toString(v);
  }

  public static String formatFloat(float v) {
    return formatFloatBits(Float.floatToRawIntBits(v));
  }

  public static String formatFloatBits(int bits) {
    float v = Float.intBitsToFloat(bits);
    if (Float.isNaN(v)) {
      return bits == FLOAT_NAN ? "nan" : bits == (FLOAT_NAN | Integer.MIN_VALUE) ? "-nan"
          : String.format("nan(0x%08x)", bits);
    }
    if (Float.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return Float.toString(v);
  }

  /** Parses a .qg float literal as a double. */
  public static double parseDouble(String text) {
    return Double.longBitsToDouble(parseDoubleBits(text));
  }

  public static long parseDoubleBits(String text) {
    String t = text.startsWith("+") ? text.substring(1) : text;
    boolean negative = t.startsWith("-");
    String body = negative ? t.substring(1) : t;
    if (body.equals("inf")) {
      return Double.doubleToRawLongBits(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    }
    if (body.equals("nan")) {
      return negative ? DOUBLE_NAN | Long.MIN_VALUE : DOUBLE_NAN;
    }
    if (body.startsWith("nan(")) {
      return Long.parseUnsignedLong(body.substring(6, body.length() - 1), 16) ^ (negative ? Long.MIN_VALUE : 0);
    }
    return Double.doubleToRawLongBits(Double.parseDouble(t));
  }

  /** Parses a .qg float literal directly to float bits (not via double, which could round twice). */
  public static int parseFloatBits(String text) {
    String t = text.startsWith("+") ? text.substring(1) : text;
    boolean negative = t.startsWith("-");
    String body = negative ? t.substring(1) : t;
    if (body.equals("inf")) {
      return Float.floatToRawIntBits(negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
    }
    if (body.equals("nan")) {
      return negative ? FLOAT_NAN | Integer.MIN_VALUE : FLOAT_NAN;
    }
    if (body.startsWith("nan(")) {
      return Integer.parseUnsignedInt(body.substring(6, body.length() - 1), 16) ^ (negative ? Integer.MIN_VALUE : 0);
    }
    return Float.floatToRawIntBits(Float.parseFloat(t));
  }
}
