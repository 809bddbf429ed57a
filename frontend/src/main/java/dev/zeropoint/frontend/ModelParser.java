package dev.zeropoint.frontend;

import dev.zeropoint.frontend.parser.QgLexer;
import dev.zeropoint.frontend.parser.QgParser;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Diagnostics;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.SourceLocation;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;

/**
 * Parses {@code .qg} models into verified IR. The entry point of the frontend: nothing of ANTLR
 * escapes it. Every user error is a {@link CompileException} carrying all the diagnostics found.
 */
public final class ModelParser {
  private final WeightTable.Opener weights;

  private ModelParser(WeightTable.Opener weights) {
    this.weights = weights;
  }

  /** A parser that reads named constants from safetensors files. */
  public static ModelParser create() {
    return new ModelParser(SafetensorsWeights::open);
  }

  /**
   * Parses the model in {@code file}; its weights file is resolved relative to the model's folder.
   * The file is read once, straight into the lexer's buffer.
   */
  public Graph parse(Path file) throws CompileException {
    String shown = file.toString();
    CharStream chars;
    try {
      // Decoded straight from the file into the lexer's buffer (one copy), refusing malformed UTF-8.
      try (FileChannel channel = FileChannel.open(file)) {
        chars = CharStreams.fromChannel(channel, StandardCharsets.UTF_8, 1 << 16, CodingErrorAction.REPORT, shown,
            channel.size());
      }
    } catch (NoSuchFileException e) {
      throw new CompileException(new SourceLocation(shown, 0, 0), "no such file");
    } catch (CharacterCodingException e) {
      throw new CompileException(new SourceLocation(shown, 0, 0), "not a UTF-8 text file");
    } catch (IOException e) {
      if (Files.isDirectory(file)) {
        throw new CompileException(new SourceLocation(shown, 0, 0), "is a directory, not a model file");
      }
      throw new CompileException(new SourceLocation(shown, 0, 0), "cannot read: " + e.getMessage());
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(shown, chars, dir);
  }

  /** Parses model text; {@code name} is the file name diagnostics show, {@code baseDir} where weights are found. */
  public Graph parse(String name, String text, Path baseDir) throws CompileException {
    return parse(name, CharStreams.fromString(text, name), baseDir);
  }

  private Graph parse(String name, CharStream chars, Path baseDir) throws CompileException {
    Diagnostics diagnostics = new Diagnostics();
    SyntaxErrorListener listener = new SyntaxErrorListener(name, diagnostics);
    QgLexer lexer = new QgLexer(chars);
    lexer.removeErrorListeners();
    lexer.addErrorListener(listener);
    QgParser parser = new QgParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners();
    parser.addErrorListener(listener);
    QgParser.ModelContext tree = parser.model();
    if (diagnostics.hasErrors()) {
      throw new CompileException(diagnostics.sorted());
    }
    var graph = new ModelBuilder(name, baseDir, weights, diagnostics).build(tree);
    if (graph.isEmpty() || diagnostics.hasErrors()) {
      throw new CompileException(diagnostics.sorted());
    }
    return graph.get();
  }
}
