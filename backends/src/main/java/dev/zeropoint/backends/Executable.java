package dev.zeropoint.backends;

import dev.zeropoint.ir.TensorData;
import java.util.LinkedHashMap;
import java.util.Map;

/** A prepared model: runs on named inputs and returns every graph output, in declaration order. */
public interface Executable {
  /**
   * Runs the model.
   *
   * @throws InputException when an input is missing, unknown, or of the wrong type or shape
   */
  LinkedHashMap<String, TensorData> run(Map<String, TensorData> inputs) throws InputException;
}
