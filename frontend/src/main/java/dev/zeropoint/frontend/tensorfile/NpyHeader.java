package dev.zeropoint.frontend.tensorfile;

import static dev.zeropoint.frontend.tensorfile.Messages.quote;

import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dict literal of a .npy header: {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}.
 *
 * <p>Byte orders: {@code '<'} is little-endian. {@code '|'} (not applicable), {@code '='} and no
 * prefix mean the writer's native order; NumPy reads them in the reader's native order, which is
 * little-endian on every platform Zeropoint supports, so they are accepted as little-endian.
 * {@code '>'} (big-endian) is refused except for one-byte types, where NumPy itself treats it as
 * {@code '|'}.
 */
record NpyHeader(ElementType elementType, Shape shape, String descr) {
  static final String SUPPORTED = "|u1, |i1, <i2, <i4, <i8, <f4, <f8";

  private static final List<String> KEYS = List.of("descr", "fortran_order", "shape");

  /** A malformed or unacceptable header; the message names the problem, not the file. */
  static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;

    Problem(String message) {
      super(message);
    }
  }

  /** Python-style text of a shape: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
  static String pythonShape(Shape shape) {
    if (shape.rank() == 1) {
      return "(" + shape.dim(0) + ",)";
    }
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.rank(); i++) {
      b.append(i == 0 ? "" : ", ").append(shape.dim(i));
    }
    return b.append(')').toString();
  }

  /** The descr NumPy writes for {@code type}. */
  static String descr(ElementType type) {
    return switch (type) {
      case U8 -> "|u1";
      case I8 -> "|i1";
      case I16 -> "<i2";
      case I32 -> "<i4";
      case I64 -> "<i8";
      case F32 -> "<f4";
      case F64 -> "<f8";
    };
  }

  static NpyHeader parse(String text, int majorVersion) throws Problem {
    Object literal;
    try {
      literal = PyLiteral.parse(text, majorVersion < 3);
    } catch (PyLiteral.SyntaxError e) {
      throw new Problem("malformed header: " + e.getMessage());
    }
    if (!(literal instanceof PyLiteral.Dict dict)) {
      throw new Problem("header is not a dict literal but " + PyLiteral.repr(literal));
    }
    Map<String, Object> fields = new HashMap<>();
    for (Map.Entry<Object, Object> e : dict.entries()) {
      if (!(e.getKey() instanceof String key)) {
        throw new Problem("header has a non-string key " + PyLiteral.repr(e.getKey()));
      }
      if (!KEYS.contains(key)) {
        throw new Problem("header has unexpected key " + quote(key));
      }
      if (fields.put(key, e.getValue()) != null) {
        throw new Problem("header has duplicate key " + quote(key));
      }
    }
    for (String key : KEYS) {
      if (!fields.containsKey(key)) {
        throw new Problem("header has no " + quote(key) + " key");
      }
    }
    ElementType type = elementType(fields.get("descr"));
    checkFortranOrder(fields.get("fortran_order"));
    return new NpyHeader(type, shape(fields.get("shape")), (String) fields.get("descr"));
  }

  private static ElementType elementType(Object descr) throws Problem {
    if (descr instanceof List<?>) {
      throw new Problem("structured dtype " + PyLiteral.repr(descr) + " is not supported; supported: " + SUPPORTED);
    }
    if (!(descr instanceof String s)) {
      throw new Problem("descr must be a string, got " + PyLiteral.repr(descr));
    }
    char order = s.isEmpty() ? ' ' : s.charAt(0);
    String code = "<|=>".indexOf(order) >= 0 ? s.substring(1) : s;
    ElementType type = switch (code) {
      case "u1" -> ElementType.U8;
      case "i1" -> ElementType.I8;
      case "i2" -> ElementType.I16;
      case "i4" -> ElementType.I32;
      case "i8" -> ElementType.I64;
      case "f4" -> ElementType.F32;
      case "f8" -> ElementType.F64;
      default -> throw new Problem("unsupported dtype " + quote(s) + kindOf(code) + "; supported: " + SUPPORTED);
    };
    if (order == '>' && type.byteSize() > 1) {
      throw new Problem("big-endian dtype " + quote(s) + " is not supported; save it little-endian, e.g. with a.astype('<"
          + code + "')");
    }
    return type;
  }

  /** What kind of data a dtype code holds, for messages: {@code " (float16)"}, or empty if unknown. */
  private static String kindOf(String code) {
    if (code.isEmpty()) {
      return "";
    }
    String kind = switch (code.charAt(0)) {
      case 'b', '?' -> "bool";
      case 'i' -> "int";
      case 'u' -> "uint";
      case 'f' -> "float";
      case 'c' -> "complex";
      case 'O' -> "Python object";
      case 'S', 'a' -> "byte string";
      case 'U' -> "unicode string";
      case 'V' -> "raw bytes";
      case 'M' -> "datetime";
      case 'm' -> "timedelta";
      default -> null;
    };
    if (kind == null) {
      return "";
    }
    String size = code.substring(1);
    boolean numeric = "iufc".indexOf(code.charAt(0)) >= 0;
    if (numeric && size.matches("[1-9]\\d{0,2}")) {
      return " (" + kind + (Integer.parseInt(size) * 8) + ")";
    }
    return " (" + kind + ")";
  }

  private static void checkFortranOrder(Object fortranOrder) throws Problem {
    if (!(fortranOrder instanceof Boolean b)) {
      throw new Problem("fortran_order must be True or False, got " + PyLiteral.repr(fortranOrder));
    }
    if (b) {
      throw new Problem("fortran_order is True: column-major arrays are not supported; save a C-order array"
          + " (np.ascontiguousarray)");
    }
  }

  private static Shape shape(Object shape) throws Problem {
    if (!(shape instanceof PyLiteral.Tuple tuple)
        || !tuple.items().stream().allMatch(item -> item instanceof BigInteger)) {
      throw new Problem("shape must be a tuple of integers, got " + PyLiteral.repr(shape));
    }
    ImmutableIntArray.Builder dims = ImmutableIntArray.builder(tuple.items().size());
    for (Object item : tuple.items()) {
      BigInteger dim = (BigInteger) item;
      if (dim.signum() < 0) {
        throw new Problem("shape " + PyLiteral.repr(shape) + " has a negative dimension");
      }
      if (dim.bitLength() > 31) {
        throw new Problem("shape " + PyLiteral.repr(shape) + " has a dimension larger than " + Integer.MAX_VALUE);
      }
      dims.add(dim.intValue());
    }
    return new Shape(dims.build());
  }
}
