package dev.zeropoint.frontend.tensorfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fixtures under {@code src/test/resources/tensorfile} were written by NumPy with
 * {@code make_fixtures.py}; the values below are the ones that script stores.
 */
class NpyTest {
  private static final String SUPPORTED = "; supported: |u1, |i1, <i2, <i4, <i8, <f4, <f8";

  @TempDir Path dir;

  static Path fixture(String name) {
    try {
      return Path.of(NpyTest.class.getResource("/tensorfile/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------- NumPy's files and values

  /** The arrays make_fixtures.py saves, built independently in Java. */
  static Stream<Arguments> numpyArrays() {
    float[] f4 = {0.0f, -0.0f, 1.5f, -2.25f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.MIN_VALUE, Float.MAX_VALUE, 0.1f};
    double[] f8 = {Math.PI, -Math.E, Double.MIN_VALUE, Double.MAX_VALUE, -0.0, Double.NaN, 1e-300, 0.1};
    long[] long_i2 = new long[300];
    Arrays.setAll(long_i2, i -> i);
    return Stream.of(
        Arguments.of("u1.npy", TensorData.ofLongs(ElementType.U8, Shape.of(5), 0, 1, 127, 128, 255)),
        Arguments.of("i1.npy", TensorData.ofLongs(ElementType.I8, Shape.of(5), -128, -1, 0, 1, 127)),
        Arguments.of("i2.npy", TensorData.ofLongs(ElementType.I16, Shape.of(2, 3), -32768, -1, 0, 1, 255, 32767)),
        Arguments.of("i4.npy", TensorData.ofLongs(ElementType.I32, Shape.of(3, 2),
            Integer.MIN_VALUE, -1, 0, 1, 65536, Integer.MAX_VALUE)),
        Arguments.of("i8.npy", TensorData.ofLongs(ElementType.I64, Shape.of(6),
            Long.MIN_VALUE, -1, 0, 1, (1L << 40) + 7, Long.MAX_VALUE)),
        Arguments.of("f4.npy", TensorData.ofFloats(Shape.of(2, 5), f4)),
        Arguments.of("f8.npy", TensorData.ofDoubles(ElementType.F64, Shape.of(2, 2, 2), f8)),
        Arguments.of("scalar_f4.npy", TensorData.ofFloats(Shape.of(), 3.5f)),
        Arguments.of("empty_i4.npy", TensorData.ofLongs(ElementType.I32, Shape.of(2, 0, 3))),
        Arguments.of("long_i2.npy", TensorData.ofLongs(ElementType.I16, Shape.of(3, 100), long_i2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numpyArrays")
  void readsExactlyWhatNumpyWrote(String name, TensorData expected) throws Exception {
    TensorData actual = Npy.read(fixture(name));
    assertTrue(expected.contentEquals(actual), () -> name + ": " + actual);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numpyArrays")
  void writesTheBytesNumpyWrites(String name, TensorData array) throws Exception {
    Path out = dir.resolve(name);
    Npy.write(out, array);
    assertArrayEquals(Files.readAllBytes(fixture(name)), Files.readAllBytes(out));
  }

  @Test
  void valuesThroughTheAccessors() throws Exception {
    TensorData f4 = Npy.read(fixture("f4.npy"));
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits((float) f4.getDouble(1)));
    assertTrue(Double.isNaN(f4.getDouble(6)));
    assertEquals(Float.MIN_VALUE, (float) f4.getDouble(7));
    assertEquals(0.1f, (float) f4.getDouble(9));
    TensorData u1 = Npy.read(fixture("u1.npy"));
    assertEquals(255, u1.getLong(4));
    TensorData i8 = Npy.read(fixture("i8.npy"));
    assertEquals(Long.MIN_VALUE, i8.getLong(0));
    assertTrue(i8.bytes().isDirect(), "memory-mapped, not copied");
  }

  @ParameterizedTest
  @ValueSource(strings = {"v2_i2.npy", "v3_i2.npy"})
  void readsFormatVersions2And3(String name) throws Exception {
    Path file = fixture(name);
    assertEquals(name.charAt(1) - '0', Files.readAllBytes(file)[6]);
    TensorData expected = TensorData.ofLongs(ElementType.I16, Shape.of(2, 3), 0, 1, 2, 3, 4, 5);
    assertTrue(expected.contentEquals(Npy.read(file)));
  }

  static Stream<Arguments> numpyFilesRefused() {
    return Stream.of(
        Arguments.of("big_endian_f4.npy",
            "big-endian dtype '>f4' is not supported; save it little-endian, e.g. with a.astype('<f4')"),
        Arguments.of("fortran_i4.npy",
            "fortran_order is True: column-major arrays are not supported; save a C-order array (np.ascontiguousarray)"),
        Arguments.of("bool.npy", "unsupported dtype '|b1' (bool)" + SUPPORTED),
        Arguments.of("f2.npy", "unsupported dtype '<f2' (float16)" + SUPPORTED),
        Arguments.of("c8.npy", "unsupported dtype '<c8' (complex64)" + SUPPORTED),
        Arguments.of("u2.npy", "unsupported dtype '<u2' (uint16)" + SUPPORTED),
        Arguments.of("unicode.npy", "unsupported dtype '<U3' (unicode string)" + SUPPORTED),
        Arguments.of("object.npy", "unsupported dtype '|O' (Python object)" + SUPPORTED),
        Arguments.of("structured.npy", "structured dtype [('a', '<i4'), ('b', '<f4')] is not supported" + SUPPORTED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numpyFilesRefused")
  void refusesNumpyFilesOfUnsupportedKinds(String name, String problem) {
    Path file = fixture(name);
    TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.read(file));
    assertEquals(file + ": " + problem, e.getMessage());
  }

  // ---------------------------------------------------------------- hand-made headers

  /** Magic, version, little-endian header length, the header (latin-1, or UTF-8 for 3.0), data. */
  static byte[] npy(int major, String header, byte[] data) {
    byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    return npy(major, text, data);
  }

  static byte[] npy(int major, byte[] header, byte[] data) {
    int lengthBytes = major == 1 ? 2 : 4;
    ByteBuffer b = ByteBuffer.allocate(8 + lengthBytes + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      b.putShort((short) header.length);
    } else {
      b.putInt(header.length);
    }
    return b.put(header).put(data).array();
  }

  private static String dict(String descr, String fortran, String shape) {
    return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
  }

  private Path write(byte[] bytes) throws IOException {
    Path path = dir.resolve("hand.npy");
    Files.write(path, bytes);
    return path;
  }

  static Stream<Arguments> acceptedHeaders() {
    byte[] i4 = SafetensorsBuilder.littleEndian(4, 7, -8);
    byte[] u1 = {7, (byte) 200};
    return Stream.of(
        Arguments.of("double quotes, no trailing comma, other key order",
            npy(1, "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<i4\"}\n", i4), ElementType.I32),
        Arguments.of("line breaks and tabs", npy(1, "{\n\t'descr' : '<i4',\n 'fortran_order':False,'shape':(\n2 ,\n),}", i4),
            ElementType.I32),
        Arguments.of("Python 2 long in format 1.0", npy(1, dict("'<i4'", "False", "(2L,)"), i4), ElementType.I32),
        Arguments.of("Python 2 long in format 2.0", npy(2, dict("'<i4'", "False", "(2L,)"), i4), ElementType.I32),
        Arguments.of("'=' byte order", npy(1, dict("'=i4'", "False", "(2,)"), i4), ElementType.I32),
        Arguments.of("no byte order", npy(1, dict("'i4'", "False", "(2,)"), i4), ElementType.I32),
        Arguments.of("'|' on a multi-byte type", npy(1, dict("'|i4'", "False", "(2,)"), i4), ElementType.I32),
        Arguments.of("'<u1'", npy(1, dict("'<u1'", "False", "(2,)"), u1), ElementType.U8),
        Arguments.of("'>u1' (byte order is moot)", npy(1, dict("'>u1'", "False", "(2,)"), u1), ElementType.U8),
        Arguments.of("unpadded and unaligned", npy(2, dict("'|u1'", "False", "(2,)"), u1), ElementType.U8),
        Arguments.of("escaped quote in a string", npy(1, "{'descr': '<i4', 'fortran_order': False, 'sh\\x61pe': (2,)}", i4),
            ElementType.I32),
        Arguments.of("UTF-8 in format 3.0", npy(3, "{'descr': '<i4', 'fortran_order': False, 'shape': (2,)} # \u00e9"
            .replace(" # \u00e9", "      "), i4), ElementType.I32));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("acceptedHeaders")
  void acceptsHeaderVariants(String description, byte[] bytes, ElementType type) throws Exception {
    TensorData data = Npy.read(write(bytes));
    assertEquals(type, data.elementType());
    assertEquals(Shape.of(2), data.shape());
    assertEquals(7, data.getLong(0));
  }

  static Stream<Arguments> refusedFiles() {
    byte[] f4x2 = new byte[8];
    List<Arguments> cases = new ArrayList<>();
    String magic = "not a .npy file (it does not start with the \\x93NUMPY magic string)";
    cases.add(bad("empty file", new byte[0], magic));
    cases.add(bad("a zip (.npz) file", new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0}, magic));
    cases.add(bad("safetensors file", SafetensorsBuilder.file("{}", new byte[0]), magic));
    cases.add(bad("magic only", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}, "file is 6 bytes, too short for a .npy header"));
    cases.add(bad("no header length", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 5},
        "file is 9 bytes, too short for a .npy header"));
    cases.add(bad("version 4.0", versioned(4, 0), "unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)"));
    cases.add(bad("version 1.1", versioned(1, 1), "unsupported .npy format version 1.1 (supported: 1.0, 2.0, 3.0)"));
    cases.add(bad("version 0.0", versioned(0, 0), "unsupported .npy format version 0.0 (supported: 1.0, 2.0, 3.0)"));
    cases.add(bad("header over the limit", npy(2, " ".repeat(10_001), new byte[0]),
        "header length 10001 exceeds the limit of 10000 bytes"));
    cases.add(bad("header length 2^32-1", new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, -1, -1, -1, -1},
        "header length 4294967295 exceeds the limit of 10000 bytes"));
    cases.add(bad("header past the end", Arrays.copyOf(npy(1, dict("'<f4'", "False", "(2,)"), f4x2), 40),
        "header length 57 runs past the end of the file (40 bytes)"));
    cases.add(bad("format 3.0 header not UTF-8",
        npy(3, new byte[] {'{', '\'', (byte) 0xE9, '\'', ':', '1', '}'}, new byte[0]),
        "header is not valid UTF-8 (required by format version 3.0)"));
    cases.add(bad("empty header", npy(1, "", new byte[0]), "malformed header: unexpected end of header at offset 0"));
    cases.add(bad("missing comma", npy(1, "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", f4x2),
        "malformed header: expected ',' or '}' but found character '\\'' at offset 16"));
    cases.add(bad("missing colon", npy(1, "{'descr' '<f4'}", f4x2),
        "malformed header: expected ':' but found character '\\'' at offset 9"));
    cases.add(bad("unterminated string", npy(1, "{'descr': '<f4", f4x2), "malformed header: unterminated string at offset 10"));
    cases.add(bad("line break in a string", npy(1, "{'descr': '<f4\n'}", f4x2),
        "malformed header: unterminated string at offset 10"));
    cases.add(bad("a name", npy(1, dict("float32", "False", "(2,)"), f4x2), "malformed header: unexpected name 'float32' at offset 10"));
    cases.add(bad("garbage after the dict", npy(1, dict("'<f4'", "False", "(2,)") + " x", f4x2),
        "malformed header: unexpected character 'x' after the literal at offset 58"));
    cases.add(bad("JSON lowercase false", npy(1, dict("'<f4'", "false", "(2,)"), f4x2),
        "malformed header: unexpected name 'false' at offset 34"));
    cases.add(bad("stray comma", npy(1, "{, 'descr': '<f4'}", f4x2), "malformed header: unexpected character ',' at offset 1"));
    cases.add(bad("leading zero", npy(1, dict("'<f4'", "False", "(02,)"), f4x2), "malformed header: malformed number at offset 51"));
    cases.add(bad("hex number", npy(1, dict("'<f4'", "False", "(0x2,)"), f4x2),
        "malformed header: expected ',' or ')' but found character 'x' at offset 52"));
    cases.add(bad("Python 2 long in format 3.0", npy(3, dict("'<f4'", "False", "(2L,)"), f4x2),
        "malformed header: expected ',' or ')' but found character 'L' at offset 52"));
    cases.add(bad("deep nesting", npy(1, "[".repeat(100), f4x2),
        "malformed header: literal nested deeper than 32 levels at offset 32"));
    cases.add(bad("control character", npy(1, "{\u0000}", f4x2), "malformed header: unexpected character '\\x00' at offset 1"));
    cases.add(bad("not a dict", npy(1, "['descr', '<f4']", f4x2), "header is not a dict literal but ['descr', '<f4']"));
    cases.add(bad("non-string key", npy(1, "{1: 2}", f4x2), "header has a non-string key 1"));
    cases.add(bad("unexpected key", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'order': 'C'}", f4x2),
        "header has unexpected key 'order'"));
    cases.add(bad("duplicate key", npy(1, "{'descr': '<f4', 'shape': (2,), 'fortran_order': False, 'shape': (2,)}", f4x2),
        "header has duplicate key 'shape'"));
    cases.add(bad("missing key", npy(1, "{'descr': '<f4', 'shape': (2,)}", f4x2), "header has no 'fortran_order' key"));
    cases.add(bad("descr not a string", npy(1, dict("4", "False", "(2,)"), f4x2), "descr must be a string, got 4"));
    cases.add(bad("unknown descr", npy(1, dict("'<q9'", "False", "(2,)"), f4x2), "unsupported dtype '<q9'" + SUPPORTED));
    cases.add(bad("empty descr", npy(1, dict("''", "False", "(2,)"), f4x2), "unsupported dtype ''" + SUPPORTED));
    cases.add(bad("datetime", npy(1, dict("'<M8[ns]'", "False", "(2,)"), f4x2), "unsupported dtype '<M8[ns]' (datetime)" + SUPPORTED));
    cases.add(bad("unsigned 64", npy(1, dict("'<u8'", "False", "(2,)"), f4x2), "unsupported dtype '<u8' (uint64)" + SUPPORTED));
    cases.add(bad("big-endian i8", npy(1, dict("'>i8'", "False", "(2,)"), f4x2),
        "big-endian dtype '>i8' is not supported; save it little-endian, e.g. with a.astype('<i8')"));
    cases.add(bad("fortran_order a string", npy(1, dict("'<f4'", "'False'", "(2,)"), f4x2),
        "fortran_order must be True or False, got 'False'"));
    cases.add(bad("fortran_order 0", npy(1, dict("'<f4'", "0", "(2,)"), f4x2), "fortran_order must be True or False, got 0"));
    cases.add(bad("shape a list", npy(1, dict("'<f4'", "False", "[2]"), f4x2), "shape must be a tuple of integers, got [2]"));
    cases.add(bad("shape in parentheses without comma", npy(1, dict("'<f4'", "False", "(2)"), f4x2),
        "shape must be a tuple of integers, got 2"));
    cases.add(bad("shape of floats", npy(1, dict("'<f4'", "False", "(2.0,)"), f4x2), "shape must be a tuple of integers, got (2.0,)"));
    cases.add(bad("shape of bools", npy(1, dict("'<f4'", "False", "(True,)"), f4x2),
        "shape must be a tuple of integers, got (True,)"));
    cases.add(bad("shape None", npy(1, dict("'<f4'", "False", "None"), f4x2), "shape must be a tuple of integers, got None"));
    cases.add(bad("negative dimension", npy(1, dict("'<f4'", "False", "(2, -1)"), f4x2), "shape (2, -1) has a negative dimension"));
    cases.add(bad("dimension over 2^31-1", npy(1, dict("'<f4'", "False", "(3000000000,)"), f4x2),
        "shape (3000000000,) has a dimension larger than 2147483647"));
    cases.add(bad("element count overflow", npy(1, dict("'<f4'", "False", "(2147483647, 2147483647, 2147483647)"), f4x2),
        "shape (2147483647, 2147483647, 2147483647) of '<f4' has too many elements"));
    cases.add(bad("truncated data", npy(1, dict("'<f4'", "False", "(3,)"), f4x2),
        "truncated: shape (3,) of '<f4' needs 12 data bytes but the file has 8"));
    cases.add(bad("no data", npy(1, dict("'<f8'", "False", "()"), new byte[0]),
        "truncated: shape () of '<f8' needs 8 data bytes but the file has 0"));
    cases.add(bad("trailing bytes", npy(1, dict("'<f4'", "False", "(1,)"), f4x2),
        "4 unexpected bytes after the array data (shape (1,) of '<f4' needs 4 bytes)"));
    cases.add(bad("data for an empty array", npy(1, dict("'<f4'", "False", "(0, 5)"), f4x2),
        "8 unexpected bytes after the array data (shape (0, 5) of '<f4' needs 0 bytes)"));
    return cases.stream();
  }

  private static byte[] versioned(int major, int minor) {
    return new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, (byte) minor, 0, 0, 0, 0};
  }

  private static Arguments bad(String description, byte[] bytes, String problem) {
    return Arguments.of(description, bytes, problem);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedFiles")
  void refusesBadFile(String description, byte[] bytes, String problem) throws IOException {
    Path path = write(bytes);
    TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.read(path));
    assertEquals(path + ": " + problem, e.getMessage());
  }

  @Test
  void arraysOverTwoGigabytesAreRefused() throws IOException {
    // A sparse file: the 2 GiB of data take no disk space and are never read.
    Path path = dir.resolve("huge.npy");
    byte[] preamble = Npy.preamble(Shape.of(1 << 30), "<i2");
    try (var raf = new java.io.RandomAccessFile(path.toFile(), "rw")) {
      raf.write(preamble);
      raf.setLength(preamble.length + (1L << 31));
    }
    TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.read(path));
    assertEquals(path + ": array data is 2147483648 bytes; at most 2147483647 bytes are supported", e.getMessage());
  }

  @Test
  void missingFileAndDirectory() {
    Path missing = dir.resolve("missing.npy");
    TensorFileException e = assertThrows(TensorFileException.class, () -> Npy.read(missing));
    assertEquals(missing + ": file not found", e.getMessage());
    e = assertThrows(TensorFileException.class, () -> Npy.read(dir));
    assertEquals(dir + ": is a directory, not a file", e.getMessage());
  }

  /** Random corruptions of valid files: a successful read or a one-line TensorFileException, nothing else. */
  @Test
  void corruptedFilesFailCleanly() throws IOException {
    List<byte[]> valid = new ArrayList<>();
    for (String name : List.of("i2.npy", "f8.npy", "scalar_f4.npy", "v2_i2.npy", "v3_i2.npy")) {
      valid.add(Files.readAllBytes(fixture(name)));
    }
    Random random = new Random(7);
    Path path = dir.resolve("fuzz.npy");
    int failures = 0;
    for (int round = 0; round < 2000; round++) {
      byte[] bytes = valid.get(random.nextInt(valid.size())).clone();
      switch (random.nextInt(4)) {
        case 0 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        case 1 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
        case 2 -> bytes = Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(9));
        default -> {
          // Change a character of the header dict to another one that matters to its syntax.
          int at = 10 + random.nextInt(50);
          bytes[at] = (byte) "0123456789()[]{},:'\" -.LTFe<>|=".charAt(random.nextInt(31));
        }
      }
      Files.write(path, bytes);
      try {
        TensorData data = Npy.read(path);
        assertEquals(data.shape().numElements() * data.elementType().byteSize(), data.bytes().remaining());
      } catch (TensorFileException e) {
        failures++;
        assertTrue(e.getMessage().startsWith(path + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
      }
    }
    assertTrue(failures > 500, "most corruptions are caught: " + failures);
  }

  // ---------------------------------------------------------------- writing

  @Test
  void randomArraysRoundTrip() throws Exception {
    Random random = new Random(42);
    Path path = dir.resolve("round.npy");
    for (int round = 0; round < 150; round++) {
      ElementType type = ElementType.values()[random.nextInt(ElementType.values().length)];
      int[] dims = new int[random.nextInt(5)];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = random.nextInt(6);
      }
      if (dims.length > 0 && random.nextInt(8) == 0) {
        dims[random.nextInt(dims.length)] = random.nextInt(2000);
      }
      Shape shape = Shape.of(dims);
      byte[] bytes = new byte[Math.toIntExact(shape.numElements() * type.byteSize())];
      random.nextBytes(bytes);
      TensorData array = new TensorData(type, shape, ByteBuffer.wrap(bytes));
      Npy.write(path, array);
      byte[] file = Files.readAllBytes(path);
      int headerLength = Short.toUnsignedInt(ByteBuffer.wrap(file, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort());
      assertEquals(1, file[6], "format 1.0");
      assertEquals(0, (10 + headerLength) % 64, "data aligned to 64 bytes");
      assertEquals('\n', file[10 + headerLength - 1]);
      assertTrue(array.contentEquals(Npy.read(path)), () -> type + " " + shape);
    }
    assertEquals(List.of(path), listDir());
  }

  @Test
  void hugeHeadersUseFormat2() {
    int[] ones = new int[30_000];
    Arrays.fill(ones, 1);
    byte[] preamble = Npy.preamble(Shape.of(ones), "<f4");
    assertEquals(2, preamble[6]);
    int headerLength = ByteBuffer.wrap(preamble, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    assertEquals(preamble.length, 12 + headerLength);
    assertEquals(0, preamble.length % 64);
    assertTrue(headerLength > 0xFFFF);
  }

  @Test
  void writeReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws Exception {
    Path path = dir.resolve("out.npy");
    Files.writeString(path, "old contents");
    TensorData array = TensorData.ofLongs(ElementType.I8, Shape.of(2), 1, -1);
    Npy.write(path, array);
    assertTrue(array.contentEquals(Npy.read(path)));
    assertEquals(List.of(path), listDir());
  }

  @Test
  void writeIntoAMissingDirectoryFailsWithoutCreatingAnything() throws Exception {
    Path path = dir.resolve("no/such/dir/out.npy");
    TensorFileException e = assertThrows(TensorFileException.class,
        () -> Npy.write(path, TensorData.ofFloats(Shape.of(), 1f)));
    assertEquals(path + ": cannot write: no such file or directory", e.getMessage());
    assertEquals(List.of(), listDir());
  }

  @Test
  void writeOverADirectoryFailsAndKeepsIt() throws Exception {
    Path target = Files.createDirectory(dir.resolve("out.npy"));
    TensorFileException e = assertThrows(TensorFileException.class,
        () -> Npy.write(target, TensorData.ofFloats(Shape.of(), 1f)));
    assertEquals(target + ": is a directory, not a file", e.getMessage());
    assertTrue(Files.isDirectory(target));
    assertEquals(List.of(target), listDir());
  }

  @Test
  void writeWithALongFileName() throws Exception {
    Path path = dir.resolve("a".repeat(250) + ".npy");
    Npy.write(path, TensorData.ofFloats(Shape.of(1), 2f));
    assertEquals(2.0, Npy.read(path).getDouble(0));
  }

  @Test
  void writtenFilesGetTheUsualPermissionsNotTemporaryFileOnes() throws Exception {
    assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null);
    Path reference = Files.createFile(dir.resolve("reference"));
    Path path = dir.resolve("out.npy");
    Npy.write(path, TensorData.ofFloats(Shape.of(1), 2f));
    assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(path));
  }

  private List<Path> listDir() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }
}
