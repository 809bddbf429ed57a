package dev.zeropoint.frontend.tensorfile;

import static dev.zeropoint.frontend.tensorfile.SafetensorsBuilder.doubles;
import static dev.zeropoint.frontend.tensorfile.SafetensorsBuilder.file;
import static dev.zeropoint.frontend.tensorfile.SafetensorsBuilder.floats;
import static dev.zeropoint.frontend.tensorfile.SafetensorsBuilder.littleEndian;
import static dev.zeropoint.frontend.tensorfile.SafetensorsBuilder.withLength;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsTest {
  @TempDir Path dir;

  private Path write(String name, byte[] bytes) throws IOException {
    Path path = dir.resolve(name);
    Files.write(path, bytes);
    return path;
  }

  /** Single quotes stand for double quotes, to keep the JSON in these tests readable. */
  private static String json(String text) {
    return text.replace('\'', '"');
  }

  private static byte[] header(String jsonWithSingleQuotes, int dataBytes) {
    return file(json(jsonWithSingleQuotes), new byte[dataBytes]);
  }

  // ---------------------------------------------------------------- valid files

  @Test
  void readsEveryDtype() throws Exception {
    byte[] bytes = new SafetensorsBuilder()
        .add("i8", "I8", new int[] {4}, littleEndian(1, -128, -1, 0, 127))
        .add("u8", "U8", new int[] {4}, littleEndian(1, 0, 1, 128, 255))
        .add("i16", "I16", new int[] {2, 2}, littleEndian(2, Short.MIN_VALUE, -1, 1, Short.MAX_VALUE))
        .add("i32", "I32", new int[] {3}, littleEndian(4, Integer.MIN_VALUE, 7, Integer.MAX_VALUE))
        .add("i64", "I64", new int[] {1, 3}, littleEndian(8, Long.MIN_VALUE, 1L << 40, Long.MAX_VALUE))
        .add("f32", "F32", new int[] {2, 1, 2}, floats(1.5f, -0.0f, Float.MIN_VALUE, Float.NaN))
        .add("f64", "F64", new int[] {2}, doubles(Math.PI, Double.NEGATIVE_INFINITY))
        .build();
    try (Safetensors st = Safetensors.open(write("all.safetensors", bytes))) {
      assertEquals(List.of("i8", "u8", "i16", "i32", "i64", "f32", "f64"), List.copyOf(st.names()));
      assertLongs(st.read("i8"), ElementType.I8, Shape.of(4), -128, -1, 0, 127);
      assertLongs(st.read("u8"), ElementType.U8, Shape.of(4), 0, 1, 128, 255);
      assertLongs(st.read("i16"), ElementType.I16, Shape.of(2, 2), Short.MIN_VALUE, -1, 1, Short.MAX_VALUE);
      assertLongs(st.read("i32"), ElementType.I32, Shape.of(3), Integer.MIN_VALUE, 7, Integer.MAX_VALUE);
      assertLongs(st.read("i64"), ElementType.I64, Shape.of(1, 3), Long.MIN_VALUE, 1L << 40, Long.MAX_VALUE);
      TensorData f32 = st.read("f32");
      assertEquals(ElementType.F32, f32.elementType());
      assertEquals(Shape.of(2, 1, 2), f32.shape());
      assertEquals(Float.floatToRawIntBits(1.5f), Float.floatToRawIntBits((float) f32.getDouble(0)));
      assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits((float) f32.getDouble(1)));
      assertEquals(Float.MIN_VALUE, (float) f32.getDouble(2));
      assertTrue(Double.isNaN(f32.getDouble(3)));
      TensorData f64 = st.read("f64");
      assertEquals(Math.PI, f64.getDouble(0));
      assertEquals(Double.NEGATIVE_INFINITY, f64.getDouble(1));
      assertEquals(new Safetensors.Entry("i32", ElementType.I32, Shape.of(3), 16, 28), st.entry("i32").orElseThrow());
    }
  }

  private static void assertLongs(TensorData data, ElementType type, Shape shape, long... expected) {
    assertEquals(type, data.elementType());
    assertEquals(shape, data.shape());
    long[] actual = new long[(int) data.size()];
    for (int i = 0; i < actual.length; i++) {
      actual[i] = data.getLong(i);
    }
    assertArrayEquals(expected, actual);
  }

  @Test
  void scalarsAndEmptyTensors() throws Exception {
    byte[] bytes = new SafetensorsBuilder()
        .add("empty_first", "F32", new int[] {0}, new byte[0])
        .add("scalar", "F64", new int[] {}, doubles(2.5))
        .add("empty", "I32", new int[] {2, 0, 3}, new byte[0])
        .add("also_empty", "U8", new int[] {0}, new byte[0])
        .build();
    try (Safetensors st = Safetensors.open(write("e.safetensors", bytes))) {
      TensorData scalar = st.read("scalar");
      assertEquals(Shape.of(), scalar.shape());
      assertEquals(2.5, scalar.getDouble(0));
      TensorData empty = st.read("empty");
      assertEquals(Shape.of(2, 0, 3), empty.shape());
      assertEquals(0, empty.size());
      assertEquals(0, st.read("empty_first").bytes().remaining());
      assertEquals(0, st.read("also_empty").bytes().remaining());
      assertEquals(8, st.entry("empty").orElseThrow().begin());
    }
  }

  @Test
  void emptyHeaderObjectIsAValidFileWithoutTensors() throws Exception {
    try (Safetensors st = Safetensors.open(write("none.safetensors", file("{}", new byte[0])))) {
      assertTrue(st.names().isEmpty());
      assertTrue(st.metadata().isEmpty());
    }
  }

  @Test
  void metadataPaddingUnknownFieldsAndHeaderOrderDifferentFromDataOrder() throws Exception {
    // Offsets in reverse order of the header, whitespace around the object (the reference writer
    // pads with spaces), an unknown field inside an entry (which the reference ignores).
    String header = json(" \n{'__metadata__': {'format': 'pt', 'note': 'caf\u00e9'},"
        + " 'second': {'dtype': 'I16', 'shape': [2], 'data_offsets': [4, 8], 'extra': {'x': [1, [2]]}},"
        + " 'first': {'shape': [1], 'data_offsets': [0, 4], 'dtype': 'F32'}}      ");
    byte[] data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(-1.25f).putShort((short) 3)
        .putShort((short) -4).array();
    try (Safetensors st = Safetensors.open(write("m.safetensors", file(header, data)))) {
      assertEquals(Map.of("format", "pt", "note", "caf\u00e9"), st.metadata());
      assertEquals(List.of("second", "first"), List.copyOf(st.names()));
      assertLongs(st.read("second"), ElementType.I16, Shape.of(2), 3, -4);
      assertEquals(-1.25, st.read("first").getDouble(0));
      assertTrue(st.entry("missing").isEmpty());
    }
  }

  @Test
  void readMapsTheFileWithoutCopyingAndStaysValidAfterClose() throws Exception {
    Path path = write("w.safetensors", new SafetensorsBuilder().add("w", "I32", new int[] {2}, littleEndian(4, 5, -6)).build());
    TensorData w;
    try (Safetensors st = Safetensors.open(path)) {
      w = st.read("w");
      assertTrue(w.bytes().isDirect(), "a memory mapping, not a heap copy");
      assertTrue(w.bytes().isReadOnly());
    }
    assertEquals(5, w.getLong(0));
    assertEquals(-6, w.getLong(1));
  }

  @Test
  void readAfterCloseIsAProgrammingError() throws Exception {
    Path path = write("w.safetensors", new SafetensorsBuilder().add("w", "U8", new int[] {1}, new byte[] {1}).build());
    Safetensors st = Safetensors.open(path);
    st.close();
    assertThrows(IllegalStateException.class, () -> st.read("w"));
  }

  @Test
  void unknownTensorName() throws Exception {
    Path path = write("w.safetensors", new SafetensorsBuilder().add("w", "U8", new int[] {1}, new byte[] {1}).build());
    try (Safetensors st = Safetensors.open(path)) {
      TensorFileException e = assertThrows(TensorFileException.class, () -> st.read("conv.weight"));
      assertEquals(path + ": no tensor named 'conv.weight'", e.getMessage());
      assertEquals("no tensor named 'conv.weight'", e.problem());
      assertEquals(path, e.file());
    }
  }

  /**
   * A sparse file of over 2 GiB: the data is never read into memory (the test would need gigabytes
   * of heap otherwise), a tensor beyond the 2 GiB mark reads fine, and one over the limit is refused.
   */
  @Test
  void tensorsBeyondTwoGigabytesAndTheSingleTensorLimit() throws Exception {
    long big = 1L << 31; // I16 [2^30]: one byte over Integer.MAX_VALUE
    String header = json("{'big': {'dtype': 'I16', 'shape': [1073741824], 'data_offsets': [0, " + big + "]},"
        + " 'small': {'dtype': 'F32', 'shape': [2], 'data_offsets': [" + big + ", " + (big + 8) + "]}}");
    byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
    Path path = dir.resolve("huge.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
      raf.write(file(headerBytes, new byte[0]));
      raf.setLength(8 + headerBytes.length + big + 8);
      raf.seek(8 + headerBytes.length + big);
      raf.write(floats(3.0f, -7.5f));
    }
    try (Safetensors st = Safetensors.open(path)) {
      TensorData small = st.read("small");
      assertEquals(3.0, small.getDouble(0));
      assertEquals(-7.5, small.getDouble(1));
      TensorFileException e = assertThrows(TensorFileException.class, () -> st.read("big"));
      assertEquals(path + ": tensor 'big' is 2147483648 bytes; a tensor can be at most 2147483647 bytes", e.getMessage());
    }
  }

  // ---------------------------------------------------------------- files refused

  private static final String OK_ENTRY = "{'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]}";
  private static final String SUPPORTED = "(supported: I8, U8, I16, I32, I64, F32, F64)";
  private static final String OFFSETS = "data_offsets must be an array of two non-negative integers [begin, end]";

  static Stream<Arguments> badFiles() {
    List<Arguments> cases = new ArrayList<>();
    cases.add(bad("empty file", new byte[0], "file is 0 bytes, too short for the 8-byte header length"));
    cases.add(bad("5 bytes", new byte[5], "file is 5 bytes, too short for the 8-byte header length"));
    cases.add(bad("header over the limit", withLength(100_000_001L, new byte[16]),
        "header length 100000001 exceeds the limit of 100000000 bytes"));
    cases.add(bad("header length 2^64-1", withLength(-1L, new byte[16]),
        "header length 18446744073709551615 exceeds the limit of 100000000 bytes"));
    cases.add(bad("header longer than the file", withLength(1000, new byte[504]),
        "header length 1000 runs past the end of the file (512 bytes)"));
    cases.add(bad("header one byte too long", withLength(3, "{}".getBytes(StandardCharsets.UTF_8)),
        "header length 3 runs past the end of the file (10 bytes)"));
    cases.add(bad("zero-length header", withLength(0, new byte[0]), "header is empty"));
    cases.add(bad("blank header", file("   ", new byte[0]), "header is empty"));
    cases.add(bad("invalid UTF-8", file(new byte[] {'{', '"', 'a', (byte) 0xFF, '"', ':', '1', '}'}, new byte[0]),
        "header is not valid UTF-8 (bad byte at header offset 3)"));
    cases.add(bad("overlong UTF-8 encoding", file(new byte[] {'{', '"', (byte) 0xC0, (byte) 0x80, '"', '}'}, new byte[0]),
        "header is not valid UTF-8 (bad byte at header offset 2)"));
    cases.add(bad("missing value", header("{'a': }", 0),
        "header is not valid JSON: Unexpected character ('}' (code 125)): expected a value (line 1, column 7)"));
    cases.add(bad("unterminated object", header("{'a': " + OK_ENTRY, 8),
        "header is not valid JSON: Unexpected end-of-input: expected close marker for Object (line 1, column 61)"));
    cases.add(bad("single-quoted JSON", file("{'a': 1}", new byte[0]),
        "header is not valid JSON: Unexpected character (''' (code 39)): was expecting double-quote to start field"
            + " name (line 1, column 2)"));
    cases.add(bad("garbage after the object", header("{} x", 0),
        "header is not valid JSON: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token"
            + " 'null', 'true' or 'false') (line 1, column 5)"));
    cases.add(bad("byte order mark", file("\uFEFF{}", new byte[0]),
        "header is not valid JSON: Unexpected character ('\\ufeff' (code 65279 / 0xfeff)): expected a valid value (JSON"
            + " String, Number, Array, Object or token 'null', 'true' or 'false') (line 1, column 1)"));
    cases.add(bad("mismatched brackets", header("{'a': {'x': [1}}", 0),
        "header is not valid JSON: Unexpected close marker '}': expected ']' (line 1, column 15)"));
    cases.add(bad("second object after the first", header("{}{}", 0), "header has more content after its JSON object"));
    cases.add(bad("array", header("[1, 2]", 0), "header is not a JSON object (it is an array)"));
    cases.add(bad("string", header("'weights'", 0), "header is not a JSON object (it is the string 'weights')"));
    cases.add(bad("null", header("null", 0), "header is not a JSON object (it is null)"));
    cases.add(bad("duplicate tensor", header("{'a': " + OK_ENTRY + ", 'a': " + OK_ENTRY + "}", 8),
        "header has duplicate key 'a'"));
    cases.add(bad("duplicate metadata", header("{'__metadata__': {}, '__metadata__': {}}", 0),
        "header has duplicate key '__metadata__'"));
    cases.add(bad("duplicate field", header("{'a': {'dtype': 'F32', 'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]}}", 8),
        "tensor 'a' has duplicate key 'dtype'"));
    cases.add(bad("duplicate metadata key", header("{'__metadata__': {'k': 'v', 'k': 'w'}}", 0),
        "__metadata__ has duplicate key 'k'"));
    cases.add(bad("metadata not an object", header("{'__metadata__': ['k']}", 0),
        "__metadata__ is not a JSON object (it is an array)"));
    cases.add(bad("metadata value not a string", header("{'__metadata__': {'epoch': 3}}", 0),
        "__metadata__ value for 'epoch' is not a string (it is the number 3)"));
    cases.add(bad("name with invisible characters", header("{'a\\u202eb\\ud800\u00e9\ud83d\ude00': 1}", 0),
        "entry 'a\\u202eb\\ud800\u00e9\ud83d\ude00' is not a JSON object (it is the number 1)"));
    cases.add(bad("entry not an object", header("{'a': 3}", 0), "entry 'a' is not a JSON object (it is the number 3)"));
    cases.add(bad("name with a line break", header("{'line\\nbreak': []}", 0),
        "entry 'line\\nbreak' is not a JSON object (it is an array)"));
    cases.add(bad("missing dtype", header("{'a': {'shape': [2], 'data_offsets': [0, 8]}}", 8), "tensor 'a' has no dtype"));
    cases.add(bad("missing shape", header("{'a': {'dtype': 'F32', 'data_offsets': [0, 8]}}", 8), "tensor 'a' has no shape"));
    cases.add(bad("missing offsets", header("{'a': {'dtype': 'F32', 'shape': [2]}}", 8), "tensor 'a' has no data_offsets"));
    cases.add(bad("dtype not a string", header("{'a': {'dtype': 4, 'shape': [2], 'data_offsets': [0, 8]}}", 8),
        "tensor 'a': dtype is not a string (it is the number 4)"));
    for (String dtype : List.of("F16", "BF16", "BOOL", "F8_E4M3", "F8_E5M2", "U16", "U32", "U64", "C64")) {
      cases.add(bad("dtype " + dtype, header("{'w': {'dtype': '" + dtype + "', 'shape': [], 'data_offsets': [0, 8]}}", 8),
          "tensor 'w' has dtype " + dtype + ", which is not supported " + SUPPORTED));
    }
    cases.add(bad("unknown dtype", header("{'a': {'dtype': 'f32', 'shape': [2], 'data_offsets': [0, 8]}}", 8),
        "tensor 'a' has unknown dtype 'f32' " + SUPPORTED));
    cases.add(bad("shape not an array", header("{'a': {'dtype': 'F32', 'shape': 2, 'data_offsets': [0, 8]}}", 8),
        "tensor 'a': shape is not an array (it is the number 2)"));
    cases.add(bad("negative dimension", header("{'a': {'dtype': 'F32', 'shape': [2, -1], 'data_offsets': [0, 8]}}", 8),
        "tensor 'a': shape has a negative dimension -1"));
    cases.add(bad("fractional dimension", header("{'a': {'dtype': 'F32', 'shape': [2.0], 'data_offsets': [0, 8]}}", 8),
        "tensor 'a': shape has a non-integer entry (the number 2.0)"));
    cases.add(bad("exponent dimension", header("{'a': {'dtype': 'F32', 'shape': [2e0], 'data_offsets': [0, 8]}}", 8),
        "tensor 'a': shape has a non-integer entry (the number 2e0)"));
    cases.add(bad("string dimension", header("{'a': {'dtype': 'F32', 'shape': ['2'], 'data_offsets': [0, 8]}}", 8),
        "tensor 'a': shape has a non-integer entry (the string '2')"));
    cases.add(bad("nested dimension", header("{'a': {'dtype': 'F32', 'shape': [[2]], 'data_offsets': [0, 8]}}", 8),
        "tensor 'a': shape has a non-integer entry (an array)"));
    cases.add(bad("dimension over 2^31-1", header("{'a': {'dtype': 'U8', 'shape': [2147483648], 'data_offsets': [0, 8]}}", 8),
        "tensor 'a': shape dimension 2147483648 is larger than 2147483647"));
    cases.add(bad("element count overflow",
        header("{'a': {'dtype': 'U8', 'shape': [2147483647, 2147483647, 2147483647], 'data_offsets': [0, 0]}}", 0),
        "tensor 'a': shape [2147483647, 2147483647, 2147483647] has too many elements"));
    cases.add(bad("byte count overflow",
        header("{'a': {'dtype': 'F64', 'shape': [2147483647, 2147483647, 2], 'data_offsets': [0, 0]}}", 0),
        "tensor 'a': shape [2147483647, 2147483647, 2] has too many elements"));
    for (String offsets : List.of("8", "[8]", "[0, 4, 8]", "[]", "[-1, 8]", "[0, 8.0]", "['0', 8]", "null", "[0, [8]]")) {
      cases.add(bad("data_offsets " + offsets,
          header("{'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': " + offsets + "}}", 8), "tensor 'a': " + OFFSETS));
    }
    cases.add(bad("begin after end", header("{'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [8, 4]}}", 8),
        "tensor 'a': data_offsets [8, 4] end before they begin"));
    cases.add(bad("end past the data", header("{'a': {'dtype': 'F32', 'shape': [4], 'data_offsets': [0, 16]}}", 8),
        "tensor 'a': data_offsets [0, 16] run past the end of the data section (8 bytes)"));
    cases.add(bad("end past 2^64",
        header("{'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 18446744073709551616]}}", 8),
        "tensor 'a': data_offsets [0, 18446744073709551616] run past the end of the data section (8 bytes)"));
    cases.add(bad("byte count mismatch", header("{'a': {'dtype': 'F32', 'shape': [3], 'data_offsets': [0, 8]}}", 8),
        "tensor 'a': F32 [3] needs 12 bytes but data_offsets [0, 8] hold 8"));
    cases.add(bad("overlap", header("{'a': " + OK_ENTRY + ", 'b': {'dtype': 'I32', 'shape': [2], 'data_offsets': [4, 12]}}", 12),
        "tensor 'b' (bytes [4, 12)) overlaps tensor 'a' (bytes [0, 8))"));
    cases.add(bad("same bytes twice", header("{'a': " + OK_ENTRY + ", 'b': " + OK_ENTRY + "}", 8),
        "tensor 'b' (bytes [0, 8)) overlaps tensor 'a' (bytes [0, 8))"));
    cases.add(bad("empty tensor inside another",
        header("{'a': " + OK_ENTRY + ", 'e': {'dtype': 'F32', 'shape': [0], 'data_offsets': [4, 4]}}", 8),
        "tensor 'e' (bytes [4, 4)) overlaps tensor 'a' (bytes [0, 8))"));
    cases.add(bad("gap at the start", header("{'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [4, 12]}}", 12),
        "bytes [0, 4) of the data section belong to no tensor (safetensors files must not have gaps)"));
    cases.add(bad("gap in the middle",
        header("{'a': " + OK_ENTRY + ", 'b': {'dtype': 'U8', 'shape': [1], 'data_offsets': [9, 10]}}", 10),
        "bytes [8, 9) of the data section belong to no tensor (safetensors files must not have gaps)"));
    cases.add(bad("trailing bytes", header("{'a': " + OK_ENTRY + "}", 12),
        "bytes [8, 12) of the data section belong to no tensor (safetensors files must not have gaps)"));
    cases.add(bad("data without tensors", header("{}", 1),
        "bytes [0, 1) of the data section belong to no tensor (safetensors files must not have gaps)"));
    return cases.stream();
  }

  private static Arguments bad(String description, byte[] bytes, String problem) {
    return Arguments.of(description, bytes, problem);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void refusesBadFile(String description, byte[] bytes, String problem) throws IOException {
    Path path = write("bad.safetensors", bytes);
    TensorFileException e = assertThrows(TensorFileException.class, () -> Safetensors.open(path));
    assertEquals(path + ": " + problem, e.getMessage());
  }

  @Test
  void refusesNestingBeyondTheLimit() throws IOException {
    String deep = "[".repeat(200) + "]".repeat(200);
    Path path = write("deep.safetensors",
        header("{'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8], 'x': " + deep + "}}", 8));
    TensorFileException e = assertThrows(TensorFileException.class, () -> Safetensors.open(path));
    assertEquals(path + ": header is not valid JSON: Document nesting depth (129) exceeds the maximum allowed (128)",
        e.getMessage());
  }

  @Test
  void longNamesAreShortenedInMessages() throws IOException {
    String name = "n".repeat(5000);
    Path path = write("long.safetensors", header("{'" + name + "': 1}", 0));
    TensorFileException e = assertThrows(TensorFileException.class, () -> Safetensors.open(path));
    assertEquals(path + ": entry '" + "n".repeat(120) + "...' is not a JSON object (it is the number 1)", e.getMessage());
  }

  @Test
  void missingFileAndDirectory() {
    Path missing = dir.resolve("missing.safetensors");
    TensorFileException e = assertThrows(TensorFileException.class, () -> Safetensors.open(missing));
    assertEquals(missing + ": file not found", e.getMessage());
    e = assertThrows(TensorFileException.class, () -> Safetensors.open(dir));
    assertEquals(dir + ": is a directory, not a file", e.getMessage());
  }

  /**
   * Random corruptions of a valid file: every outcome is either a successful read of every tensor
   * or a one-line {@link TensorFileException}, never another exception or a hang.
   */
  @Test
  void corruptedFilesFailCleanly() throws IOException {
    byte[] valid = new SafetensorsBuilder()
        .metadata("format", "pt")
        .add("a", "F32", new int[] {2, 3}, floats(1, 2, 3, 4, 5, 6))
        .add("b", "I8", new int[] {5}, littleEndian(1, 1, 2, 3, 4, 5))
        .add("c", "I64", new int[] {}, littleEndian(8, 42))
        .build();
    Random random = new Random(20240611);
    int failures = 0;
    for (int round = 0; round < 2000; round++) {
      byte[] bytes = corrupt(valid, random);
      Path path = write("fuzz.safetensors", bytes);
      try (Safetensors st = Safetensors.open(path)) {
        for (String name : st.names()) {
          TensorData t = st.read(name);
          assertEquals(t.shape().numElements() * t.elementType().byteSize(), t.bytes().remaining());
        }
      } catch (TensorFileException e) {
        failures++;
        assertTrue(e.getMessage().startsWith(path + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
      }
    }
    assertTrue(failures > 600, "most corruptions are caught: " + failures);
  }

  static byte[] corrupt(byte[] valid, Random random) {
    byte[] bytes = valid.clone();
    switch (random.nextInt(5)) {
      case 0 -> {
        int flips = 1 + random.nextInt(3);
        for (int i = 0; i < flips; i++) {
          bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
      }
      case 1 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
      case 2 -> bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(16));
      case 3 -> ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, random.nextLong(-2, bytes.length + 2));
      default -> {
        // Replace a digit or a structural character of the header.
        int at = 8 + random.nextInt(bytes.length - 8);
        bytes[at] = (byte) "0123456789[]{},:\"-. ex".charAt(random.nextInt(22));
      }
    }
    return bytes;
  }
}
