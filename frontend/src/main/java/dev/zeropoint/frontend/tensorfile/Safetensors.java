package dev.zeropoint.frontend.tensorfile;

import static dev.zeropoint.frontend.tensorfile.Messages.quote;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A safetensors file opened for reading tensors by name.
 *
 * <p>{@link #open} reads and validates only the header; the whole file must be valid (see the
 * rules below) and every tensor must have a supported dtype (I8, U8, I16, I32, I64, F32, F64), so
 * every {@link #read} of an opened file succeeds unless the file changes underneath. {@link #read}
 * memory-maps just that tensor's bytes, so a multi-gigabyte weights file is never copied onto the
 * heap; a single tensor is limited to {@value Integer#MAX_VALUE} bytes.
 *
 * <p>Validation: a little-endian u64 header length of at most {@value #MAX_HEADER_LENGTH} bytes
 * that fits in the file; a UTF-8 JSON object with no duplicate keys; each tensor entry an object
 * with {@code dtype}, {@code shape} (non-negative integers) and {@code data_offsets} (two
 * non-negative integers {@code [begin, end]}, relative to the end of the header) whose byte count
 * matches dtype and shape; an optional {@code __metadata__} object of strings; and tensors that
 * tile the data section exactly, without overlaps or gaps, as the reference implementation
 * requires. Any violation, and any I/O failure, is a {@link TensorFileException}.
 *
 * <p>Closing releases the file; tensors already read stay valid (a mapping outlives its channel).
 * Not safe for use by several threads while it is being closed; otherwise reads may be concurrent.
 */
public final class Safetensors implements AutoCloseable {
  /** The reference implementation's limit; a larger header is refused before anything is allocated. */
  public static final long MAX_HEADER_LENGTH = 100_000_000L;

  private static final int LENGTH_BYTES = 8;

  /**
   * One tensor of the file. {@code begin} and {@code end} are byte offsets into the data section
   * (which follows the header), {@code end} exclusive.
   */
  public record Entry(String name, ElementType elementType, Shape shape, long begin, long end) {
    public Entry {
      Objects.requireNonNull(name);
      Objects.requireNonNull(elementType);
      Objects.requireNonNull(shape);
    }

    public long byteSize() {
      return end - begin;
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private Safetensors(Path file, FileChannel channel, long dataStart, SafetensorsHeader header) {
    this.file = file;
    this.channel = channel;
    this.dataStart = dataStart;
    this.entries = header.entries();
    this.metadata = header.metadata();
  }

  /** Opens {@code file} and validates its header; the tensor data is read lazily by {@link #read}. */
  public static Safetensors open(Path file) throws TensorFileException {
    FileChannel channel = FileIo.openForReading(file);
    try {
      long size = FileIo.size(file, channel);
      if (size < LENGTH_BYTES) {
        throw new TensorFileException(file, "file is " + size + " bytes, too short for the 8-byte header length");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(LENGTH_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      FileIo.readFully(file, channel, lengthBytes, 0);
      long headerLength = lengthBytes.getLong(0);
      // Unsigned: a length of 2^63 or more reads as negative and must count as too large.
      if (Long.compareUnsigned(headerLength, MAX_HEADER_LENGTH) > 0) {
        throw new TensorFileException(file, "header length " + Long.toUnsignedString(headerLength)
            + " exceeds the limit of " + MAX_HEADER_LENGTH + " bytes");
      }
      if (headerLength > size - LENGTH_BYTES) {
        throw new TensorFileException(file, "header length " + headerLength + " runs past the end of the file ("
            + size + " bytes)");
      }
      ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
      FileIo.readFully(file, channel, headerBytes, LENGTH_BYTES);
      long dataStart = LENGTH_BYTES + headerLength;
      SafetensorsHeader header = SafetensorsHeader.parse(file, headerBytes, size - dataStart);
      return new Safetensors(file, channel, dataStart, header);
    } catch (TensorFileException | RuntimeException | Error e) {
      FileIo.closeQuietly(channel);
      throw e;
    }
  }

  /** The file as named to {@link #open}. */
  public Path file() {
    return file;
  }

  /** The tensor names, in the order of the header. */
  public Set<String> names() {
    return entries.keySet();
  }

  public Optional<Entry> entry(String name) {
    return Optional.ofNullable(entries.get(name));
  }

  /** The {@code __metadata__} strings, empty if the header has none. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The tensor {@code name}, wrapping a read-only memory mapping of its bytes.
   *
   * @throws TensorFileException if there is no such tensor, it is larger than {@value
   *     Integer#MAX_VALUE} bytes, or mapping fails
   * @throws IllegalStateException if this file has been closed
   */
  public TensorData read(String name) throws TensorFileException {
    Entry e = entries.get(name);
    if (e == null) {
      throw new TensorFileException(file, "no tensor named " + quote(name));
    }
    if (e.byteSize() > Integer.MAX_VALUE) {
      throw new TensorFileException(file, "tensor " + quote(name) + " is " + e.byteSize()
          + " bytes; a tensor can be at most " + Integer.MAX_VALUE + " bytes");
    }
    if (!channel.isOpen()) {
      throw new IllegalStateException(file + " is closed");
    }
    ByteBuffer bytes = FileIo.map(file, channel, dataStart + e.begin(), e.byteSize());
    return new TensorData(e.elementType(), e.shape(), bytes);
  }

  @Override
  public void close() {
    FileIo.closeQuietly(channel);
  }

  @Override
  public String toString() {
    return "Safetensors(" + file + ", " + entries.size() + " tensors)";
  }
}
