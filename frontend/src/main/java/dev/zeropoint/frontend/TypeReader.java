package dev.zeropoint.frontend;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableLongArray;
import dev.zeropoint.frontend.parser.QgParser;
import dev.zeropoint.ir.Diagnostics;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Numbers;
import dev.zeropoint.ir.Quantization;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.SourceLocation;
import dev.zeropoint.ir.TensorType;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.antlr.v4.runtime.Token;

/** Reads written types, reporting every problem with the type at its place in the source. */
final class TypeReader {
  private final Diagnostics diagnostics;
  private final String file;
  private final Function<Token, SourceLocation> locate;

  TypeReader(String file, Diagnostics diagnostics, Function<Token, SourceLocation> locate) {
    this.file = file;
    this.diagnostics = diagnostics;
    this.locate = locate;
  }

  /** The type, or empty after reporting why it is not one. */
  Optional<TensorType> read(QgParser.TypeContext ctx) {
    String elementName = ctx.elementName.getText();
    Optional<Quantization> quantization = Optional.empty();
    ElementType element;
    if (ctx.quantParams() != null) {
      Optional<ElementType> storage = elementName.startsWith("q")
          ? ElementType.fromKeyword(elementName.substring(1)).filter(ElementType::isQuantizedStorage)
          : Optional.empty();
      if (storage.isEmpty()) {
        error(ctx.elementName.start, "unknown quantized type '" + elementName + "' (expected qu8, qi8, qi16 or qi32)");
        return Optional.empty();
      }
      element = storage.get();
      quantization = quantization(ctx.quantParams());
      if (quantization.isEmpty()) {
        return Optional.empty();
      }
    } else {
      Optional<ElementType> plain = ElementType.fromKeyword(elementName);
      if (plain.isEmpty()) {
        boolean quantizedName = elementName.startsWith("q")
            && ElementType.fromKeyword(elementName.substring(1)).filter(ElementType::isQuantizedStorage).isPresent();
        error(ctx.elementName.start, quantizedName
            ? "quantized type " + elementName + " needs its parameters, as in " + elementName + "<0.5:0>"
            : "unknown element type '" + elementName + "'");
        return Optional.empty();
      }
      element = plain.get();
    }
    Token list = ctx.NUMBER_LIST().getSymbol();
    List<NumberList.Element> elements = NumberList.elements(list.getText());
    int[] dims = new int[elements.size()];
    for (int i = 0; i < dims.length; i++) {
      NumberList.Element e = elements.get(i);
      SourceLocation at = NumberList.locate(file, list, e.offset());
      Long d = e.integer() ? parseLong(e.text()) : null;
      if (d == null || d < 0 || d > Integer.MAX_VALUE) {
        diagnostics.error(at, "dimension " + e.text() + (d == null ? " is not an integer"
            : d < 0 ? " is negative" : " is too large"));
        return Optional.empty();
      }
      dims[i] = (int) (long) d;
    }
    Shape shape = Shape.of(dims);
    List<Quantization.Problem> problems = TensorType.problems(element, shape, quantization);
    if (!problems.isEmpty()) {
      problems.forEach(p -> error(tokenOf(ctx, p), p.message()));
      return Optional.empty();
    }
    try {
      Math.multiplyExact((long) shape.numElements(), (long) element.byteSize());
    } catch (ArithmeticException e) {
      error(ctx.start, "type " + ctx.getText() + " is too large");
      return Optional.empty();
    }
    return Optional.of(new TensorType(element, shape, quantization));
  }

  /** The written token a quantization problem concerns: the scale, zero point or axis itself. */
  private static Token tokenOf(QgParser.TypeContext ctx, Quantization.Problem p) {
    QgParser.QuantParamsContext q = ctx.quantParams();
    if (q == null) {
      return ctx.start;
    }
    List<QgParser.ScaleZeroPointContext> entries = q instanceof QgParser.PerTensorContext t
        ? List.of(t.scaleZeroPoint()) : ((QgParser.PerAxisContext) q).scaleZeroPoint();
    QgParser.ScaleZeroPointContext entry = p.index() < entries.size() ? entries.get(p.index()) : null;
    return switch (p.part()) {
      case SCALE -> entry != null ? entry.number().start : q.start;
      case ZERO_POINT -> entry != null ? entry.INT().getSymbol() : q.start;
      case AXIS -> q instanceof QgParser.PerAxisContext a ? a.INT().getSymbol() : q.start;
      case WHOLE -> q.start;
    };
  }

  private Optional<Quantization> quantization(QgParser.QuantParamsContext ctx) {
    if (ctx instanceof QgParser.PerTensorContext p) {
      Optional<Double> scale = scale(p.scaleZeroPoint());
      Optional<Long> zp = integer(p.scaleZeroPoint().INT().getSymbol());
      if (scale.isEmpty() || zp.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Quantization.PerTensor(scale.get(), zp.get()));
    }
    QgParser.PerAxisContext a = (QgParser.PerAxisContext) ctx;
    Optional<Long> axis = integer(a.INT().getSymbol());
    if (axis.isEmpty()) {
      return Optional.empty();
    }
    if (axis.get() < 0 || axis.get() > Integer.MAX_VALUE) {
      error(a.INT().getSymbol(), "quantization axis " + axis.get() + " must not be negative");
      return Optional.empty();
    }
    ImmutableDoubleArray.Builder scales = ImmutableDoubleArray.builder();
    ImmutableLongArray.Builder zps = ImmutableLongArray.builder();
    for (QgParser.ScaleZeroPointContext s : a.scaleZeroPoint()) {
      Optional<Double> scale = scale(s);
      Optional<Long> zp = integer(s.INT().getSymbol());
      if (scale.isEmpty() || zp.isEmpty()) {
        return Optional.empty();
      }
      scales.add(scale.get());
      zps.add(zp.get());
    }
    return Optional.of(new Quantization.PerAxis((int) (long) axis.get(), scales.build(), zps.build()));
  }

  private Optional<Double> scale(QgParser.ScaleZeroPointContext s) {
    return Optional.of(Numbers.parseDouble(s.number().getText()));
  }

  private static Long parseLong(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** An integer literal, or empty after reporting that it does not fit in 64 bits. */
  Optional<Long> integer(Token t) {
    try {
      return Optional.of(Long.parseLong(t.getText()));
    } catch (NumberFormatException e) {
      error(t, "integer " + t.getText() + " does not fit in 64 bits");
      return Optional.empty();
    }
  }

  private void error(Token at, String message) {
    diagnostics.error(locate.apply(at), message);
  }

}
