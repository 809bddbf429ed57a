package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large models are not held in memory twice: a weights file of 3 GiB checks in a JVM with a 64 MiB
 * heap (the weights are mapped, never read onto the heap; the file is sparse, so it costs no disk),
 * and a 100 MB model of inline constants checks in a 320 MiB heap.
 */
class LargeModelsTest {
  @TempDir
  Path dir;

  @Test
  void threeGibibytesOfWeightsCheckInASixtyFourMebibyteHeap() throws Exception {
    int elements = 1 << 28; // 1 GiB of f32 per tensor
    long tensorBytes = 4L * elements;
    StringBuilder json = new StringBuilder("{");
    String[] names = {"a", "b", "c"};
    for (int i = 0; i < names.length; i++) {
      json.append(i == 0 ? "" : ",").append('"').append(names[i]).append("\":{\"dtype\":\"F32\",\"shape\":[")
          .append(elements).append("],\"data_offsets\":[").append(i * tensorBytes).append(',')
          .append((i + 1) * tensorBytes).append("]}");
    }
    byte[] header = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    Path weights = dir.resolve("big.safetensors");
    try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
      f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
      f.write(header);
      f.setLength(8 + header.length + names.length * tensorBytes);
    }
    Path model = dir.resolve("big.qg");
    Files.writeString(model, """
        model big weights("big.safetensors") {
          input %%x : f32[%1$d]
          %%a = const "a" : f32[%1$d]
          %%b = const "b" : f32[%1$d]
          %%c = const "c" : f32[%1$d]
          %%s = add(%%a, %%b)
          %%t = add(%%s, %%c)
          %%y = add(%%t, %%x)
          output y = %%y
        }
        """.formatted(elements));

    assertChecksWithin("64m", model, model + ": ok: model big, 1 inputs, 6 ops, 1 outputs\n");
  }

  @Test
  void aHundredMegabyteModelChecksInAHeapOfThreeTimesItsSize() throws Exception {
    Path model = dir.resolve("huge.qg");
    int n = 1_000_000;
    Random random = new Random(7);
    try (Writer w = Files.newBufferedWriter(model, StandardCharsets.UTF_8)) {
      w.write("model huge {\n  input %x : f32[" + n + "]\n");
      for (int c = 0; c < 10; c++) {
        w.write("  %c" + c + " = const [");
        for (int i = 0; i < n; i++) {
          w.write(i == 0 ? "" : ", ");
          w.write(Float.toString(random.nextFloat() * 2 - 1));
        }
        w.write("] : f32[" + n + "]\n");
      }
      w.write("  %y = add(%x, %c9)\n  output y = %y\n}\n");
    }
    long size = Files.size(model);
    assertTrue(size > 100_000_000L, "model is only " + size + " bytes");
    assertChecksWithin("320m", model, model + ": ok: model huge, 1 inputs, 11 ops, 1 outputs\n");
  }

  /** Runs {@code zeropoint check} in a fresh JVM with the given maximum heap. */
  private static void assertChecksWithin(String heap, Path model, String expected) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-Xmx" + heap, "-cp",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        "dev.zeropoint.cli.Main", "check", model.toString()));
    Subprocess.Result r = Subprocess.run(command, 120);
    assertEquals(0, r.exit(), r.output());
    assertEquals(expected, r.output());
  }

}
