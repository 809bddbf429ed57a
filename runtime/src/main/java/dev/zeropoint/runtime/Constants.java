package dev.zeropoint.runtime;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The constants of a compiled model (weights laid out for its kernels, tables, parameters, the
 * tensor specs) as one binary resource next to its class: a magic, a count, then per constant a
 * tag byte ({@code I F D L B S}), its element count and its elements, big-endian.
 *
 * <p>Arrays move through a buffer of {@value #CHUNK} bytes at a time, converted in bulk: a model's
 * weights are tens of millions of elements, which one {@code writeInt} each took seconds to store
 * and to load.
 */
public final class Constants {
  private static final int MAGIC = 0x5a504b31; // "ZPK1"
  /** Bytes per bulk conversion (a multiple of 8). */
  static final int CHUNK = 1 << 16;

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

  /** The constants as the bytes of their resource. */
  public static byte[] write(Object[] constants) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      write(constants, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Writes the constants' resource to {@code stream} (not closed). */
  public static void write(Object[] constants, OutputStream stream) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeInt(MAGIC);
    out.writeInt(constants.length);
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    for (Object c : constants) {
      switch (c) {
        case int[] a -> {
          header(out, 'I', a.length);
          for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, CHUNK / 4);
            chunk.clear().asIntBuffer().put(a, i, n);
            out.write(chunk.array(), 0, 4 * n);
            i += n;
          }
        }
        case float[] a -> { // bulk copies move the bits: every NaN payload kept
          header(out, 'F', a.length);
          for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, CHUNK / 4);
            chunk.clear().asFloatBuffer().put(a, i, n);
            out.write(chunk.array(), 0, 4 * n);
            i += n;
          }
        }
        case double[] a -> {
          header(out, 'D', a.length);
          for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, CHUNK / 8);
            chunk.clear().asDoubleBuffer().put(a, i, n);
            out.write(chunk.array(), 0, 8 * n);
            i += n;
          }
        }
        case long[] a -> {
          header(out, 'L', a.length);
          for (int i = 0; i < a.length; ) {
            int n = Math.min(a.length - i, CHUNK / 8);
            chunk.clear().asLongBuffer().put(a, i, n);
            out.write(chunk.array(), 0, 8 * n);
            i += n;
          }
        }
        case byte[] a -> {
          header(out, 'B', a.length);
          out.write(a);
        }
        case String s -> {
          byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
          header(out, 'S', utf8.length);
          out.write(utf8);
        }
        default -> throw new IllegalArgumentException("cannot store a constant of " + c.getClass());
      }
    }
    out.flush();
  }

  private static void header(DataOutputStream out, char tag, int length) throws IOException {
    out.writeByte(tag);
    out.writeInt(length);
  }

  public static Object[] read(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(stream, CHUNK));
    if (in.readInt() != MAGIC) {
      throw new IOException("not a Zeropoint constants file");
    }
    int count = in.readInt();
    if (count < 0) {
      throw new IOException("bad constant count " + count);
    }
    Object[] out = new Object[count];
    byte[] chunk = new byte[CHUNK];
    ByteBuffer buffer = ByteBuffer.wrap(chunk);
    for (int i = 0; i < out.length; i++) {
      int tag = in.readByte();
      int n = in.readInt();
      if (n < 0) {
        throw new IOException("bad length " + n + " of constant " + i);
      }
      out[i] = switch (tag) {
        case 'I' -> {
          int[] a = new int[n];
          for (int j = 0; j < n; ) {
            int m = Math.min(n - j, CHUNK / 4);
            in.readFully(chunk, 0, 4 * m);
            buffer.clear().asIntBuffer().get(a, j, m);
            j += m;
          }
          yield a;
        }
        case 'F' -> {
          float[] a = new float[n];
          for (int j = 0; j < n; ) {
            int m = Math.min(n - j, CHUNK / 4);
            in.readFully(chunk, 0, 4 * m);
            buffer.clear().asFloatBuffer().get(a, j, m);
            j += m;
          }
          yield a;
        }
        case 'D' -> {
          double[] a = new double[n];
          for (int j = 0; j < n; ) {
            int m = Math.min(n - j, CHUNK / 8);
            in.readFully(chunk, 0, 8 * m);
            buffer.clear().asDoubleBuffer().get(a, j, m);
            j += m;
          }
          yield a;
        }
        case 'L' -> {
          long[] a = new long[n];
          for (int j = 0; j < n; ) {
            int m = Math.min(n - j, CHUNK / 8);
            in.readFully(chunk, 0, 8 * m);
            buffer.clear().asLongBuffer().get(a, j, m);
            j += m;
          }
          yield a;
        }
        case 'B' -> bytes(in, n);
        case 'S' -> new String(bytes(in, n), StandardCharsets.UTF_8);
        default -> throw new IOException("bad constant tag " + tag);
      };
    }
    return out;
  }

  private static byte[] bytes(DataInputStream in, int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new EOFException("constants end inside a constant");
    }
    return b;
  }
}
