package dev.zeropoint.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.onnx.proto.OnnxModel.StringStringEntryProto;
import dev.zeropoint.onnx.proto.OnnxModel.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * ONNX tensors ({@code TensorProto}) as {@link TensorData}: the typed fields or {@code raw_data}
 * (little-endian), or external data in a file beside the model. ONNX's bool becomes u8.
 */
public final class OnnxTensors {
  private OnnxTensors() {}

  /** The element type of an ONNX data type number, or empty when Zeropoint has none for it. */
  public static Optional<ElementType> elementType(int onnxType) {
    return Optional.ofNullable(switch (onnxType) {
      case TensorProto.DataType.FLOAT_VALUE -> ElementType.F32;
      case TensorProto.DataType.DOUBLE_VALUE -> ElementType.F64;
      case TensorProto.DataType.UINT8_VALUE, TensorProto.DataType.BOOL_VALUE -> ElementType.U8;
      case TensorProto.DataType.INT8_VALUE -> ElementType.I8;
      case TensorProto.DataType.INT16_VALUE -> ElementType.I16;
      case TensorProto.DataType.INT32_VALUE -> ElementType.I32;
      case TensorProto.DataType.INT64_VALUE -> ElementType.I64;
      default -> null;
    });
  }

  /** ONNX's name of a data type number, for messages. */
  public static String typeName(int onnxType) {
    TensorProto.DataType t = TensorProto.DataType.forNumber(onnxType);
    return t == null ? "data type " + onnxType : t.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Reads a serialized {@code TensorProto} file (the conformance suite's {@code input_0.pb}). */
  public static TensorData readFile(Path file) throws OnnxException {
    try (InputStream in = Files.newInputStream(file)) {
      CodedInputStream c = CodedInputStream.newInstance(in);
      c.setSizeLimit(Integer.MAX_VALUE);
      return read(TensorProto.parseFrom(c), file.toAbsolutePath().getParent());
    } catch (InvalidProtocolBufferException | ArithmeticException | IllegalArgumentException e) {
      throw new OnnxException("not a serialized ONNX tensor (" + e.getMessage() + ")");
    } catch (NoSuchFileException e) {
      throw new OnnxException("no such file");
    } catch (IOException e) {
      throw new OnnxException("cannot read: " + e.getMessage());
    }
  }

  /**
   * The tensor's data.
   *
   * @param baseDir where external data files are looked up (the model's directory)
   */
  public static TensorData read(TensorProto t, Path baseDir) throws OnnxException {
    String what = "tensor '" + t.getName() + "'";
    ElementType e = elementType(t.getDataType()).orElseThrow(() -> new OnnxException(
        what + " holds " + typeName(t.getDataType()) + ", which Zeropoint does not support"));
    int[] dims = new int[t.getDimsCount()];
    for (int i = 0; i < dims.length; i++) {
      long d = t.getDims(i);
      if (d < 0 || d > Integer.MAX_VALUE) {
        throw new OnnxException(what + " has dimension " + d);
      }
      dims[i] = (int) d;
    }
    Shape shape = Shape.of(dims);
    long count = shape.numElements();
    long bytes = Math.multiplyExact(count, (long) e.byteSize());
    if (bytes > Integer.MAX_VALUE) {
      throw new OnnxException(what + " is larger than 2 GiB");
    }
    boolean bool = t.getDataType() == TensorProto.DataType.BOOL_VALUE;
    ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      return new TensorData(e, shape, external(t, baseDir, bytes, what));
    }
    if (t.hasRawData()) {
      ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer();
      if (raw.remaining() != bytes) {
        throw new OnnxException(what + " " + shape + " needs " + bytes + " bytes of raw data, has " + raw.remaining());
      }
      out.put(raw);
      return new TensorData(e, shape, out.flip());
    }
    int n = switch (e) {
      case F32 -> t.getFloatDataCount();
      case F64 -> t.getDoubleDataCount();
      case I64 -> t.getInt64DataCount();
      default -> t.getInt32DataCount();
    };
    if (n != count) {
      throw new OnnxException(what + " " + shape + " needs " + count + " values, has " + n);
    }
    for (int i = 0; i < n; i++) {
      switch (e) {
        case F32 -> out.putFloat(t.getFloatData(i));
        case F64 -> out.putDouble(t.getDoubleData(i));
        case I64 -> out.putLong(t.getInt64Data(i));
        case I32 -> out.putInt(t.getInt32Data(i));
        case I16 -> out.putShort((short) t.getInt32Data(i));
        default -> out.put((byte) (bool ? (t.getInt32Data(i) != 0 ? 1 : 0) : t.getInt32Data(i)));
      }
    }
    return new TensorData(e, shape, out.flip());
  }

  private static ByteBuffer external(TensorProto t, Path baseDir, long bytes, String what) throws OnnxException {
    String location = null;
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto kv : t.getExternalDataList()) {
      try {
        switch (kv.getKey()) {
          case "location" -> location = kv.getValue();
          case "offset" -> offset = Long.parseLong(kv.getValue());
          case "length" -> length = Long.parseLong(kv.getValue());
          default -> {
          }
        }
      } catch (NumberFormatException ex) {
        throw new OnnxException(what + ": external data " + kv.getKey() + " '" + kv.getValue() + "' is not a number");
      }
    }
    if (location == null) {
      throw new OnnxException(what + " is stored externally but names no location");
    }
    if (length >= 0 && length != bytes) {
      throw new OnnxException(what + ": external data length " + length + " but the tensor needs " + bytes + " bytes");
    }
    Path file = baseDir.resolve(location);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (offset < 0 || offset + bytes > ch.size()) {
        throw new OnnxException(what + ": external data file " + file + " has " + ch.size() + " bytes, needs "
            + bytes + " at offset " + offset);
      }
      ByteBuffer b = ByteBuffer.allocate((int) bytes);
      while (b.hasRemaining()) {
        if (ch.read(b, offset + b.position()) < 0) {
          throw new OnnxException(what + ": external data file " + file + " ends early");
        }
      }
      return b.flip();
    } catch (NoSuchFileException ex) {
      throw new OnnxException(what + ": external data file " + file + " does not exist");
    } catch (IOException ex) {
      throw new OnnxException(what + ": cannot read external data file " + file + ": " + ex.getMessage());
    }
  }
}
