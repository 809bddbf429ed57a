package dev.zeropoint.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.GraphBuilder;
import dev.zeropoint.ir.Numerics;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.TensorType;
import dev.zeropoint.ir.Value;
import dev.zeropoint.onnx.proto.OnnxModel.GraphProto;
import dev.zeropoint.onnx.proto.OnnxModel.ModelProto;
import dev.zeropoint.onnx.proto.OnnxModel.NodeProto;
import dev.zeropoint.onnx.proto.OnnxModel.OperatorSetIdProto;
import dev.zeropoint.onnx.proto.OnnxModel.TensorProto;
import dev.zeropoint.onnx.proto.OnnxModel.TensorShapeProto;
import dev.zeropoint.onnx.proto.OnnxModel.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an ONNX model into the IR. Graph inputs become IR inputs when a node uses them as data,
 * and constants when {@link Options#constantInputs} binds them (quantization parameters and weights
 * that a model passes as inputs, as ONNX's node tests do). Each node becomes IR ops ({@link
 * NodeConverter}); shape-only computations on constants (Shape, Cast, ConstantOfShape, ...) are
 * evaluated here.
 */
public final class OnnxImporter {
  /** Opsets of the default domain Zeropoint reads. */
  public static final int MIN_OPSET = 10;
  public static final int MAX_OPSET = 21;

  /**
   * @param numerics the flavour the imported graph follows ({@code onnx}: ONNX Runtime's integers)
   * @param inputShapes shapes for inputs whose ONNX shape has dynamic dimensions
   * @param constantInputs graph inputs to import as constants with this data
   * @param weightsFile when present, constants of more than {@link #INLINE_LIMIT} elements are named
   *     entries of this weights file (the graph's {@code weights(...)}), for writing the model as .qg
   */
  public record Options(Numerics numerics, Map<String, int[]> inputShapes, Map<String, TensorData> constantInputs,
      Optional<String> weightsFile) {
    public static Options defaults() {
      return new Options(Numerics.ONNX, Map.of(), Map.of(), Optional.empty());
    }

    public Options withNumerics(Numerics n) {
      return new Options(n, inputShapes, constantInputs, weightsFile);
    }

    public Options withInputShapes(Map<String, int[]> shapes) {
      return new Options(numerics, shapes, constantInputs, weightsFile);
    }

    public Options withConstantInputs(Map<String, TensorData> data) {
      return new Options(numerics, inputShapes, data, weightsFile);
    }

    public Options withWeightsFile(String file) {
      return new Options(numerics, inputShapes, constantInputs, Optional.of(file));
    }
  }

  /** Constants up to this many elements stay inline in the .qg text. */
  public static final int INLINE_LIMIT = 16;

  private OnnxImporter() {}

  /** Whether a file looks like an ONNX model by its name. */
  public static boolean isOnnxFile(Path p) {
    return p.getFileName() != null && p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
  }

  /** Reads and converts {@code file}; every problem is an {@link OnnxException} with a message for the user. */
  public static Graph importModel(Path file, Options options) throws OnnxException {
    return importNamed(file, options).graph();
  }

  /**
   * An imported model and the names its graph gave the file's inputs and outputs. ONNX names become
   * .qg names ({@code input:0} is {@code input_0}, a clash gets a suffix), so callers holding data by
   * the file's names translate through these maps.
   *
   * @param inputs the graph input's name for each of the file's inputs, in the file's order (inputs
   *     bound as constants are not graph inputs and are absent)
   * @param outputs the graph output's name for each of the file's outputs, in the file's order
   */
  public record Imported(Graph graph, Map<String, String> inputs, Map<String, String> outputs) {
    public Imported {
      inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
      outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /** {@code data} keyed by the file's input names, keyed by the graph's; keys that are not the file's stay. */
    public <T> Map<String, T> graphInputs(Map<String, T> data) {
      Map<String, T> renamed = new LinkedHashMap<>();
      data.forEach((k, v) -> renamed.put(inputs.getOrDefault(k, k), v));
      return renamed;
    }

    /** {@code results} keyed by the graph's output names, keyed by the file's, in the file's order. */
    public <T> Map<String, T> fileOutputs(Map<String, T> results) {
      Map<String, T> renamed = new LinkedHashMap<>();
      outputs.forEach((file, graph) -> {
        if (results.containsKey(graph)) {
          renamed.put(file, results.get(graph));
        }
      });
      return renamed;
    }
  }

  /** {@link #importModel}, with the names the graph gave the file's inputs and outputs. */
  public static Imported importNamed(Path file, Options options) throws OnnxException {
    ModelProto model = parse(file);
    Path dir = file.toAbsolutePath().getParent();
    try {
      OnnxImporter.Run run = new OnnxImporter.Run(model, dir, options, modelName(file));
      Graph g = run.convert();
      Map<String, String> inputs = new LinkedHashMap<>();
      for (String name : run.inputOrder) {
        String ir = run.irInputName(name);
        if (!ir.isEmpty() && g.inputs().stream().anyMatch(v -> v.name().equals(ir))) {
          inputs.put(name, ir);
        }
      }
      return new Imported(g, inputs, run.outputNames);
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw new OnnxException(e.getMessage(), e);
    }
  }

  static ModelProto parse(Path file) throws OnnxException {
    ModelProto model;
    try (InputStream in = Files.newInputStream(file)) {
      CodedInputStream c = CodedInputStream.newInstance(in);
      c.setSizeLimit(Integer.MAX_VALUE);
      c.setRecursionLimit(200);
      model = ModelProto.parseFrom(c);
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxException("not an ONNX model: the protobuf is malformed or truncated (" + e.getMessage() + ")");
    } catch (NoSuchFileException e) {
      throw new OnnxException("no such file");
    } catch (IOException e) {
      throw new OnnxException("cannot read: " + e.getMessage());
    }
    if (!model.hasGraph() || model.getOpsetImportCount() == 0) {
      throw new OnnxException("not an ONNX model: it has no " + (model.hasGraph() ? "opset import" : "graph"));
    }
    return model;
  }

  private static String modelName(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return Names.identifier(dot > 0 ? n.substring(0, dot) : n);
  }

  /** One conversion: the ONNX values seen so far and the graph being built. */
  static final class Run {
    final ModelProto model;
    final Path dir;
    final Options options;
    final GraphBuilder builder;
    final Names names = new Names();
    final Names weightKeys = new Names();
    /** Constants by ONNX name (initializers, Constant nodes, folded values, bound inputs). */
    final Map<String, TensorData> constants = new HashMap<>();
    /** IR values by ONNX name. */
    final Map<String, Value> values = new HashMap<>();
    /** Constants already in the graph as const ops, by ONNX name and type. */
    final Map<String, Value> materialized = new HashMap<>();
    /** Graph inputs not yet created, by name (in ONNX's order). */
    final Map<String, ValueInfoProto> pendingInputs = new LinkedHashMap<>();
    final List<String> inputOrder = new ArrayList<>();
    /** The graph output's name for each of the file's outputs, in the file's order. */
    final Map<String, String> outputNames = new LinkedHashMap<>();
    /** Names that stand for a graph input not created yet (a no-op Cast or Identity of it). */
    final Map<String, String> aliases = new HashMap<>();
    final Map<String, ValueInfoProto> valueInfo = new HashMap<>();
    final int opset;
    final int msOpset;

    Run(ModelProto model, Path dir, Options options, String name) throws OnnxException {
      this.model = model;
      this.dir = dir;
      this.options = options;
      this.builder = GraphBuilder.create(name, options.numerics());
      options.weightsFile().ifPresent(builder::weightsFile);
      int def = -1;
      int ms = -1;
      for (OperatorSetIdProto o : model.getOpsetImportList()) {
        if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
          def = (int) o.getVersion();
        } else if (o.getDomain().equals("com.microsoft")) {
          ms = (int) o.getVersion();
        }
      }
      if (def < 0) {
        def = MAX_OPSET; // a model of contrib ops only; the default domain is not used
      }
      if (def < MIN_OPSET || def > MAX_OPSET) {
        throw new OnnxException("the model uses opset " + def + " of the default domain; Zeropoint reads opsets "
            + MIN_OPSET + " to " + MAX_OPSET);
      }
      this.opset = def;
      this.msOpset = ms;
    }

    Graph convert() throws OnnxException {
      GraphProto g = model.getGraph();
      for (ValueInfoProto v : g.getValueInfoList()) {
        valueInfo.put(v.getName(), v);
      }
      Set<String> initializers = new HashSet<>();
      for (TensorProto t : g.getInitializerList()) {
        initializers.add(t.getName());
        try {
          constants.put(t.getName(), OnnxTensors.read(t, dir));
        } catch (OnnxException e) {
          throw new OnnxException("initializer '" + t.getName() + "': " + e.getMessage());
        }
      }
      for (ValueInfoProto in : g.getInputList()) {
        if (initializers.contains(in.getName())) {
          continue; // an initializer listed as an input (IR version < 4): a constant here
        }
        inputOrder.add(in.getName());
        TensorData bound = options.constantInputs().get(in.getName());
        if (bound != null) {
          constants.put(in.getName(), bound);
        } else {
          pendingInputs.put(in.getName(), in);
        }
      }
      for (String bound : options.constantInputs().keySet()) {
        if (!inputOrder.contains(bound)) {
          throw new OnnxException("the model has no input '" + bound + "' to bind");
        }
      }
      NodeConverter converter = new NodeConverter(this);
      for (NodeProto n : g.getNodeList()) {
        converter.convert(n);
      }
      if (g.getOutputCount() == 0) {
        throw new OnnxException("the graph has no outputs");
      }
      for (ValueInfoProto out : g.getOutputList()) {
        Value v = valueOrConstant(out.getName(), "graph output");
        String name = names.output(out.getName());
        outputNames.put(out.getName(), name);
        builder.output(name, v);
      }
      // Inputs no node uses are still inputs of the model.
      for (String name : new ArrayList<>(pendingInputs.keySet())) {
        input(name, Optional.empty());
      }
      builder.orderInputs(inputOrder.stream().map(this::irInputName).toList());
      return builder.build();
    }

    String irInputName(String onnxName) {
      Value v = values.get(onnxName);
      return v == null ? "" : v.name();
    }

    boolean isConstant(String name) {
      return constants.containsKey(name);
    }

    Optional<TensorData> constant(String name) {
      return Optional.ofNullable(constants.get(name));
    }

    /** The IR value of an ONNX name; a graph input is created now with its declared type. */
    Value value(String name) throws OnnxException {
      Value v = values.get(name);
      if (v != null) {
        return v;
      }
      if (pendingInputs.containsKey(name)) {
        return input(name, Optional.empty());
      }
      if (constants.containsKey(name)) {
        return materialize(name, Optional.empty());
      }
      throw new OnnxException("value '" + name + "' is used before it is defined");
    }

    /** The name an alias stands for, or the name itself. */
    String resolve(String name) {
      String n = name;
      while (aliases.containsKey(n)) {
        n = aliases.get(n);
      }
      return n;
    }

    Value valueOrConstant(String onnxName, String what) throws OnnxException {
      String name = resolve(onnxName);
      if (!values.containsKey(name) && !pendingInputs.containsKey(name) && !constants.containsKey(name)) {
        throw new OnnxException(what + " '" + name + "' is not produced by any node");
      }
      return value(name);
    }

    /** A constant as a const op, with a type of the same storage (a quantized type, say). */
    Value materialize(String name, Optional<TensorType> type) {
      TensorData d = constants.get(name);
      TensorType t = type.orElse(TensorType.of(d.elementType(), d.shape()));
      String key = name + "\u0000" + t;
      Value v = materialized.get(key);
      if (v == null) {
        Optional<String> entry = options.weightsFile().isPresent() && d.size() > INLINE_LIMIT
            ? Optional.of(weightKeys.value(name.replace("\u0000", "_"), k -> false)) : Optional.empty();
        v = builder.constant(d, t, entry);
        materialized.put(key, v);
      }
      return v;
    }

    boolean isPendingInput(String name) {
      return pendingInputs.containsKey(name);
    }

    /** The element type a pending graph input declares. */
    Optional<ElementType> pendingInputElementType(String name) throws OnnxException {
      ValueInfoProto in = pendingInputs.get(name);
      return in == null || !in.getType().hasTensorType() ? Optional.empty()
          : Optional.of(pendingInputElementType0(in));
    }

    /**
     * Creates the graph input {@code name}: its shape from the model or {@code --input-shape}, its
     * element type the declared one, or {@code storage}'s quantized type when a node reads it as
     * quantized integers.
     */
    Value input(String name, Optional<TensorType> quantizedType) throws OnnxException {
      ValueInfoProto in = pendingInputs.remove(name);
      if (!in.getType().hasTensorType()) {
        throw new OnnxException("input '" + name + "' is not a tensor");
      }
      TensorType t = quantizedType.orElse(null);
      if (t == null) {
        ElementType e = pendingInputElementType0(in);
        t = TensorType.of(e, inputShape(in));
      }
      Value v = builder.input(names.value(name, builder::isDefined), t);
      values.put(name, v);
      return v;
    }

    private ElementType pendingInputElementType0(ValueInfoProto in) throws OnnxException {
      int t = in.getType().getTensorType().getElemType();
      return OnnxTensors.elementType(t).orElseThrow(() -> new OnnxException(
          "input '" + in.getName() + "' holds " + OnnxTensors.typeName(t) + ", which Zeropoint does not support"));
    }

    Shape pendingInputShape(String name) throws OnnxException {
      return inputShape(pendingInputs.get(name));
    }

    private Shape inputShape(ValueInfoProto in) throws OnnxException {
      int[] given = options.inputShapes().get(in.getName());
      TensorShapeProto s = in.getType().getTensorType().getShape();
      if (given != null) {
        if (in.getType().getTensorType().hasShape() && s.getDimCount() != given.length) {
          throw new OnnxException("--input-shape " + in.getName() + " gives " + given.length
              + " dimensions; the model declares " + s.getDimCount());
        }
        for (int i = 0; i < given.length && in.getType().getTensorType().hasShape(); i++) {
          TensorShapeProto.Dimension d = s.getDim(i);
          if (d.hasDimValue() && d.getDimValue() != given[i]) {
            throw new OnnxException("--input-shape " + in.getName() + " gives " + given[i] + " for dimension " + i
                + "; the model fixes it to " + d.getDimValue());
          }
        }
        return Shape.of(given);
      }
      if (!in.getType().getTensorType().hasShape()) {
        throw new OnnxException("input '" + in.getName() + "' has no shape; give one with --input-shape "
            + in.getName() + "=1,3,224,224 (for example)");
      }
      int[] dims = new int[s.getDimCount()];
      for (int i = 0; i < dims.length; i++) {
        TensorShapeProto.Dimension d = s.getDim(i);
        if (!d.hasDimValue() || d.getDimValue() <= 0) {
          String label = d.hasDimParam() ? "'" + d.getDimParam() + "'" : "unknown";
          throw new OnnxException("input '" + in.getName() + "' has a dynamic dimension " + i + " (" + label
              + "); give its shape with --input-shape " + in.getName() + "=" + exampleShape(s));
        }
        dims[i] = Math.toIntExact(d.getDimValue());
      }
      return Shape.of(dims);
    }

    private static String exampleShape(TensorShapeProto s) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < s.getDimCount(); i++) {
        TensorShapeProto.Dimension d = s.getDim(i);
        b.append(i > 0 ? "," : "").append(d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : 1);
      }
      return b.toString();
    }
  }
}
