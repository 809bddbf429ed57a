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
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/**
 * 3 x 3 stride-1 convolutions run as Winograd's F(2x2, 3x3) in the C backend (the emitted source
 * says so) and compute the interpreter's outputs to the bit, on seeded random convolutions: odd and
 * even output sizes, padding 0 and 1, 1 to 512 input channels, per-channel weights with non-zero
 * zero points, input zero points 0 and not, u8 and i8 inputs, uneven padding up to 2 on each side,
 * weights and inputs at the extremes, batch 2, the sums
 * requantized (PyTorch's float scheme, fused) or output as int32; and one whose bounds send it to
 * the direct kernel. Built with the sanitizers (the portable loops), and for AVX2 on three threads
 * under ThreadSanitizer.
 */
class CWinogradTest {
  private record Conv(String what, String text, Map<String, TensorData> inputs, boolean winograd) {}

  @Test
  void winogradConvolutionsMatchTheInterpreter() throws Exception {
    List<Conv> convs = cases();
    List<BackendRuns.Run> jobs = new ArrayList<>();
    int winograd = 0;
    for (Conv c : convs) {
      Graph g = ModelParser.create().parse(c.what(), c.text(), Path.of("."));
      String source = CEmitter.emit(Lowering.pipeline(g)).source();
      assertEquals(c.winograd(), source.contains(CEmitter.WINOGRAD_MARK), c.what());
      winograd += c.winograd() ? 1 : 0;
      jobs.add(new BackendRuns.Run(c.what(), g, c.inputs()));
    }
    assertTrue(winograd >= 20, "only " + winograd + " cases run as Winograd");
    CBackendTest.Result r = CBackendTest.runAll(jobs);
    assertEquals(List.of(), r.unsupported());
    assertEquals(jobs.size(), r.ran());
    CBackendTest.Result threaded = CBackendTest.runAll(jobs, CBackendTest.THREADED);
    assertEquals(jobs.size(), threaded.ran());
  }

  private static List<Conv> cases() {
    Random r = new Random(31);
    List<Conv> out = new ArrayList<>();
    int[] inChannels = {1, 3, 8, 17, 64, 128, 256, 512};
    for (int t = 0; t < 24; t++) {
      int in = inChannels[t % inChannels.length];
      int outCh = 2 + r.nextInt(in >= 256 ? 6 : 12);
      int pad = t % 2;
      int small = in >= 128 ? 5 : 14;
      int h = Math.max(1, 3 - 2 * pad + r.nextInt(small));
      int w = Math.max(1, 3 - 2 * pad + r.nextInt(small));
      int batch = t % 5 == 0 ? 2 : 1;
      int xzp = t % 3 == 0 ? 0 : r.nextInt(256);
      boolean extreme = t % 6 == 1;
      out.add(conv("winograd " + t, batch, in, outCh, h, w, pad, xzp, extreme, t % 4 != 3, true, r));
    }
    // Signed inputs, and uneven padding up to 2 (the window's columns split by parity start and end
    // at every offset).
    int[][] paddings = {{2, 2, 2, 2}, {0, 1, 2, 0}, {1, 2, 0, 1}, {2, 0, 1, 2}, {1, 1, 1, 1}, {0, 2, 0, 0}};
    for (int t = 0; t < paddings.length; t++) {
      int in = inChannels[(t * 3 + 1) % inChannels.length];
      int h = 1 + r.nextInt(in >= 128 ? 6 : 20);
      int w = 1 + r.nextInt(in >= 128 ? 6 : 40);
      int[] pad = paddings[t];
      if (h + pad[0] + pad[2] < 3 || w + pad[1] + pad[3] < 3) {
        h += 2;
        w += 2;
      }
      int xzp = t % 2 == 0 ? r.nextInt(256) - 128 : r.nextInt(256);
      out.add(conv("winograd padded " + t, 1, in, 2 + r.nextInt(10), h, w, pad, t % 2 == 0, xzp, t == 3, true, true,
          r));
    }
    // 1024 channels of weights -128 against zero point 127: 255 * 9216 * 255 >= 2^29, the direct kernel.
    out.add(conv("winograd bounds", 1, 1024, 2, 3, 3, 1, 0, true, true, false, r));
    return out;
  }

  private static Conv conv(String what, int batch, int in, int outCh, int h, int w, int pad, int xzp, boolean extreme,
      boolean requantize, boolean winograd, Random r) {
    return conv(what, batch, in, outCh, h, w, new int[] {pad, pad, pad, pad}, false, xzp, extreme, requantize, winograd,
        r);
  }

  /** padding: top, left, bottom, right; a signed input is qi8, else qu8. */
  private static Conv conv(String what, int batch, int in, int outCh, int h, int w, int[] pad, boolean signed, int xzp,
      boolean extreme, boolean requantize, boolean winograd, Random r) {
    int oh = h + pad[0] + pad[2] - 2, ow = w + pad[1] + pad[3] - 2;
    StringJoiner weights = new StringJoiner(", ");
    StringJoiner zps = new StringJoiner(", ");
    StringJoiner bias = new StringJoiner(", ");
    StringJoiner scales = new StringJoiner(", ");
    for (int o = 0; o < outCh; o++) {
      int zp = extreme ? 127 : r.nextInt(256) - 128;
      zps.add(Integer.toString(zp));
      bias.add(Integer.toString(r.nextInt(2_000_001) - 1_000_000));
      scales.add(Double.toString((double) (float) ((0.5 + r.nextDouble()) * 30 / (in * 9 * 64))));
      for (int i = 0; i < in * 9; i++) {
        weights.add(Integer.toString(extreme ? (winograd && r.nextBoolean() ? 127 : -128) : r.nextInt(256) - 128));
      }
    }
    long[] x = new long[batch * in * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = (extreme && i % 2 == 0 ? 255 : r.nextInt(256)) - (signed ? 128 : 0);
    }
    String acc = "i32[" + batch + ", " + outCh + ", " + oh + ", " + ow + "]";
    String text = "model " + what.replace(' ', '_') + " numerics(pytorch-qnnpack) {\n"
        + "  input %x : " + (signed ? "qi8" : "qu8") + "<0.05:" + xzp + ">[" + batch + ", " + in + ", " + h + ", " + w + "]\n"
        + "  %w = const [" + weights + "] : i8[" + outCh + ", " + in + ", 3, 3]\n"
        + "  %b = const [" + bias + "] : i32[" + outCh + "]\n"
        + "  %acc = conv2d_acc(%x, %w, %b) {stride = [1, 1], padding = [" + pad[0] + ", " + pad[1] + ", " + pad[2] + ", " + pad[3]
        + "], dilation = [1, 1], groups = 1, input_zero_point = " + xzp + ", weight_zero_points = [" + zps + "]} : "
        + acc + "\n"
        + (requantize
            ? "  %y = requantize_acc(%acc) {scheme = float, scales = [" + scales + "], axis = 1, output_zero_point = 7, "
                + "min = 0, max = 255} : qu8<1.0:7>[" + batch + ", " + outCh + ", " + oh + ", " + ow + "]\n"
                + "  output y = %y\n"
            : "  output y = %acc\n")
        + "}\n";
    return new Conv(what, text, Map.of("x", TensorData.ofLongs(signed ? ElementType.I8 : ElementType.U8,
        Shape.of(batch, in, h, w), x)), winograd);
  }
}
