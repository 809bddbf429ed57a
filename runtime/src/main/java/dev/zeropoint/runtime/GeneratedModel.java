package dev.zeropoint.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * The base of every generated model class: it holds the constants (the first two are the input and
 * output specs, one {@link TensorSpec#encode} per line) and checks the inputs; the generated
 * subclass implements {@link #execute} with straight-line calls to the kernels, specialized to the
 * model's shapes and parameters.
 */
public abstract class GeneratedModel implements CompiledModel {
  /** The model's constants, indexed by the generated code. */
  protected final Object[] k;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;

  protected GeneratedModel(Object[] constants) {
    this.k = constants;
    this.inputs = specs((String) constants[0]);
    this.outputs = specs((String) constants[1]);
  }

  private static List<TensorSpec> specs(String lines) {
    return lines.isEmpty() ? List.of() : Arrays.stream(lines.split("\n")).map(TensorSpec::parse).toList();
  }

  @Override
  public final List<TensorSpec> inputs() {
    return inputs;
  }

  @Override
  public final List<TensorSpec> outputs() {
    return outputs;
  }

  @Override
  public final Object[] run(Object... in) {
    if (in.length != inputs.size()) {
      throw new IllegalArgumentException("the model takes " + inputs.size() + " inputs " + inputs + ", not " + in.length);
    }
    for (int i = 0; i < in.length; i++) {
      TensorSpec s = inputs.get(i);
      int length = in[i] instanceof int[] a && !s.isFloat() ? a.length
          : in[i] instanceof float[] f && s.isFloat() ? f.length : -1;
      if (length != s.size()) {
        throw new IllegalArgumentException("input " + s.name() + " must be " + (s.isFloat() ? "float[" : "int[")
            + s.size() + "] (" + s + ")");
      }
    }
    return execute(in);
  }

  /** The generated code: inputs checked, outputs freshly allocated. */
  protected abstract Object[] execute(Object[] inputs);
}
