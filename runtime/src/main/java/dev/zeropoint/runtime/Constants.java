package dev.zeropoint.runtime;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The constants of a compiled model (weights laid out for its kernels, tables, parameters, the
 * tensor specs) as one binary resource next to its class: a magic, a count, then per constant a
 * tag byte and its elements, big-endian.
 */
public final class Constants {
  private static final int MAGIC = 0x5a504b31; // "ZPK1"

  private Constants() {}

  /** The resource a compiled class {@code a.b.C} reads: {@code C.zpk} beside it. */
  public static String resourceName(String simpleName) {
    return simpleName + ".zpk";
  }

  /** Reads the constants of a compiled model class from its jar. */
  public static Object[] load(Class<?> model) {
    try (InputStream in = model.getResourceAsStream(resourceName(model.getSimpleName()))) {
      if (in == null) {
        throw new IllegalStateException("the constants of " + model.getName() + " (" + resourceName(model.getSimpleName())
            + ") are not on the class path");
      }
      return read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the constants of " + model.getName(), e);
    }
  }

  public static byte[] write(Object[] constants) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(MAGIC);
      out.writeInt(constants.length);
      for (Object c : constants) {
        switch (c) {
          case int[] a -> {
            out.writeByte('I');
            out.writeInt(a.length);
            for (int v : a) {
              out.writeInt(v);
            }
          }
          case float[] a -> {
            out.writeByte('F');
            out.writeInt(a.length);
            for (float v : a) {
              out.writeInt(Float.floatToRawIntBits(v));
            }
          }
          case double[] a -> {
            out.writeByte('D');
            out.writeInt(a.length);
            for (double v : a) {
              out.writeLong(Double.doubleToRawLongBits(v));
            }
          }
          case long[] a -> {
            out.writeByte('L');
            out.writeInt(a.length);
            for (long v : a) {
              out.writeLong(v);
            }
          }
          case byte[] a -> {
            out.writeByte('B');
            out.writeInt(a.length);
            out.write(a);
          }
          case String s -> {
            out.writeByte('S');
            byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(utf8.length);
            out.write(utf8);
          }
          default -> throw new IllegalArgumentException("cannot store a constant of " + c.getClass());
        }
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Object[] read(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(stream, 1 << 16));
    if (in.readInt() != MAGIC) {
      throw new IOException("not a Zeropoint constants file");
    }
    Object[] out = new Object[in.readInt()];
    for (int i = 0; i < out.length; i++) {
      int tag = in.readByte();
      int n = in.readInt();
      out[i] = switch (tag) {
        case 'I' -> {
          int[] a = new int[n];
          for (int j = 0; j < n; j++) {
            a[j] = in.readInt();
          }
          yield a;
        }
        case 'F' -> {
          float[] a = new float[n];
          for (int j = 0; j < n; j++) {
            a[j] = Float.intBitsToFloat(in.readInt());
          }
          yield a;
        }
        case 'D' -> {
          double[] a = new double[n];
          for (int j = 0; j < n; j++) {
            a[j] = Double.longBitsToDouble(in.readLong());
          }
          yield a;
        }
        case 'L' -> {
          long[] a = new long[n];
          for (int j = 0; j < n; j++) {
            a[j] = in.readLong();
          }
          yield a;
        }
        case 'B' -> in.readNBytes(n);
        case 'S' -> new String(in.readNBytes(n), java.nio.charset.StandardCharsets.UTF_8);
        default -> throw new IOException("bad constant tag " + tag);
      };
    }
    return out;
  }
}
