package dev.zeropoint.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The constants resource of a compiled model: its bytes, and arrays longer than a chunk both ways. */
class ConstantsTest {
  @Test
  void bytesAreTheDocumentedBigEndianFormat() {
    byte[] b = Constants.write(new Object[] {new int[] {1, -2}, new float[] {1.5f}, new long[] {-1L},
        new double[] {2.0}, new byte[] {7}, "é"});
    // Written out by hand: magic "ZPK1", count 6, then per constant its tag, length and elements.
    int[] exact = {
        0x5a, 0x50, 0x4b, 0x31, 0, 0, 0, 6,
        'I', 0, 0, 0, 2, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe,
        'F', 0, 0, 0, 1, 0x3f, 0xc0, 0, 0,
        'L', 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        'D', 0, 0, 0, 1, 0x40, 0, 0, 0, 0, 0, 0, 0, // 2.0 = 0x4000000000000000
        'B', 0, 0, 0, 1, 7,
        'S', 0, 0, 0, 2, 0xc3, 0xa9, // "é" in UTF-8
    };
    byte[] want = new byte[exact.length];
    for (int i = 0; i < exact.length; i++) {
      want[i] = (byte) exact[i];
    }
    assertArrayEquals(want, b);
  }

  @Test
  void longArraysRoundTripAcrossChunksWithEveryBit() throws IOException {
    Random r = new Random(5);
    int n = Constants.CHUNK / 4 * 3 + 17; // three chunks of ints and a part
    int[] ints = r.ints(n).toArray();
    float[] floats = new float[n];
    for (int i = 0; i < n; i++) {
      floats[i] = Float.intBitsToFloat(r.nextInt());
    }
    floats[5] = Float.intBitsToFloat(0x7fa00001); // a signalling NaN with a payload
    floats[6] = Float.intBitsToFloat(0xffc00123);
    long[] longs = r.longs(n / 2 + 3).toArray();
    double[] doubles = new double[n / 2 + 5];
    for (int i = 0; i < doubles.length; i++) {
      doubles[i] = Double.longBitsToDouble(r.nextLong());
    }
    doubles[1] = Double.longBitsToDouble(0x7ff0000000000abcL);
    byte[] bytes = new byte[n];
    r.nextBytes(bytes);
    Object[] back = Constants.read(new ByteArrayInputStream(Constants.write(new Object[] {ints, floats, longs,
        doubles, bytes, "text", new int[0]})));
    assertEquals(7, back.length);
    assertArrayEquals(ints, (int[]) back[0]);
    assertArrayEquals(bits(floats), bits((float[]) back[1]));
    assertArrayEquals(longs, (long[]) back[2]);
    assertArrayEquals(Arrays.stream(doubles).mapToLong(Double::doubleToRawLongBits).toArray(),
        Arrays.stream((double[]) back[3]).mapToLong(Double::doubleToRawLongBits).toArray());
    assertArrayEquals(bytes, (byte[]) back[4]);
    assertEquals("text", back[5]);
    assertArrayEquals(new int[0], (int[]) back[6]);
  }

  @Test
  void truncatedOrForeignResourcesAreErrors() {
    byte[] b = Constants.write(new Object[] {new int[Constants.CHUNK], new byte[10]});
    for (int cut : new int[] {3, 9, 5000, b.length - 1}) {
      assertThrows(EOFException.class, () -> Constants.read(new ByteArrayInputStream(Arrays.copyOf(b, cut))),
          "cut at " + cut);
    }
    byte[] foreign = b.clone();
    foreign[0] = 'P';
    assertThrows(IOException.class, () -> Constants.read(new ByteArrayInputStream(foreign)));
  }

  private static int[] bits(float[] f) {
    int[] b = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      b[i] = Float.floatToRawIntBits(f[i]);
    }
    return b;
  }
}
