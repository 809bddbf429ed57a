package dev.zeropoint.frontend.tensorfile;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Builds safetensors files byte by byte for tests, valid or deliberately broken. */
final class SafetensorsBuilder {
  private record Tensor(String name, String dtype, int[] shape, byte[] data) {}

  private final List<Tensor> tensors = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  SafetensorsBuilder add(String name, String dtype, int[] shape, byte[] data) {
    tensors.add(new Tensor(name, dtype, shape, data));
    return this;
  }

  SafetensorsBuilder metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** A valid file: tensors stored contiguously in the order added, header padded to 8 bytes like the reference writer. */
  byte[] build() {
    StringBuilder json = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      json.append("\"__metadata__\":{")
          .append(metadata.entrySet().stream()
              .map(e -> jsonString(e.getKey()) + ":" + jsonString(e.getValue()))
              .collect(Collectors.joining(",")))
          .append("},");
    }
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (Tensor t : tensors) {
      int begin = data.size();
      data.writeBytes(t.data());
      json.append(jsonString(t.name())).append(":{\"dtype\":").append(jsonString(t.dtype()))
          .append(",\"shape\":").append(jsonArray(t.shape()))
          .append(",\"data_offsets\":[").append(begin).append(',').append(data.size()).append("]},");
    }
    if (json.length() > 1) {
      json.setLength(json.length() - 1);
    }
    json.append('}');
    while ((json.toString().getBytes(StandardCharsets.UTF_8).length) % 8 != 0) {
      json.append(' ');
    }
    return file(json.toString(), data.toByteArray());
  }

  /** The length prefix, {@code header} in UTF-8, then {@code data}. */
  static byte[] file(String header, byte[] data) {
    return file(header.getBytes(StandardCharsets.UTF_8), data);
  }

  static byte[] file(byte[] header, byte[] data) {
    return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(header.length).put(header).put(data).array();
  }

  /** An 8-byte little-endian length followed by {@code rest}, whatever its size. */
  static byte[] withLength(long length, byte[] rest) {
    return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(length).put(rest).array();
  }

  static String jsonArray(int[] values) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      b.append(i == 0 ? "" : ",").append(values[i]);
    }
    return b.append(']').toString();
  }

  static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static byte[] littleEndian(int elementSize, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * elementSize).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      switch (elementSize) {
        case 1 -> b.put((byte) v);
        case 2 -> b.putShort((short) v);
        case 4 -> b.putInt((int) v);
        case 8 -> b.putLong(v);
        default -> throw new IllegalArgumentException("element size " + elementSize);
      }
    }
    return b.array();
  }

  static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  static byte[] doubles(double... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    return b.array();
  }
}
