package dev.zeropoint.tests.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * ONNX Runtime (the CPU execution provider of the {@code com.microsoft.onnxruntime} jar) as an
 * independent oracle: runs an {@code .onnx} file on named {@link TensorData} inputs (f32, f64, u8,
 * i8, i16, i32, i64) and returns every graph output as {@link TensorData}.
 *
 * <p>The graph optimization level matters for quantized models: with ONNX Runtime's default ({@link
 * OptLevel#ALL_OPT}) the QDQ groups are fused into integer kernels (QLinearConv, QGemm,
 * QLinearAdd, ...), with {@link OptLevel#NO_OPT} the QDQ graph runs as written, in float. See
 * docs/onnx-runtime-notes.md.
 *
 * <pre>
 *   try (OnnxRuntimeOracle ort = OnnxRuntimeOracle.load(file, Options.defaults().withThreads(2))) {
 *     Map&lt;String, TensorData&gt; out = ort.run(Map.of("x", Npy.read(dir.resolve("x.npy"))));
 *   }
 * </pre>
 */
public final class OnnxRuntimeOracle implements AutoCloseable {
  /** ONNX Runtime's session config key that converts s8 weights to u8 on AVX2 CPUs without VNNI. */
  public static final String X64_QUANT_PRECISION = "session.x64quantprecision";

  /**
   * Session options.
   *
   * @param optimization the graph optimization level ({@link OptLevel#ALL_OPT} is ONNX Runtime's default)
   * @param intraOpThreads threads of one operator (ONNX Runtime's own default is one per core; here 1
   *     unless set)
   * @param configEntries session config entries ({@code addConfigEntry}), e.g. {@link #X64_QUANT_PRECISION}
   * @param optimizedModel where ONNX Runtime writes the graph it runs after optimization, or null
   */
  public record Options(OptLevel optimization, int intraOpThreads, Map<String, String> configEntries,
      Path optimizedModel) {
    public Options {
      Objects.requireNonNull(optimization, "optimization");
      if (intraOpThreads < 1) {
        throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + intraOpThreads);
      }
      configEntries = Map.copyOf(configEntries);
    }

    /** ONNX Runtime's default optimizations ({@link OptLevel#ALL_OPT}), 1 thread. */
    public static Options defaults() {
      return new Options(OptLevel.ALL_OPT, 1, Map.of(), null);
    }

    public Options withOptimization(OptLevel level) {
      return new Options(level, intraOpThreads, configEntries, optimizedModel);
    }

    public Options withThreads(int threads) {
      return new Options(optimization, threads, configEntries, optimizedModel);
    }

    public Options withConfig(String key, String value) {
      Map<String, String> entries = new HashMap<>(configEntries);
      entries.put(key, value);
      return new Options(optimization, intraOpThreads, entries, optimizedModel);
    }

    public Options savingOptimizedModel(Path file) {
      return new Options(optimization, intraOpThreads, configEntries, file);
    }
  }

  private final Path model;
  private final OrtEnvironment env;
  private final OrtSession session;

  private OnnxRuntimeOracle(Path model, OrtEnvironment env, OrtSession session) {
    this.model = model;
    this.env = env;
    this.session = session;
  }

  /**
   * Creates a session for {@code model}.
   *
   * @throws OrtException if ONNX Runtime cannot load the file (its message names the node / problem)
   */
  public static OnnxRuntimeOracle load(Path model, Options options) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(options.optimization());
      so.setIntraOpNumThreads(options.intraOpThreads());
      for (Map.Entry<String, String> e : new java.util.TreeMap<>(options.configEntries()).entrySet()) {
        so.addConfigEntry(e.getKey(), e.getValue());
      }
      if (options.optimizedModel() != null) {
        so.setOptimizedModelFilePath(options.optimizedModel().toAbsolutePath().toString());
        // ONNX Runtime warns on every such session that the saved model is machine-specific; known.
        so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      }
      return new OnnxRuntimeOracle(model, env, env.createSession(model.toAbsolutePath().toString(), so));
    }
  }

  /** Loads, runs once and closes: every output of {@code model} on {@code inputs}. */
  public static Map<String, TensorData> run(Path model, Options options, Map<String, TensorData> inputs)
      throws OrtException {
    try (OnnxRuntimeOracle ort = load(model, options)) {
      return ort.run(inputs);
    }
  }

  public Set<String> inputNames() throws OrtException {
    return session.getInputNames();
  }

  public Set<String> outputNames() throws OrtException {
    return session.getOutputNames();
  }

  /**
   * Runs the model; returns every graph output by name, in the graph's order.
   *
   * @throws IllegalArgumentException if {@code inputs} does not name exactly the graph's inputs, or an
   *     input has an element type ONNX Runtime's Java API cannot take
   */
  public Map<String, TensorData> run(Map<String, TensorData> inputs) throws OrtException {
    Set<String> expected = session.getInputNames();
    if (!expected.equals(inputs.keySet())) {
      Set<String> missing = new TreeSet<>(expected);
      missing.removeAll(inputs.keySet());
      Set<String> unknown = new TreeSet<>(inputs.keySet());
      unknown.removeAll(expected);
      throw new IllegalArgumentException(model.getFileName() + ": inputs do not match the graph's"
          + (missing.isEmpty() ? "" : "; missing " + missing) + (unknown.isEmpty() ? "" : "; unknown " + unknown));
    }
    Map<String, NodeInfo> infos = session.getInputInfo();
    List<OnnxTensor> tensors = new ArrayList<>();
    try {
      Map<String, OnnxTensor> feed = new HashMap<>();
      for (Map.Entry<String, TensorData> e : inputs.entrySet()) {
        OnnxTensor t = toOnnx(e.getValue());
        tensors.add(t);
        TensorInfo declared = (TensorInfo) infos.get(e.getKey()).getInfo();
        if (declared.type != t.getInfo().type) {
          throw new IllegalArgumentException(model.getFileName() + ": input " + e.getKey() + " is "
              + declared.type + " in the graph, given " + e.getValue().elementType());
        }
        feed.put(e.getKey(), t);
      }
      Map<String, TensorData> outputs = new LinkedHashMap<>();
      try (OrtSession.Result result = session.run(feed)) {
        for (Map.Entry<String, OnnxValue> e : result) {
          if (!(e.getValue() instanceof OnnxTensor t)) {
            throw new IllegalStateException(model.getFileName() + ": output " + e.getKey() + " is not a tensor");
          }
          outputs.put(e.getKey(), fromOnnx(e.getKey(), t));
        }
      }
      return outputs;
    } finally {
      for (OnnxTensor t : tensors) {
        t.close();
      }
    }
  }

  private OnnxTensor toOnnx(TensorData data) throws OrtException {
    OnnxJavaType type = switch (data.elementType()) {
      case F32 -> OnnxJavaType.FLOAT;
      case F64 -> OnnxJavaType.DOUBLE;
      case I8 -> OnnxJavaType.INT8;
      case U8 -> OnnxJavaType.UINT8;
      case I16 -> OnnxJavaType.INT16;
      case I32 -> OnnxJavaType.INT32;
      case I64 -> OnnxJavaType.INT64;
    };
    ByteBuffer bytes = data.bytes();
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.nativeOrder());
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new UnsupportedOperationException("big-endian platform");
    }
    direct.put(bytes).flip();
    long[] shape = new long[data.shape().rank()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = data.shape().dim(i);
    }
    return OnnxTensor.createTensor(env, direct, shape, type);
  }

  private TensorData fromOnnx(String name, OnnxTensor t) {
    TensorInfo info = t.getInfo();
    ElementType type = switch (info.type) {
      case FLOAT -> ElementType.F32;
      case DOUBLE -> ElementType.F64;
      case INT8 -> ElementType.I8;
      case UINT8 -> ElementType.U8;
      case INT16 -> ElementType.I16;
      case INT32 -> ElementType.I32;
      case INT64 -> ElementType.I64;
      default -> throw new IllegalStateException(
          model.getFileName() + ": output " + name + " has type " + info.type + ", not supported");
    };
    long[] dims = info.getShape();
    int[] ints = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      ints[i] = Math.toIntExact(dims[i]);
    }
    ByteBuffer bytes = t.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer copy = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN).put(bytes).flip();
    return new TensorData(type, Shape.of(ints), copy);
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
