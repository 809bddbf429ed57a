package dev.zeropoint.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Integer tensors read in bulk give each element as {@code getLong} does, from raw little-endian bytes. */
class TensorDataTest {
  @Test
  void toIntArrayReadsEachIntegerTypeFromItsBytes() {
    // The bytes written out by hand, little-endian, with a leading byte the tensor does not include.
    byte[] i8 = {9, (byte) 0x80, 0x7f, (byte) 0xff, 0};
    assertArrayEquals(new int[] {-128, 127, -1, 0}, tensor(ElementType.I8, 4, i8).toIntArray());
    assertArrayEquals(new int[] {128, 127, 255, 0}, tensor(ElementType.U8, 4, i8).toIntArray());
    byte[] i16 = {9, 0x00, (byte) 0x80, (byte) 0xff, 0x7f, 0x34, 0x12};
    assertArrayEquals(new int[] {-32768, 32767, 0x1234}, tensor(ElementType.I16, 3, i16).toIntArray());
    byte[] i32 = {9, 0, 0, 0, (byte) 0x80, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    assertArrayEquals(new int[] {Integer.MIN_VALUE, -2}, tensor(ElementType.I32, 2, i32).toIntArray());
    byte[] i64 = {9, 5, 0, 0, 0, 1, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xff};
    assertArrayEquals(new int[] {5, -1}, tensor(ElementType.I64, 2, i64).toIntArray()); // 2^32 + 5 keeps 5
    assertThrows(IllegalStateException.class, () -> tensor(ElementType.F32, 1, new byte[] {9, 0, 0, 0, 0})
        .toIntArray());
  }

  @Test
  void toIntArrayAgreesWithGetLongOnLongTensors() {
    java.util.Random r = new java.util.Random(3);
    for (ElementType t : new ElementType[] {ElementType.I8, ElementType.U8, ElementType.I16, ElementType.I32}) {
      byte[] raw = new byte[1 + 1000 * t.byteSize()];
      r.nextBytes(raw);
      TensorData d = tensor(t, 1000, raw);
      int[] all = d.toIntArray();
      for (int i = 0; i < 1000; i++) {
        assertArrayEquals(new int[] {(int) d.getLong(i)}, new int[] {all[i]}, t + " element " + i);
      }
    }
  }

  /** A tensor of {@code n} elements on {@code raw} from its second byte (a buffer not at position 0). */
  private static TensorData tensor(ElementType t, int n, byte[] raw) {
    ByteBuffer b = ByteBuffer.wrap(raw);
    b.position(1);
    return new TensorData(t, Shape.of(n), b);
  }
}
