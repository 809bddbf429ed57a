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
          writeChunks(out, chunk, a.length, 4, (b, i, n) -> b.asIntBuffer().put(a, i, n));
        }
        case float[] a -> { // bulk copies move the bits: every NaN payload kept
          header(out, 'F', a.length);
          writeChunks(out, chunk, a.length, 4, (b, i, n) -> b.asFloatBuffer().put(a, i, n));
        }
        case double[] a -> {
          header(out, 'D', a.length);
          writeChunks(out, chunk, a.length, 8, (b, i, n) -> b.asDoubleBuffer().put(a, i, n));
        }
        case long[] a -> {
          header(out, 'L', a.length);
          writeChunks(out, chunk, a.length, 8, (b, i, n) -> b.asLongBuffer().put(a, i, n));
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

  /** Moves elements {@code from .. from + count} of an array between the chunk and the array. */
  @FunctionalInterface
  private interface Copy {
    void copy(ByteBuffer chunk, int from, int count);
  }

  /** Writes {@code count} elements of {@code size} bytes a chunk at a time, {@code fill} putting them in it. */
  private static void writeChunks(DataOutputStream out, ByteBuffer chunk, int count, int size, Copy fill)
      throws IOException {
    for (int i = 0; i < count; ) {
      int n = Math.min(count - i, CHUNK / size);
      fill.copy(chunk.clear(), i, n);
      out.write(chunk.array(), 0, size * n);
      i += n;
    }
  }

  /** Reads {@code count} elements of {@code size} bytes a chunk at a time, {@code drain} taking them from it. */
  private static void readChunks(DataInputStream in, ByteBuffer chunk, int count, int size, Copy drain)
      throws IOException {
    for (int i = 0; i < count; ) {
      int n = Math.min(count - i, CHUNK / size);
      in.readFully(chunk.array(), 0, size * n);
      drain.copy(chunk.clear(), i, n);
      i += n;
    }
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
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    for (int i = 0; i < out.length; i++) {
      int tag = in.readByte();
      int n = in.readInt();
      if (n < 0) {
        throw new IOException("bad length " + n + " of constant " + i);
      }
      out[i] = switch (tag) {
        case 'I' -> {
          int[] a = new int[n];
          readChunks(in, chunk, n, 4, (b, j, m) -> b.asIntBuffer().get(a, j, m));
          yield a;
        }
        case 'F' -> {
          float[] a = new float[n];
          readChunks(in, chunk, n, 4, (b, j, m) -> b.asFloatBuffer().get(a, j, m));
          yield a;
        }
        case 'D' -> {
          double[] a = new double[n];
          readChunks(in, chunk, n, 8, (b, j, m) -> b.asDoubleBuffer().get(a, j, m));
          yield a;
        }
        case 'L' -> {
          long[] a = new long[n];
          readChunks(in, chunk, n, 8, (b, j, m) -> b.asLongBuffer().get(a, j, m));
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
