package dev.zeropoint.cli;

import static dev.zeropoint.onnx.OnnxTestModels.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.onnx.proto.OnnxModel.GraphProto;
import dev.zeropoint.onnx.proto.OnnxModel.ModelProto;
import dev.zeropoint.onnx.proto.OnnxModel.NodeProto;
import dev.zeropoint.onnx.proto.OnnxModel.OperatorSetIdProto;
import dev.zeropoint.onnx.proto.OnnxModel.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code import}, and {@code run} / {@code check} on .onnx files, with their errors. */
class OnnxCommandTest {
  @TempDir
  Path dir;

  /** y = QuantizeLinear(x, 0.5, 3) as uint8 over a weight of 20 floats added first (kept in the weights file). */
  Path model(Object batch) throws Exception {
    return model(batch, "x");
  }

  /** {@link #model(Object)} with its input named {@code x}. */
  Path model(Object batch, String x) throws Exception {
    TensorProto.Builder w = TensorProto.newBuilder().setName("bias/w").setDataType(1).addDims(20);
    for (int i = 0; i < 20; i++) {
      w.addFloatData(i == 0 ? 0.25f : 0f);
    }
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(tensor(x, 1, batch, 20))
        .addOutput(tensor("y", 2, batch, 20)).addInitializer(w)
        .addInitializer(TensorProto.newBuilder().setName("s").setDataType(1).addFloatData(0.5f))
        .addInitializer(TensorProto.newBuilder().setName("zp").setDataType(2).addInt32Data(3))
        .addNode(NodeProto.newBuilder().setOpType("Add").addInput(x).addInput("bias/w").addOutput("a"))
        .addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").addInput("a").addInput("s").addInput("zp")
            .addOutput("y"))
        .build();
    Path p = dir.resolve("q.onnx");
    Files.write(p, ModelProto.newBuilder().setIrVersion(8).setGraph(g)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).build().toByteArray());
    return p;
  }

  Path input() throws Exception {
    float[] x = new float[20];
    x[0] = 0.0f; // + 0.25 = 0.25 -> 0.5 steps, a tie: RNE 0, + 3 = 3
    x[1] = 0.75f; // 1.5 steps: RNE 2 -> 5
    x[2] = -1.25f; // -2.5 steps: RNE -2 -> 1
    x[3] = 200f; // 400 steps -> 255
    x[4] = -200f; // -> 0
    Path p = dir.resolve("x.npy");
    Npy.write(p, TensorData.ofFloats(Shape.of(1, 20), x));
    return p;
  }

  @Test
  void runReadsOnnxDirectlyWithOnnxNumerics() throws Exception {
    Path m = model(1);
    CliTest.Result r = CliTest.run("run", m.toString(), "--input", "x=" + input(), "--output-dir",
        dir.resolve("out").toString());
    assertEquals(0, r.status(), r.err());
    TensorData y = Npy.read(dir.resolve("out/y.npy"));
    assertEquals(3, y.getLong(0));
    assertEquals(5, y.getLong(1));
    assertEquals(1, y.getLong(2));
    assertEquals(255, y.getLong(3));
    assertEquals(0, y.getLong(4));
    assertEquals(3, y.getLong(5)); // 0 -> the zero point
  }

  @Test
  void inputsGoByTheFilesNamesOrTheGraphs() throws Exception {
    Path m = model(1, "images:0");
    for (String name : new String[] {"images:0", "images_0"}) {
      Path out = dir.resolve("out-" + name.replace(':', '-'));
      CliTest.Result r = CliTest.run("run", m.toString(), "--input", name + "=" + input(), "--output-dir",
          out.toString());
      assertEquals(0, r.status(), r.err());
      assertEquals(5, Npy.read(out.resolve("y.npy")).getLong(1));
    }
    CliTest.Result bench = CliTest.run("bench", m.toString(), "--input", "images:0=" + input(), "--iterations", "1",
        "--warmup", "0");
    assertEquals(0, bench.status(), bench.err());
    CliTest.Result wrong = CliTest.run("run", m.toString(), "--input", "x=" + input(), "--output-dir",
        dir.resolve("out-wrong").toString());
    assertEquals(1, wrong.status());
    assertTrue(wrong.err().contains("images_0"), wrong.err());
  }

  @Test
  void importWritesQgAndWeightsThatRunAlike() throws Exception {
    Path m = model(1);
    Path qg = dir.resolve("imported/q.qg");
    CliTest.Result r = CliTest.run("import", m.toString(), "-o", qg.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.isRegularFile(dir.resolve("imported/q.safetensors")));
    String text = Files.readString(qg);
    assertTrue(text.contains("numerics(onnx) weights(\"q.safetensors\")") && text.contains("const \"bias_w\""), text);
    CliTest.Result run = CliTest.run("run", qg.toString(), "--input", "x=" + input(), "--output-dir",
        dir.resolve("out2").toString());
    assertEquals(0, run.status(), run.err());
    TensorData y = Npy.read(dir.resolve("out2/y.npy"));
    assertEquals(List3.of(3L, 5L, 1L), List3.of(y.getLong(0), y.getLong(1), y.getLong(2)));
  }

  private record List3(long a, long b, long c) {
    static List3 of(long a, long b, long c) {
      return new List3(a, b, c);
    }
  }

  @Test
  void dynamicBatchNeedsInputShape() throws Exception {
    Path m = model("batch");
    CliTest.Result r = CliTest.run("check", m.toString());
    assertEquals(1, r.status());
    assertEquals(m + ": error: input 'x' has a dynamic dimension 0 ('batch'); give its shape with --input-shape "
        + "x=1,20\n", r.err());
    CliTest.Result ok = CliTest.run("check", m.toString(), "--input-shape", "x=2,20");
    assertEquals(0, ok.status(), ok.err());
    CliTest.Result bad = CliTest.run("check", m.toString(), "--input-shape", "x=2,zero");
    assertEquals("zeropoint: --input-shape x=2,zero: 'zero' is not a positive dimension\n", bad.err());
  }

  @Test
  void badInputIsOneLineAndLeavesNoFile() throws Exception {
    Path junk = dir.resolve("junk.onnx");
    Files.writeString(junk, "<html>not a model</html>");
    Path qg = dir.resolve("o/junk.qg");
    CliTest.Result r = CliTest.run("import", junk.toString(), "-o", qg.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith(junk + ": error: not an ONNX model"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(dir.resolve("o")) && hasFiles(dir.resolve("o")), "no output may be left behind");

    CliTest.Result notQg = CliTest.run("import", model(1).toString(), "-o", dir.resolve("m.txt").toString());
    assertEquals("zeropoint: " + dir.resolve("m.txt") + ": the output must be a .qg file\n", notQg.err());
    CliTest.Result numerics = CliTest.run("check", model(1).toString(), "--numerics", "tensorflow");
    assertEquals(1, numerics.status());
    assertTrue(numerics.err().startsWith("zeropoint: --numerics: unknown flavour 'tensorflow'"), numerics.err());
  }

  private static boolean hasFiles(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.findAny().isPresent();
    }
  }
}
