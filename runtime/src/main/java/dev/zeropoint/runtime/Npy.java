package dev.zeropoint.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The .npy files a compiled model reads and writes when run from the command line: C-order,
 * little-endian {@code <f4}, {@code |u1}, {@code |i1}, {@code <i2}, {@code <i4} arrays.
 */
public final class Npy {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** An array read from a file: {@code float[]} for f4, {@code int[]} otherwise, and its shape. */
  public record Array(String elementType, int[] shape, Object data) {}

  public static Array read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < 10 || b.get() != (byte) 0x93 || b.get() != 'N' || b.get() != 'U' || b.get() != 'M'
        || b.get() != 'P' || b.get() != 'Y') {
      throw new IOException(file + ": not a .npy file");
    }
    int major = b.get();
    b.get();
    int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
    if (headerLength > b.remaining()) {
      throw new IOException(file + ": truncated header");
    }
    byte[] header = new byte[headerLength];
    b.get(header);
    String h = new String(header, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(h);
    Matcher f = FORTRAN.matcher(h);
    Matcher s = SHAPE.matcher(h);
    if (!d.find() || !f.find() || !s.find()) {
      throw new IOException(file + ": unreadable header " + h.strip());
    }
    if (f.group(1).equals("True")) {
      throw new IOException(file + ": Fortran-order arrays are not supported");
    }
    String[] dims = s.group(1).split(",");
    int count = 0;
    int[] shape = new int[dims.length];
    long n = 1;
    for (String dim : dims) {
      if (!dim.isBlank()) {
        shape[count] = Integer.parseInt(dim.strip());
        n *= shape[count++];
      }
    }
    shape = java.util.Arrays.copyOf(shape, count);
    String descr = d.group(1);
    int width = switch (descr) {
      case "<f4", "<i4" -> 4;
      case "<i2" -> 2;
      case "|u1", "|i1" -> 1;
      default -> throw new IOException(file + ": dtype " + descr + " is not supported (f4, u1, i1, i2, i4)");
    };
    if (n * width != b.remaining()) {
      throw new IOException(file + ": " + b.remaining() + " data bytes for " + n + " elements of " + descr);
    }
    int size = (int) n;
    return switch (descr) {
      case "<f4" -> {
        float[] a = new float[size];
        b.asFloatBuffer().get(a);
        yield new Array("f32", shape, a);
      }
      case "<i4" -> {
        int[] a = new int[size];
        b.asIntBuffer().get(a);
        yield new Array("i32", shape, a);
      }
      case "<i2" -> {
        int[] a = new int[size];
        for (int i = 0; i < size; i++) {
          a[i] = b.getShort();
        }
        yield new Array("i16", shape, a);
      }
      default -> {
        boolean unsigned = descr.equals("|u1");
        int[] a = new int[size];
        for (int i = 0; i < size; i++) {
          a[i] = unsigned ? Byte.toUnsignedInt(b.get()) : b.get();
        }
        yield new Array(unsigned ? "u8" : "i8", shape, a);
      }
    };
  }

  /** Writes {@code data} ({@code float[]} or {@code int[]}) with the dtype of {@code elementType}, atomically. */
  public static void write(Path file, String elementType, int[] shape, Object data) throws IOException {
    String descr = switch (elementType) {
      case "f32" -> "<f4";
      case "u8" -> "|u1";
      case "i8" -> "|i1";
      case "i16" -> "<i2";
      case "i32" -> "<i4";
      default -> throw new IOException("cannot write " + elementType + " to .npy");
    };
    StringBuilder dims = new StringBuilder();
    for (int d : shape) {
      dims.append(d).append(", ");
    }
    if (shape.length > 1) {
      dims.setLength(dims.length() - 2);
    } else if (shape.length == 1) {
      dims.setLength(dims.length() - 1);
    }
    String h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims.toString().strip() + "), }";
    int total = 10 + h.length() + 1;
    int padded = (total + 63) / 64 * 64;
    String header = h + " ".repeat(padded - total) + "\n";
    int n = data instanceof float[] f ? f.length : ((int[]) data).length;
    int width = descr.endsWith("4") ? 4 : descr.endsWith("2") ? 2 : 1;
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + n * width).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
    if (data instanceof float[] f) {
      for (float v : f) {
        b.putFloat(v);
      }
    } else {
      for (int v : (int[]) data) {
        switch (width) {
          case 4 -> b.putInt(v);
          case 2 -> b.putShort((short) v);
          default -> b.put((byte) v);
        }
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, b.array());
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
