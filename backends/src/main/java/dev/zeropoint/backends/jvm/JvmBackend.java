package dev.zeropoint.backends.jvm;

import dev.zeropoint.backends.Backend;
import dev.zeropoint.backends.Executable;
import dev.zeropoint.backends.InputException;
import dev.zeropoint.backends.Inputs;
import dev.zeropoint.backends.TensorArrays;
import dev.zeropoint.backends.lowering.Lowering;
import dev.zeropoint.ir.CompileException;
import dev.zeropoint.ir.Graph;
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

  /** Compiles the graph and instantiates it as a hidden class. */
  public static CompiledModel load(Graph graph) throws CompileException {
    graph = Lowering.pipeline(graph);
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
      in[i] = TensorArrays.toArray(inputs.get(v.name()), v.type().elementType());
    }
    Object[] out = model.run(in);
    LinkedHashMap<String, TensorData> result = new LinkedHashMap<>();
    for (int i = 0; i < out.length; i++) {
      Graph.Output o = graph.outputs().get(i);
      result.put(o.name(), TensorArrays.fromArray(out[i], o.value().type().elementType(), o.value().type().shape()));
    }
    return result;
  }
}
