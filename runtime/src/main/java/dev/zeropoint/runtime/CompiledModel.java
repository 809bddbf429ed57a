package dev.zeropoint.runtime;

import java.util.List;

/**
 * A model compiled ahead of time to a class ({@code zeropoint compile MODEL.qg --target jvm}). Its
 * tensors are flat row-major arrays: {@code int[]} for every integer or quantized element type (the
 * stored integer itself: a u8 of 255 is 255), {@code float[]} for f32. The generated class has a
 * public no-argument constructor that reads its weights from the jar, so
 * {@code new MyModel().run(input)} is all a Java service needs; {@link Models#load} finds the class
 * of a jar for you.
 */
public interface CompiledModel {
  /** The inputs {@link #run} takes, in this order. */
  List<TensorSpec> inputs();

  /** The outputs {@link #run} returns, in this order. */
  List<TensorSpec> outputs();

  /**
   * Runs the model on one array per input ({@code int[]} or {@code float[]}, of each input's size)
   * and returns one array per output. The inputs are not modified; the model may be run from
   * several threads at once.
   *
   * @throws IllegalArgumentException when an input is missing, of the wrong array type or size
   */
  Object[] run(Object... inputs);
}
