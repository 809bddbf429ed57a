package dev.zeropoint.frontend.tensorfile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zeropoint.ir.TensorData;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes tensors as a safetensors file (the format {@link Safetensors} reads): an 8-byte
 * little-endian header length, the JSON header padded with spaces to a multiple of 8, then the
 * tensors' bytes in the header's order.
 */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  /** The file's bytes for these tensors, in the map's order. */
  public static byte[] toBytes(Map<String, TensorData> tensors) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    long offset = 0;
    for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
      TensorData d = e.getValue();
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", d.elementType().name());
      ArrayNode shape = t.putArray("shape");
      for (int dim : d.shape().toArray()) {
        shape.add(dim);
      }
      long size = d.bytes().remaining();
      t.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    StringBuilder text = new StringBuilder(header.toString());
    while (text.length() % 8 != 0) {
      text.append(' ');
    }
    byte[] h = text.toString().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.toIntExact(8 + h.length + offset));
    out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
    out.writeBytes(h);
    for (TensorData d : tensors.values()) {
      ByteBuffer b = d.bytes();
      byte[] raw = new byte[b.remaining()];
      b.get(raw);
      out.writeBytes(raw);
    }
    return out.toByteArray();
  }
}
