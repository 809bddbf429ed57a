package dev.zeropoint.backends.jvm;

import dev.zeropoint.backends.Backend;
import dev.zeropoint.backends.Executable;
import dev.zeropoint.backends.InputException;
import dev.zeropoint.backends.Inputs;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Graph;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import dev.zeropoint.ir.Value;
import dev.zeropoint.runtime.CompiledModel;
import java.lang.invoke.MethodHandles;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --backend jvm}: compiles the graph to bytecode ({@link JvmCompiler}) and defines it as a
 * hidden class in this JVM; each run converts the inputs to arrays and the outputs back.
 */
public final class JvmBackend implements Backend {
  @Override
  public String name() {
    return "jvm";
  }

  @Override
  public Executable prepare(Graph graph) throws CompileException {
    CompiledModel model = load(graph);
    return inputs -> run(graph, model, inputs);
  }

  /**
   * The graph the backend compiles: as given when it is already lowered, else after the default
   * pipeline ({@code -O}), which changes no output and turns quantized conv2d / linear into the
   * integer accumulations and requantizations the kernels run.
   */
  public static Graph lowered(Graph graph) throws CompileException {
    boolean needs = graph.nodes().stream().anyMatch(n -> (n.op() == dev.zeropoint.ir.op.Op.CONV2D
        || n.op() == dev.zeropoint.ir.op.Op.LINEAR) && n.result().type().isQuantized());
    if (!needs) {
      return graph;
    }
    var context = new dev.zeropoint.passes.PassContext(false, false, java.util.Set.of(), false,
        new java.io.PrintWriter(java.io.Writer.nullWriter()), new LinkedHashMap<>());
    return dev.zeropoint.passes.PassManager.defaultPipeline(dev.zeropoint.passes.PassRegistry.load()).run(graph, context);
  }

  /** Compiles the graph and instantiates it as a hidden class. */
  public static CompiledModel load(Graph graph) throws CompileException {
    graph = lowered(graph);
    JvmCompiler.CompiledClass c = JvmCompiler.compile(graph,
        JvmBackend.class.getPackageName() + ".Model_" + javaName(graph.name()));
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(c.bytes(), true);
      return (CompiledModel) lookup.lookupClass().getConstructor(Object[].class).newInstance((Object) c.constants());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot define the generated class of " + graph.name(), e);
    }
  }

  /** A Java identifier made of a model's name. */
  public static String javaName(String name) {
    StringBuilder b = new StringBuilder();
    for (char ch : name.toCharArray()) {
      b.append(Character.isJavaIdentifierPart(ch) ? ch : '_');
    }
    if (b.isEmpty() || !Character.isJavaIdentifierStart(b.charAt(0))) {
      b.insert(0, 'M');
    }
    return b.toString();
  }

  private static LinkedHashMap<String, TensorData> run(Graph graph, CompiledModel model, Map<String, TensorData> inputs)
      throws InputException {
    Inputs.check(graph, inputs);
    Object[] in = new Object[graph.inputs().size()];
    for (int i = 0; i < in.length; i++) {
      Value v = graph.inputs().get(i);
      in[i] = toArray(inputs.get(v.name()), v.type().elementType());
    }
    Object[] out = model.run(in);
    LinkedHashMap<String, TensorData> result = new LinkedHashMap<>();
    for (int i = 0; i < out.length; i++) {
      Graph.Output o = graph.outputs().get(i);
      result.put(o.name(), fromArray(out[i], o.value().type().elementType(), o.value().type().shape()));
    }
    return result;
  }

  static Object toArray(TensorData d, ElementType e) {
    int n = Math.toIntExact(d.size());
    if (e == ElementType.F32) {
      float[] f = new float[n];
      for (int i = 0; i < n; i++) {
        f[i] = Float.intBitsToFloat((int) d.getRawBits(i));
      }
      return f;
    }
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = (int) d.getLong(i);
    }
    return a;
  }

  static TensorData fromArray(Object array, ElementType e, Shape shape) {
    if (array instanceof float[] f) {
      return TensorData.ofFloats(shape, f);
    }
    int[] a = (int[]) array;
    long[] l = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      l[i] = a[i];
    }
    return TensorData.ofLongs(e, shape, l);
  }
}
