package dev.zeropoint.frontend.tensorfile;

import static dev.zeropoint.frontend.tensorfile.Messages.quote;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.common.primitives.ImmutableIntArray;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates a safetensors JSON header. Streams through the JSON with Jackson's token
 * parser rather than building a tree, so memory stays proportional to the number of tensors.
 */
final class SafetensorsHeader {
  static final String METADATA_KEY = "__metadata__";

  private static final String SUPPORTED = "I8, U8, I16, I32, I64, F32, F64";
  private static final Set<String> KNOWN_UNSUPPORTED = Set.of(
      "BOOL", "F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ",
      "F8_E5M2FNUZ", "U16", "F16", "BF16", "U32", "C64", "U64");

  // serde_json, which the reference implementation uses, stops at 128 levels; valid headers need 3.
  // Tensor names are attacker-chosen and may number millions: keep them out of Jackson's symbol
  // table and the JVM's string pool, which exist to speed up parsing many documents of one schema.
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(128).build())
      .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
      .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
      .build();

  private static final Pattern JACKSON_SOURCE_NOTE =
      Pattern.compile("\\s*\\((?:for|start marker at)[^\\[]*\\[Source:[^\\]]*\\]\\)");
  private static final Pattern JACKSON_SETTING_NOTE = Pattern.compile(", from `[^`]*`");

  private final Path file;
  private final long dataLength;
  private final Map<String, Safetensors.Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  private SafetensorsHeader(Path file, long dataLength) {
    this.file = file;
    this.dataLength = dataLength;
  }

  /** The tensors, in header order; all validated against a data section of {@code dataLength} bytes. */
  Map<String, Safetensors.Entry> entries() {
    return Collections.unmodifiableMap(entries);
  }

  Map<String, String> metadata() {
    return Collections.unmodifiableMap(metadata);
  }

  static SafetensorsHeader parse(Path file, ByteBuffer headerBytes, long dataLength) throws TensorFileException {
    SafetensorsHeader header = new SafetensorsHeader(file, dataLength);
    header.checkUtf8(headerBytes.duplicate());
    header.parseJson(headerBytes);
    header.checkLayout();
    return header;
  }

  /**
   * Checks strictly, and before parsing, so the message can say where; decoding into a small
   * buffer avoids holding a second, wider copy of a header that may be 100 MB.
   */
  private void checkUtf8(ByteBuffer bytes) throws TensorFileException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer chars = CharBuffer.allocate(8192);
    CoderResult result;
    do {
      chars.clear();
      result = decoder.decode(bytes, chars, true);
    } while (result.isOverflow());
    if (result.isUnderflow()) {
      // A UTF-8 decoder keeps no state to flush, and an 8192-char buffer has room in any case.
      result = decoder.flush(chars.clear());
    }
    if (result.isError()) {
      throw fail("header is not valid UTF-8 (bad byte at header offset " + bytes.position() + ")");
    }
  }

  private void parseJson(ByteBuffer bytes) throws TensorFileException {
    if (isJsonWhitespace(bytes)) {
      throw fail("header is empty");
    }
    // A Reader rather than the bytes themselves: from bytes, Jackson guesses the encoding, but
    // safetensors headers are UTF-8 by definition (and checkUtf8 has shown these are).
    Reader reader = new InputStreamReader(
        new ByteArrayInputStream(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining()),
        StandardCharsets.UTF_8);
    try (JsonParser p = JSON.createParser(reader)) {
      JsonToken token = p.nextToken();
      if (token != JsonToken.START_OBJECT) {
        throw fail("header is not a JSON object (it is " + describe(p) + ")");
      }
      Set<String> keys = new HashSet<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        if (!keys.add(key)) {
          throw fail("header has duplicate key " + quote(key));
        }
        p.nextToken();
        if (key.equals(METADATA_KEY)) {
          parseMetadata(p);
        } else {
          Safetensors.Entry entry = parseEntry(p, key);
          entries.put(key, entry);
        }
      }
      if (p.nextToken() != null) {
        throw fail("header has more content after its JSON object");
      }
    } catch (JsonProcessingException e) {
      throw fail("header is not valid JSON: " + jsonProblem(e), e);
    } catch (IOException e) {
      // Reading a byte array does no real I/O; anything else Jackson raises is a form of bad JSON.
      throw fail("header is not valid JSON: " + Messages.describe(e), e);
    }
  }

  private static String jsonProblem(JsonProcessingException e) {
    // Jackson adds notes for its own users: "(for Array starting at [Source: ...])", which mostly
    // describes Jackson's settings (the error's position suffices), and which setting a limit comes from.
    String message = JACKSON_SOURCE_NOTE.matcher(e.getOriginalMessage()).replaceAll("");
    message = Messages.oneLine(JACKSON_SETTING_NOTE.matcher(message).replaceAll(""));
    if (message.length() > 200) {
      message = message.substring(0, 200) + "...";
    }
    JsonLocation at = e.getLocation();
    return at == null || at.getLineNr() < 1 ? message : message + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  private void parseMetadata(JsonParser p) throws IOException, TensorFileException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw fail(METADATA_KEY + " is not a JSON object (it is " + describe(p) + ")");
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw fail(METADATA_KEY + " value for " + quote(key) + " is not a string (it is " + describe(p) + ")");
      }
      if (metadata.put(key, p.getText()) != null) {
        throw fail(METADATA_KEY + " has duplicate key " + quote(key));
      }
    }
  }

  private Safetensors.Entry parseEntry(JsonParser p, String name) throws IOException, TensorFileException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw fail("entry " + quote(name) + " is not a JSON object (it is " + describe(p) + ")");
    }
    ElementType type = null;
    ImmutableIntArray dims = null;
    BigInteger[] offsets = null;
    Set<String> fields = new HashSet<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      if (!fields.add(field)) {
        throw failTensor(name, " has duplicate key " + quote(field));
      }
      p.nextToken();
      switch (field) {
        case "dtype" -> type = parseDtype(p, name);
        case "shape" -> dims = parseShape(p, name);
        case "data_offsets" -> offsets = parseOffsets(p, name);
        // The reference implementation ignores unknown fields; so do we.
        default -> p.skipChildren();
      }
    }
    if (type == null) {
      throw failTensor(name, " has no dtype");
    }
    if (dims == null) {
      throw failTensor(name, " has no shape");
    }
    if (offsets == null) {
      throw failTensor(name, " has no data_offsets");
    }
    return checkedEntry(name, type, new Shape(dims), offsets[0], offsets[1]);
  }

  private ElementType parseDtype(JsonParser p, String name) throws IOException, TensorFileException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw failTensor(name, ": dtype is not a string (it is " + describe(p) + ")");
    }
    String dtype = p.getText();
    for (ElementType t : ElementType.values()) {
      // The IR's enum constants are named exactly like the safetensors dtypes.
      if (t.name().equals(dtype)) {
        return t;
      }
    }
    if (KNOWN_UNSUPPORTED.contains(dtype)) {
      throw failTensor(name, " has dtype " + dtype + ", which is not supported (supported: " + SUPPORTED + ")");
    }
    throw failTensor(name, " has unknown dtype " + quote(dtype) + " (supported: " + SUPPORTED + ")");
  }

  private ImmutableIntArray parseShape(JsonParser p, String name) throws IOException, TensorFileException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw failTensor(name, ": shape is not an array (it is " + describe(p) + ")");
    }
    ImmutableIntArray.Builder dims = ImmutableIntArray.builder();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        throw failTensor(name, ": shape has a non-integer entry (" + describe(p) + ")");
      }
      BigInteger dim = p.getBigIntegerValue();
      if (dim.signum() < 0) {
        throw failTensor(name, ": shape has a negative dimension " + dim);
      }
      if (dim.bitLength() > 31) {
        throw failTensor(name, ": shape dimension " + dim + " is larger than " + Integer.MAX_VALUE);
      }
      dims.add(dim.intValue());
    }
    return dims.build();
  }

  private BigInteger[] parseOffsets(JsonParser p, String name) throws IOException, TensorFileException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw badOffsets(name);
    }
    List<BigInteger> values = new ArrayList<>(2);
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || values.size() == 2) {
        throw badOffsets(name);
      }
      BigInteger value = p.getBigIntegerValue();
      if (value.signum() < 0) {
        throw badOffsets(name);
      }
      values.add(value);
    }
    if (values.size() != 2) {
      throw badOffsets(name);
    }
    return values.toArray(BigInteger[]::new);
  }

  private Safetensors.Entry checkedEntry(String name, ElementType type, Shape shape, BigInteger begin, BigInteger end)
      throws TensorFileException {
    if (begin.compareTo(end) > 0) {
      throw failTensor(name, ": " + offsets(begin, end) + " end before they begin");
    }
    if (end.compareTo(BigInteger.valueOf(dataLength)) > 0) {
      throw failTensor(name, ": " + offsets(begin, end) + " run past the end of the data section (" + dataLength + " bytes)");
    }
    long byteCount = byteCount(name, type, shape);
    long span = end.longValueExact() - begin.longValueExact();
    if (byteCount != span) {
      throw failTensor(name, ": " + type.name() + " " + shape + " needs " + byteCount + " bytes but " + offsets(begin, end) + " hold " + span);
    }
    return new Safetensors.Entry(name, type, shape, begin.longValueExact(), end.longValueExact());
  }

  private long byteCount(String name, ElementType type, Shape shape) throws TensorFileException {
    // Same order of multiplication as Shape.numElements, so a shape accepted here never overflows there.
    try {
      long n = 1;
      for (int i = 0; i < shape.rank(); i++) {
        n = Math.multiplyExact(n, shape.dim(i));
      }
      return Math.multiplyExact(n, type.byteSize());
    } catch (ArithmeticException e) {
      throw failTensor(name, ": shape " + shape + " has too many elements");
    }
  }

  /**
   * Requires the tensors to tile the data section exactly: sorted by offset, each begins where the
   * previous one ends, the first at 0 and the last at the end of the file. This is the reference
   * implementation's rule (huggingface/safetensors {@code Metadata::validate} plus its check that
   * the header accounts for the whole buffer), adopted as is rather than only forbidding overlaps:
   * every file the reference writer produces passes, a file accepted here is one that PyTorch and
   * the Hugging Face tools also load, and no bytes can hide in gaps (the spec forbids holes to
   * prevent polyglot files). Empty tensors take no bytes, so any number may share one offset.
   */
  private void checkLayout() throws TensorFileException {
    List<Safetensors.Entry> sorted = new ArrayList<>(entries.values());
    sorted.sort(Comparator.comparingLong(Safetensors.Entry::begin).thenComparingLong(Safetensors.Entry::end));
    long covered = 0;
    Safetensors.Entry previous = null;
    for (Safetensors.Entry e : sorted) {
      if (e.begin() < covered) {
        throw fail("tensor " + quote(e.name()) + " (bytes [" + e.begin() + ", " + e.end() + ")) overlaps tensor "
            + quote(previous.name()) + " (bytes [" + previous.begin() + ", " + previous.end() + "))");
      }
      if (e.begin() > covered) {
        throw gap(covered, e.begin());
      }
      covered = e.end();
      previous = e;
    }
    if (covered < dataLength) {
      throw gap(covered, dataLength);
    }
  }

  private TensorFileException gap(long from, long to) {
    return fail("bytes [" + from + ", " + to + ") of the data section belong to no tensor (safetensors files must not have gaps)");
  }

  private static boolean isJsonWhitespace(ByteBuffer bytes) {
    for (int i = bytes.position(); i < bytes.limit(); i++) {
      byte b = bytes.get(i);
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /** A short description of the current token, for messages. */
  private static String describe(JsonParser p) throws IOException {
    JsonToken token = p.currentToken();
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "the string " + quote(p.getText());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + Messages.truncate(p.getText());
      case VALUE_TRUE, VALUE_FALSE, VALUE_NULL -> p.getText();
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }

  private TensorFileException failTensor(String name, String problem) {
    // Messages are built only on failure: a header may list millions of tensors.
    return fail("tensor " + quote(name) + problem);
  }

  private TensorFileException badOffsets(String name) {
    return failTensor(name, ": data_offsets must be an array of two non-negative integers [begin, end]");
  }

  private static String offsets(BigInteger begin, BigInteger end) {
    return "data_offsets [" + begin + ", " + end + "]";
  }

  private TensorFileException fail(String problem) {
    return new TensorFileException(file, problem);
  }

  private TensorFileException fail(String problem, Throwable cause) {
    return new TensorFileException(file, problem, cause);
  }
}
