package dev.zeropoint.frontend;

import dev.zeropoint.ir.ElementType;
import dev.zeropoint.ir.Shape;
import dev.zeropoint.ir.TensorData;
import java.util.Optional;

/** The named tensors of a model's weights file, as the model builder needs them. */
interface WeightTable {
  /** Element type and shape of an entry. */
  record Info(ElementType elementType, Shape shape) {}

  Optional<Info> info(String key);

  /** The entry's contents, without copying the file into memory. */
  TensorData read(String key) throws WeightsException;

  /** A problem with a weights file; the message is one line and names the file. */
  final class WeightsException extends Exception {
    private static final long serialVersionUID = 1L;

    WeightsException(String message) {
      super(message, null, false, false);
    }
  }

  /** Opens weights files; {@link #open} reports a missing or malformed file as a WeightsException. */
  @FunctionalInterface
  interface Opener {
    WeightTable open(java.nio.file.Path file, String shownName) throws WeightsException;
  }
}
