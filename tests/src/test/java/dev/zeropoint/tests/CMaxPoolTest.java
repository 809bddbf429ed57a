package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.backends.c.CEmitter;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * QNNPACK's max pool (taps clamped into the input) in the C backend against the interpreter, bit for
 * bit, on seeded random pools: kernels 1 to 4 (not 1 x 1, which QNNPACK refuses), strides 1 to 3, dilations 1 and 2, uneven padding,
 * planes from 1 x 1 to wider than one 64-column run of the kernel's unclamped path, batch 2; built
 * with the sanitizers (the portable loops), and on three threads under ThreadSanitizer (the planes
 * split between them).
 */
class CMaxPoolTest {
  @Test
  void clampedMaxPoolsMatchTheInterpreter() throws Exception {
    Random r = new Random(57);
    List<BackendRuns.Run> jobs = new ArrayList<>();
    for (int t = 0; t < 30; t++) {
      int k = 1 + r.nextInt(4), kw = t % 3 == 0 ? k : 1 + r.nextInt(4);
      if (k * kw == 1) { // QNNPACK (and PyTorch) refuse a 1 x 1 window
        kw = 2;
      }
      int s = 1 + r.nextInt(3), sw = t % 4 == 0 ? s : 1 + r.nextInt(3);
      int d = t % 5 == 4 ? 2 : 1, dw = t % 7 == 6 ? 2 : 1;
      int[] pad = {r.nextInt(k / 2 + 1), r.nextInt(kw / 2 + 1), r.nextInt(k / 2 + 1), r.nextInt(kw / 2 + 1)};
      int h = (k - 1) * d + 1 + r.nextInt(t % 6 == 0 ? 3 : 12);
      int w = (kw - 1) * dw + 1 + r.nextInt(t % 6 == 0 ? 3 : (t % 2 == 0 ? 200 : 40));
      int batch = t % 5 == 0 ? 2 : 1, channels = 1 + r.nextInt(5);
      int oh = (h + pad[0] + pad[2] - (k - 1) * d - 1) / s + 1;
      int ow = (w + pad[1] + pad[3] - (kw - 1) * dw - 1) / sw + 1;
      String what = "maxpool_" + t;
      String text = "model " + what + " numerics(pytorch-qnnpack) {\n"
          + "  input %x : qu8<0.05:3>[" + batch + ", " + channels + ", " + h + ", " + w + "]\n"
          + "  %y = max_pool2d(%x) {kernel = [" + k + ", " + kw + "], stride = [" + s + ", " + sw + "], padding = ["
          + pad[0] + ", " + pad[1] + ", " + pad[2] + ", " + pad[3] + "], dilation = [" + d + ", " + dw + "]} : qu8<0.05:3>["
          + batch + ", " + channels + ", " + oh + ", " + ow + "]\n"
          + "  output y = %y\n}\n";
      Graph g = ModelParser.create().parse(what, text, Path.of("."));
      assertTrue(CEmitter.emit(Lowering.pipeline(g)).source().contains("maxPoolClamped"), what);
      long[] x = new long[batch * channels * h * w];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextInt(256);
      }
      jobs.add(new BackendRuns.Run(what, g,
          Map.of("x", TensorData.ofLongs(ElementType.U8, Shape.of(batch, channels, h, w), x))));
    }
    CBackendTest.Result sanitized = CBackendTest.runAll(jobs);
    assertEquals(List.of(), sanitized.unsupported());
    assertEquals(jobs.size(), sanitized.ran());
    CBackendTest.Result threaded = CBackendTest.runAll(jobs, CBackendTest.THREADED);
    assertEquals(jobs.size(), threaded.ran());
  }
}
