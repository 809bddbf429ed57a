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
      if (!s.isFloat()) {
        checkRange(s, (int[]) in[i]);
      }
    }
    return execute(in);
  }

  /**
   * Every value of an integer input must be one of its element type's: the kernels rely on it (the
   * float32 products of {@code GemmF32} are exact only for values in range).
   */
  private static void checkRange(TensorSpec s, int[] a) {
    dev.zeropoint.ir.ElementType e = dev.zeropoint.ir.ElementType.fromKeyword(s.elementType()).orElseThrow();
    long min = e.minValue();
    long max = e.maxValue();
    for (int i = 0; i < a.length; i++) {
      if (a[i] < min || a[i] > max) {
        throw new IllegalArgumentException("input " + s.name() + " is " + e.keyword() + ": element " + i + " is "
            + a[i] + ", outside [" + min + ", " + max + "]");
      }
    }
  }

  /** The generated code: inputs checked, outputs freshly allocated. */
  protected abstract Object[] execute(Object[] inputs);

  /**
   * Workspaces of earlier runs, free: each one array per buffer of the generated code's table, for
   * its intermediate values. A run takes one (or makes one when every other is in use by a run of
   * another thread) and gives it back when its outputs are ready: a model keeps as many as it ever
   * ran at once.
   */
  private final java.util.concurrent.ConcurrentLinkedQueue<Object[]> workspaces =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /**
   * A new frame of {@code size} slots and one more for the run's workspace: the inputs in the first
   * slots, then each constant at its slot ({@code places} holds pairs: slot, index into {@link #k}),
   * then each workspace array at its slot ({@code pooled}: slot, array; {@code buffers}: the arrays'
   * lengths and types, 1 for {@code float[]}). Loops over tables, so that the generated code stays
   * small however many inputs and constants a model has.
   */
  protected final Object[] frame(int size, Object[] inputs, int[] places, int[] buffers, int[] pooled) {
    Object[] frame = new Object[size + 1];
    System.arraycopy(inputs, 0, frame, 0, inputs.length);
    for (int i = 0; i < places.length; i += 2) {
      frame[places[i]] = k[places[i + 1]];
    }
    if (pooled.length > 0) {
      Object[] ws = workspaces.poll();
      if (ws == null) {
        ws = new Object[buffers.length / 2];
        for (int i = 0; i < ws.length; i++) {
          ws[i] = buffers[2 * i + 1] == 1 ? new float[buffers[2 * i]] : new int[buffers[2 * i]];
        }
      }
      for (int i = 0; i < pooled.length; i += 2) {
        frame[pooled[i]] = ws[pooled[i + 1]];
      }
      frame[size] = ws;
    }
    return frame;
  }

  /**
   * The outputs: the arrays at {@code slots}, copied where {@code copy} is non-zero (an output that
   * is an input, a constant or another output gets its own array). The run's workspace is free again.
   */
  protected final Object[] outputs(Object[] frame, int[] slots, int[] copy) {
    Object[] out = new Object[slots.length];
    for (int i = 0; i < slots.length; i++) {
      Object a = frame[slots[i]];
      out[i] = copy[i] == 0 ? a : a instanceof float[] f ? f.clone() : ((int[]) a).clone();
    }
    if (frame[frame.length - 1] instanceof Object[] ws) {
      workspaces.offer(ws);
    }
    return out;
  }
}
