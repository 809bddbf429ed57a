package dev.zeropoint.frontend;

import dev.zeropoint.frontend.parser.QgParser;
import dev.zeropoint.ir.Diagnostics;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Numbers;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.op.Attrs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import org.antlr.v4.runtime.Token;

/**
 * Reads constants: inline element lists straight into little-endian buffers (no boxed lists, so
 * large constants stay cheap), and named entries of the weights file, opened once on first use.
 */
final class ConstReader {
  private final String file;
  private final Diagnostics diagnostics;
  private final Function<Token, SourceLocation> locate;
  private Optional<String> weightsName = Optional.empty();
  private Token weightsToken;
  private Path baseDir;
  private WeightTable.Opener opener;
  private WeightTable table;
  private boolean openFailed;

  ConstReader(String file, Diagnostics diagnostics, Function<Token, SourceLocation> locate) {
    this.file = file;
    this.diagnostics = diagnostics;
    this.locate = locate;
  }

  void setWeights(Optional<String> name, Token token, Path dir, WeightTable.Opener weightsOpener) {
    this.weightsName = name;
    this.weightsToken = token;
    this.baseDir = dir;
    this.opener = weightsOpener;
  }

  void close() {
    if (table instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing a read-only file cannot lose data; mapped buffers stay valid.
      }
    }
  }

  Optional<Attrs.Const> read(QgParser.ConstBodyContext body, TensorType type) {
    return switch (body) {
      case QgParser.NamedConstContext n -> named(n.STRING().getSymbol(), type);
      case QgParser.InlineConstContext in -> inline(in, type);
      default -> throw new IllegalStateException("unknown constant form " + body.getClass());
    };
  }

  private Optional<Attrs.Const> named(Token keyToken, TensorType type) {
    String key = unquote(keyToken.getText());
    if (weightsName.isEmpty()) {
      error(keyToken, "constant \"" + key + "\" needs a weights file: add weights(\"FILE.safetensors\") to the model header");
      return Optional.empty();
    }
    if (openFailed) {
      return Optional.empty();
    }
    if (table == null) {
      Path path = baseDir.resolve(weightsName.get());
      try {
        if (!Files.isRegularFile(path)) {
          throw new WeightTable.WeightsException("weights file " + weightsName.get() + " not found (looked for "
              + path + ")");
        }
        table = opener.open(path, weightsName.get());
      } catch (WeightTable.WeightsException e) {
        openFailed = true;
        error(weightsToken, e.getMessage());
        return Optional.empty();
      }
    }
    Optional<WeightTable.Info> info = table.info(key);
    if (info.isEmpty()) {
      error(keyToken, "weights file " + weightsName.get() + " has no tensor \"" + key + "\"");
      return Optional.empty();
    }
    if (info.get().elementType() != type.elementType()) {
      error(keyToken, "tensor \"" + key + "\" in " + weightsName.get() + " holds " + info.get().elementType()
          + ", but type " + type + " stores " + type.elementType());
      return Optional.empty();
    }
    if (!info.get().shape().equals(type.shape())) {
      error(keyToken, "tensor \"" + key + "\" in " + weightsName.get() + " has shape " + info.get().shape()
          + ", but type " + type + " has shape " + type.shape());
      return Optional.empty();
    }
    try {
      return Optional.of(new Attrs.Const(table.read(key), Optional.of(key)));
    } catch (WeightTable.WeightsException e) {
      error(keyToken, e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<Attrs.Const> inline(QgParser.InlineConstContext in, TensorType type) {
    Token list = in.NUMBER_LIST().getSymbol();
    String text = list.getText();
    ElementType et = type.elementType();
    long count = NumberList.count(text);
    if (count != type.shape().numElements()) {
      error(list, "constant has " + count + (count == 1 ? " element" : " elements") + ", but type " + type
          + " holds " + type.shape().numElements());
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(count * et.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    boolean[] ok = {true};
    NumberList.forEach(text, (element, offset, integer) -> {
      String problem = put(b, et, element, integer);
      if (problem != null) {
        diagnostics.error(NumberList.locate(file, list, offset), problem.replace("TYPE", type.toString()));
        ok[0] = false;
      }
      return ok[0];
    });
    if (!ok[0]) {
      return Optional.empty();
    }
    return Optional.of(new Attrs.Const(new TensorData(et, type.shape(), b.flip()), Optional.empty()));
  }

  /** Stores one element; returns the problem (with TYPE standing for the type) or null. */
  private static String put(ByteBuffer b, ElementType et, String text, boolean integer) {
    switch (et) {
      case F32 -> b.putInt(Numbers.parseFloatBits(text));
      case F64 -> b.putLong(Numbers.parseDoubleBits(text));
      case I8, U8, I16, I32, I64 -> {
        if (!integer) {
          return "element " + text + " is not an integer, but type TYPE stores " + et;
        }
        long v;
        try {
          v = Long.parseLong(text);
        } catch (NumberFormatException e) {
          return "element " + text + " does not fit in 64 bits";
        }
        if (v < et.minValue() || v > et.maxValue()) {
          return "element " + v + " outside " + et + " range " + et.minValue() + ".." + et.maxValue();
        }
        switch (et) {
          case I8, U8 -> b.put((byte) v);
          case I16 -> b.putShort((short) v);
          case I32 -> b.putInt((int) v);
          default -> b.putLong(v);
        }
      }
    }
    return null;
  }

  /** The contents of a string literal, escapes resolved. */
  static String unquote(String literal) {
    String body = literal.substring(1, literal.length() - 1);
    StringBuilder out = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && i + 1 < body.length()) {
        c = body.charAt(++i);
      }
      out.append(c);
    }
    return out.toString();
  }

  private void error(Token at, String message) {
    diagnostics.error(locate.apply(at), message);
  }
}
