package dev.zeropoint.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zeropoint.backends.interp.Interpreter;
import dev.zeropoint.frontend.ModelParser;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Printer;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.passes.PassContext;
import dev.zeropoint.passes.PassManager;
import dev.zeropoint.passes.PassRegistry;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code propagate-qparams} keeps the float reference semantics: on seeded random QDQ regions
 * ({@code dequantize -> op -> [quantize]}, op among the clamps with bounds on and off the integer
 * grid or beyond the range, max pools with every window option, pads with exact and inexact fills,
 * reshapes, permutes, cat, split; inputs straight from quantize or from a quantized conv, whose
 * channels-last output PyTorch's quint8 clamps permute), the interpreter gives the same bits before
 * and after the pass. Both runs use the interpreter's float kernels for the float ops, which the
 * golden suite checks against PyTorch. The test also requires that the pass fired on many models and
 * refused some, so it cannot pass vacuously.
 */
class QdqDifferentialTest {
  static final int MODELS = 400;

  @Test
  void propagatingChangesNoOutputBit() throws Exception {
    int rewritten = 0;
    int kept = 0;
    for (int seed = 0; seed < MODELS; seed++) {
      Random r = new Random(seed);
      String prefix = model(r, seed);
      Graph shapes = ModelParser.create().parse("shapes.qg", prefix + "  output y = %o\n}\n", Path.of("."));
      String shape = shapes.outputs().get(0).value().type().shape().toString();
      String storage = prefix.contains("%q = conv2d") || prefix.contains(": qu8<") ? "qu8" : "qi8";
      String t = prefix.substring(prefix.indexOf("%q = "));
      t = t.substring(t.indexOf(" : ") + 3, t.indexOf(">") + 1);
      String text = prefix + switch (r.nextInt(3)) {
        case 0 -> "  output y = %o\n}\n";
        case 1 -> "  %oq = quantize(%o) : " + t + shape + "\n  %y = dequantize(%oq)\n  output y = %y\n  output f = %o\n}\n";
        default -> "  %oq = quantize(%o) : " + storage + "<0.0123:" + (storage.equals("qu8") ? 77 : -5) + ">" + shape
            + "\n  %y = dequantize(%oq)\n  output y = %y\n}\n";
      };
      Graph g = ModelParser.create().parse("random_qdq_" + seed + ".qg", text, Path.of("."));
      Graph p = PassManager.parse("propagate-qparams,canonicalize", PassRegistry.load()).run(g, PassContext.forTests());
      Graph c = PassManager.parse("canonicalize", PassRegistry.load()).run(g, PassContext.forTests());
      if (Printer.print(p).equals(Printer.print(c))) {
        kept++;
      } else {
        rewritten++;
      }
      float[] x = new float[2 * 6 * 6];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) ((r.nextDouble() * 2 - 1) * (r.nextInt(4) == 0 ? 100 : 3));
      }
      Map<String, TensorData> inputs = Map.of("x", TensorData.ofFloats(Shape.of(1, 2, 6, 6), x));
      Map<String, TensorData> before = new Interpreter().prepare(g).run(inputs);
      Map<String, TensorData> after = new Interpreter().prepare(p).run(inputs);
      for (String name : before.keySet()) {
        TensorData a = before.get(name);
        TensorData b = after.get(name);
        assertEquals(a.shape(), b.shape(), name);
        for (long i = 0; i < a.size(); i++) {
          assertEquals(a.getRawBits(i), b.getRawBits(i), "seed " + seed + " output " + name + " element " + i
              + "\n" + text + "\n" + Printer.print(p));
        }
      }
    }
    System.out.println("propagate-qparams on " + MODELS + " random QDQ models: " + rewritten + " rewritten, "
        + kept + " unchanged, all outputs bit-identical");
    assertTrue(rewritten > MODELS / 3 && kept > MODELS / 20, rewritten + " rewritten, " + kept + " unchanged");
  }

  private static String model(Random r, int seed) {
    boolean conv = r.nextInt(3) == 0;
    String storage = conv || r.nextBoolean() ? "qu8" : "qi8";
    int lo = storage.equals("qu8") ? 0 : -128;
    double scale = r.nextInt(4) == 0 ? Math.scalb(1.0, -r.nextInt(8)) : Math.pow(10, -3 + 3 * r.nextDouble());
    long zp = lo + r.nextInt(256);
    String t = storage + "<" + scale + ":" + zp + ">";
    StringBuilder m = new StringBuilder("model random_qdq_" + seed + " numerics(pytorch-qnnpack) {\n");
    m.append("  input %x : f32[1, 2, 6, 6]\n");
    if (conv) {
      m.append("  %q0 = quantize(%x) : qu8<0.05:128>[1, 2, 6, 6]\n");
      m.append("  %w = const [3, -2, 1, 4, -1, 2, 5, -3] : qi8<0.02:0>[4, 2, 1, 1]\n");
      m.append("  %q = conv2d(%q0, %w) : ").append(t).append("[1, 4, 6, 6]\n");
    } else {
      m.append("  %q = quantize(%x) : ").append(t).append("[1, 2, 6, 6]\n");
    }
    m.append("  %d = dequantize(%q)\n");
    String grid = fmt(scale * (r.nextInt(40) - 20));
    String any = fmt((r.nextDouble() * 2 - 1) * scale * 30);
    String op = switch (r.nextInt(10)) {
      case 0 -> "relu(%d)";
      case 1 -> "relu6(%d)";
      case 2 -> "hardtanh(%d) {min = " + min(grid, any) + ", max = " + max(grid, any) + "}";
      case 3 -> "clamp(%d) {" + pick(r, "min = " + grid, "max = " + any, "max = 1e30", "min = " + any) + "}";
      case 4 -> {
        int k = 1 + r.nextInt(3);
        int p = r.nextInt(k / 2 + 1);
        yield "max_pool2d(%d) {kernel = [" + k + ", " + k + "], stride = [" + (1 + r.nextInt(2)) + ", 1], padding = ["
            + p + ", " + p + "], dilation = [" + (1 + r.nextInt(2)) + ", 1], ceil_mode = " + r.nextBoolean() + "}";
      }
      case 5 -> "pad(%d) {pads = [0, 0, 1, 0, 0, 1, 0, 2], value = " + pick(r, "0.0", "-0.0", grid, any) + "}";
      case 6 -> pick(r, "reshape(%d) {shape = [1, -1]}", "flatten(%d) {start_dim = 1}", "permute(%d) {dims = [0, 2, 3, 1]}");
      case 7 -> "cat(%d, %d2) {axis = 1}";
      case 8 -> "split(%d) {axis = 2, sizes = [1, 5]}";
      default -> "hardtanh(%d) {min = " + min(grid, any) + ", max = " + max(grid, any) + "}";
    };
    if (op.startsWith("cat")) {
      if (conv) {
        op = "cat(%d, %d) {axis = 1}";
      } else {
        String t2 = r.nextBoolean() ? t : storage + "<" + (scale * 1.5) + ":" + zp + ">";
        m.append("  %q2 = quantize(%x) : ").append(t2).append("[1, 2, 6, 6]\n  %d2 = dequantize(%q2)\n");
      }
    }
    m.append(op.startsWith("split") ? "  %o, %o2 = " : "  %o = ").append(op).append("\n");
    return m.toString();
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.9g", v);
  }

  private static String min(String a, String b) {
    return Double.parseDouble(a) <= Double.parseDouble(b) ? a : b;
  }

  private static String max(String a, String b) {
    return Double.parseDouble(a) <= Double.parseDouble(b) ? b : a;
  }
}
