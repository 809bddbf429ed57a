package dev.zeropoint.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zeropoint run: inputs from .npy, outputs to DIR/<name>.npy, and one-line errors for bad inputs. */
class RunCommandTest {
  @TempDir
  Path dir;

  Path model;
  Path out;

  static final String MODEL = """
      model q numerics(pytorch-qnnpack) {
        input %x : f32[6]
        %q = quantize(%x) : qu8<0.5:10>[6]
        %y = dequantize(%q)
        output y = %y
        output q = %q
      }
      """;

  @BeforeEach
  void setUp() throws Exception {
    model = dir.resolve("q.qg");
    Files.writeString(model, MODEL);
    out = dir.resolve("out");
  }

  private Path npy(String name, TensorData data) throws Exception {
    Path p = dir.resolve(name);
    Npy.write(p, data);
    return p;
  }

  @Test
  void writesEveryOutputInItsStorageType() throws Exception {
    Path x = npy("x.npy", TensorData.ofFloats(Shape.of(6), 0.0f, 0.24f, 0.25f, 0.76f, -100f, 200f));
    CliTest.Result r = CliTest.run("run", model.toString(), "--input", "x=" + x, "--output-dir", out.toString());
    assertEquals(0, r.status(), r.err());
    // By hand: x * (1/0.5) = 0, 0.48, 0.5, 1.52, -200, 400; RNE = 0, 0, 0 (tie to even), 2, -200, 400;
    // + 10 and saturated to u8 = 10, 10, 10, 12, 0, 255; dequantized (q - 10) * 0.5.
    TensorData q = Npy.read(out.resolve("q.npy"));
    assertEquals(ElementType.U8, q.elementType());
    long[] qs = new long[6];
    for (int i = 0; i < 6; i++) {
      qs[i] = q.getLong(i);
    }
    assertArrayEquals(new long[] {10, 10, 10, 12, 0, 255}, qs);
    TensorData y = Npy.read(out.resolve("y.npy"));
    double[] ys = new double[6];
    for (int i = 0; i < 6; i++) {
      ys[i] = y.getDouble(i);
    }
    assertArrayEquals(new double[] {0, 0, 0, 1.0, -5.0, 122.5}, ys);
    assertEquals("wrote " + out.resolve("y.npy") + " (f32[6])\nwrote " + out.resolve("q.npy") + " (u8[6])\n", r.out());
  }

  @Test
  void inputOfTheWrongShapeNamesTheInput() throws Exception {
    Path x = npy("x.npy", TensorData.ofFloats(Shape.of(5), 1, 2, 3, 4, 5));
    CliTest.Result r = CliTest.run("run", model.toString(), "--input", "x=" + x, "--output-dir", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: " + model + ": input x must have shape [6], got [5]\n", r.err());
    assertFalse(Files.exists(out), "no output directory after a failed run");
  }

  @Test
  void inputOfTheWrongDtypeNamesTheInput() throws Exception {
    Path x = npy("x.npy", TensorData.ofLongs(ElementType.U8, Shape.of(6), 1, 2, 3, 4, 5, 6));
    CliTest.Result r = CliTest.run("run", model.toString(), "--input", "x=" + x, "--output-dir", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: " + model + ": input x must be f32 (f32[6]), got u8\n", r.err());
  }

  @Test
  void missingAndUnknownInputs() throws Exception {
    Path x = npy("x.npy", TensorData.ofFloats(Shape.of(6), 1, 2, 3, 4, 5, 6));
    CliTest.Result r = CliTest.run("run", model.toString(), "--input", "z=" + x, "--output-dir", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: " + model + ": missing input x (f32[6])\n", r.err());
    r = CliTest.run("run", model.toString(), "--input", "x=" + x, "--input", "w=" + x, "--output-dir", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: " + model + ": model q has no input w (its inputs: x)\n", r.err());
  }

  @Test
  void badInputArguments() throws Exception {
    CliTest.Result r = CliTest.run("run", model.toString(), "--input", "x", "--output-dir", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: --input takes NAME=FILE.npy, got 'x'\n", r.err());
    Path absent = dir.resolve("absent.npy");
    r = CliTest.run("run", model.toString(), "--input", "x=" + absent, "--output-dir", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: " + absent + ": file not found\n", r.err());
    Path text = dir.resolve("text.npy");
    Files.writeString(text, "not numpy");
    r = CliTest.run("run", model.toString(), "--input", "x=" + text, "--output-dir", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: " + text + ": not a .npy file (it does not start with the \\x93NUMPY magic string)\n", r.err());
  }

  @Test
  void integerOnlyRunsOnTheQuantizedTensors() throws Exception {
    Path m = dir.resolve("int.qg");
    Files.writeString(m, """
        model int {
          input %x : f32[4]
          %q = quantize(%x) : qu8<0.1:5>[4]
          %c = clamp(%q) {min = 0.0, max = 1.0}
          %y = dequantize(%c)
          output y = %y
        }
        """);
    // Integer-only: input and output are the u8 storage. clamp bounds by hand: q(0.0) = 5, q(1.0) = 5 + 10 = 15.
    Path x = npy("xq.npy", TensorData.ofLongs(ElementType.U8, Shape.of(4), 0, 5, 9, 200));
    CliTest.Result r = CliTest.run("run", m.toString(), "-O", "--integer-only", "--input", "x=" + x, "--output-dir",
        out.toString());
    assertEquals(0, r.status(), r.err());
    TensorData y = Npy.read(out.resolve("y.npy"));
    assertEquals(ElementType.U8, y.elementType());
    assertArrayEquals(new long[] {5, 5, 9, 15}, new long[] {y.getLong(0), y.getLong(1), y.getLong(2), y.getLong(3)});
    // The same model takes floats without --integer-only: an u8 input is refused, naming the input.
    r = CliTest.run("run", m.toString(), "-O", "--input", "x=" + x, "--output-dir", out.toString());
    assertEquals(1, r.status());
    assertEquals("zeropoint: " + m + ": input x must be f32 (f32[4]), got u8\n", r.err());
  }

  @Test
  void integerOnlyNamesEachOpThatNeedsFloat() throws Exception {
    Path m = dir.resolve("add.qg");
    Files.writeString(m, """
        model add {
          input %x : f32[1, 2, 2, 2]
          input %z : f32[1, 2, 1, 1]
          %q = quantize(%x) : qu8<0.1:5>[1, 2, 2, 2]
          %w = const [1, 2, 3, 4] : qi8<0.01:0>[2, 2, 1, 1]
          %c = conv2d(%q, %w) : qu8<0.1:5>[1, 2, 2, 2]
          %r = quantize(%z) : qu8<0.1:5>[1, 2, 1, 1]
          %p = add(%c, %r) : qu8<0.2:0>[1, 2, 2, 2]
          %y = dequantize(%p)
          output y = %y
        }
        """);
    CliTest.Result r = CliTest.run("print", m.toString(), "-O", "--integer-only");
    assertEquals(1, r.status());
    assertEquals(m + ":8:3: error: integer-only: add %p needs floating point: this add dequantizes to float "
        + "(PyTorch's path for broadcast quint8 operands; lower-integer makes it a binary_lookup table in "
        + "pytorch-qnnpack when both operands are contiguous, not channels-last as after a quantized conv)\n"
        + "  %p = add(%c, %r) : qu8<0.2:0>[1, 2, 2, 2]\n  ^\n",
        r.err());
  }

  @Test
  void unknownBackend() throws Exception {
    Path x = npy("x.npy", TensorData.ofFloats(Shape.of(6), 1, 2, 3, 4, 5, 6));
    CliTest.Result r = CliTest.run("run", model.toString(), "--input", "x=" + x, "--output-dir", out.toString(),
        "--backend", "gpu");
    assertEquals(1, r.status());
    assertEquals("zeropoint: unknown backend 'gpu' (available: interp, jvm, c, vta, vta-mul)\n", r.err());
  }
}
