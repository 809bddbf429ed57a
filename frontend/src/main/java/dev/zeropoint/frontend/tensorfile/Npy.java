package dev.zeropoint.frontend.tensorfile;

import static dev.zeropoint.frontend.tensorfile.Messages.quote;

import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * NumPy {@code .npy} files of one array.
 *
 * <p>{@link #read} accepts format versions 1.0, 2.0 and 3.0 with dtypes {@code |u1}, {@code |i1},
 * {@code <i2}, {@code <i4}, {@code <i8}, {@code <f4}, {@code <f8} in C order (byte-order rules in
 * {@link NpyHeader}); the data must be exactly as long as the shape needs. The data is memory-mapped,
 * not copied. Every other file (big-endian, Fortran order, bool, float16, complex, object,
 * structured, malformed, truncated, ...) is refused with a {@link TensorFileException}.
 *
 * <p>{@link #write} produces the bytes {@code numpy.save} produces for the same array: format 1.0
 * (2.0 only if the header needs more than 65535 bytes), little-endian, C order, the header padded
 * with spaces and a newline so the data starts at a multiple of 64 bytes. It writes a temporary
 * file in the target's directory and moves it into place, so a failure never leaves a partial file.
 */
public final class Npy {
  /**
   * NumPy's own default limit for loading ({@code max_header_size}); no header NumPy writes for a
   * supported dtype comes near it, and it bounds the work a hostile header can cause.
   */
  public static final int MAX_HEADER_LENGTH = 10_000;

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int ALIGNMENT = 64;
  // NumPy leaves room to grow the first dimension in place up to this many digits.
  private static final int GROWTH_AXIS_MAX_DIGITS = 21;

  private Npy() {}

  /** Reads the array in {@code file}, wrapping a read-only memory mapping of its data. */
  public static TensorData read(Path file) throws TensorFileException {
    try (FileChannel channel = FileIo.openForReading(file)) {
      return read(file, channel);
    } catch (IOException e) {
      throw new TensorFileException(file, "cannot close: " + Messages.describe(e), e);
    }
  }

  private static TensorData read(Path file, FileChannel channel) throws TensorFileException {
    long size = FileIo.size(file, channel);
    ByteBuffer preamble = ByteBuffer.allocate((int) Math.min(size, 12)).order(ByteOrder.LITTLE_ENDIAN);
    FileIo.readFully(file, channel, preamble, 0);
    if (size < MAGIC.length || !preamble.slice(0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
      throw new TensorFileException(file, "not a .npy file (it does not start with the \\x93NUMPY magic string)");
    }
    if (size < 8) {
      throw tooShort(file, size);
    }
    int major = Byte.toUnsignedInt(preamble.get(6));
    int minor = Byte.toUnsignedInt(preamble.get(7));
    if (minor != 0 || major < 1 || major > 3) {
      throw new TensorFileException(file, "unsupported .npy format version " + major + "." + minor
          + " (supported: 1.0, 2.0, 3.0)");
    }
    int lengthBytes = major == 1 ? 2 : 4;
    long headerStart = 8 + lengthBytes;
    if (size < headerStart) {
      throw tooShort(file, size);
    }
    long headerLength = major == 1 ? Short.toUnsignedInt(preamble.getShort(8)) : Integer.toUnsignedLong(preamble.getInt(8));
    if (headerLength > MAX_HEADER_LENGTH) {
      throw new TensorFileException(file, "header length " + headerLength + " exceeds the limit of "
          + MAX_HEADER_LENGTH + " bytes");
    }
    long dataStart = headerStart + headerLength;
    if (dataStart > size) {
      throw new TensorFileException(file, "header length " + headerLength + " runs past the end of the file ("
          + size + " bytes)");
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
    FileIo.readFully(file, channel, headerBytes, headerStart);
    NpyHeader header;
    try {
      header = NpyHeader.parse(decodeHeader(file, headerBytes, major), major);
    } catch (NpyHeader.Problem e) {
      throw new TensorFileException(file, e.getMessage(), e);
    }
    long dataLength = checkedDataLength(file, header, size - dataStart);
    return new TensorData(header.elementType(), header.shape(), FileIo.map(file, channel, dataStart, dataLength));
  }

  private static String decodeHeader(Path file, ByteBuffer bytes, int major) throws TensorFileException {
    if (major < 3) {
      return StandardCharsets.ISO_8859_1.decode(bytes).toString();
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new TensorFileException(file, "header is not valid UTF-8 (required by format version 3.0)", e);
    }
  }

  private static long checkedDataLength(Path file, NpyHeader header, long available) throws TensorFileException {
    String array = "shape " + NpyHeader.pythonShape(header.shape()) + " of " + quote(header.descr());
    long needed;
    try {
      needed = Math.multiplyExact(header.shape().numElements(), header.elementType().byteSize());
    } catch (ArithmeticException e) {
      throw new TensorFileException(file, array + " has too many elements", e);
    }
    if (available < needed) {
      throw new TensorFileException(file, "truncated: " + array + " needs " + needed + " data bytes but the file has "
          + available);
    }
    if (available > needed) {
      throw new TensorFileException(file, (available - needed) + " unexpected bytes after the array data (" + array
          + " needs " + needed + " bytes)");
    }
    if (needed > Integer.MAX_VALUE) {
      throw new TensorFileException(file, "array data is " + needed + " bytes; at most " + Integer.MAX_VALUE
          + " bytes are supported");
    }
    return needed;
  }

  private static TensorFileException tooShort(Path file, long size) {
    return new TensorFileException(file, "file is " + size + " bytes, too short for a .npy header");
  }

  /** Writes {@code data} to {@code file} atomically, replacing any existing file. */
  public static void write(Path file, TensorData data) throws TensorFileException {
    if (Files.isDirectory(file)) {
      throw new TensorFileException(file, "is a directory, not a file");
    }
    Path directory = file.toAbsolutePath().getParent();
    Path temp = createTemp(file, directory);
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        writeFully(channel, ByteBuffer.wrap(preamble(data.shape(), NpyHeader.descr(data.elementType()))));
        writeFully(channel, data.bytes());
        // Without this, a crash soon after the rename can leave the new name pointing at an empty file.
        channel.force(true);
      }
      moveIntoPlace(temp, file);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new TensorFileException(file, "cannot write: " + Messages.describe(e), e);
    } catch (RuntimeException | Error e) {
      deleteQuietly(temp);
      throw e;
    }
  }

  /** The magic string, version, header length and padded header dict, exactly as NumPy writes them. */
  static byte[] preamble(Shape shape, String descr) {
    StringBuilder dict = new StringBuilder()
        .append("{'descr': '").append(descr)
        .append("', 'fortran_order': False, 'shape': ").append(NpyHeader.pythonShape(shape)).append(", }");
    if (shape.rank() > 0) {
      dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape.dim(0)).length()));
    }
    byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
    int textWithNewline = text.length + 1;
    for (int major = 1; ; major++) {
      int prefix = MAGIC.length + 2 + (major == 1 ? 2 : 4);
      // Like NumPy: a full block of padding when already aligned, never none.
      int padding = ALIGNMENT - (prefix + textWithNewline) % ALIGNMENT;
      int headerLength = textWithNewline + padding;
      if (major == 1 && headerLength > 0xFFFF) {
        continue;
      }
      ByteBuffer b = ByteBuffer.allocate(prefix + headerLength).order(ByteOrder.LITTLE_ENDIAN);
      b.put(MAGIC).put((byte) major).put((byte) 0);
      if (major == 1) {
        b.putShort((short) headerLength);
      } else {
        b.putInt(headerLength);
      }
      b.put(text).put(" ".repeat(padding).getBytes(StandardCharsets.US_ASCII)).put((byte) '\n');
      return b.array();
    }
  }

  private static Path createTemp(Path file, Path directory) throws TensorFileException {
    // Not Files.createTempFile: its owner-only permissions would end up on the final file, where
    // NumPy's files get the usual permissions.
    HexFormat hex = HexFormat.of();
    for (int attempt = 0; ; attempt++) {
      // Only a prefix of the name, so that a name near the file system's length limit still works.
      String name = file.getFileName().toString();
      String prefix = name.substring(0, name.offsetByCodePoints(0, Math.min(name.codePointCount(0, name.length()), 32)));
      Path temp = directory.resolve("." + prefix + "." + hex.toHexDigits(ThreadLocalRandom.current().nextInt()) + ".tmp");
      try {
        Files.createFile(temp);
        return temp;
      } catch (FileAlreadyExistsException e) {
        if (attempt == 10) {
          throw new TensorFileException(file, "cannot create a temporary file in " + directory, e);
        }
      } catch (IOException e) {
        throw new TensorFileException(file, "cannot write: " + Messages.describe(e), e);
      }
    }
  }

  private static void moveIntoPlace(Path temp, Path file) throws IOException {
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  private static void deleteQuietly(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // The original failure is what the user needs to see; a stray hidden temp file is secondary.
    }
  }
}
