package dev.zeropoint.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Diagnostic;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.op.Attrs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named constants: read from the weights file, and every problem with it reported at the model's line. */
class WeightsDiagnosticsTest {
  @TempDir
  Path dir;

  private static final String MODEL = """
      model m weights("w.safetensors") {
        input %x : f32[4]
        %w = const "w" : TYPE
        %y = add(%x, %x)
        output y = %y
      }
      """;

  /** A safetensors file: the 8-byte header length, the JSON header, the data. */
  private Path weights(String json, byte[] data) throws IOException {
    byte[] header = json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    Path p = dir.resolve("w.safetensors");
    Files.write(p, b.putLong(header.length).put(header).put(data).array());
    return p;
  }

  private static final String FOUR_I8 = "{'w':{'dtype':'I8','shape':[4],'data_offsets':[0,4]}}";

  private List<String> errors(String type) throws IOException {
    Path model = dir.resolve("m.qg");
    Files.writeString(model, MODEL.replace("TYPE", type));
    CompileException e = assertThrows(CompileException.class, () -> ModelParser.create().parse(model));
    return e.diagnostics().stream().map(Diagnostic::toString).toList();
  }

  private String at(int line, int column) {
    return dir.resolve("m.qg") + ":" + line + ":" + column + ": error: ";
  }

  @Test
  void readsTheNamedTensor() throws Exception {
    weights(FOUR_I8, new byte[] {-128, -1, 0, 127});
    Path model = dir.resolve("m.qg");
    Files.writeString(model, MODEL.replace("TYPE", "qi8<0.5:0>[4]"));
    Graph g = ModelParser.create().parse(model);
    Attrs.Const c = (Attrs.Const) g.nodes().get(0).attrs();
    assertEquals(ElementType.I8, c.data().elementType());
    assertEquals(List.of(-128L, -1L, 0L, 127L), List.of(c.data().getLong(0), c.data().getLong(1),
        c.data().getLong(2), c.data().getLong(3)));
  }

  @Test
  void missingWeightsFile() throws Exception {
    assertEquals(List.of(at(1, 17) + "weights file w.safetensors not found (looked for "
        + dir.resolve("w.safetensors") + ")"), errors("qi8<0.5:0>[4]"));
  }

  @Test
  void missingKey() throws Exception {
    weights("{'v':{'dtype':'I8','shape':[4],'data_offsets':[0,4]}}", new byte[4]);
    assertEquals(List.of(at(3, 14) + "weights file w.safetensors has no tensor \"w\""), errors("qi8<0.5:0>[4]"));
  }

  @Test
  void wrongDtype() throws Exception {
    weights(FOUR_I8, new byte[4]);
    assertEquals(List.of(at(3, 14) + "tensor \"w\" in w.safetensors holds i8, but type f32[4] stores f32"),
        errors("f32[4]"));
  }

  @Test
  void wrongSize() throws Exception {
    weights(FOUR_I8, new byte[4]);
    assertEquals(List.of(at(3, 14) + "tensor \"w\" in w.safetensors has shape [4], but type qi8<0.5:0>[2, 4] has shape [2, 4]"),
        errors("qi8<0.5:0>[2, 4]"));
  }

  @Test
  void headerLengthLargerThanTheFile() throws Exception {
    Path w = dir.resolve("w.safetensors");
    Files.write(w, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(4096).putLong(0).array());
    assertEquals(List.of(at(1, 17) + w + ": header length 4096 runs past the end of the file (16 bytes)"),
        errors("qi8<0.5:0>[4]"));
  }

  @Test
  void offsetsPastTheEnd() throws Exception {
    Path w = weights("{'w':{'dtype':'I8','shape':[4],'data_offsets':[0,8]}}", new byte[4]);
    assertEquals(List.of(at(1, 17) + w + ": tensor 'w': data_offsets [0, 8] run past the end of the data section (4 bytes)"),
        errors("qi8<0.5:0>[4]"));
  }

  @Test
  void overlappingTensors() throws Exception {
    Path w = weights("{'w':{'dtype':'I8','shape':[4],'data_offsets':[0,4]},'v':{'dtype':'I8','shape':[4],'data_offsets':[2,6]}}",
        new byte[6]);
    assertEquals(List.of(at(1, 17) + w + ": tensor 'v' (bytes [2, 6)) overlaps tensor 'w' (bytes [0, 4))"),
        errors("qi8<0.5:0>[4]"));
  }

  @Test
  void headerThatIsNotJson() throws Exception {
    Path w = weights("this is not json", new byte[0]);
    List<String> e = errors("qi8<0.5:0>[4]");
    assertEquals(1, e.size());
    String prefix = at(1, 17) + w + ": header is not valid JSON: ";
    assertEquals(prefix, e.get(0).substring(0, Math.min(prefix.length(), e.get(0).length())), e.get(0));
  }

  @Test
  void allConstantsOfABrokenFileGiveOneError() throws Exception {
    Path model = dir.resolve("m.qg");
    Files.writeString(model, """
        model m weights("w.safetensors") {
          %a = const "a" : f32[4]
          %b = const "b" : f32[4]
          %y = add(%a, %b)
          output y = %y
        }
        """);
    CompileException e = assertThrows(CompileException.class, () -> ModelParser.create().parse(model));
    assertEquals(1, e.diagnostics().size(), e.diagnostics().toString());
  }
}
