package dev.zeropoint.tests.onnx;

import dev.zeropoint.frontend.tensorfile.Npy;
import dev.zeropoint.ir.TensorData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Latency of ONNX Runtime on one model, for {@code bench/onnx.sh}: {@code MODEL.onnx x.npy THREADS
 * WARMUP ITERATIONS [x64quantprecision]}; prints {@code median_ms=... min_ms=...}. The input
 * conversion is outside the timed call only in as far as ONNX Runtime's Java API allows (the tensor is
 * created per run, as a caller would).
 */
public final class OnnxRuntimeBench {
  private OnnxRuntimeBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: OnnxRuntimeBench MODEL.onnx x.npy THREADS WARMUP ITERATIONS [x64quantprecision]");
      System.exit(1);
    }
    Path model = Path.of(args[0]);
    TensorData x = Npy.read(Path.of(args[1]));
    int threads = Integer.parseInt(args[2]);
    int warmup = Integer.parseInt(args[3]);
    int iterations = Integer.parseInt(args[4]);
    OnnxRuntimeOracle.Options o = OnnxRuntimeOracle.Options.defaults().withThreads(threads);
    if (args.length > 5 && args[5].equals("x64quantprecision")) {
      o = o.withConfig(OnnxRuntimeOracle.X64_QUANT_PRECISION, "1");
    }
    try (OnnxRuntimeOracle ort = OnnxRuntimeOracle.load(model, o)) {
      Map<String, TensorData> in = Map.of(ort.inputNames().iterator().next(), x);
      for (int i = 0; i < warmup; i++) {
        ort.run(in);
      }
      double[] ms = new double[iterations];
      for (int i = 0; i < iterations; i++) {
        long t0 = System.nanoTime();
        ort.run(in);
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      Arrays.sort(ms);
      System.out.printf("median_ms=%.1f min_ms=%.1f%n", ms[iterations / 2], ms[0]);
    }
  }
}
